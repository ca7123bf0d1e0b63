package io.github.ddm.benchmarks.regions;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.ValueSharing;
import io.github.ddm.benchmarks.OrderBook;
import io.github.ddm.benchmarks.redis.HarnessArgs;
import io.github.ddm.benchmarks.redis.Percentiles;
import io.github.ddm.cli.LocalStack;
import io.github.ddm.schema.ChangeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.redisson.api.RedissonClient;

/**
 * Regions: two regions ({@code eu} and {@code us}) that both write, bridged by the DDM connectors
 * through Kafka, as {@code ./ddm demo} runs them: one {@code redis-server} per region, an in-JVM
 * KRaft broker and a Connect worker with the plugin, exactly-once source support on, read-committed
 * sinks ({@link LocalStack}). Each region runs a writer and a reader service, each with its own
 * Redisson client, on one section of ~3.5 KB {@link OrderBook}s (SHARED values). The reader's
 * listener takes {@code System.nanoTime()} when each version reaches its cache; every process is in
 * this JVM, so the clocks agree.
 *
 * <p>Four measurements, each the peer of the next in the same run:
 * <ol>
 *   <li><b>Latency, one way</b>: eu's writer updates its own keys at {@code --rate} per second (one
 *       field each); from the call to {@code update} until us's reader has the version. us writes
 *       nothing. This is the figure before regions wrote both ways.</li>
 *   <li><b>Latency, both ways</b>: the same, with both regions writing at that rate at once (each its
 *       own keys), measured in both directions.</li>
 *   <li><b>Drain</b>: the sinks paused, eu writes {@code --backlog} changes over {@code --keys} keys;
 *       then the sinks resume and the time runs until us's reader has the last version of every key.
 *       Then the same with both regions writing a backlog each, drained both ways at once.</li>
 *   <li><b>Convergence after a partition</b>: the sinks paused, both regions change the same field of
 *       each of {@code --conflicts} shared keys to different values; then the sinks resume, and the
 *       time runs until both regions' Redis hold the same version, state and clock of every key
 *       (compared through {@link SectionStore#snapshot}), taken as the latest arrival of each key's
 *       final version in either region's reader. The conflicts each region's reader was told of are
 *       counted.</li>
 * </ol>
 * The drain and convergence times start before the sinks are resumed, so they include Connect's
 * resume (a REST call and a task state change, tens of milliseconds).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.regions.RegionsHarness
 *     [--updates 2000] [--rate 100] [--keys 1000] [--backlog 10000] [--conflicts 1000]</pre>
 */
public final class RegionsHarness {

    /** The section measured. */
    public static final SectionId SECTION = new SectionId("bench", "regions");
    private static final String NAMESPACE = "ddm";
    private static final List<String> REGIONS = List.of("eu", "us");
    private static final Set<String> OPTIONS = Set.of("updates", "rate", "keys", "backlog", "conflicts");
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Updates in flight per region while a backlog is written. */
    private static final int IN_FLIGHT = 32;

    private RegionsHarness() {
    }

    /**
     * A backlog drained: how many changes crossed, and how long from resuming the bridge until the
     * last one reached a reader.
     */
    public record Drain(long changes, double seconds) {

        /** Changes per second. */
        public double rate() {
            return changes / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d changes in %.2f s = %,.0f changes/s", changes, seconds, rate());
        }
    }

    /**
     * The figures of one run.
     *
     * @param oneWay eu to us with only eu writing
     * @param bothWays per direction ({@code "eu->us"}, {@code "us->eu"}), with both regions writing
     * @param drainOneWay eu's backlog into us
     * @param drainBothWays both backlogs at once
     * @param convergence from resuming the bridge until both regions held the same copy of every conflicting key
     * @param conflictKeys keys changed in both regions during the partition
     * @param conflictsReported per region, the conflicts its reader was told of during the convergence
     */
    public record Result(int documentBytes, Percentiles oneWay, Map<String, Percentiles> bothWays,
                         Drain drainOneWay, Drain drainBothWays, double convergence, int conflictKeys,
                         Map<String, Long> conflictsReported) {

        /** The figures, one per line. */
        public String report() {
            StringBuilder out = new StringBuilder();
            out.append("RegionsHarness: regions ").append(REGIONS).append(", document ").append(documentBytes)
                    .append(" bytes\n");
            out.append("  latency eu->us, only eu writes: ").append(oneWay).append('\n');
            bothWays.forEach((direction, p) -> out.append("  latency ").append(direction).append(", both write: ")
                    .append(p).append('\n'));
            out.append("  drain, eu's backlog into us:    ").append(drainOneWay).append('\n');
            out.append("  drain, both backlogs both ways: ").append(drainBothWays).append('\n');
            out.append(String.format(Locale.ROOT, "  convergence after a partition:  %,d conflicting keys in %.2f s; conflicts reported %s%n",
                    conflictKeys, convergence, conflictsReported));
            return out.toString();
        }
    }

    public static void main(String[] args) {
        System.out.print(run(args).report());
    }

    /**
     * Runs the harness with {@code --name value} options (see the class comment).
     *
     * @throws IllegalArgumentException if an option is unknown or out of range
     * @throws IllegalStateException if a change is lost, or the regions do not converge within minutes
     */
    public static Result run(String... args) {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int updates = options.intValue("updates", 2_000);
        int rate = options.intValue("rate", 100);
        int keys = options.intValue("keys", 1_000);
        int backlog = options.intValue("backlog", 10_000);
        int conflicts = options.intValue("conflicts", 1_000);
        if (updates == 0 || rate == 0 || keys == 0 || backlog == 0 || conflicts == 0) {
            throw new IllegalArgumentException("--updates, --rate, --keys, --backlog and --conflicts must be at least 1");
        }
        if (keys <= IN_FLIGHT) {
            throw new IllegalArgumentException("--keys must be above " + IN_FLIGHT + " (the updates in flight per region)");
        }
        try (LocalStack stack = LocalStack.start(REGIONS, List.of(SECTION), step -> System.err.println("regions: " + step));
             Region eu = new Region("eu", stack.redis("eu").uri());
             Region us = new Region("us", stack.redis("us").uri())) {
            return measure(stack, eu, us, updates, rate, keys, backlog, conflicts);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Result measure(LocalStack stack, Region eu, Region us, int updates, int rate, int keys, int backlog,
                                  int conflicts) throws InterruptedException {
        List<String> euKeys = names("eu-", keys);
        List<String> usKeys = names("us-", keys);
        List<String> shared = names("c-", conflicts);
        OrderBook sample = OrderBook.requireRealisticSize(OrderBook.sample("BTC-USD", 1));
        eu.ownKeys.addAll(euKeys);
        us.ownKeys.addAll(usKeys);
        create(eu, euKeys, sample, us);
        create(us, usKeys, sample, eu);
        create(eu, shared, sample, us);

        paced(List.of(eu), euKeys, Math.max(1, updates / 5), rate); // warm-up, not measured
        awaitArrivals(eu, us);
        Map<String, Percentiles> bothWays = new LinkedHashMap<>();
        Percentiles oneWay = latency(paced(List.of(eu), euKeys, updates, rate).get(eu), us);
        Map<Region, Map<String, Long>> sent = paced(List.of(eu, us), null, updates, rate);
        bothWays.put("eu->us", latency(sent.get(eu), us));
        bothWays.put("us->eu", latency(sent.get(us), eu));

        stack.bridge(false, WAIT);
        Map<String, Long> euBacklog = backlog(eu, euKeys, backlog);
        Drain drainOneWay = new Drain(backlog, drain(stack, Map.of(us, euBacklog)));
        stack.bridge(false, WAIT);
        euBacklog = backlog(eu, euKeys, backlog);
        Map<String, Long> usBacklog = backlog(us, usKeys, backlog);
        Drain drainBothWays = new Drain(2L * backlog, drain(stack, Map.of(us, euBacklog, eu, usBacklog)));

        stack.bridge(false, WAIT);
        long euConflicts = eu.reader.stats().regionConflicts();
        long usConflicts = us.reader.stats().regionConflicts();
        CompletableFuture<Void> euWrites = conflicting(eu, shared, 100);
        CompletableFuture<Void> usWrites = conflicting(us, shared, 200);
        euWrites.join();
        usWrites.join();
        long resumed = System.nanoTime();
        stack.bridge(true, WAIT);
        double convergence = converge(eu, us, shared, resumed);
        Map<String, Long> reported = new LinkedHashMap<>();
        reported.put("eu", eu.reader.stats().regionConflicts() - euConflicts);
        reported.put("us", us.reader.stats().regionConflicts() - usConflicts);
        return new Result(sample.jsonSize(), oneWay, bothWays, drainOneWay, drainBothWays, convergence, conflicts,
                reported);
    }

    private static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(prefix + i);
        }
        return names;
    }

    /** Creates the documents in {@code region} and waits until {@code other}'s reader has them. */
    private static void create(Region region, List<String> ids, OrderBook sample, Region other) throws InterruptedException {
        Map<String, Long> sent = new HashMap<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String id : ids) {
            writes.add(region.writer.set(id, sample).thenAccept(v -> {
                synchronized (sent) {
                    sent.put(id + "@" + v.version(), 0L);
                }
            }));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        other.await(sent.keySet());
    }

    /**
     * Each region's writer updates one key after another, cycling through its own keys (or
     * {@code ids}), one every {@code 1/rate} seconds on its own thread, each update joined before the
     * next. Returns, per region, {@code id@version} to the {@code System.nanoTime()} before the update.
     */
    private static Map<Region, Map<String, Long>> paced(List<Region> writers, List<String> ids, int updates, int rate)
            throws InterruptedException {
        Map<Region, Map<String, Long>> sent = new HashMap<>();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        for (Region region : writers) {
            Map<String, Long> times = new ConcurrentHashMap<>();
            sent.put(region, times);
            List<String> keys = ids != null ? ids : region.ownKeys;
            Thread thread = new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    for (int i = 0; i < updates; i++) {
                        long due = start + i * period;
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        String id = keys.get(i % keys.size());
                        long n = region.nextChange();
                        long before = System.nanoTime();
                        long version = region.writer.update(id, book -> book.change(n)).join().version();
                        times.put(id + "@" + version, before);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "regions-writer-" + region.name);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a paced writer failed", failure.get());
        }
        return sent;
    }

    /** Waits until every other region's reader has every version {@code region} wrote so far. */
    private static void awaitArrivals(Region region, Region other) throws InterruptedException {
        Map<String, Long> newest = new HashMap<>();
        for (String id : region.ownKeys) {
            region.writer.getCached(id).ifPresent(v -> newest.put(id + "@" + v.version(), 0L));
        }
        other.await(newest.keySet());
    }

    private static Percentiles latency(Map<String, Long> sent, Region receiver) throws InterruptedException {
        receiver.await(sent.keySet());
        long[] nanos = new long[sent.size()];
        int i = 0;
        for (Map.Entry<String, Long> change : sent.entrySet()) {
            nanos[i++] = receiver.arrivals.get(change.getKey()) - change.getValue();
        }
        return Percentiles.ofNanos(nanos);
    }

    /**
     * Writes {@code changes} one-field updates round-robin over {@code ids}, {@link #IN_FLIGHT} at a
     * time, and returns each key's last version.
     */
    private static Map<String, Long> backlog(Region region, List<String> ids, int changes) throws InterruptedException {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        Map<String, Long> last = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < changes; i++) {
            inFlight.acquire();
            String id = ids.get(i % ids.size());
            long n = region.nextChange();
            region.writer.update(id, book -> book.change(n)).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    last.merge(id, v.version(), Math::max);
                }
                inFlight.release();
            });
        }
        inFlight.acquire(IN_FLIGHT);
        if (failure.get() != null) {
            throw new IllegalStateException("a backlog write failed in " + region.name, failure.get());
        }
        return last;
    }

    /** Resumes the bridge; the seconds until each receiver's reader has each key's last version. */
    private static double drain(LocalStack stack, Map<Region, Map<String, Long>> expected) throws InterruptedException {
        long resumed = System.nanoTime();
        stack.bridge(true, WAIT);
        long end = resumed;
        for (Map.Entry<Region, Map<String, Long>> receiver : expected.entrySet()) {
            List<String> targets = receiver.getValue().entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList();
            receiver.getKey().await(targets);
            for (String target : targets) {
                end = Math.max(end, receiver.getKey().arrivals.get(target));
            }
        }
        return (end - resumed) / 1e9;
    }

    /** Sets bid level 0 of every shared key to {@code base + i} in one region, all at once. */
    private static CompletableFuture<Void> conflicting(Region region, List<String> ids, int base) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            double quantity = base + i;
            writes.add(region.writer.update(ids.get(i), book -> book.withBidQuantity(0, quantity)));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /**
     * Waits until both regions' Redis hold the same version, state and clock of every key, then
     * returns the seconds from {@code resumed} until the later of the two readers received each key's
     * final version.
     */
    private static double converge(Region eu, Region us, List<String> ids, long resumed) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> finals;
        while ((finals = identical(eu, us, ids)) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the regions did not converge within " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        long end = resumed;
        for (Region region : List.of(eu, us)) {
            region.await(finals);
            for (String target : finals) {
                end = Math.max(end, region.arrivals.get(target));
            }
        }
        return (end - resumed) / 1e9;
    }

    /** Each key's {@code id@version} if both regions' copies are identical, else null. */
    private static List<String> identical(Region eu, Region us, List<String> ids) {
        List<CompletableFuture<Optional<ChangeEvent>>> a = new ArrayList<>();
        List<CompletableFuture<Optional<ChangeEvent>>> b = new ArrayList<>();
        for (String id : ids) {
            a.add(eu.store.snapshot(id));
            b.add(us.store.snapshot(id));
        }
        List<String> finals = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            ChangeEvent x = a.get(i).join().orElse(null);
            ChangeEvent y = b.get(i).join().orElse(null);
            if (x == null || y == null || x.version() != y.version() || !x.state().equals(y.state())
                    || !Objects.equals(x.clock(), y.clock())) {
                return null;
            }
            finals.add(ids.get(i) + "@" + x.version());
        }
        return finals;
    }

    /** One region's services: a writer, and a reader whose listener times every arrival. */
    private static final class Region implements AutoCloseable {

        final String name;
        final List<String> ownKeys = new ArrayList<>();
        final RedissonClient writerClient;
        final RedissonClient readerClient;
        final DocumentManager<OrderBook> writer;
        final DocumentManager<OrderBook> reader;
        final SectionStore store;
        /** {@code id@version} to {@code System.nanoTime()} when the reader's listener saw it. */
        final Map<String, Long> arrivals = new ConcurrentHashMap<>();
        private long changes;

        Region(String name, String uri) {
            this.name = name;
            this.writerClient = RedisClients.create(uri);
            this.readerClient = RedisClients.create(uri);
            this.writer = manager(writerClient, "writer");
            this.reader = manager(readerClient, "reader");
            this.store = SectionStore.open(readerClient, NAMESPACE, SECTION);
            reader.addListener(event -> arrivals.putIfAbsent(event.key().id() + "@" + event.version(), System.nanoTime()));
        }

        private DocumentManager<OrderBook> manager(RedissonClient client, String node) {
            return DocumentManager.builder(OrderBook.class).redisson(client).namespace(NAMESPACE)
                    .section(SECTION.partition(), SECTION.section()).origin(name, node).valueSharing(ValueSharing.SHARED)
                    .maxWriteAttempts(1_000).build();
        }

        /** A change number no other change of this region used, so no update is empty. */
        synchronized long nextChange() {
            return changes++;
        }

        /**
         * Waits until the reader has seen every {@code id@version} of {@code targets}.
         *
         * @throws IllegalStateException naming how many are missing, after a few minutes
         */
        void await(Collection<String> targets) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                long missing = targets.stream().filter(t -> !arrivals.containsKey(t)).count();
                if (missing == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + "'s reader is missing " + missing + " of " + targets.size()
                            + " changes after " + WAIT + ", for example " + explain(targets));
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }

        /** For up to 5 missing {@code id@version}: what this region's Redis and the reader's cache hold. */
        private String explain(Collection<String> targets) {
            List<String> lines = new ArrayList<>();
            for (String target : targets) {
                if (lines.size() == 5) {
                    break;
                }
                if (!arrivals.containsKey(target)) {
                    String id = target.substring(0, target.lastIndexOf('@'));
                    String stored = store.snapshot(id).join().map(e -> "v" + e.version() + " from " + e.origin()).orElse("nothing");
                    String cached = reader.getCached(id).map(v -> "v" + v.version()).orElse("nothing");
                    lines.add(target + " (Redis holds " + stored + ", the reader's cache " + cached + ")");
                }
            }
            return String.join("; ", lines);
        }

        @Override
        public void close() {
            writer.close();
            reader.close();
            writerClient.shutdown();
            readerClient.shutdown();
        }
    }
}
