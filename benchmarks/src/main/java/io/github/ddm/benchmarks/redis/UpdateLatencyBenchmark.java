package io.github.ddm.benchmarks.redis;

import io.github.ddm.DocumentManager;
import io.github.ddm.ValueSharing;
import io.github.ddm.Versioned;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
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
import org.redisson.api.RedissonClient;

/**
 * One writer, one key, against a local redis-server: the latency (SampleTime: p50, p99) of DDM's
 * {@code update(id, one level's quantity changed).join()} with {@code ValueSharing.SHARED}, against
 * its peer, one bare EVALSHA of the same commit script through the same Redisson client with
 * precomputed arguments of the same size ({@link CommitScriptPeer}), whose section has a subscriber
 * as DDM's has. {@code ddmUpdateCopyOnRead} is the same update with {@code ValueSharing.COPY_ON_READ}.
 *
 * <p>DESIGN target: DDM's p50 within about 1.3x the peer's, DDM's p99 under 400 us.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class UpdateLatencyBenchmark {

    static final String ID = "BTC-USD";

    private BenchRedis redis;
    private DocumentManager<OrderBook> ddm;
    private DocumentManager<OrderBook> ddmCopyOnRead;
    private CommitScriptPeer.Doc peerDoc;
    private CommitScriptPeer peer;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        redis = BenchRedis.start();
        RedissonClient client = redis.newClient();
        OrderBook book = OrderBook.requireRealisticSize(OrderBook.sample(ID, 1));
        ddm = redis.manager(client, "books", ValueSharing.SHARED, "bench-a");
        ddm.set(ID, book).join();
        ddmCopyOnRead = redis.manager(client, "books-copy", ValueSharing.COPY_ON_READ, "bench-a");
        ddmCopyOnRead.set(ID, book).join();
        peer = new CommitScriptPeer(client, "raw", "bench-a");
        peerDoc = peer.create(ID, book);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (redis != null) {
            redis.close();
        }
    }

    @Benchmark
    public Versioned<OrderBook> ddmUpdate() {
        long i = n++;
        return ddm.update(ID, book -> book.change(i)).join();
    }

    /** The same update with {@code ValueSharing.COPY_ON_READ} (the cache keeps JSON bytes), in its own section. */
    @Benchmark
    public Versioned<OrderBook> ddmUpdateCopyOnRead() {
        long i = n++;
        return ddmCopyOnRead.update(ID, book -> book.change(i)).join();
    }

    @Benchmark
    public long peerBareEvalSha() {
        return peer.update(peerDoc);
    }
}
