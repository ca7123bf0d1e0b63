package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 8 (issue 4): a late subscriber gets every version after the one it asks for, in order
 * and once, then the live ones; or, when no history reaches back that far, an explicit snapshot.
 * The history is served from the change buffer, the section log, a configured history source, or
 * a snapshot, and each source is forced by removing the ones before it.
 */
class LateSubscriberIT {

    /** Small stream nodes, so that {@code XADD MAXLEN ~ 5} really trims to about five entries. */
    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create(b -> b.config("stream-node-max-entries", "4"));

    private RedisFixture fixture;
    private RawSection raw;
    private DocumentManager<Counter> writer;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
        writer = fixture.manager(Counter.class, "writer");
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void fromTheBuffer_aManagerThatSawVersions1to10_servesFrom5_thenLive() throws Exception {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "watcher");
        writeVersions(writer, "k", 10);
        await("the watcher has seen versions 1..10").atMost(Duration.ofSeconds(10)).until(() ->
                manager.bufferedChanges("k").stream().map(ChangeEvent::version).collect(Collectors.toList())
                        .equals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L)));
        List<String> loggedIds = raw.log().stream().map(e -> e.event().eventId()).collect(Collectors.toList());
        // Only the buffer can serve now: the log is emptied.
        redis.server().call("XTRIM", raw.logKey(), "MAXLEN", "0");

        ChangeRecorder late = new ChangeRecorder();
        fixture.track(manager.changes("k", 4, late)::close);
        writeVersions(writer, "k", 2);

        awaitVersion(late, "k", 12);
        late.assertExactly("k", 5, 12);
        assertThat(late.events("k").subList(0, 6)).extracting(ChangeEvent::eventId)
                .as("versions 5..10 are the committed events").isEqualTo(loggedIds.subList(4, 10));
    }

    @Test
    void fromTheLog_aNewManager_getsVersions4to20_thenLive() throws Exception {
        writeVersions(writer, "k", 20);
        List<String> loggedIds = raw.log().stream().map(e -> e.event().eventId()).collect(Collectors.toList());
        DocumentManager<Counter> fresh = fixture.manager(Counter.class, "fresh");
        assertThat(fresh.bufferedChanges("k")).as("a new manager has no history").isEmpty();

        ChangeRecorder late = new ChangeRecorder();
        fixture.track(fresh.changes("k", 3, late)::close);
        writeVersions(writer, "k", 2);

        awaitVersion(late, "k", 22);
        late.assertExactly("k", 4, 22);
        assertThat(late.events("k").subList(0, 17)).extracting(ChangeEvent::eventId)
                .as("versions 4..20 are the logged events").isEqualTo(loggedIds.subList(3, 20));
    }

    @Test
    void fromASnapshot_whenTheLogNoLongerReachesBack_theFirstEventIsAnExplicitSnapshot_thenLive() throws Exception {
        writer.set("k", new Counter(0, "k")).get(10, TimeUnit.SECONDS);
        writeVersions(fixture.track(fixture.builder(Counter.class, "trimming-writer").logMaxLength(5).build()), "k", 19);
        assertThat(raw.log().get(0).event().version()).as("the log lost the early versions").isGreaterThan(2);
        RawSection.RawDocument current = raw.document("k").orElseThrow();
        assertThat(current.version()).isEqualTo(20);
        DocumentManager<Counter> fresh = fixture.manager(Counter.class, "fresh");

        ChangeRecorder late = new ChangeRecorder();
        fixture.track(fresh.changes("k", 1, late)::close);
        await("the snapshot arrives").atMost(Duration.ofSeconds(10)).until(() -> !late.events("k").isEmpty());
        writeVersions(writer, "k", 2);

        awaitVersion(late, "k", 22);
        List<ChangeEvent> events = late.events("k");
        ChangeEvent first = events.get(0);
        assertThat(first.op()).as("the first event: %s", late.describe("k")).isEqualTo(ChangeOp.SNAPSHOT);
        assertThat(first.version()).as("the snapshot's version").isEqualTo(20);
        assertThat(RawSection.normalize(first.state())).as("the snapshot's state").isEqualTo(RawSection.normalize(current.members()));
        assertThat(late.versions("k")).as("%s", late.describe("k")).containsExactly(20L, 21L, 22L);
        assertThat(events.subList(1, 3)).extracting(ChangeEvent::op).containsOnly(ChangeOp.UPDATE);
        late.assertNoOverlaps();
    }

    @Test
    void fromAHistorySource_whenBufferAndLogAreTooShort_thenTheLog_thenLive() throws Exception {
        List<ChangeEvent> kafka = new CopyOnWriteArrayList<>();
        writer.addListener(kafka::add);
        DocumentManager<Counter> trimming = fixture.track(fixture.builder(Counter.class, "trimming-writer").logMaxLength(5).build());
        trimming.set("k", new Counter(0, "k")).get(10, TimeUnit.SECONDS);
        writeVersions(trimming, "k", 19);
        await("the history has every version").atMost(Duration.ofSeconds(10)).until(() -> kafka.size() == 20);
        long oldestLogged = raw.log().get(0).event().version();
        assertThat(oldestLogged).as("the log lost the early versions").isGreaterThan(7);

        List<String> asked = new CopyOnWriteArrayList<>();
        HistorySource history = (key, fromVersion) -> {
            asked.add(key.id() + "@" + fromVersion);
            // Like a Kafka topic that lags: it stops short of the newest versions, which the log still holds.
            return CompletableFuture.completedFuture(kafka.stream()
                    .filter(e -> e.key().equals(key) && e.version() > fromVersion && e.version() < oldestLogged)
                    .collect(Collectors.toList()));
        };
        DocumentManager<Counter> fresh = fixture.track(fixture.builder(Counter.class, "fresh").historySource(history).build());

        ChangeRecorder late = new ChangeRecorder();
        fixture.track(fresh.changes("k", 5, late)::close);
        await("history up to version 20").atMost(Duration.ofSeconds(10)).until(() -> late.lastVersion("k") == 20);
        writeVersions(writer, "k", 1);

        awaitVersion(late, "k", 21);
        late.assertExactly("k", 6, 21);
        assertThat(asked).as("the history source was asked").contains("k@5");
        List<String> expectedIds = kafka.stream().filter(e -> e.version() > 5 && e.version() <= 20).map(ChangeEvent::eventId).collect(Collectors.toList());
        assertThat(late.events("k").subList(0, 15)).extracting(ChangeEvent::eventId)
                .as("versions 6..20 are the committed events").isEqualTo(expectedIds);
    }

    @Test
    void changesSince_aSubscriberStartingLate_getsEveryChangeSinceTheInstant_thenLive() throws Exception {
        List<String> ids = List.of("x", "y", "z");
        // A busy node: its executor runs every task 50 ms late (a GC pause, a saturated pool), so live
        // changes reach its subscribers after the log has already served them.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        fixture.track(pool::shutdownNow);
        Executor busy = task -> CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS, pool).execute(task);
        DocumentManager<Counter> lateNode = fixture.track(fixture.builder(Counter.class, "late-node").executor(busy).build());
        for (String id : ids) {
            writeVersions(writer, id, 3);
        }
        Instant before = Instant.now();
        await().atMost(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(before.plusMillis(2)));
        Instant since = Instant.now();
        await().atMost(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(since.plusMillis(2)));
        for (int round = 0; round < 3; round++) {
            for (String id : ids) {
                writeVersions(writer, id, 1);
            }
        }

        // The subscriber starts "late" (the seed's 15 minutes, here a few milliseconds after the instant),
        // while the writer goes on: its catch-up from the log overlaps live changes.
        List<CompletableFuture<?>> storm = new ArrayList<>();
        for (String id : ids) {
            CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < 10; i++) {
                chain = chain.thenCompose(ignored -> writer.update(id, Counter::increment));
            }
            storm.add(chain);
        }
        ChangeRecorder late = new ChangeRecorder();
        fixture.track(lateNode.changesSince(since, late)::close);
        CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (String id : ids) {
            writeVersions(writer, id, 1);
        }

        for (String id : ids) {
            awaitVersion(late, id, 17);
        }
        for (String id : ids) {
            late.assertExactly(id, 4, 17);
        }
    }

    @Test
    void fromTheCurrentVersion_getsOnlyLiveChanges() throws Exception {
        writeVersions(writer, "k", 20);
        DocumentManager<Counter> fresh = fixture.manager(Counter.class, "fresh");

        ChangeRecorder late = new ChangeRecorder();
        fixture.track(fresh.changes("k", 20, late)::close);
        writeVersions(writer, "k", 2);

        awaitVersion(late, "k", 22);
        late.assertExactly("k", 21, 22);
    }

    /** {@code count} more versions of {@code id}: the first creates it if it does not exist. */
    private static void writeVersions(DocumentManager<Counter> by, String id, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            if (by.get(id).get(10, TimeUnit.SECONDS).isEmpty()) {
                by.set(id, new Counter(0, id)).get(10, TimeUnit.SECONDS);
            } else {
                by.update(id, Counter::increment).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitVersion(ChangeRecorder recorder, String id, long version) {
        await(id + " reaches version " + version).atMost(Duration.ofSeconds(10))
                .until(() -> recorder.lastVersion(id) >= version);
    }
}
