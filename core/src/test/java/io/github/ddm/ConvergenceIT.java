package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 4 (issue #3): after writes stop, every live cache equals Redis. Managers with their own
 * connections, in both cache modes, cache the same keys while all of them write to those keys at
 * random; afterwards each one's cached value, version, time and origin equal the hash in Redis.
 */
class ConvergenceIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** A deeply immutable document, fit for {@link ValueSharing#SHARED}. */
    public record Tally(long count, List<String> marks) {
        public Tally {
            marks = marks == null ? List.of() : List.copyOf(marks);
        }

        Tally add(String mark) {
            List<String> next = new ArrayList<>(marks.size() + 1);
            next.add(mark);
            next.addAll(marks.subList(0, Math.min(marks.size(), 3)));
            return new Tally(count + 1, next);
        }
    }

    private static final int KEYS = 50;

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

    private DocumentManager<Tally> manager(String node, ValueSharing sharing) {
        return fixture.track(fixture.builder(Tally.class, node)
                .valueSharing(sharing)
                .maxWriteAttempts(100_000)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .build());
    }

    @Test
    void writeStorm_everyCacheConvergesToRedis() throws Exception {
        List<DocumentManager<Tally>> managers = List.of(
                manager("copy-a", ValueSharing.COPY_ON_READ),
                manager("copy-b", ValueSharing.COPY_ON_READ),
                manager("shared-c", ValueSharing.SHARED));
        // All managers create the keys of a fresh section at once: their loads race the section's
        // first write (the deterministic form of that race is the next test).
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            creates.add(managers.get(k % managers.size()).set(id(k), new Tally(0, List.of("created"))));
        }
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // Every manager caches every key before the storm.
        for (int m = 0; m < managers.size(); m++) {
            for (int k = 0; k < KEYS; k++) {
                assertThat(managers.get(m).get(id(k)).get(10, TimeUnit.SECONDS))
                        .as("manager %d reads %s after its creation", m, id(k)).isPresent();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int m = 0; m < managers.size(); m++) {
                for (int k = 0; k < KEYS; k++) {
                    assertThat(managers.get(m).getCached(id(k))).as("manager %d caches %s", m, id(k)).isPresent();
                }
            }
        });

        int writesPerManager = 800;
        List<CompletableFuture<?>> storm = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<List<CompletableFuture<?>>> perManager = new ArrayList<>();
        for (int m = 0; m < managers.size(); m++) {
            DocumentManager<Tally> writer = managers.get(m);
            Random random = new Random(7 + m);
            String node = "m" + m;
            List<CompletableFuture<?>> mine = new ArrayList<>();
            perManager.add(mine);
            threads.add(new Thread(() -> {
                for (int i = 0; i < writesPerManager; i++) {
                    // Skewed toward a few hot keys, so that writers really collide.
                    int k = random.nextInt(4) == 0 ? random.nextInt(KEYS) : random.nextInt(5);
                    String mark = node + "-" + i;
                    int dice = random.nextInt(100);
                    if (dice < 5) {
                        mine.add(writer.delete(id(k)));
                    } else if (dice < 15) {
                        mine.add(writer.set(id(k), new Tally(random.nextInt(1000), List.of(mark))));
                    } else {
                        // Fails with DocumentNotFoundException while the key is deleted: allowed.
                        mine.add(writer.update(id(k), tally -> tally.add(mark))
                                .exceptionally(e -> {
                                    if (RedisDocumentStore.unwrap(e) instanceof DocumentNotFoundException) {
                                        return null;
                                    }
                                    throw new CompletionException(e);
                                }));
                    }
                }
            }, "storm-" + node));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("%s finished issuing", thread.getName()).isFalse();
        }
        perManager.forEach(storm::addAll);
        CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        // Writes have stopped: every cache must reach what Redis holds, from the cache alone (no reload).
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Map<String, RawSection.RawDocument> truth = new TreeMap<>();
            for (int k = 0; k < KEYS; k++) {
                truth.put(id(k), raw.document(id(k)).orElseThrow());
            }
            for (int m = 0; m < managers.size(); m++) {
                DocumentManager<Tally> manager = managers.get(m);
                List<String> diverged = new ArrayList<>();
                for (Map.Entry<String, RawSection.RawDocument> stored : truth.entrySet()) {
                    String problem = divergence(manager.getCached(stored.getKey()), stored.getValue());
                    if (problem != null) {
                        diverged.add(stored.getKey() + ": " + problem);
                    }
                }
                assertThat(diverged).as("manager %d (%s) differs from Redis", m, manager.stats()).isEmpty();
            }
        });
        for (DocumentManager<Tally> manager : managers) {
            ManagerStats stats = manager.stats();
            assertThat(stats.gaps()).as("gaps seen by a manager on a fault-free server: %s", stats).isZero();
            assertThat(stats.malformed()).as("malformed messages: %s", stats).isZero();
        }
        long totalConflicts = managers.stream().mapToLong(m -> m.stats().conflicts()).sum();
        assertThat(totalConflicts).as("the writers really collided").isPositive();
    }

    /**
     * A load that read the section before its first write, but whose result this node handles
     * after it has already seen that write's epoch (command replies and pub/sub messages travel on
     * different connections, and different keys run on different executor threads), is history,
     * not a data loss. The node must not retire the live epoch over it, and its cache must still
     * follow every later write. The order of the two tasks is forced with an executor that holds
     * them (any executor may run two queued tasks in either order).
     */
    @Test
    void freshSection_loadRacingTheFirstWrite_cacheStillConverges() throws Exception {
        DocumentManager<Tally> writer = manager("writer", ValueSharing.COPY_ON_READ);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        fixture.track(pool::shutdownNow);
        GateExecutor gate = new GateExecutor(pool);
        DocumentManager<Tally> reader = fixture.track(fixture.builder(Tally.class, "reader").executor(gate).build());

        gate.hold();
        CompletableFuture<Optional<Versioned<Tally>>> earlyRead = reader.get("k1"); // reads Redis: no epoch yet
        await("the reader's load result is queued").atMost(Duration.ofSeconds(10))
                .until(() -> gate.held() == 1);
        writer.set("k0", new Tally(1, List.of("first"))).get(10, TimeUnit.SECONDS); // creates the epoch
        await("the reader's copy of the first write's event is queued (k0, k1 on different lanes)")
                .atMost(Duration.ofSeconds(10)).until(() -> gate.held() == 2);
        gate.releaseNewestFirst(); // the event (new epoch) first, then the older load result
        assertThat(earlyRead.get(10, TimeUnit.SECONDS)).as("k1 did not exist when it was read").isEmpty();

        writer.set("k1", new Tally(5, List.of("later"))).get(10, TimeUnit.SECONDS);
        writer.update("k0", tally -> tally.add("again")).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (String id : List.of("k0", "k1")) {
                RawSection.RawDocument stored = raw.document(id).orElseThrow();
                assertThat(divergence(reader.get(id).get(5, TimeUnit.SECONDS), stored)).as("reader's %s", id).isNull();
            }
        });
        assertThat(reader.stats().epochChanges()).as("Redis lost nothing: the epoch never changed").isZero();
    }

    /** An executor that can hold the tasks it is given and then run them in reverse order. */
    static final class GateExecutor implements Executor {
        private final Executor delegate;
        private final Deque<Runnable> held = new ArrayDeque<>();
        private boolean holding;

        GateExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        synchronized void hold() {
            holding = true;
        }

        synchronized int held() {
            return held.size();
        }

        /** Stops holding and runs what was held, newest first, on the delegate one after another. */
        void releaseNewestFirst() throws Exception {
            List<Runnable> tasks = new ArrayList<>();
            synchronized (this) {
                holding = false;
                while (!held.isEmpty()) {
                    tasks.add(held.pollLast());
                }
            }
            for (Runnable task : tasks) {
                CompletableFuture.runAsync(task, delegate).get(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (holding) {
                    held.addLast(task);
                    return;
                }
            }
            delegate.execute(task);
        }
    }

    /** Null if what a manager answered equals the stored hash (value, version, time, origin), else what differs. */
    private static String divergence(Optional<Versioned<Tally>> cached, RawSection.RawDocument stored) {
        if (stored.deleted()) {
            return cached.isPresent() ? "cached v" + cached.get().version() + " but deleted at v" + stored.version() : null;
        }
        if (cached.isEmpty()) {
            return "no value (absent or not cached), Redis has v" + stored.version();
        }
        Versioned<Tally> entry = cached.get();
        if (entry.version() != stored.version()) {
            return "cached v" + entry.version() + ", Redis v" + stored.version();
        }
        ObjectNode value = RawSection.treeOf(entry.value());
        if (!value.equals(RawSection.normalize(stored.members()))) {
            return "at v" + stored.version() + " cached " + value + ", Redis " + stored.members();
        }
        String origin = entry.origin().region() + "/" + entry.origin().node();
        if (!origin.equals(stored.origin()) || entry.changeTime().toEpochMilli() != stored.timeMillis()) {
            return "at v" + stored.version() + " cached origin/time " + origin + "@" + entry.changeTime().toEpochMilli()
                    + ", Redis " + stored.origin() + "@" + stored.timeMillis();
        }
        return null;
    }

    private static String id(int k) {
        return "key-" + k;
    }
}
