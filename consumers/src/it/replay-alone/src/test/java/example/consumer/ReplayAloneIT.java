package example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.replay.KafkaEventReader;
import io.github.ddm.replay.KafkaHistorySource;
import io.github.ddm.replay.KafkaReplay;
import io.github.ddm.replay.TopicNaming;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * What an application that names ddm-replay alone does: decode a change event as the topics carry
 * it, set up a replay and a history source (no Kafka is contacted), and apply the event to a real
 * redis-server the way a replay does.
 */
class ReplayAloneIT {

    private static final Map<String, Object> KAFKA = Map.of("bootstrap.servers", "127.0.0.1:9092");
    private static final String CREATE = """
            {"schema": 1, "eventId": "01JQ8Z6K4T3M9X2V7B5N0C1D8E", "op": "c",
             "key": {"partition": "orders", "section": "book", "id": "BTC-USD"},
             "version": 1, "prevVersion": 0, "epoch": "Xq3v9LmP2sKw",
             "lineage": "k3J9aQ", "clock": {"eu-west-1~k3J9aQ": 1}, "time": 1767225600123,
             "origin": {"region": "eu-west-1", "node": "ddm-node-1"},
             "state": {"symbol": "BTC-USD", "bids": [{"price": 64250.5, "size": 0.75}], "seq": 1}}
            """;

    private static RedisServer redis;
    private static RedissonClient redisson;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        redisson = RedisClients.create(redis.uri());
    }

    @AfterAll
    static void stopRedis() {
        if (redisson != null) {
            redisson.shutdown();
        }
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
    void changeEvent_decodesAndEncodesBack() {
        ChangeEvent event = ChangeEventCodec.decode(CREATE);

        assertEquals(ChangeOp.CREATE, event.op());
        assertEquals("BTC-USD", event.key().id());
        assertEquals(64250.5, event.state().path("bids").path(0).path("price").doubleValue());
        assertEquals(event, ChangeEventCodec.decode(ChangeEventCodec.encode(event)));
    }

    @Test
    void replayAndHistorySource_buildFromTheirSettings() {
        KafkaReplay replay = KafkaReplay.builder()
                .reader(KafkaEventReader.builder(KAFKA).progressInterval(Duration.ofSeconds(1)).build())
                .redisson(redisson)
                .topicNaming(TopicNaming.perSection())
                .build();
        assertEquals(KafkaReplay.class, replay.getClass());
        assertEquals("ddm.eu-west.orders.book", TopicNaming.perSection().topicFor("eu-west", new SectionId("orders", "book")));

        try (KafkaHistorySource history = KafkaHistorySource.builder(KAFKA).region("eu-west").timeout(Duration.ofSeconds(5)).build()) {
            assertEquals(KafkaHistorySource.class, history.getClass());
        }
    }

    @Test
    void decodedEvent_appliesToRedis_asAReplayAppliesIt() {
        ChangeEvent event = ChangeEventCodec.decode(CREATE);
        SectionStore store = SectionStore.open(redisson, "ddm", new SectionId("orders", "book"));

        assertInstanceOf(SectionStore.ApplyOutcome.Applied.class, store.apply(event).join());

        Optional<ChangeEvent> stored = store.snapshot("BTC-USD").join();
        assertTrue(stored.isPresent(), "the applied document");
        assertEquals(1, stored.get().version());
        assertEquals(event.state(), stored.get().state());
    }
}
