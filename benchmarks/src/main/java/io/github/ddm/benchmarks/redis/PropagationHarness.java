package io.github.ddm.benchmarks.redis;

import io.github.ddm.DocumentManager;
import io.github.ddm.ListenerRegistration;
import io.github.ddm.ValueSharing;
import io.github.ddm.Versioned;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * Propagation: from {@code update} issued on manager A until manager B (another Redisson client,
 * as another process would have) caches the new version. One update at a time on one ~3.5 KB
 * {@link OrderBook}, the next only after B has the previous one.
 *
 * <p>Two ways to see the arrival, each run on its own set of updates:
 * <ul>
 *   <li>{@code listener}: a ChangeListener on B records {@code System.nanoTime()} when the version
 *       arrives (DDM calls listeners after the cache has the change); the main thread parks
 *       meanwhile, so it takes no CPU from the two cores.</li>
 *   <li>{@code poll}: the main thread spins on B's {@code getCached} with {@code Thread.onSpinWait}
 *       until it shows the version. Exact, but it burns one of the two cores while waiting.</li>
 * </ul>
 * DESIGN target: p50 under 400 us, p99 under 2 ms.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.redis.PropagationHarness
 *     [--updates 5000] [--warmup 1000] [--mode both|listener|poll]</pre>
 */
public final class PropagationHarness {

    static final String ID = "BTC-USD";
    private static final Set<String> OPTIONS = Set.of("updates", "warmup", "mode");
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Changes made so far; one thread (the harness's) makes them. */
    private static long changes;

    private PropagationHarness() {
    }

    /**
     * @param redisVersion the server measured against
     * @param documentBytes the document's JSON size
     * @param propagation per mode, the latency from update issued until B has the version
     * @param commit the latency of A's {@code update(...).join()} (listener mode)
     * @param lost updates B did not see within 5 s
     */
    public record Result(String redisVersion, int documentBytes, Map<String, Percentiles> propagation, Percentiles commit,
                         int lost) {

        /** The figures, one per line. */
        public String report() {
            StringBuilder out = new StringBuilder();
            out.append("PropagationHarness: redis ").append(redisVersion).append(", document ").append(documentBytes)
                    .append(" bytes, ").append(lost).append(" lost\n");
            propagation.forEach((mode, p) -> out.append("  propagation A->B (").append(mode).append("): ").append(p).append('\n'));
            if (commit != null) {
                out.append("  commit on A (update().join()):  ").append(commit).append('\n');
            }
            return out.toString();
        }

        /** The p50 of the first mode run, in microseconds. */
        public double p50() {
            return propagation.values().iterator().next().p50();
        }
    }

    public static void main(String[] args) {
        System.out.print(run(args).report());
    }

    /** Runs the harness with {@code --name value} options (see the class comment). */
    public static Result run(String... args) {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int updates = options.intValue("updates", 5_000);
        int warmup = options.intValue("warmup", 1_000);
        String mode = options.value("mode", "both");
        if (!Set.of("both", "listener", "poll").contains(mode) || updates == 0) {
            throw new IllegalArgumentException("--mode is both, listener or poll and --updates at least 1");
        }
        try (BenchRedis redis = BenchRedis.start()) {
            DocumentManager<OrderBook> a = redis.manager(redis.newClient(), "books", ValueSharing.SHARED, "node-a");
            DocumentManager<OrderBook> b = redis.manager(redis.newClient(), "books", ValueSharing.SHARED, "node-b");
            OrderBook book = OrderBook.sample(ID, 1);
            a.set(ID, book).join();
            b.get(ID).join().orElseThrow();

            Map<String, Percentiles> propagation = new LinkedHashMap<>();
            Percentiles commit = null;
            int lost = 0;
            if (!mode.equals("poll")) {
                Measured listener = viaListener(a, b, updates, warmup);
                propagation.put("listener", listener.propagation);
                commit = listener.commit;
                lost += listener.lost;
            }
            if (!mode.equals("listener")) {
                Measured poll = viaPolling(a, b, updates, warmup);
                propagation.put("poll", poll.propagation);
                lost += poll.lost;
            }
            return new Result(redis.version(), book.jsonSize(), propagation, commit, lost);
        }
    }

    private record Measured(Percentiles propagation, Percentiles commit, int lost) {
    }

    private static Measured viaListener(DocumentManager<OrderBook> a, DocumentManager<OrderBook> b, int updates, int warmup) {
        int total = updates + warmup;
        long base = version(a);
        AtomicLongArray arrivals = new AtomicLongArray(total);
        Thread main = Thread.currentThread();
        long[] propagation = new long[updates];
        long[] commit = new long[updates];
        int lost = 0;
        int k = 0;
        try (ListenerRegistration ignored = b.addListener(event -> {
            long now = System.nanoTime();
            long slot = event.version() - base - 1;
            if (event.key().id().equals(ID) && slot >= 0 && slot < total) {
                arrivals.set((int) slot, now);
                LockSupport.unpark(main);
            }
        })) {
            for (int i = 0; i < total; i++) {
                long start = System.nanoTime();
                long v = a.update(ID, change()).join().version();
                long committed = System.nanoTime();
                int slot = (int) (v - base - 1);
                long arrived;
                while ((arrived = arrivals.get(slot)) == 0 && System.nanoTime() - start < TIMEOUT_NANOS) {
                    LockSupport.parkNanos(1_000_000);
                }
                if (arrived == 0) {
                    lost++;
                    continue;
                }
                if (version(b) < v) {
                    throw new IllegalStateException("B's listener saw version " + v + " before B's cache had it");
                }
                if (i >= warmup) {
                    propagation[k] = arrived - start;
                    commit[k] = committed - start;
                    k++;
                }
            }
        }
        return new Measured(Percentiles.ofNanos(Arrays.copyOf(propagation, k)), Percentiles.ofNanos(Arrays.copyOf(commit, k)), lost);
    }

    private static Measured viaPolling(DocumentManager<OrderBook> a, DocumentManager<OrderBook> b, int updates, int warmup) {
        long[] propagation = new long[updates];
        int lost = 0;
        int k = 0;
        for (int i = 0; i < updates + warmup; i++) {
            long expected = version(a) + 1;
            long start = System.nanoTime();
            CompletableFuture<Versioned<OrderBook>> update = a.update(ID, change());
            long arrived;
            while (version(b) < expected) {
                Thread.onSpinWait();
                if (System.nanoTime() - start > TIMEOUT_NANOS) {
                    break;
                }
            }
            arrived = System.nanoTime();
            if (update.join().version() != expected) {
                throw new IllegalStateException("another writer touched " + ID);
            }
            if (version(b) < expected) {
                lost++;
            } else if (i >= warmup) {
                propagation[k++] = arrived - start;
            }
        }
        return new Measured(Percentiles.ofNanos(Arrays.copyOf(propagation, k)), null, lost);
    }

    /** The next one-level change; every call changes a value, so no update is empty. */
    private static UnaryOperator<OrderBook> change() {
        long i = changes++;
        return book -> book.change(i);
    }

    private static long version(DocumentManager<OrderBook> manager) {
        return manager.getCached(ID).map(Versioned::version).orElse(0L);
    }
}
