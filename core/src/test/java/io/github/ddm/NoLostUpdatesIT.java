package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.RawSection.LoggedEvent;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 1 (issue #3): no lost updates under concurrent writers, whether they are managers with
 * their own connections in one JVM or separate JVM processes. Every increment that reports success
 * is in the final count, and the section log holds versions 1..n of the key exactly once each.
 */
class NoLostUpdatesIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final String ID = "counter";

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

    /** Writers that never give up: a lost race is retried, so every attempted increment must land. */
    private DocumentManager<Counter> persistentWriter(String node) {
        return fixture.track(fixture.builder(Counter.class, node)
                .maxWriteAttempts(100_000)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .build());
    }

    @Test
    void update_fourManagersOwnConnections_loseNothing() throws Exception {
        int managers = 4;
        int threadsPerManager = 2;
        int incrementsPerThread = 125;
        List<DocumentManager<Counter>> writers = new ArrayList<>();
        for (int m = 0; m < managers; m++) {
            writers.add(persistentWriter("w" + m));
        }
        assertThat(writers.get(0).set(ID, new Counter(0, "shared")).join().version()).isEqualTo(1);

        ExecutorService callers = Executors.newFixedThreadPool(managers * threadsPerManager);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Versioned<Counter>>> results = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> failuresByType = new ConcurrentHashMap<>();
        AtomicInteger successes = new AtomicInteger();
        try {
            List<Future<?>> submitted = new ArrayList<>();
            for (DocumentManager<Counter> writer : writers) {
                for (int t = 0; t < threadsPerManager; t++) {
                    submitted.add(callers.submit(() -> {
                        go.await();
                        for (int i = 0; i < incrementsPerThread; i++) {
                            results.add(writer.update(ID, Counter::increment).whenComplete((v, e) -> {
                                if (e == null) {
                                    successes.incrementAndGet();
                                } else {
                                    failuresByType.computeIfAbsent(RedisDocumentStore.unwrap(e).toString(), k -> new AtomicInteger())
                                            .incrementAndGet();
                                }
                            }));
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> caller : submitted) {
                caller.get(30, TimeUnit.SECONDS);
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                    .handle((v, e) -> null).get(60, TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
        }

        int attempted = managers * threadsPerManager * incrementsPerThread;
        assertThat(results).hasSize(attempted);
        // Whatever failed, every increment that reported success is counted...
        assertThat(redis.server().call("HGET", raw.documentKey(ID), "count"))
                .as("final count = successful increments (%s failed)", failuresByType)
                .isEqualTo(Integer.toString(successes.get()));
        // ...and with unbounded retries nothing may fail.
        assertThat(failuresByType).as("increments that failed, by exception (none may, with unbounded retries)").isEmpty();
        assertThat(successes.get()).isEqualTo(attempted);

        // Every successful increment was told a distinct version: 2..n+1.
        List<Long> versions = results.stream().map(f -> f.join().version()).sorted().collect(Collectors.toList());
        assertThat(versions).as("versions reported to the writers").doesNotHaveDuplicates();
        assertThat(versions.get(0)).isEqualTo(2);
        assertThat(versions.get(versions.size() - 1)).isEqualTo(attempted + 1L);

        List<String> origins = new ArrayList<>();
        for (int m = 0; m < managers; m++) {
            origins.add("local/w" + m);
        }
        assertFinalState(attempted, origins);
        Map<String, Long> perOrigin = countByOrigin();
        for (int m = 0; m < managers; m++) {
            assertThat(perOrigin.get("w" + m)).as("updates logged for writer w%d", m)
                    .isEqualTo((long) threadsPerManager * incrementsPerThread);
        }
        long conflicts = writers.stream().mapToLong(w -> w.stats().conflicts()).sum();
        assertThat(conflicts).as("the writers really raced (compare-and-set conflicts)").isPositive();
    }

    @Test
    void update_threeJvmProcesses_loseNothing() throws Exception {
        int processes = 3;
        int incrementsEach = 200;
        persistentWriter("parent").set(ID, new Counter(0, "shared")).join();

        List<Process> children = new ArrayList<>();
        List<List<String>> outputs = new ArrayList<>();
        try {
            for (int p = 0; p < processes; p++) {
                Process child = startChild("proc" + p, incrementsEach);
                children.add(child);
                outputs.add(drain(child));
            }
            // Each child has built its manager and loaded the key; release them together so they race.
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                for (int p = 0; p < processes; p++) {
                    assertThat(children.get(p).isAlive()).as("child %d is alive; output: %s", p, outputs.get(p)).isTrue();
                    assertThat(outputs.get(p)).as("child %d output", p).contains("READY");
                }
            });
            for (Process child : children) {
                OutputStream in = child.getOutputStream();
                in.write("GO\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            for (int p = 0; p < processes; p++) {
                Process child = children.get(p);
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child %d finished in time", p).isTrue();
                int index = p;
                // The exit code is known; the drain thread may still be reading the last lines.
                await().atMost(Duration.ofSeconds(10)).until(() -> outputs.get(index).contains("EOF"));
                assertThat(child.exitValue()).as("child %d exit code; output: %s", p, outputs.get(p)).isZero();
                assertThat(outputs.get(p)).as("child %d result", p)
                        .contains("DONE ok=" + incrementsEach + " failed=0");
            }
        } finally {
            for (Process child : children) {
                child.destroyForcibly();
            }
        }

        List<String> origins = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            origins.add("local/proc" + p);
        }
        assertFinalState(processes * incrementsEach, origins);
        Map<String, Long> perOrigin = countByOrigin();
        for (int p = 0; p < processes; p++) {
            assertThat(perOrigin.get("proc" + p)).as("updates logged for process %d", p).isEqualTo((long) incrementsEach);
        }
    }

    /**
     * The final count in Redis is exact, a fresh manager reads it, and the log holds versions
     * 1..n+1 of the key (the create, then one update per increment) with no hole and no duplicate.
     */
    private void assertFinalState(int increments, List<String> writerOrigins) {
        assertThat(redis.server().call("HGET", raw.documentKey(ID), "count")).isEqualTo(Integer.toString(increments));
        RawSection.RawDocument stored = raw.document(ID).orElseThrow();
        assertThat(stored.version()).isEqualTo(increments + 1L);
        assertThat(stored.deleted()).isFalse();

        DocumentManager<Counter> fresh = fixture.manager(Counter.class, "reader");
        Versioned<Counter> read = fresh.get(ID).join().orElseThrow();
        assertThat(read.value().count).isEqualTo(increments);
        assertThat(read.version()).isEqualTo(increments + 1L);

        Map<String, List<LoggedEvent>> log = raw.logById();
        assertThat(log).containsOnlyKeys(ID);
        List<LoggedEvent> entries = log.get(ID);
        assertThat(entries).hasSize(increments + 1);
        RawSection.assertContiguous(ID, entries);
        assertThat(entries.get(0).event().op()).isEqualTo(ChangeOp.CREATE);
        assertThat(entries.subList(1, entries.size())).allSatisfy(e -> assertThat(e.event().op()).isEqualTo(ChangeOp.UPDATE));
        // Each logged version counts exactly one more than its predecessor.
        List<ObjectNode> states = RawSection.replay(ID, entries);
        for (int v = 1; v < states.size(); v++) {
            assertThat(states.get(v).get("count").asLong()).as("count at version %d", v).isEqualTo(v - 1L);
        }
        assertThat(entries.subList(1, entries.size()))
                .allSatisfy(e -> assertThat(e.event().origin().region() + "/" + e.event().origin().node()).isIn(writerOrigins));
        // The writers interleaved: the log is not one writer's block after another's.
        int switches = 0;
        for (int i = 2; i < entries.size(); i++) {
            if (!entries.get(i).event().origin().equals(entries.get(i - 1).event().origin())) {
                switches++;
            }
        }
        assertThat(switches).as("writer changes along the log (the writers overlapped)").isGreaterThanOrEqualTo(writerOrigins.size());
    }

    private Map<String, Long> countByOrigin() {
        Map<String, Long> counts = new HashMap<>();
        for (LoggedEvent entry : raw.log()) {
            if (entry.event().op() == ChangeOp.UPDATE) {
                counts.merge(entry.event().origin().node(), 1L, Long::sum);
            }
        }
        return counts;
    }

    private Process startChild(String node, int increments) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                IncrementMain.class.getName(), redis.server().uri(), node, ID, Integer.toString(increments))
                .redirectErrorStream(true)
                .start();
    }

    /** Collects a child's output lines on a daemon thread (so its pipe never fills), then "EOF". */
    private static List<String> drain(Process child) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("READ FAILED: " + e);
            }
            lines.add("EOF");
        }, "child-output-" + child.pid());
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /**
     * Runs in a child JVM: {@code <redis uri> <node> <id> <increments>}. Builds its own manager
     * (its own Redisson client), loads the key, prints READY, waits for GO on stdin, issues every
     * increment at once from several threads, and prints {@code DONE ok=<n> failed=<m>}.
     */
    public static final class IncrementMain {
        public static void main(String[] args) throws Exception {
            String uri = args[0];
            String node = args[1];
            String id = args[2];
            int increments = Integer.parseInt(args[3]);
            int exit = 1;
            try (DocumentManager<Counter> manager = DocumentManager.builder(Counter.class)
                    .redisUri(uri)
                    .section("test", "docs")
                    .origin("local", node)
                    .maxWriteAttempts(100_000)
                    .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10))
                    .build()) {
                manager.get(id).get(30, TimeUnit.SECONDS).orElseThrow();
                System.out.println("READY");
                System.out.flush();
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (!"GO".equals(line)) {
                    System.out.println("NO GO: " + line);
                    System.exit(2);
                }
                List<CompletableFuture<Versioned<Counter>>> futures = new CopyOnWriteArrayList<>();
                Thread[] threads = new Thread[3];
                for (int t = 0; t < threads.length; t++) {
                    int share = increments / threads.length + (t < increments % threads.length ? 1 : 0);
                    threads[t] = new Thread(() -> {
                        for (int i = 0; i < share; i++) {
                            futures.add(manager.update(id, Counter::increment));
                        }
                    });
                    threads[t].start();
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                int ok = 0;
                int failed = 0;
                for (CompletableFuture<Versioned<Counter>> future : futures) {
                    try {
                        future.get(60, TimeUnit.SECONDS);
                        ok++;
                    } catch (Exception e) {
                        failed++;
                        System.out.println("FAILED " + e);
                    }
                }
                System.out.println("DONE ok=" + ok + " failed=" + failed);
                exit = failed == 0 && ok == increments ? 0 : 3;
            } catch (Throwable e) {
                e.printStackTrace(System.out);
            }
            System.out.flush();
            System.exit(exit);
        }
    }
}
