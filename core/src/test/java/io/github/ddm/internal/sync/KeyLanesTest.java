package io.github.ddm.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyLanesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    @Test
    void tasksOfOneKey_runInSubmissionOrder_neverConcurrently() {
        KeyLanes lanes = new KeyLanes(pool, 8);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        int perKey = 2_000;
        List<String> keys = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        for (int i = 0; i < perKey; i++) {
            for (String key : keys) {
                int n = i;
                lanes.execute(key, () -> {
                    if (running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(n);
                    running.get(key).decrementAndGet();
                    done.incrementAndGet();
                });
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == perKey * keys.size());

        assertThat(overlaps.get()).isZero();
        for (String key : keys) {
            List<Integer> order = seen.get(key);
            for (int i = 0; i < perKey; i++) {
                assertThat(order.get(i)).as("task %d of key %s", i, key).isEqualTo(i);
            }
        }
        assertThat(lanes.backlog()).isZero();
    }

    @Test
    void aFailingTask_doesNotStopItsLane() {
        KeyLanes lanes = new KeyLanes(pool, 1);
        AtomicInteger after = new AtomicInteger();
        lanes.execute("k", () -> {
            throw new IllegalStateException("boom");
        });
        lanes.execute("k", after::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).untilAtomic(after, org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void laneCount_mustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new KeyLanes(pool, 6)).hasMessageContaining("power of two");
    }

    @Test
    void backlog_countsTasksSubmittedAndNotRunYet_includingOnesThatThrow() {
        java.util.Deque<Runnable> scheduled = new java.util.ArrayDeque<>();
        KeyLanes lanes = new KeyLanes(scheduled::add, 8);
        lanes.execute("a", () -> { });
        lanes.execute("a", () -> {
            throw new IllegalStateException("a failing task");
        });
        lanes.execute("b", () -> { });
        assertThat(lanes.backlog()).isEqualTo(3);
        while (!scheduled.isEmpty()) {
            scheduled.poll().run();
        }
        assertThat(lanes.backlog()).isZero();
    }
}
