package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The apply queue's back-pressure policy (issue 4): a node whose listener stalls does not block
 * Redis's connection or grow without bound; live messages beyond {@code maxPendingChanges} are
 * dropped and counted, and read from the log instead, so that once the listener moves again the
 * cache converges and the listener still gets every version once, in order (guarantees 4 and 7).
 */
class BackPressureIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final List<String> IDS = List.of("slow", "k1", "k2", "k3");

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

    /** Blocks (boundedly) on the first change of "slow" once armed, until released. */
    private static final class StallingListener extends ChangeRecorder {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean stalled;

        @Override
        void onRecorded(ChangeEvent event) {
            if (event.key().id().equals("slow") && armed.compareAndSet(true, false)) {
                stalled = true;
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void stalledListener_liveMessagesOverflowAndAreDropped_thenEverythingConvergesAndNoVersionIsMissed() throws Exception {
        DocumentManager<Counter> writer = fixture.manager(Counter.class, "writer");
        DocumentManager<Counter> node = fixture.track(FaultClients.builder(fixture, redis.server().uri(), Counter.class, "node")
                .maxPendingChanges(1).build());
        for (String id : IDS) {
            writer.set(id, new Counter(0, id)).get(10, TimeUnit.SECONDS);
            node.get(id).get(10, TimeUnit.SECONDS);
        }
        await("the node caches every key").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(node, raw, IDS)).isEmpty());
        // From version 2 on, every version must reach the listener.
        StallingListener listener = new StallingListener();
        node.addListener(listener);

        listener.armed.set(true);
        writer.update("slow", Counter::increment).get(10, TimeUnit.SECONDS);
        await("the listener stalls").atMost(Duration.ofSeconds(10)).until(() -> listener.stalled);
        try {
            List<CompletableFuture<?>> chains = new ArrayList<>();
            for (String id : IDS) {
                CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
                for (int i = 0; i < 25; i++) {
                    chain = chain.thenCompose(ignored -> writer.update(id, Counter::increment));
                }
                chains.add(chain);
            }
            CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            await("live messages overflow").atMost(Duration.ofSeconds(5)).until(() -> node.stats().overflowDrops() > 0);
        } finally {
            listener.release.countDown();
        }

        await("the node's cache equals Redis").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(Truth.cacheDivergences(node, raw, IDS)).as("stats %s", node.stats()).isEmpty());
        await("the listener reached Redis's version of every key").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (String id : IDS) {
                assertThat(listener.lastVersion(id)).as("%s: %s", id, listener.describe(id))
                        .isEqualTo(raw.document(id).orElseThrow().version());
            }
        });
        for (String id : IDS) {
            listener.assertExactlyIgnoringBefore(id, 2, raw.document(id).orElseThrow().version());
        }
        ManagerStats stats = node.stats();
        assertThat(stats.overflowDrops()).as("%s", stats).isPositive();
        assertThat(stats.catchUps()).as("dropped messages are read from the log: %s", stats).isPositive();
    }
}
