package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantees 3, 4, 5 and 7 under a real fault (issue 4): the subscriber's pub/sub connection is
 * killed by the server (CLIENT KILL), several times, while other managers write. What was published
 * while it was gone is lost to it; afterwards its cache equals Redis and its listener saw every
 * version of every key once, in order.
 */
class PubSubFaultIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final int KEYS = 6;
    private static final int KILLS = 3;
    private static final String SUBSCRIBER = "ddm-pubsub-victim";

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

    @Test
    void clientKill_duringWriteStorm_cachesConvergeAndListenersSeeEachVersionOnceInOrder() throws Exception {
        DocumentManager<Counter> subscriber = fixture.track(
                FaultClients.builder(fixture, redis.server().uri(), Counter.class, SUBSCRIBER).build());
        ChangeRecorder seen = new ChangeRecorder();
        subscriber.addListener(seen);
        SyncRecorder sync = new SyncRecorder();
        subscriber.addSyncListener(sync);
        List<DocumentManager<Counter>> writers = List.of(
                fixture.track(fixture.builder(Counter.class, "writer-a").maxWriteAttempts(10_000).build()),
                fixture.track(fixture.builder(Counter.class, "writer-b").maxWriteAttempts(10_000).build()));

        List<String> ids = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            ids.add("key-" + k);
            writers.get(0).set(ids.get(k), new Counter(0, "key " + k)).get(10, TimeUnit.SECONDS);
        }
        for (String id : ids) {
            assertThat(subscriber.get(id).get(10, TimeUnit.SECONDS)).as("subscriber reads %s", id).isPresent();
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers.size(); w++) {
            DocumentManager<Counter> writer = writers.get(w);
            Random random = new Random(11 + w);
            threads.add(new Thread(() -> {
                try {
                    while (!stop.get()) {
                        writer.update(ids.get(random.nextInt(KEYS)), Counter::increment).get(10, TimeUnit.SECONDS);
                        committed.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    failure.set(e);
                }
            }, "storm-" + w));
        }
        threads.forEach(Thread::start);
        try {
            for (int kill = 0; kill < KILLS; kill++) {
                long writesBefore = committed.get();
                await("writes flow before kill " + kill).atMost(Duration.ofSeconds(10))
                        .until(() -> committed.get() >= writesBefore + 40 || failure.get() != null);
                long resubscribed = subscriber.stats().resubscribes();
                assertThat(FaultClients.killSubscriberConnection(redis.server(), SUBSCRIBER)).as("connections killed").isPositive();
                long writesAtKill = committed.get();
                await("the subscriber re-subscribes after kill " + kill).atMost(Duration.ofSeconds(10))
                        .until(() -> subscriber.stats().resubscribes() > resubscribed);
                await("writes go on after kill " + kill).atMost(Duration.ofSeconds(10))
                        .until(() -> committed.get() >= writesAtKill + 40 || failure.get() != null);
            }
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(20));
            }
        }
        assertThat(failure.get()).as("a write of the storm failed").isNull();

        await("the subscriber's cache equals Redis").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(subscriber, raw, ids)).as("stats %s", subscriber.stats()).isEmpty());
        await("the listener reached Redis's version of every key").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(seen.lastVersion(id)).as("last version the listener saw of %s", id)
                        .isEqualTo(raw.document(id).orElseThrow().version());
            }
        });
        for (String id : ids) {
            seen.assertExactly(id, 1, raw.document(id).orElseThrow().version());
        }
        ManagerStats stats = subscriber.stats();
        assertThat(stats.resubscribes()).as("re-subscriptions counted: %s", stats).isGreaterThanOrEqualTo(KILLS);
        assertThat(stats.catchUps()).as("catch-ups from the log: %s", stats).isPositive();
        assertThat(sync.of(SyncEvent.CaughtUp.class)).as("catch-ups reported to sync listeners").isNotEmpty();
        assertThat(stats.received()).as("the subscriber lost live messages, yet delivered every version: %s", stats)
                .isLessThan(committed.get() + KEYS);
    }

    /**
     * A version the node missed live (its pub/sub connection was down) but then read with a get()
     * is still a committed change its listener must receive, once, before the next one.
     */
    @Test
    void aVersionMissedLive_butReadMeanwhile_stillReachesTheListenerInOrder() throws Exception {
        DocumentManager<Counter> subscriber = fixture.track(
                FaultClients.builder(fixture, redis.server().uri(), Counter.class, SUBSCRIBER).build());
        ChangeRecorder seen = new ChangeRecorder();
        subscriber.addListener(seen);
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer").build());
        writer.set("warm", new Counter(0, "warm")).get(10, TimeUnit.SECONDS);
        await("the subscriber hears the first change").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("warm") == 1);

        long resubscribed = subscriber.stats().resubscribes();
        long received = subscriber.stats().received();
        FaultClients.killSubscriberConnection(redis.server(), SUBSCRIBER);
        writer.set("k", new Counter(1, "created while the subscriber was away")).get(10, TimeUnit.SECONDS);
        assertThat(subscriber.get("k").get(10, TimeUnit.SECONDS)).as("the subscriber reads k").isPresent();
        await("the subscriber re-subscribes").atMost(Duration.ofSeconds(10))
                .until(() -> subscriber.stats().resubscribes() > resubscribed);
        writer.update("k", Counter::increment).get(10, TimeUnit.SECONDS);

        await("the listener reaches version 2 of k").atMost(Duration.ofSeconds(10)).until(() -> seen.lastVersion("k") >= 2);
        await("catch-ups are done").atMost(Duration.ofSeconds(5)).until(() -> subscriber.stats().catchUps() > 0);
        assertThat(subscriber.stats().received()).as("precondition: version 1 of k was not received live")
                .isLessThanOrEqualTo(received + 1);
        seen.assertExactly("k", 1, 2);
    }
}
