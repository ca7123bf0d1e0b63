package io.github.ddm.benchmarks.redis;

import io.github.ddm.DocumentManager;
import io.github.ddm.ValueSharing;
import io.github.ddm.Versioned;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Sixteen writers, each on its own key, each waiting for its write before the next: the
 * throughput of DDM's {@code update(...).join()} (SHARED) against the same commit script called
 * bare through the same Redisson client ({@link CommitScriptPeer}).
 *
 * <p>DESIGN target: DDM at least 80% of the peer's throughput.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class UpdateThroughputBenchmark {

    /** What all writers share: the server, one client, one manager, the peer. */
    @State(Scope.Benchmark)
    public static class Env {
        BenchRedis redis;
        DocumentManager<OrderBook> ddm;
        CommitScriptPeer peer;
        final AtomicInteger writers = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            redis = BenchRedis.start();
            RedissonClient client = redis.newClient();
            ddm = redis.manager(client, "books", ValueSharing.SHARED, "bench-a");
            peer = new CommitScriptPeer(client, "raw", "bench-a");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** One writer's key, in DDM and in the peer's section. */
    @State(Scope.Thread)
    public static class Writer {
        String id;
        CommitScriptPeer.Doc peerDoc;
        long n;

        @Setup(Level.Trial)
        public void setUp(Env env) {
            id = "BOOK-" + env.writers.incrementAndGet();
            OrderBook book = OrderBook.sample(id, id.hashCode());
            env.ddm.set(id, book).join();
            peerDoc = env.peer.create(id, book);
        }
    }

    @Benchmark
    public Versioned<OrderBook> ddmUpdate(Env env, Writer writer) {
        long i = writer.n++;
        return env.ddm.update(writer.id, book -> book.change(i))
                .join();
    }

    @Benchmark
    public long peerBareEvalSha(Env env, Writer writer) {
        return env.peer.update(writer.peerDoc);
    }
}
