package io.github.ddm.benchmarks.scale;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.github.ddm.DocumentManager;
import io.github.ddm.RedisDeployment;
import io.github.ddm.SyncService;
import io.github.ddm.ValueSharing;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.redis.HarnessArgs;
import io.github.ddm.benchmarks.redis.Percentiles;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The seed's scale, measured: three rows, each on its own redis-server.
 *
 * <ul>
 *   <li><b>managers</b>: {@code --managers} managers, each on its own section, on one
 *       {@link SyncService} (one client, one pool). A writer on a second service changes each
 *       section in turn; per change, the time from the writer's call until the section's manager
 *       has applied it (its listener runs). Reports DDM's threads, the JVM's threads and the heap
 *       the managers take.</li>
 *   <li><b>channel</b>: {@code --managers} managers of one section on one service; per change, the
 *       time until each of them has applied it (so one change gives {@code managers} samples).</li>
 *   <li><b>keys</b>: {@code --keys} documents of about {@code --doc-bytes} bytes, loaded into one
 *       manager's cache ({@code getAll} in batches of 1,000); heap per cached key (used heap after a
 *       settled GC, before and after) and the GC pauses during the load (count, total, longest).</li>
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.scale.ScaleHarness \
 *     [--managers 100] [--changes 2000] [--keys 1000000] [--doc-bytes 1024]</pre>
 *
 * <p>Run with a heap large enough for the keys row (1M keys of 1 KB: {@code -Xmx6g}). Changes are
 * sent one at a time, each after the previous one has been applied everywhere, so the figures
 * are latencies, not throughput.
 */
public final class ScaleHarness {

    private static final Set<String> OPTIONS = Set.of("managers", "changes", "keys", "doc-bytes");

    private ScaleHarness() {
    }

    /** A small document of about {@code padding.length()} bytes. */
    public record Doc(long n, String padding) {
    }

    /**
     * @param managers managers in the managers and channel rows
     * @param perSection propagation to the one manager of each section (us)
     * @param ddmThreads DDM's threads with every manager running
     * @param jvmThreads the JVM's live threads with every manager running (Redisson's and Netty's included)
     * @param heapPerManager used heap per manager, bytes (approximate)
     * @param oneChannel propagation to each of the managers of one section (us)
     * @param keys documents cached in the keys row
     * @param heapPerKey used heap per cached key, bytes (approximate)
     * @param gcPauses GC pauses while the keys were loaded
     * @param longestGcPauseMillis the longest of them, ms
     * @param gcMillis their total, ms
     */
    public record Result(int managers, Percentiles perSection, long ddmThreads, int jvmThreads, double heapPerManager,
                         Percentiles oneChannel, int keys, double heapPerKey, long gcPauses, long longestGcPauseMillis,
                         long gcMillis) {

        public String report() {
            return String.format(Locale.ROOT, """
                    ScaleHarness
                      %d managers, one section each, one SyncService: propagation %s
                        DDM threads %d, JVM threads %d, heap per manager ~%,.0f B
                      %d managers on one section: propagation to each %s
                      %,d cached keys: heap per key ~%,.0f B; GC during the load: %d pauses, longest %d ms, total %d ms
                    """, managers, perSection, ddmThreads, jvmThreads, heapPerManager, managers, oneChannel, keys,
                    heapPerKey, gcPauses, longestGcPauseMillis, gcMillis);
        }
    }

    public static void main(String[] args) {
        System.out.print(run(args).report());
    }

    /** Runs every row; see the class comment for the options. */
    public static Result run(String... args) {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int managers = options.intValue("managers", 100);
        int changes = options.intValue("changes", 2_000);
        int keys = options.intValue("keys", 1_000_000);
        int docBytes = options.intValue("doc-bytes", 1_024);
        if (managers < 1 || changes < 1 || keys < 1 || docBytes < 16) {
            throw new IllegalArgumentException("--managers, --changes and --keys must be at least 1, --doc-bytes at least 16");
        }
        String padding = "x".repeat(docBytes - 16);

        long[] perSection;
        long ddmThreads;
        int jvmThreads;
        double heapPerManager;
        try (BenchRedis redis = BenchRedis.start();
             SyncService readers = service(redis);
             SyncService writers = service(redis)) {
            long before = usedHeap();
            List<AtomicLong> applied = new ArrayList<>();
            for (int i = 0; i < managers; i++) {
                DocumentManager<Doc> reader = manager(readers, "s" + i, "reader");
                reader.get("k").join(); // cached, so that changes are applied
                AtomicLong at = new AtomicLong();
                reader.addListener(event -> at.set(System.nanoTime()));
                applied.add(at);
            }
            heapPerManager = (usedHeap() - before) / (double) managers;
            ddmThreads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("ddm-")).count();
            jvmThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            List<DocumentManager<Doc>> writer = new ArrayList<>();
            for (int i = 0; i < managers; i++) {
                writer.add(manager(writers, "s" + i, "writer"));
            }
            perSection = new long[changes];
            for (int c = 0; c < changes; c++) {
                int section = c % managers;
                AtomicLong at = applied.get(section);
                at.set(0);
                long start = System.nanoTime();
                writer.get(section).set("k", new Doc(c, padding)).join();
                awaitNonZero(List.of(at));
                perSection[c] = at.get() - start;
            }
        }

        long[] oneChannel;
        try (BenchRedis redis = BenchRedis.start();
             SyncService readers = service(redis);
             SyncService writers = service(redis)) {
            List<AtomicLong> applied = new CopyOnWriteArrayList<>();
            for (int i = 0; i < managers; i++) {
                DocumentManager<Doc> reader = manager(readers, "shared", "reader-" + i);
                reader.get("k").join();
                AtomicLong at = new AtomicLong();
                reader.addListener(event -> at.set(System.nanoTime()));
                applied.add(at);
            }
            DocumentManager<Doc> writer = manager(writers, "shared", "writer");
            int rounds = Math.max(1, changes / managers);
            oneChannel = new long[rounds * managers];
            int n = 0;
            for (int c = 0; c < rounds; c++) {
                applied.forEach(at -> at.set(0));
                long start = System.nanoTime();
                writer.set("k", new Doc(c, padding)).join();
                awaitNonZero(applied);
                for (AtomicLong at : applied) {
                    oneChannel[n++] = at.get() - start;
                }
            }
        }

        double heapPerKey;
        GcWatch gc = new GcWatch();
        try (BenchRedis redis = BenchRedis.start();
             SyncService sync = service(redis)) {
            DocumentManager<Doc> writer = manager(sync, "keys", "writer");
            List<String> ids = new ArrayList<>(keys);
            for (int i = 0; i < keys; i++) {
                ids.add(String.format(Locale.ROOT, "key-%08d", i));
            }
            for (int from = 0; from < keys; from += 1_000) {
                Map<String, Doc> batch = new LinkedHashMap<>();
                for (String id : ids.subList(from, Math.min(keys, from + 1_000))) {
                    batch.put(id, new Doc(id.hashCode(), padding));
                }
                writer.setAll(batch).join();
            }
            writer.close(); // its cache holds what it wrote: only the reader's is measured
            DocumentManager<Doc> reader = DocumentManager.builder(Doc.class).syncService(sync).namespace(BenchRedis.NAMESPACE)
                    .section(BenchRedis.PARTITION, "keys").origin(BenchRedis.REGION, "reader")
                    .valueSharing(ValueSharing.SHARED).cacheMaximumSize(keys).build();
            long before = usedHeap();
            gc.start();
            for (int from = 0; from < keys; from += 1_000) {
                reader.getAll(ids.subList(from, Math.min(keys, from + 1_000))).join();
            }
            gc.stop();
            if (reader.stats().cachedDocuments() != keys) {
                throw new IllegalStateException("the reader caches " + reader.stats().cachedDocuments() + " of " + keys);
            }
            heapPerKey = (usedHeap() - before) / (double) keys;
        }
        return new Result(managers, Percentiles.ofNanos(perSection), ddmThreads, jvmThreads, heapPerManager,
                Percentiles.ofNanos(oneChannel), keys, heapPerKey, gc.pauses.get(), gc.longest.get(), gc.total.get());
    }

    private static SyncService service(BenchRedis redis) {
        return SyncService.builder().redis(RedisDeployment.single(redis.uri()).build()).build();
    }

    private static DocumentManager<Doc> manager(SyncService sync, String section, String node) {
        return DocumentManager.builder(Doc.class).syncService(sync).namespace(BenchRedis.NAMESPACE)
                .section(BenchRedis.PARTITION, section).origin(BenchRedis.REGION, node)
                .valueSharing(ValueSharing.SHARED).build();
    }

    /** Spins (parking briefly) until every stamp is set; a benchmark waits without a timer's granularity. */
    private static void awaitNonZero(List<AtomicLong> stamps) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (AtomicLong stamp : stamps) {
            while (stamp.get() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a change was not applied within 30 s");
                }
                LockSupport.parkNanos(20_000);
            }
        }
    }

    private static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(now - used) < 64 * 1024) {
                return now;
            }
            used = now;
        }
        return used;
    }

    /** Counts the GC pauses the JVM reports between start and stop. */
    private static final class GcWatch {
        final AtomicLong pauses = new AtomicLong();
        final AtomicLong longest = new AtomicLong();
        final AtomicLong total = new AtomicLong();
        private final Map<NotificationEmitter, NotificationListener> listeners = new ConcurrentHashMap<>();

        void start() {
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (bean instanceof NotificationEmitter emitter) {
                    NotificationListener listener = (notification, handback) -> {
                        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                            GarbageCollectionNotificationInfo info =
                                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                            if (!info.getGcAction().contains("concurrent") && !info.getGcName().contains("Concurrent")) {
                                long millis = info.getGcInfo().getDuration();
                                pauses.incrementAndGet();
                                total.addAndGet(millis);
                                longest.accumulateAndGet(millis, Math::max);
                            }
                        }
                    };
                    emitter.addNotificationListener(listener, null, null);
                    listeners.put(emitter, listener);
                }
            }
        }

        void stop() {
            listeners.forEach((emitter, listener) -> {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            });
            listeners.clear();
        }
    }
}
