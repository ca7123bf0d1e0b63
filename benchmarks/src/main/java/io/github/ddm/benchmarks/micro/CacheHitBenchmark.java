package io.github.ddm.benchmarks.micro;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.ddm.DocumentManager;
import io.github.ddm.ValueSharing;
import io.github.ddm.Versioned;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.codec.TypedJsonJacksonCodec;

/**
 * A cache hit on one thread: no I/O is measured, but the managers need Redis to exist, so the trial
 * starts a redis-server. DDM ({@code getCached}, {@code get().join()}, SHARED and COPY_ON_READ, and
 * SHARED with the cache's idle expiry switched off) against its peers holding the same ~3.5 KB {@link OrderBook}: a bare Caffeine cache (the
 * DESIGN target: DDM at least half of it), a Caffeine cache configured like DDM's own (size bound
 * plus idle expiry), and Redisson's {@code RLocalCachedMap} after warming.
 *
 * <p>Peers are the methods named {@code peer*}; {@code RatioReport} divides by them.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class CacheHitBenchmark {

    static final String ID = "BTC-USD";

    private BenchRedis redis;
    private DocumentManager<OrderBook> shared;
    private DocumentManager<OrderBook> sharedNoIdleExpiry;
    private DocumentManager<OrderBook> copyOnRead;
    private Cache<String, OrderBook> caffeine;
    private Cache<String, OrderBook> caffeineLikeDdm;
    private RLocalCachedMap<String, OrderBook> redissonLocal;

    @Setup(Level.Trial)
    public void setUp() {
        OrderBook book = OrderBook.requireRealisticSize(OrderBook.sample(ID, 1));
        redis = BenchRedis.start();
        RedissonClient client = redis.newClient();
        shared = redis.manager(client, "hit-shared", ValueSharing.SHARED, "bench-a");
        sharedNoIdleExpiry = redis.manager(client, "hit-shared-noidle", ValueSharing.SHARED, "bench-a",
                settings -> settings.cacheIdleExpiry(Duration.ZERO));
        copyOnRead = redis.manager(client, "hit-copy", ValueSharing.COPY_ON_READ, "bench-a");
        shared.set(ID, book).join();
        sharedNoIdleExpiry.set(ID, book).join();
        copyOnRead.set(ID, book).join();
        requireCached(shared);
        requireCached(sharedNoIdleExpiry);
        requireCached(copyOnRead);

        caffeine = Caffeine.newBuilder().maximumSize(100_000).build();
        caffeine.put(ID, book);
        caffeineLikeDdm = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(6)).build();
        caffeineLikeDdm.put(ID, book);

        LocalCachedMapOptions<String, OrderBook> options = LocalCachedMapOptions.<String, OrderBook>name("bench:hit:redisson")
                .codec(new TypedJsonJacksonCodec(String.class, OrderBook.class));
        redissonLocal = client.getLocalCachedMap(options);
        redissonLocal.fastPut(ID, book);
        if (!book.equals(redissonLocal.get(ID)) || redissonLocal.getCachedMap().get(ID) == null) {
            throw new IllegalStateException("Redisson's local cache does not hold the book after warming");
        }
    }

    private static void requireCached(DocumentManager<OrderBook> manager) {
        if (manager.getCached(ID).isEmpty()) {
            throw new IllegalStateException("the manager does not cache " + ID + " after writing it");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (redissonLocal != null) {
            redissonLocal.destroy();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Benchmark
    public Optional<Versioned<OrderBook>> ddmGetCachedShared() {
        return shared.getCached(ID);
    }

    /** DDM's default idle expiry (6 h) switched off: {@code cacheIdleExpiry(Duration.ZERO)}. */
    @Benchmark
    public Optional<Versioned<OrderBook>> ddmGetCachedSharedNoIdleExpiry() {
        return sharedNoIdleExpiry.getCached(ID);
    }

    @Benchmark
    public Optional<Versioned<OrderBook>> ddmGetJoinShared() {
        return shared.get(ID).join();
    }

    @Benchmark
    public Optional<Versioned<OrderBook>> ddmGetCachedCopyOnRead() {
        return copyOnRead.getCached(ID);
    }

    @Benchmark
    public OrderBook peerCaffeineGetIfPresent() {
        return caffeine.getIfPresent(ID);
    }

    @Benchmark
    public OrderBook peerCaffeineIdleExpiryGetIfPresent() {
        return caffeineLikeDdm.getIfPresent(ID);
    }

    @Benchmark
    public OrderBook peerRedissonLocalCachedMapGet() {
        return redissonLocal.get(ID);
    }
}
