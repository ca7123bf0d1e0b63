package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each repair trigger provoked alone (issue 11), with the periodic checks off unless the trigger is
 * one: the reader's sync listener must report that trigger and no other. A change the reader never
 * receives live is a real commit by a writer that publishes on the sharded channel (SPUBLISH),
 * which the reader, subscribed to the classic one, does not hear; the section log still holds it.
 */
class RepairTriggersIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final Duration NEVER = Duration.ofDays(1);
    private static final Duration CHECK = Duration.ofMinutes(1);

    private RedisFixture fixture;
    private RawSection raw;
    private MutableClock clock;
    private SyncService service;
    private DocumentManager<Counter> writer;
    private DocumentManager<Counter> unheard;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
        clock = new MutableClock(Instant.now());
        service = fixture.track(SyncService.builder().clock(clock).tickInterval(Duration.ZERO).build());
        writer = fixture.track(fixture.builder(Counter.class, "writer").checkIntervals(NEVER, NEVER, NEVER).build());
        unheard = fixture.track(fixture.builder(Counter.class, "unheard").pubSubMode(PubSubMode.SHARDED)
                .checkIntervals(NEVER, NEVER, NEVER).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** A reader whose periodic work runs only when the test ticks the service; {@code head}/{@code version} as given. */
    private DocumentManager<Counter> reader(Duration head, Duration version) {
        return fixture.track(fixture.builder(Counter.class, "reader").syncService(service).clock(clock)
                .checkIntervals(head, version, NEVER).build());
    }

    private void tick() throws Exception {
        clock.advance(CHECK.plusSeconds(1));
        service.tick().get(20, TimeUnit.SECONDS);
    }

    /** Creates the keys with the classic writer and has the reader cache them; waits until it delivered them. */
    private void createAndCache(DocumentManager<Counter> reader, ChangeRecorder seen, List<String> ids) throws Exception {
        createAndCache(writer, reader, seen, ids);
    }

    /** Creates the keys with {@code creator}, and has the reader cache them (its own writes it caches as it commits). */
    private static void createAndCache(DocumentManager<Counter> creator, DocumentManager<Counter> reader, ChangeRecorder seen,
                                       List<String> ids) throws Exception {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (String id : ids) {
            writes.add(creator.set(id, new Counter(1, id)));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        await("the reader hears every creation").atMost(Duration.ofSeconds(10))
                .until(() -> ids.stream().allMatch(id -> seen.lastVersion(id) == 1));
        List<CompletableFuture<?>> reads = new ArrayList<>();
        for (String id : creator == reader ? List.<String>of() : ids) {
            reads.add(reader.get(id));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private static CompletableFuture<?> increments(DocumentManager<Counter> manager, String id, int count) {
        CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < count; i++) {
            chain = chain.thenCompose(ignored -> manager.update(id, Counter::increment));
        }
        return chain;
    }

    private static Set<SyncEvent.Trigger> triggers(SyncRecorder sync) {
        return sync.of(SyncEvent.CaughtUp.class).stream().map(SyncEvent.CaughtUp::trigger).collect(Collectors.toSet());
    }

    private void awaitConverged(DocumentManager<Counter> reader, List<String> ids) {
        await("the reader's cache equals Redis").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(reader, raw, ids)).as("stats %s", reader.stats()).isEmpty());
    }

    @Test
    void aChangeThatSkipsAVersion_isAGap_andTheCatchUpSaysGap() throws Exception {
        DocumentManager<Counter> reader = reader(NEVER, NEVER);
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        createAndCache(reader, seen, List.of("k"));

        unheard.update("k", Counter::increment).get(10, TimeUnit.SECONDS); // v2, not heard
        writer.update("k", Counter::increment).get(10, TimeUnit.SECONDS);  // v3, heard: 2 -> 3 does not follow 1

        await("v3 reaches the listener").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("k") == 3);
        await("the catch-up is reported").atMost(Duration.ofSeconds(5)).until(() -> !sync.of(SyncEvent.CaughtUp.class).isEmpty());
        seen.assertExactly("k", 1, 3);
        assertThat(sync.of(SyncEvent.GapDetected.class)).as("%s", sync).singleElement()
                .isEqualTo(new SyncEvent.GapDetected("test", "docs", reader.key("k"), 1, 2, 3));
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.GAP);
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("the log held v2: nothing reloaded: %s", sync).isEmpty();
        assertThat(reader.stats().resyncs()).isZero();
        awaitConverged(reader, List.of("k"));
    }

    @Test
    void aLostSubscription_isRepairedAsResubscribed() throws Exception {
        var client = FaultClients.fast(redis.server().uri(), "victim");
        fixture.track(client::shutdown);
        DocumentManager<Counter> reader = fixture.track(DocumentManager.builder(Counter.class).redisson(client)
                .section("test", "docs").origin("local", "victim").syncService(service).clock(clock)
                .checkIntervals(NEVER, NEVER, NEVER).build());
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        createAndCache(reader, seen, List.of("k"));

        FaultClients.killSubscriberConnection(redis.server(), "victim");

        await("the catch-up after re-subscribing is reported").atMost(Duration.ofSeconds(15))
                .until(() -> !sync.of(SyncEvent.CaughtUp.class).isEmpty());
        assertThat(reader.stats().resubscribes()).isPositive();
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.RESUBSCRIBED);
        assertThat(sync.of(SyncEvent.GapDetected.class)).as("%s", sync).isEmpty();
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("%s", sync).isEmpty();
        writer.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        await("the reader follows again").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("k") == 2);
    }

    @Test
    void aChangeNeverHeard_isFoundByTheHeadCheck() throws Exception {
        DocumentManager<Counter> reader = reader(CHECK, NEVER);
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        createAndCache(reader, seen, List.of("k"));
        tick(); // the first check notes the log's head; nothing is missing yet

        unheard.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        tick(); // notes the new head...
        tick(); // ...which has still not arrived by pub/sub: a catch-up

        await("v2 reaches the listener").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("k") == 2);
        await("the catch-up is reported").atMost(Duration.ofSeconds(5)).until(() -> !sync.of(SyncEvent.CaughtUp.class).isEmpty());
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.HEAD_CHECK);
        assertThat(sync.of(SyncEvent.GapDetected.class)).as("%s", sync).isEmpty();
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("%s", sync).isEmpty();
        awaitConverged(reader, List.of("k"));
    }

    @Test
    void aCachedVersionBehindRedis_isCaughtUpByTheVersionCheck() throws Exception {
        DocumentManager<Counter> reader = reader(NEVER, CHECK);
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        createAndCache(reader, seen, List.of("k"));

        unheard.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        tick();

        await("v2 reaches the listener").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("k") == 2);
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.VERSION_DRIFT);
        assertThat(sync.of(SyncEvent.GapDetected.class)).as("%s", sync).isEmpty();
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("the log held v2: nothing reloaded: %s", sync).isEmpty();
        awaitConverged(reader, List.of("k"));
    }

    @Test
    void liveMessagesDroppedByAFullQueue_areReadFromTheLogAsOverflow() throws Exception {
        DocumentManager<Counter> reader = fixture.track(fixture.builder(Counter.class, "reader").syncService(service)
                .clock(clock).checkIntervals(NEVER, NEVER, NEVER).maxPendingChanges(1).build());
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        ChangeRecorder seen = new ChangeRecorder() {
            @Override
            void onRecorded(ChangeEvent event) {
                if (armed.compareAndSet(true, false)) {
                    try {
                        release.await(20, TimeUnit.SECONDS); // the lane stalls, so the queue fills
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        createAndCache(reader, seen, List.of("k"));

        armed.set(true);
        try {
            increments(writer, "k", 20).get(10, TimeUnit.SECONDS);
            await("live messages overflow").atMost(Duration.ofSeconds(5)).until(() -> reader.stats().overflowDrops() > 0);
        } finally {
            release.countDown();
        }

        await("v21 reaches the listener").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("k") == 21);
        await("the catch-up is reported").atMost(Duration.ofSeconds(5)).until(() -> !sync.of(SyncEvent.CaughtUp.class).isEmpty());
        seen.assertExactly("k", 1, 21);
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.OVERFLOW);
        assertThat(sync.of(SyncEvent.GapDetected.class)).as("%s", sync).isEmpty();
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("%s", sync).isEmpty();
        awaitConverged(reader, List.of("k"));
    }

    @Test
    void aLostSection_isAnEpochChange_andNoCatchUp() throws Exception {
        DocumentManager<Counter> reader = reader(NEVER, NEVER);
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        createAndCache(reader, seen, List.of("k", "lost"));
        String before = (String) redis.server().call("GET", "ddm:{test:docs}:epoch");

        redis.server().flushAll();
        writer.set("k", new Counter(7, "after the loss")).get(10, TimeUnit.SECONDS);

        await("the loss is reported").atMost(Duration.ofSeconds(10))
                .until(() -> !sync.reloads(SyncEvent.ReloadReason.EPOCH_CHANGED).isEmpty());
        assertThat(sync.of(SyncEvent.EpochChanged.class)).as("%s", sync).singleElement()
                .satisfies(changed -> assertThat(changed.previous()).isEqualTo(before));
        assertThat(sync.reloads(SyncEvent.ReloadReason.EPOCH_CHANGED)).singleElement()
                .satisfies(reload -> assertThat(reload.key()).as("the whole section").isNull());
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("%s", sync)
                .allSatisfy(reload -> assertThat(reload.reason()).isEqualTo(SyncEvent.ReloadReason.EPOCH_CHANGED));
        assertThat(sync.of(SyncEvent.CaughtUp.class)).as("%s", sync).isEmpty();
        assertThat(sync.of(SyncEvent.GapDetected.class)).as("%s", sync).isEmpty();
        assertThat(reader.getCached("lost")).isEmpty();
        assertThat(reader.get("lost").get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(Truth.divergence(reader.get("k").get(5, TimeUnit.SECONDS), raw.document("k"))).isNull();
    }

    /** More missed changes than one page of the log (catchUpBatchSize, 1,000 by default): one catch-up reads them all. */
    @Test
    void aCatchUpLongerThanOnePage_readsEveryPage() throws Exception {
        DocumentManager<Counter> reader = reader(NEVER, NEVER);
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        List<String> ids = List.of("a", "b", "c", "d");
        createAndCache(reader, seen, ids);

        List<CompletableFuture<?>> chains = new ArrayList<>();
        for (String id : ids) {
            chains.add(increments(unheard, id, 251)); // 1,004 changes the reader does not hear
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        writer.update("a", Counter::increment).get(10, TimeUnit.SECONDS); // heard: a gap on a

        await("every version reaches the listener").atMost(Duration.ofSeconds(20))
                .until(() -> seen.lastVersion("a") == 253 && ids.stream().skip(1).allMatch(id -> seen.lastVersion(id) == 252));
        await("the catch-up is reported").atMost(Duration.ofSeconds(5)).until(() -> !sync.of(SyncEvent.CaughtUp.class).isEmpty());
        seen.assertExactly("a", 1, 253);
        for (String id : ids.subList(1, ids.size())) {
            seen.assertExactly(id, 1, 252);
        }
        assertThat(sync.of(SyncEvent.CaughtUp.class)).as("%s", sync)
                .anySatisfy(caughtUp -> assertThat(caughtUp.entries()).isGreaterThan(1_000));
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.GAP);
        assertThat(sync.of(SyncEvent.Reloaded.class)).as("%s", sync).isEmpty();
        assertThat(reader.stats().catchUpEntries()).isGreaterThan(1_000);
        awaitConverged(reader, ids);
    }

    /**
     * A version check over more keys than one batch (500): drift that neither a message nor the log
     * shows, on every one of 600 cached keys, is found and repaired on each.
     */
    @Test
    void aVersionCheckOverMoreKeysThanOneBatch_checksEveryKey() throws Exception {
        DocumentManager<Counter> reader = reader(NEVER, CHECK);
        ChangeRecorder seen = new ChangeRecorder();
        reader.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        reader.addSyncListener(sync);
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < 600; k++) {
            ids.add("key-" + k);
        }
        createAndCache(reader, reader, seen, ids);
        assertThat(ids).allSatisfy(id -> assertThat(reader.getCached(id)).as("%s cached", id).isPresent());

        // Behind everyone's back: a new version in Redis, no log entry, no message.
        List<String> eval = new ArrayList<>(List.of("EVAL",
                "for i = 1, #KEYS do redis.call('HSET', KEYS[i], ARGV[1], '2', 'count', '99') end", Integer.toString(ids.size())));
        ids.forEach(id -> eval.add(raw.documentKey(id)));
        eval.add("\u0000v");
        redis.server().call(eval.toArray(String[]::new));
        tick(); // every key is behind: possibly in flight, so the log is read (it holds nothing)
        tick(); // still behind the version seen then: re-read

        await("every key is reported and reloaded").atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(sync.reloads(SyncEvent.ReloadReason.VERSION_DRIFT).stream().map(r -> r.key().id()).distinct().count())
                        .as("keys reloaded for drift").isEqualTo(600));
        assertThat(triggers(sync)).as("%s", sync).containsExactly(SyncEvent.Trigger.VERSION_DRIFT);
        assertThat(reader.stats().driftRepairs()).isEqualTo(600);
        await("every key's new version reaches the listener and the cache").atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(ids).allSatisfy(id -> {
                    assertThat(seen.lastVersion(id)).as("%s heard", id).isEqualTo(2);
                    assertThat(reader.getCached(id)).as("%s cached", id)
                            .hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(99));
                }));
        awaitConverged(reader, List.of("key-0", "key-599"));
    }
}
