package io.github.ddm.benchmarks.redis;

import io.github.ddm.DocumentManager;
import io.github.ddm.ValueSharing;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.codec.TypedJsonJacksonCodec;

/**
 * Heap per cached key: N distinct ~3.5 KB {@link OrderBook}s are written to Redis, then loaded
 * into a fresh reader's local cache, once per contender: a DDM manager with
 * {@code ValueSharing.SHARED} (keeps the typed value), one with {@code COPY_ON_READ} (keeps the JSON
 * bytes), and Redisson's {@code RLocalCachedMap} with default options (keeps the decoded value).
 * Two reference rows show what the bare values take: N records in an array, N JSON byte arrays.
 *
 * <p>Approximate by design: each figure is (used heap after the load - used heap before) / N, with
 * used heap read after repeated {@code System.gc()} until it settles. Client and manager start-up
 * happen before the first reading, so only the per-key cost is counted; Netty's pooled direct
 * buffers are off-heap and not counted. Use N in the tens of thousands to drown the noise.
 * DESIGN target: DDM no more than Redisson's local cache.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.redis.HeapHarness [--keys 20000]</pre>
 */
public final class HeapHarness {

    private static final Set<String> OPTIONS = Set.of("keys");
    private static final String SECTION = "heap";
    private static final String REDISSON_MAP = "bench:heap:redisson";

    private HeapHarness() {
    }

    /**
     * @param keys documents cached per contender
     * @param documentBytes JSON size of one document (they vary by a few bytes)
     * @param bytesPerKey retained heap per key, per contender, in insertion order
     */
    public record Result(int keys, int documentBytes, Map<String, Double> bytesPerKey) {

        public String report() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "HeapHarness: %d keys of ~%d B JSON, retained heap per key (approximate)%n", keys, documentBytes));
            bytesPerKey.forEach((name, bytes) -> out.append(String.format(Locale.ROOT, "  %-40s %,10.0f B%n", name, bytes)));
            return out.toString();
        }
    }

    public static void main(String[] args) {
        System.out.print(run(args).report());
    }

    /** Runs the harness with {@code --keys N} (default 20,000). */
    public static Result run(String... args) {
        int keys = HarnessArgs.parse(OPTIONS, args).intValue("keys", 20_000);
        if (keys == 0) {
            throw new IllegalArgumentException("--keys must be at least 1");
        }
        List<String> ids = new ArrayList<>(keys);
        for (int i = 0; i < keys; i++) {
            ids.add(String.format(Locale.ROOT, "SYM-%06d", i));
        }
        Map<String, Double> perKey = new LinkedHashMap<>();
        try (BenchRedis redis = BenchRedis.start()) {
            write(redis, ids);
            perKey.put("reference: OrderBook records in an array", measure(keys, () -> {
                List<Object> values = new ArrayList<>(keys);
                ids.forEach(id -> values.add(OrderBook.sample(id, id.hashCode())));
                return values;
            }));
            perKey.put("reference: JSON byte[] in an array", measure(keys, () -> {
                List<Object> values = new ArrayList<>(keys);
                ids.forEach(id -> values.add(OrderBook.sample(id, id.hashCode()).toJson()));
                return values;
            }));
            for (ValueSharing sharing : List.of(ValueSharing.SHARED, ValueSharing.COPY_ON_READ)) {
                RedissonClient client = redis.newClient();
                DocumentManager<OrderBook> reader = redis.manager(client, SECTION, sharing, "reader");
                perKey.put("DDM manager, " + sharing, measure(keys, () -> {
                    load(reader, ids);
                    if (reader.stats().cachedDocuments() != keys) {
                        throw new IllegalStateException("the manager caches " + reader.stats().cachedDocuments() + " of " + keys);
                    }
                    return reader;
                }));
                reader.close(); // drops its cache before the next contender is measured
            }
            RedissonClient client = redis.newClient();
            RLocalCachedMap<String, OrderBook> map = client.getLocalCachedMap(
                    LocalCachedMapOptions.<String, OrderBook>name(REDISSON_MAP).codec(codec()));
            perKey.put("Redisson RLocalCachedMap (defaults)", measure(keys, () -> {
                ids.forEach(map::get);
                if (map.getCachedMap().size() != keys) {
                    throw new IllegalStateException("Redisson's local cache holds " + map.getCachedMap().size() + " of " + keys);
                }
                return map;
            }));
            map.destroy();
        }
        OrderBook first = OrderBook.sample(ids.get(0), ids.get(0).hashCode());
        return new Result(keys, first.jsonSize(), perKey);
    }

    private static TypedJsonJacksonCodec codec() {
        return new TypedJsonJacksonCodec(String.class, OrderBook.class);
    }

    /** Writes every document through DDM (for the managers) and through a plain RMap (for Redisson). */
    private static void write(BenchRedis redis, List<String> ids) {
        RedissonClient client = redis.newClient();
        try (DocumentManager<OrderBook> writer = redis.manager(client, SECTION, ValueSharing.SHARED, "writer")) {
            List<CompletableFuture<?>> batch = new ArrayList<>();
            for (String id : ids) {
                batch.add(writer.set(id, OrderBook.sample(id, id.hashCode())));
                if (batch.size() == 256) {
                    CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
                    batch.clear();
                }
            }
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
        }
        RMap<String, OrderBook> map = client.getMap(REDISSON_MAP, codec());
        Map<String, OrderBook> batch = new HashMap<>();
        for (String id : ids) {
            batch.put(id, OrderBook.sample(id, id.hashCode()));
            if (batch.size() == 256) {
                map.putAll(batch);
                batch.clear();
            }
        }
        map.putAll(batch);
    }

    private static void load(DocumentManager<OrderBook> reader, List<String> ids) {
        List<CompletableFuture<?>> batch = new ArrayList<>();
        for (String id : ids) {
            batch.add(reader.get(id));
            if (batch.size() == 256) {
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
                batch.clear();
            }
        }
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
    }

    /** Retained bytes per key of what {@code fill} builds and returns (kept reachable until measured). */
    private static double measure(int keys, java.util.function.Supplier<Object> fill) {
        long before = usedHeapAfterGc();
        Object retained = fill.get();
        long after = usedHeapAfterGc();
        java.lang.ref.Reference.reachabilityFence(retained);
        return (after - before) / (double) keys;
    }

    /** Used heap once repeated full collections stop changing it (within 64 KB). */
    static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long used = memory.getHeapMemoryUsage().getUsed();
            if (i >= 2 && Math.abs(previous - used) < 64 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
