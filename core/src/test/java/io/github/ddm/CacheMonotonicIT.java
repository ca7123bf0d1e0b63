package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cache never moves backwards (guarantee 3, issue 11): while a writer commits to many keys, a
 * node with a cache far smaller than the key set loads cold keys through get(), drops keys
 * (invalidate) and has others evicted by its size bound, and commits to some keys itself, so that
 * loads race live messages, its own commits and evictions. Sampled over and over, the version it
 * caches for a key never decreases, and neither does what one thread's get() returns.
 */
class CacheMonotonicIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final int KEYS = 48;
    private static final int WRITES = 1_500;
    private static final int WRITER_CHAINS = 4;

    private RedisFixture fixture;
    private RawSection raw;
    private final List<String> ids = new ArrayList<>();
    private final List<String> backwards = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
        for (int k = 0; k < KEYS; k++) {
            ids.add("key-" + k);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        stop.set(true);
        fixture.close();
    }

    /** Records a decrease of a key's version in what one observer saw, or raises what it saw. */
    private void observe(Map<String, Long> seen, String observer, String id, long version) {
        Long before = seen.put(id, Math.max(version, seen.getOrDefault(id, 0L)));
        if (before != null && version < before && backwards.size() < 20) {
            backwards.add(observer + " saw " + id + " at v" + version + " after v" + before);
        }
    }

    private Thread loop(String name, Runnable step) {
        Thread thread = new Thread(() -> {
            while (!stop.get()) {
                step.run();
                LockSupport.parkNanos(20_000); // paces the loop: the machine's cores are for the code under test
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Test
    void cachedVersions_neverDecrease_whileColdLoadsRaceLiveChangesOwnCommitsAndEvictions() throws Exception {
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer").maxWriteAttempts(10_000).build());
        DocumentManager<Counter> node = fixture.track(fixture.builder(Counter.class, "node").maxWriteAttempts(10_000)
                .cacheMaximumSize(KEYS / 4).build());
        for (String id : ids) {
            writer.set(id, new Counter(0, id)).get(10, TimeUnit.SECONDS);
        }

        List<Thread> threads = new ArrayList<>();
        Map<String, Long> sampled = new ConcurrentHashMap<>();
        threads.add(loop("sampler", () -> {
            for (String id : ids) {
                node.getCached(id).ifPresent(v -> observe(sampled, "the sampler of getCached", id, v.version()));
            }
        }));
        for (int r = 0; r < 2; r++) {
            Map<String, Long> read = new ConcurrentHashMap<>();
            String name = "reader " + r;
            threads.add(loop(name, () -> {
                String id = ids.get(ThreadLocalRandom.current().nextInt(KEYS));
                try {
                    Optional<Versioned<Counter>> value = node.get(id).get(10, TimeUnit.SECONDS);
                    value.ifPresent(v -> observe(read, name + "'s get()", id, v.version()));
                } catch (Exception e) {
                    backwards.add(name + ": get(" + id + ") failed: " + e);
                    stop.set(true);
                }
            }));
        }
        threads.add(loop("invalidator", () -> {
            node.invalidate(ids.get(ThreadLocalRandom.current().nextInt(KEYS)));
        }));

        // The writer's chains and, less often, the node's own commits, each on random keys.
        List<CompletableFuture<?>> chains = new ArrayList<>();
        for (int c = 0; c < WRITER_CHAINS; c++) {
            chains.add(writeChain(writer, WRITES / WRITER_CHAINS));
        }
        chains.add(writeChain(node, WRITES / 8));
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertThat(backwards).as("versions that went backwards (stats %s)", node.stats()).isEmpty();
        assertThat(sampled).as("keys the sampler saw cached").hasSizeGreaterThan(KEYS / 4);
        assertThat(node.stats().loads()).as("cold loads: %s", node.stats()).isGreaterThan(KEYS);
        await("what the node caches is what Redis holds").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Truth.staleEntries(node, raw, ids)).isEmpty());
        for (String id : ids) {
            assertThat(Truth.divergence(node.get(id).get(5, TimeUnit.SECONDS), raw.document(id))).as("get(%s)", id).isNull();
        }
    }

    private CompletableFuture<?> writeChain(DocumentManager<Counter> manager, int writes) {
        CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < writes; i++) {
            chain = chain.thenCompose(ignored -> manager.update(ids.get(ThreadLocalRandom.current().nextInt(KEYS)),
                    Counter::increment));
        }
        return chain;
    }
}
