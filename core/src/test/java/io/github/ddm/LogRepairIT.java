package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.TcpProxy;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantees 4 and 5 when messages are dropped on the way (issue 4): the subscriber reaches Redis
 * through a TCP proxy that is partitioned (paused) while a writer goes on, and the partition ends
 * with the connections reset, so whatever was published meanwhile never arrives. When the log
 * still holds what was missed, the subscriber repairs from the log, with no reload, and its
 * listener still sees every version; when the log was trimmed past it, the affected keys reload
 * and listeners are told. Both paths are taken and counted.
 */
class LogRepairIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final int KEYS = 3;

    private RedisFixture fixture;
    private RawSection raw;
    private TcpProxy proxy;
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
        proxy = fixture.track(TcpProxy.to(redis.server()));
        for (int k = 0; k < KEYS; k++) {
            ids.add("key-" + k);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void droppedMessages_areRepairedFromTheLog_withoutReload_andListenersSeeEveryVersion() throws Exception {
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer").build());
        DocumentManager<Counter> subscriber = fixture.track(
                FaultClients.builder(fixture, proxy.redisUri(), Counter.class, "behind-proxy").build());
        ChangeRecorder seen = new ChangeRecorder();
        subscriber.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        subscriber.addSyncListener(sync);

        writeAndCache(writer, subscriber, seen, 3);
        long loadsBefore = subscriber.stats().loads();

        proxy.pause();
        writeEach(writer, 20); // 60 versions the subscriber never receives live
        proxy.cut();
        proxy.resume();

        awaitConverged(subscriber);
        for (String id : ids) {
            seen.assertExactly(id, 1, raw.document(id).orElseThrow().version());
        }
        ManagerStats stats = subscriber.stats();
        assertThat(stats.catchUps()).as("catch-ups: %s", stats).isPositive();
        assertThat(stats.catchUpEntries()).as("log entries read by catch-ups: %s", stats).isGreaterThanOrEqualTo(KEYS * 20L);
        assertThat(stats.sectionReloads()).as("the log held everything: no section reload: %s", stats).isZero();
        assertThat(stats.resyncs()).as("the log held everything: no key re-read: %s", stats).isZero();
        assertThat(stats.loads()).as("no document was loaded again: %s", stats).isEqualTo(loadsBefore);
        assertThat(sync.of(SyncEvent.CaughtUp.class)).as("catch-ups reported: %s", sync)
                .anySatisfy(caughtUp -> assertThat(caughtUp.entries()).isPositive());
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("reloads reported: %s", sync).isEmpty();
    }

    @Test
    void droppedMessages_logTrimmedPastThem_keysReloadAndListenersAreTold() throws Exception {
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer").logMaxLength(5).build());
        DocumentManager<Counter> subscriber = fixture.track(
                FaultClients.builder(fixture, proxy.redisUri(), Counter.class, "behind-proxy").logMaxLength(5).build());
        ChangeRecorder seen = new ChangeRecorder();
        subscriber.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        subscriber.addSyncListener(sync);

        writeAndCache(writer, subscriber, seen, 3);
        String lastSeenBeforePause = lastLogged();

        proxy.pause();
        // XADD MAXLEN ~ 5 trims whole stream nodes (100 entries by default): write well past two of them.
        writeEach(writer, 150);
        assertTrimmedPast(lastSeenBeforePause);
        proxy.cut();
        proxy.resume();

        awaitEveryReadAnswersRedis(subscriber, ids);
        awaitConverged(subscriber);
        ManagerStats stats = subscriber.stats();
        assertThat(stats.sectionReloads() + stats.resyncs()).as("the trimmed path was taken and counted: %s", stats).isPositive();
        await("listeners are told of the reload").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sync.of(SyncEvent.Reloaded.class)).as("sync events %s", sync)
                        .anySatisfy(reloaded -> assertThat(reloaded.reason())
                                .isIn(SyncEvent.ReloadReason.LOG_TRIMMED, SyncEvent.ReloadReason.UNREPAIRABLE_GAP)));
        for (String id : ids) {
            seen.assertChainedOrSnapshots(id);
        }
    }

    /**
     * A key whose missed changes were all trimmed from the log, while other keys' later changes fill
     * it: nothing in the log names the key any more. Its cache reloads; its listeners and late
     * subscribers must still learn where it stands (guarantee 8: every version, or an explicit
     * snapshot), instead of believing it is still at the version from before the partition.
     */
    @Test
    void logTrimmedPastAKeysOnlyChanges_listenersAndLateSubscribersStillLearnItsState() throws Exception {
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer").logMaxLength(5).build());
        DocumentManager<Counter> subscriber = fixture.track(
                FaultClients.builder(fixture, proxy.redisUri(), Counter.class, "behind-proxy").logMaxLength(5).build());
        ChangeRecorder seen = new ChangeRecorder();
        subscriber.addListener(seen);

        writeAndCache(writer, subscriber, seen, 3);
        String quiet = ids.get(0);
        List<String> busy = ids.subList(1, ids.size());
        String lastSeenBeforePause = lastLogged();

        proxy.pause();
        writeEach(writer, List.of(quiet), 5);          // versions 4..8 of the quiet key...
        writeEach(writer, busy, 150);                  // ...pushed out of the log by the busy keys
        assertTrimmedPast(lastSeenBeforePause);
        assertThat(raw.log()).as("no log entry names %s any more", quiet)
                .noneSatisfy(entry -> assertThat(entry.event().key().id()).isEqualTo(quiet));
        long quietVersion = raw.document(quiet).orElseThrow().version();
        assertThat(quietVersion).isEqualTo(8);
        proxy.cut();
        proxy.resume();

        awaitEveryReadAnswersRedis(subscriber, ids);
        assertThat(subscriber.stats().sectionReloads() + subscriber.stats().resyncs()).as("%s", subscriber.stats()).isPositive();

        ChangeRecorder late = new ChangeRecorder();
        fixture.track(subscriber.changes(quiet, 3, late)::close);
        await("a late subscriber from version 3 learns version 8 of " + quiet).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(late.lastVersion(quiet)).as("late subscriber got: %s; buffered: %s",
                        late.describe(quiet), subscriber.bufferedChanges(quiet).size()).isEqualTo(quietVersion));
        late.assertChainedOrSnapshots(quiet);
        await("the listener learns version 8 of " + quiet).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(seen.lastVersion(quiet)).as("listener got: %s", seen.describe(quiet))
                        .isEqualTo(quietVersion));
        seen.assertChainedOrSnapshots(quiet);
    }

    private String lastLogged() {
        List<RawSection.LoggedEvent> log = raw.log();
        return log.get(log.size() - 1).streamId();
    }

    private void assertTrimmedPast(String lastSeenBeforePause) {
        List<RawSection.LoggedEvent> log = raw.log();
        assertThat(log.size()).as("the log is bounded").isLessThan(300);
        assertThat(compareStreamIds(log.get(0).streamId(), lastSeenBeforePause))
                .as("the log's oldest entry %s is newer than the last one the subscriber saw (%s)", log.get(0).streamId(),
                        lastSeenBeforePause)
                .isPositive();
    }

    private void awaitEveryReadAnswersRedis(DocumentManager<Counter> subscriber, List<String> keys) {
        await("every read of the subscriber answers what Redis holds").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(Truth.staleEntries(subscriber, raw, keys)).as("stale cached entries").isEmpty();
            for (String id : keys) {
                assertThat(Truth.divergence(subscriber.get(id).get(5, TimeUnit.SECONDS), raw.document(id)))
                        .as("subscriber's get(%s)", id).isNull();
            }
        });
    }

    /**
     * Creates the keys, updates each {@code versions - 1} times, and waits until the subscriber caches
     * them all. The subscriber reads a key only once its listener has heard of the key's creation
     * (a read that overtakes the creation's message is another matter: see PubSubFaultIT).
     */
    private void writeAndCache(DocumentManager<Counter> writer, DocumentManager<Counter> subscriber, ChangeRecorder seen,
                               int versions) throws Exception {
        for (String id : ids) {
            writer.set(id, new Counter(0, id)).get(10, TimeUnit.SECONDS);
            await(id + " created").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion(id) >= 1);
            assertThat(subscriber.get(id).get(10, TimeUnit.SECONDS)).isPresent();
        }
        writeEach(writer, versions - 1);
        awaitConverged(subscriber);
    }

    /** {@code count} updates of every key, the keys in parallel. */
    private void writeEach(DocumentManager<Counter> writer, int count) throws Exception {
        writeEach(writer, ids, count);
    }

    private static void writeEach(DocumentManager<Counter> writer, List<String> keys, int count) throws Exception {
        List<CompletableFuture<?>> chains = new ArrayList<>();
        for (String id : keys) {
            CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < count; i++) {
                chain = chain.thenCompose(ignored -> writer.update(id, Counter::increment));
            }
            chains.add(chain);
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private static int compareStreamIds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int byTime = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return byTime != 0 ? byTime : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }

    private void awaitConverged(DocumentManager<Counter> subscriber) {
        await("the subscriber's cache equals Redis").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(subscriber, raw, ids)).as("stats %s", subscriber.stats()).isEmpty());
    }
}
