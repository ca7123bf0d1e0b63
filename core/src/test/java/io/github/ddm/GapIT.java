package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.Origin;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import io.github.ddm.schema.ChangeOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A change that does not follow the cached version is never applied: the key is evicted and reloads. */
class GapIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHANNEL = "ddm:{test:docs}:ch";
    private static final String HASH = "ddm:{test:docs}:s:k";

    private RedisFixture fixture;
    private DocumentManager<Counter> reader;
    private String epoch;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        DocumentManager<Counter> writer = fixture.manager(Counter.class, "writer");
        writer.set("k", new Counter(1, "one")).join();
        reader = fixture.manager(Counter.class, "reader");
        assertThat(reader.get("k").join()).isPresent();
        epoch = (String) redis.server().call("GET", "ddm:{test:docs}:epoch");
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private void publish(long prev, long version, String patch, String streamId) throws Exception {
        ChangeEvent event = ChangeEvent.update("crafted-" + version, reader.key("k"), version, prev, epoch,
                Instant.now(), Origin.of("elsewhere", "n"), JSON.readTree(patch), null).withStreamId(streamId);
        redis.server().call("PUBLISH", CHANNEL, ChangeEventCodec.encodeToString(event));
    }

    @Test
    void missedVersions_areNeverAppliedOnTheWrongBase_andTheKeyIsRepaired() throws Exception {
        List<ChangeEvent> delivered = new CopyOnWriteArrayList<>();
        List<SyncEvent> syncEvents = new CopyOnWriteArrayList<>();
        reader.addListener(delivered::add);
        reader.addSyncListener(syncEvents::add);

        // Redis moved to version 3; this node only hears about 2 -> 3 (it missed 1 -> 2, which the log
        // does not hold either, so the catch-up cannot replay it).
        redis.server().call("HSET", HASH, "\u0000v", "3", "count", "3");
        publish(2, 3, "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":3}]", "9999999999999-0");

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.getCached("k").map(Versioned::version).orElse(0L) == 3);
        assertThat(reader.stats().gaps()).isEqualTo(1);
        assertThat(reader.stats().resyncs()).isEqualTo(1);
        assertThat(reader.getCached("k")).hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(3));
        // The held-back 2 -> 3 patch was never delivered; the repair delivered the state as a snapshot.
        assertThat(delivered).extracting(ChangeEvent::op, ChangeEvent::version).containsExactly(tuple(ChangeOp.SNAPSHOT, 3L));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(syncEvents)
                .anySatisfy(e -> assertThat(e).isInstanceOf(SyncEvent.GapDetected.class))
                .anySatisfy(e -> assertThat(e).isEqualTo(new SyncEvent.Reloaded("test", "docs", reader.key("k"),
                        SyncEvent.ReloadReason.UNREPAIRABLE_GAP))));
    }

    @Test
    void aPatchThatDoesNotFitItsBase_isNotApplied() throws Exception {
        // Claims to follow the cached version 1, but its patch removes a member the document lacks.
        publish(1, 2, "[{\"op\":\"remove\",\"path\":\"/missing\"}]", "9999999999999-1");

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.stats().gaps() == 1);
        assertThat(reader.getCached("k")).isEmpty();
        assertThat(reader.get("k").join()).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));
    }

    @Test
    void duplicatesAndMalformedMessages_changeNothing() throws Exception {
        // A replay of version 1 with other content: version <= cached, so it is ignored.
        ChangeEvent duplicate = ChangeEvent.create("dup-1", reader.key("k"), 1, 0, epoch, Instant.now(),
                Origin.of("elsewhere", "n"), JSON.readTree("{\"count\":77}")).withStreamId("9999999999999-2");
        redis.server().call("PUBLISH", CHANNEL, ChangeEventCodec.encodeToString(duplicate));
        redis.server().call("PUBLISH", CHANNEL, "{not an event");
        redis.server().call("PUBLISH", CHANNEL, "{\"schema\":99}");

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.stats().malformed() == 2 && reader.stats().received() == 3);
        assertThat(reader.getCached("k")).hasValueSatisfying(v -> {
            assertThat(v.version()).isEqualTo(1);
            assertThat(v.value().count).isEqualTo(1);
        });
        assertThat(reader.stats().gaps()).isZero();
    }
}
