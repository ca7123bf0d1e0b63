package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.schema.Origin;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A manager built from config/ddm-service.properties works against a real redis-server, with the file's settings. */
class ServiceConfigIT {

    /** An immutable document, as the sample's value.sharing=shared asks. */
    public record Book(String symbol, long bid) {
    }

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    @Test
    void aManagerBuiltFromTheSampleFile_writesWhereTheFileSays() throws Exception {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("..", "config", "ddm-service.properties"))) {
            props.load(in);
        }
        // This machine's Redis instead of the sample's TLS server.
        props.setProperty("ddm.redis.uri", redis.server().uri());
        props.remove("ddm.redis.tls.certificates");
        props.remove("ddm.redis.user");
        props.remove("ddm.redis.password");
        try (DocumentManager<Book> books = DocumentManager.builder(Book.class).properties(props, "ddm.").build()) {
            Versioned<Book> written = books.set("EURUSD", new Book("EURUSD", 108_250)).join();
            assertThat(written.origin()).isEqualTo(Origin.of("eu-west", "pricer-1"));
            assertThat(redis.server().call("HGET", "ddm:{orders:book}:s:EURUSD", "bid")).isEqualTo("108250");
            Versioned<Book> read = books.get("EURUSD").join().orElseThrow();
            assertThat(read.value()).as("value.sharing=shared hands out the cached instance").isSameAs(books.get("EURUSD").join()
                    .orElseThrow().value());
        }
    }
}
