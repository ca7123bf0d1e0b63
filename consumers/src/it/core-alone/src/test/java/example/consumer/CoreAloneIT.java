package example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ddm.DocumentManager;
import io.github.ddm.Versioned;
import io.github.ddm.testkit.RedisServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an application that names ddm-core alone does first: write a document and read it back,
 * against a real redis-server. With two Jackson releases on the class path the first write fails
 * (NoClassDefFoundError: com/fasterxml/jackson/core/StreamReadConstraints).
 */
class CoreAloneIT {

    public record Quote(String symbol, double bid, double ask, List<String> venues) {
    }

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void jacksonModules_comeFromOneRelease() {
        // Version.equals compares the artifact ids too: compare the release numbers.
        assertEquals(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString(),
                com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString(),
                "jackson-databind and jackson-core on the class path are from different releases");
    }

    @Test
    void set_thenGetFromAnotherManager_readsTheDocumentBackFromRedis() {
        Quote quote = new Quote("EURUSD", 1.0841, 1.0843, List.of("LMAX", "EBS"));
        try (DocumentManager<Quote> writer = manager("writer-1");
             DocumentManager<Quote> reader = manager("reader-1")) {
            Versioned<Quote> written = writer.set("EURUSD", quote).join();
            assertEquals(1, written.version());

            // The reader's cache is empty: this get reads the document from Redis.
            Optional<Versioned<Quote>> read = reader.get("EURUSD").join();
            assertTrue(read.isPresent(), "the document written by the other manager");
            assertEquals(quote, read.get().value());
            assertEquals(1, read.get().version());
            assertEquals("writer-1", read.get().origin().node());
        }
    }

    private static DocumentManager<Quote> manager(String node) {
        return DocumentManager.builder(Quote.class)
                .redisUri(redis.uri())
                .section("fx", "quotes")
                .origin("eu-west", node)
                .build();
    }
}
