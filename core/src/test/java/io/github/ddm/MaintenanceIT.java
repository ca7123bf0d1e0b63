package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sync service's periodic work, driven by a fake clock (issue 4): idle cache entries are
 * evicted, the change buffer is trimmed to its TTL, and the version check repairs drift that no
 * message announced (guarantees 4 and 5); health reports a section that does not follow Redis.
 * Nothing periodic runs unless the test advances the clock and ticks.
 */
class MaintenanceIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final Duration LONG = Duration.ofDays(1);

    private RedisFixture fixture;
    private RawSection raw;
    private MutableClock clock;
    private SyncService service;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
        clock = new MutableClock(Instant.now());
        service = fixture.track(SyncService.builder().clock(clock).tickInterval(Duration.ZERO).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private DocumentManagerBuilder<Counter> builder(String node) {
        return fixture.builder(Counter.class, node).syncService(service).clock(clock);
    }

    private void advanceAndTick(Duration step) throws Exception {
        clock.advance(step);
        service.tick().get(10, TimeUnit.SECONDS);
    }

    /** A tick while Redis is down may fail (its checks cannot read Redis); the next one runs anyway. */
    private void advanceAndTickQuietly(Duration step) throws Exception {
        clock.advance(step);
        try {
            service.tick().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException expected) {
            // Redis is unreachable
        }
    }

    @Test
    void idleEntries_areEvicted_recentlyReadOnesStay() throws Exception {
        DocumentManager<Counter> manager = fixture.track(builder("node").cacheIdleExpiry(Duration.ofHours(6))
                .checkIntervals(LONG, LONG, LONG).build());
        manager.set("idle", new Counter(1, "idle")).get(10, TimeUnit.SECONDS);
        manager.set("recent", new Counter(2, "recent")).get(10, TimeUnit.SECONDS);
        assertThat(manager.getCached("idle")).isPresent();
        assertThat(manager.getCached("recent")).isPresent();

        // The service ticks regularly (every second by default); here once after 5 h.
        advanceAndTick(Duration.ofHours(5));
        assertThat(manager.get("recent").get(5, TimeUnit.SECONDS)).as("read after 5 h").isPresent();
        advanceAndTick(Duration.ofHours(2));

        assertThat(manager.stats().cachedDocuments()).as("entries left after the tick: %s", manager.stats()).isEqualTo(1);
        assertThat(manager.getCached("idle")).as("idle for 7 h").isEmpty();
        assertThat(manager.getCached("recent")).as("read 2 h ago").isPresent();
        assertThat(Truth.divergence(manager.get("idle").get(5, TimeUnit.SECONDS), raw.document("idle")))
                .as("an evicted entry reads again from Redis").isNull();
    }

    @Test
    void changeBuffer_isTrimmedToItsTtl_andSyncAndLateSubscribersStillWork() throws Exception {
        DocumentManager<Counter> manager = fixture.track(builder("node").changeBuffer(50, Duration.ofHours(1), 100_000)
                .checkIntervals(LONG, LONG, Duration.ofMinutes(1)).build());
        DocumentManager<Counter> writer = fixture.manager(Counter.class, "writer");
        manager.set("k", new Counter(0, "k")).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 4; i++) {
            manager.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        }
        await("versions 1..5 are buffered").atMost(Duration.ofSeconds(10)).until(() -> manager.bufferedChanges("k").size() == 5);
        assertThat(manager.stats().bufferedChanges()).isGreaterThanOrEqualTo(5);

        advanceAndTick(Duration.ofMinutes(61));

        assertThat(manager.bufferedChanges("k")).as("buffered changes older than the TTL").isEmpty();
        assertThat(manager.stats().bufferedChanges()).as("buffered changes in all after the trim: %s", manager.stats())
                .isLessThanOrEqualTo(1);

        // Trimming forgets history, not where the key stands: the next change still follows.
        writer.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        await("the manager follows version 6").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(manager, raw, List.of("k"))).isEmpty());
        assertThat(manager.stats().gaps()).as("%s", manager.stats()).isZero();
        ChangeRecorder late = new ChangeRecorder();
        fixture.track(manager.changes("k", 2, late)::close);
        await("a late subscriber still gets versions 3..6").atMost(Duration.ofSeconds(10))
                .until(() -> late.lastVersion("k") >= 6);
        late.assertExactly("k", 3, 6);
    }

    @Test
    void versionCheck_repairsDriftThatNoMessageAnnounced() throws Exception {
        DocumentManager<Counter> manager = fixture.track(builder("node")
                .checkIntervals(LONG, Duration.ofMinutes(1), LONG).build());
        SyncRecorder sync = new SyncRecorder();
        manager.addSyncListener(sync);
        manager.set("d", new Counter(1, "one")).get(10, TimeUnit.SECONDS);
        manager.set("steady", new Counter(5, "steady")).get(10, TimeUnit.SECONDS);
        await("the commits' echoes are in").atMost(Duration.ofSeconds(10)).until(() ->
                manager.bufferedChanges("d").size() == 1 && manager.bufferedChanges("steady").size() == 1);

        // Behind the manager's back: a new version in Redis, no log entry, no message.
        redis.server().call("HSET", raw.documentKey("d"), "\u0000v", "2", "count", "99");
        assertThat(manager.getCached("d")).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));

        advanceAndTick(Duration.ofSeconds(61));
        advanceAndTick(Duration.ofSeconds(61));

        await("the cache has what Redis has").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(manager, raw, List.of("d", "steady"))).isEmpty());
        assertThat(manager.getCached("d")).hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(99));
        assertThat(manager.stats().driftRepairs()).as("%s", manager.stats()).isPositive();
        assertThat(manager.stats().versionChecks()).as("%s", manager.stats()).isGreaterThanOrEqualTo(2);
        await("the repair is reported").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sync.reloads(SyncEvent.ReloadReason.VERSION_DRIFT)).as("sync events %s", sync)
                        .anySatisfy(reload -> assertThat(reload.key()).isEqualTo(manager.key("d"))));
        assertThat(sync.reloads(SyncEvent.ReloadReason.VERSION_DRIFT)).as("sync events %s", sync)
                .noneSatisfy(reload -> assertThat(reload.key()).isEqualTo(manager.key("steady")));
    }

    @Test
    void health_isUpWhileFollowing_notUpOnceClosed() throws Exception {
        DocumentManager<Counter> docs = fixture.track(builder("node").build());
        DocumentManager<Counter> other = fixture.track(fixture.builder(Counter.class, "node").section("test", "other")
                .syncService(service).clock(clock).build());

        SyncHealth health = service.health();
        assertThat(health.status()).as("%s", health).isEqualTo(SyncHealth.Status.UP);
        assertThat(health.sections()).extracting(SyncHealth.Section::section).containsExactlyInAnyOrder("docs", "other");
        assertThat(health.sections()).allSatisfy(section -> assertThat(section.subscribed()).isTrue());

        docs.close();
        SyncHealth afterClose = service.health();
        assertThat(afterClose.sections()).as("a closed manager is never reported UP: %s", afterClose)
                .noneSatisfy(section -> {
                    assertThat(section.section()).isEqualTo("docs");
                    assertThat(section.status()).isEqualTo(SyncHealth.Status.UP);
                });
        assertThat(afterClose.sections()).filteredOn(section -> section.section().equals("other"))
                .singleElement().satisfies(section -> assertThat(section.status()).isEqualTo(SyncHealth.Status.UP));
        other.close();
    }

    @Test
    void health_isDownWhileRedisIsStopped_andUpAgainAfterwards() throws Exception {
        DocumentManager<Counter> manager = fixture.track(FaultClients.builder(fixture, redis.server().uri(), Counter.class, "node")
                .syncService(service).clock(clock).build());
        manager.set("k", new Counter(1, "k")).get(10, TimeUnit.SECONDS);
        assertThat(service.health().status()).isEqualTo(SyncHealth.Status.UP);

        redis.server().stop();
        try {
            await("health reports the section DOWN").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                advanceAndTickQuietly(Duration.ofMinutes(1));
                SyncHealth health = service.health();
                assertThat(health.status()).as("%s", health).isEqualTo(SyncHealth.Status.DOWN);
                assertThat(health.sections()).singleElement().satisfies(section -> assertThat(section.subscribed()).isFalse());
            });
        } finally {
            redis.server().resume();
        }
        await("health reports the section UP again").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            advanceAndTickQuietly(Duration.ofMinutes(1));
            assertThat(service.health().status()).as("%s", service.health()).isEqualTo(SyncHealth.Status.UP);
        });
    }
}
