package io.github.ddm.benchmarks.redis;

import io.github.ddm.DocumentManager;
import io.github.ddm.ValueSharing;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.api.redisnode.RedisNodes;

/**
 * The CPU one update costs, in the JVM (every thread: the caller, Redisson's I/O and the
 * subscriber that receives the echo, DDM's workers, GC) and in redis-server ({@code INFO cpu}),
 * for the contenders of {@link UpdateLatencyBenchmark}: DDM's {@code update().join()} in SHARED and
 * COPY_ON_READ, and the peer, one bare EVALSHA of the commit script whose section has a subscriber
 * too. One writer, sequential updates, the contenders alternated round by round.
 *
 * <p>CPU per update does not count the time a thread waits for a core, so unlike latency it stays
 * comparable on a machine shared with other work (it still grows somewhat with cache contention:
 * compare figures from the same run). The wall-clock p50 of the same calls is reported beside it.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.redis.UpdateCpuHarness
 *     [--updates 10000] [--warmup 10000] [--rounds 3] [--only "ddm SHARED"]</pre>
 */
public final class UpdateCpuHarness {

    private static final Set<String> OPTIONS = Set.of("updates", "warmup", "rounds", "only");
    private static final String ID = UpdateLatencyBenchmark.ID;

    private UpdateCpuHarness() {
    }

    /**
     * Per contender: JVM and redis-server CPU per update (median round), and the wall p50 (median
     * round), in us; and the JVM's CPU per update by thread group, from the last round.
     */
    public record Result(Map<String, double[]> perContender, Map<String, Map<String, Double>> byThreads) {

        /** One line per contender, and the ratios to the peer; then the thread groups. */
        public String report() {
            StringBuilder out = new StringBuilder("UpdateCpuHarness: CPU per update, us (median round): JVM + redis-server; wall p50\n");
            double[] peer = perContender.get("peer");
            perContender.forEach((name, v) -> out.append(String.format(Locale.ROOT,
                    "  %-16s JVM %7.1f + Redis %6.1f = %7.1f   (x%.2f of the peer)   wall p50 %7.1f (x%.2f)%n",
                    name, v[0], v[1], v[0] + v[1], (v[0] + v[1]) / (peer[0] + peer[1]), v[2], v[2] / peer[2])));
            out.append("JVM CPU per update by thread group, us (last round; 'other' is GC, JIT and VM threads):\n");
            byThreads.forEach((name, groups) -> {
                out.append(String.format(Locale.ROOT, "  %-16s", name));
                groups.forEach((group, us) -> out.append(String.format(Locale.ROOT, " %s %.1f;", group, us)));
                out.append('\n');
            });
            return out.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(args).report());
    }

    /** Runs the harness with {@code --name value} options (see the class comment). */
    public static Result run(String... args) throws Exception {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int updates = Math.max(1, options.intValue("updates", 10_000));
        int warmup = options.intValue("warmup", 10_000);
        int rounds = Math.max(1, options.intValue("rounds", 3));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (BenchRedis redis = BenchRedis.start()) {
            RedissonClient client = redis.newClient();
            {
                RedisNode node = client.getRedisNodes(RedisNodes.SINGLE).getInstance();
                OrderBook book = OrderBook.requireRealisticSize(OrderBook.sample(ID, 1));
                DocumentManager<OrderBook> shared = redis.manager(client, "cpu-shared", ValueSharing.SHARED, "bench-a");
                DocumentManager<OrderBook> copy = redis.manager(client, "cpu-copy", ValueSharing.COPY_ON_READ, "bench-a");
                shared.set(ID, book).join();
                copy.set(ID, book).join();
                CommitScriptPeer peer = new CommitScriptPeer(client, "cpu-peer", "bench-a");
                CommitScriptPeer.Doc doc = peer.create(ID, book);
                long[] n = {0};
                Map<String, LongSupplier> contenders = new LinkedHashMap<>();
                contenders.put("ddm SHARED", () -> shared.update(ID, b -> b.change(n[0]++)).join().version());
                contenders.put("ddm COPY_ON_READ", () -> copy.update(ID, b -> b.change(n[0]++)).join().version());
                contenders.put("peer", () -> peer.update(doc));
                String only = options.value("only", "");
                if (!only.isEmpty()) {
                    // For a profile of one contender: the peer stays, as the reference.
                    contenders.keySet().removeIf(name -> !name.equals("peer") && !name.equals(only));
                }
                for (LongSupplier call : contenders.values()) {
                    for (int i = 0; i < warmup; i++) {
                        call.getAsLong();
                    }
                }
                Map<String, double[][]> samples = new LinkedHashMap<>();
                contenders.keySet().forEach(name -> samples.put(name, new double[rounds][]));
                long[] wall = new long[updates];
                java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                Map<String, Map<String, Double>> byThreads = new LinkedHashMap<>();
                for (int round = 0; round < rounds; round++) {
                    for (Map.Entry<String, LongSupplier> contender : contenders.entrySet()) {
                        LongSupplier call = contender.getValue();
                        double redisBefore = redisCpuSeconds(node);
                        Map<Long, Long> threadsBefore = threadCpu(threads);
                        long jvmBefore = os.getProcessCpuTime();
                        for (int i = 0; i < updates; i++) {
                            long start = System.nanoTime();
                            call.getAsLong();
                            wall[i] = System.nanoTime() - start;
                        }
                        long jvm = os.getProcessCpuTime() - jvmBefore;
                        byThreads.put(contender.getKey(), groups(threads, threadsBefore, jvm, updates));
                        double redisCpu = redisCpuSeconds(node) - redisBefore;
                        samples.get(contender.getKey())[round] = new double[] {
                            jvm / 1_000.0 / updates, redisCpu * 1e6 / updates, Percentiles.ofNanos(wall).p50()};
                    }
                }
                Map<String, double[]> result = new LinkedHashMap<>();
                samples.forEach((name, perRound) -> result.put(name,
                        new double[] {median(perRound, 0), median(perRound, 1), median(perRound, 2)}));
                if (peer.received() == 0) {
                    throw new IllegalStateException("the peer's subscriber received nothing: the comparison would not be fair");
                }
                return new Result(result, byThreads);
            }
        }
    }

    private static Map<Long, Long> threadCpu(java.lang.management.ThreadMXBean threads) {
        Map<Long, Long> cpu = new java.util.HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            cpu.put(id, threads.getThreadCpuTime(id));
        }
        return cpu;
    }

    /** The JVM's CPU per update by thread group (names without their numbers), and what no Java thread used. */
    private static Map<String, Double> groups(java.lang.management.ThreadMXBean threads, Map<Long, Long> before, long jvmNanos,
                                              int updates) {
        Map<String, Double> groups = new java.util.TreeMap<>();
        long javaThreads = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long now = threads.getThreadCpuTime(info.getThreadId());
            long used = now - before.getOrDefault(info.getThreadId(), 0L);
            if (now < 0 || used <= 0) {
                continue;
            }
            javaThreads += used;
            String group = info.getThreadName().replaceAll("[0-9]+", "N");
            groups.merge(group, used / 1_000.0 / updates, Double::sum);
        }
        groups.put("other", Math.max(0, jvmNanos - javaThreads) / 1_000.0 / updates);
        groups.replaceAll((group, us) -> Math.round(us * 10) / 10.0);
        groups.values().removeIf(us -> us < 1.0);
        return groups;
    }

    private static double redisCpuSeconds(RedisNode node) {
        Map<String, String> cpu = node.info(RedisNode.InfoSection.CPU);
        return Double.parseDouble(cpu.get("used_cpu_user")) + Double.parseDouble(cpu.get("used_cpu_sys"));
    }

    private static double median(double[][] rounds, int column) {
        double[] values = new double[rounds.length];
        for (int i = 0; i < rounds.length; i++) {
            values[i] = rounds[i][column];
        }
        java.util.Arrays.sort(values);
        return values[values.length / 2];
    }
}
