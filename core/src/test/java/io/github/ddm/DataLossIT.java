package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 6 (issue 4): when Redis loses a section's data (FLUSHALL, or a restart without
 * persistence), every node notices on the next message or check, and no cache serves a version
 * from before the loss as the truth. Writes afterwards start a new epoch at version 1, and the
 * other nodes follow them.
 */
class DataLossIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final Duration NEVER = Duration.ofHours(1);
    private static final List<String> IDS = List.of("a", "b", "c");

    private RedisFixture fixture;
    private RawSection raw;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /**
     * Records, at the first listener call that carries a new epoch, what the manager then caches:
     * the listener runs after the cache took the change, so by then the loss must be handled.
     */
    private static final class FirstNewEpoch extends ChangeRecorder {
        private final String oldEpoch;
        private final Map<String, Optional<Versioned<Counter>>> cachedThen = new ConcurrentHashMap<>();
        private volatile DocumentManager<Counter> manager;
        private volatile ChangeEvent first;

        FirstNewEpoch(String oldEpoch) {
            this.oldEpoch = oldEpoch;
        }

        @Override
        void onRecorded(ChangeEvent event) {
            if (first == null && !Objects.equals(event.epoch(), oldEpoch)) {
                for (String id : IDS) {
                    cachedThen.put(id, manager.getCached(id));
                }
                first = event;
            }
        }
    }

    @Test
    void flushAll_isNoticedOnTheNextMessage_noStaleVersionIsServed_andNewWritesStartAtVersionOne() throws Exception {
        // Periodic checks are far away: the next message must be enough.
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer")
                .checkIntervals(NEVER, NEVER, NEVER).build());
        DocumentManager<Counter> reader = fixture.track(fixture.builder(Counter.class, "reader")
                .checkIntervals(NEVER, NEVER, NEVER).build());
        String oldEpoch = cacheThreeVersionsEverywhere(writer, reader);
        FirstNewEpoch seen = new FirstNewEpoch(oldEpoch);
        seen.manager = reader;
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);

        redis.server().flushAll();
        Versioned<Counter> recreated = writer.set("a", new Counter(100, "after the flush")).get(10, TimeUnit.SECONDS);
        assertThat(recreated.version()).as("the first write after the loss starts the key over").isEqualTo(1);
        String newEpoch = (String) redis.server().call("GET", "ddm:{test:docs}:epoch");
        assertThat(newEpoch).as("a new epoch").isNotNull().isNotEqualTo(oldEpoch);

        await("the reader receives the first change of the new epoch").atMost(Duration.ofSeconds(10))
                .until(() -> seen.first != null);
        assertThat(seen.first.epoch()).isEqualTo(newEpoch);
        assertThat(seen.cachedThen.get("b")).as("b, lost in Redis, when the new epoch's first change arrived").isEmpty();
        assertThat(seen.cachedThen.get("c")).as("c, lost in Redis, when the new epoch's first change arrived").isEmpty();
        assertThat(seen.cachedThen.get("a").map(Versioned::version).orElse(1L))
                .as("a when its new version 1 arrived (absent, or version 1)").isEqualTo(1L);
        assertNothingStale(writer, reader);

        assertThat(reader.get("b").get(5, TimeUnit.SECONDS)).as("b after the flush").isEmpty();
        assertThat(writer.get("c").get(5, TimeUnit.SECONDS)).as("c after the flush, on the writer").isEmpty();
        await("epoch change reported").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sync.of(SyncEvent.EpochChanged.class)).as("sync events %s", sync)
                        .anySatisfy(changed -> assertThat(changed.previous()).isEqualTo(oldEpoch)));
        assertThat(reader.stats().epochChanges()).as("%s", reader.stats()).isPositive();

        followsNewWrites(writer, reader, seen);
    }

    @Test
    void flushAll_withoutFurtherWrites_isNoticedByThePeriodicCheck() throws Exception {
        DocumentManager<Counter> writer = fixture.track(FaultClients.builder(fixture, redis.server().uri(), Counter.class,
                "writer").build());
        DocumentManager<Counter> reader = fixture.track(FaultClients.builder(fixture, redis.server().uri(), Counter.class,
                "reader").build());
        String oldEpoch = cacheThreeVersionsEverywhere(writer, reader);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);

        redis.server().flushAll();

        await("both managers drop what Redis lost").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (DocumentManager<Counter> manager : List.of(writer, reader)) {
                for (String id : IDS) {
                    assertThat(manager.getCached(id)).as("%s cached by %s after the flush", id, manager.stats()).isEmpty();
                }
            }
        });
        for (String id : IDS) {
            assertThat(reader.get(id).get(5, TimeUnit.SECONDS)).as("reader's %s after the flush", id).isEmpty();
        }
        await("epoch change reported").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sync.of(SyncEvent.EpochChanged.class)).as("sync events %s", sync)
                        .anySatisfy(changed -> assertThat(changed.previous()).isEqualTo(oldEpoch)));
        assertThat(reader.stats().epochChanges()).isPositive();

        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        assertThat(writer.set("a", new Counter(7, "again")).get(10, TimeUnit.SECONDS).version()).isEqualTo(1);
        followsNewWrites(writer, reader, seen);
    }

    @Test
    void restartWithoutPersistence_noStaleVersionIsServed_andNewWritesAreFollowed() throws Exception {
        DocumentManager<Counter> writer = fixture.track(FaultClients.builder(fixture, redis.server().uri(), Counter.class,
                "writer").build());
        DocumentManager<Counter> reader = fixture.track(FaultClients.builder(fixture, redis.server().uri(), Counter.class,
                "reader").build());
        String oldEpoch = cacheThreeVersionsEverywhere(writer, reader);
        FirstNewEpoch seen = new FirstNewEpoch(oldEpoch);
        seen.manager = reader;
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);

        redis.server().restart();
        assertThat(redis.server().call("DBSIZE")).as("the restarted server is empty").isEqualTo(0L);

        await("both managers drop what Redis lost").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (DocumentManager<Counter> manager : List.of(writer, reader)) {
                for (String id : IDS) {
                    assertThat(manager.getCached(id)).as("%s cached by %s after the restart", id, manager.stats()).isEmpty();
                }
            }
        });
        await("epoch change reported").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sync.of(SyncEvent.EpochChanged.class)).as("sync events %s", sync)
                        .anySatisfy(changed -> assertThat(changed.previous()).isEqualTo(oldEpoch)));
        assertThat(reader.stats().epochChanges()).isPositive();
        await("reads work again, and find nothing").atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            for (String id : IDS) {
                assertThat(reader.get(id).get(2, TimeUnit.SECONDS)).as("reader's %s after the restart", id).isEmpty();
                assertThat(writer.get(id).get(2, TimeUnit.SECONDS)).as("writer's %s after the restart", id).isEmpty();
            }
        });

        assertThat(writer.set("a", new Counter(9, "reborn")).get(10, TimeUnit.SECONDS).version()).isEqualTo(1);
        await("the reader receives the first change of the new epoch").atMost(Duration.ofSeconds(10))
                .until(() -> seen.first != null);
        assertThat(seen.cachedThen.get("b")).as("b when the new epoch's first change arrived").isEmpty();
        assertThat(seen.cachedThen.get("a").map(Versioned::version).orElse(1L))
                .as("a when its new version 1 arrived (absent, or version 1)").isEqualTo(1L);
        followsNewWrites(writer, reader, seen);
    }

    /** Writes three versions of each key; both managers cache them. Returns the section's epoch. */
    private String cacheThreeVersionsEverywhere(DocumentManager<Counter> writer, DocumentManager<Counter> reader)
            throws Exception {
        for (String id : IDS) {
            writer.set(id, new Counter(1, id)).get(10, TimeUnit.SECONDS);
            writer.update(id, Counter::increment).get(10, TimeUnit.SECONDS);
            writer.update(id, Counter::increment).get(10, TimeUnit.SECONDS);
            reader.get(id).get(10, TimeUnit.SECONDS);
        }
        await("both managers cache version 3 of every key").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(Truth.cacheDivergences(writer, raw, IDS)).isEmpty();
            assertThat(Truth.cacheDivergences(reader, raw, IDS)).isEmpty();
        });
        String epoch = (String) redis.server().call("GET", "ddm:{test:docs}:epoch");
        assertThat(epoch).isNotNull();
        return epoch;
    }

    private void assertNothingStale(DocumentManager<Counter> writer, DocumentManager<Counter> reader) {
        assertThat(Truth.staleEntries(writer, raw, IDS)).as("writer's stale entries").isEmpty();
        assertThat(Truth.staleEntries(reader, raw, IDS)).as("reader's stale entries").isEmpty();
    }

    /** Key a is at version 1 of the new epoch: two more writes reach the reader's cache and listener, in order. */
    private void followsNewWrites(DocumentManager<Counter> writer, DocumentManager<Counter> reader, ChangeRecorder seen)
            throws Exception {
        await("the reader answers a's version 1").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Truth.divergence(reader.get("a").get(5, TimeUnit.SECONDS), raw.document("a"))).isNull());
        assertThat(writer.update("a", Counter::increment).get(10, TimeUnit.SECONDS).version()).isEqualTo(2);
        assertThat(writer.update("a", Counter::increment).get(10, TimeUnit.SECONDS).version()).isEqualTo(3);
        await("the reader's cache follows the new epoch").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(reader, raw, List.of("a"))).isEmpty());
        String newEpoch = (String) redis.server().call("GET", "ddm:{test:docs}:epoch");
        List<Long> newVersions = seen.events("a").stream().filter(e -> newEpoch.equals(e.epoch()))
                .map(ChangeEvent::version).toList();
        assertThat(newVersions).as("versions of a the reader's listener saw in the new epoch: %s", seen.describe("a"))
                .containsExactly(1L, 2L, 3L);
        assertNothingStale(writer, reader);
    }
}
