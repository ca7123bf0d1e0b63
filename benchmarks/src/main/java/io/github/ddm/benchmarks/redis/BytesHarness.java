package io.github.ddm.benchmarks.redis;

import io.github.ddm.DocumentManager;
import io.github.ddm.ManagerStats;
import io.github.ddm.ValueSharing;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.SectionContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Bytes on the wire: a raw subscriber (its own Redisson client, {@code StringCodec}) on the
 * section's channel counts the UTF-8 bytes of every message DDM publishes while N one-field updates
 * of the ~3.5 KB {@link OrderBook} are committed, and compares them with the full document's JSON,
 * which is what full-object replication (the seed's design) would send per change.
 *
 * <p>The message is the whole envelope: schema, event id, op, key, versions, epoch, lineage, clock,
 * time, origin, stream id and the patch, in the compact Redis form (docs/schema.md) unless the JVM runs
 * with {@code -Dddm.redis.wireForm=verbose}; the report also gives the same events' size in the contract
 * form (what Kafka records and {@code ChangeEventCodec.encode} carry). DDM adds the full state to every 100th version by default
 * ({@code fullStateEvery}); the average counts those messages too, and they are also reported apart.
 * DESIGN target (issue 11): at most 210 B per one-field change; the seed claimed 94% fewer bytes.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.redis.BytesHarness [--updates 2000]</pre>
 */
public final class BytesHarness {

    static final String SECTION = "books";
    static final String ID = "BTC-USD";
    private static final Set<String> OPTIONS = Set.of("updates");

    private BytesHarness() {
    }

    /**
     * @param channel the channel listened to
     * @param updates update messages received
     * @param withState how many of them carried the full state
     * @param averageBytes mean UTF-8 bytes per update message, all of them
     * @param patchOnlyAverageBytes mean bytes of the messages without the full state
     * @param medianBytes the median message
     * @param maxBytes the largest message
     * @param documentBytes the full document's JSON bytes
     * @param statsEventBytes the manager's own count (ManagerStats: without epoch and stream id), per commit
     * @param example a patch-only message
     * @param contractPatchOnlyAverageBytes mean bytes of the patch-only messages' events in the contract form
     * @param scriptStats the scripts' lines of {@code INFO commandstats} over the updates (the commit script's time per call)
     */
    public record Result(String channel, int updates, int withState, double averageBytes, double patchOnlyAverageBytes,
                         int medianBytes, int maxBytes, int documentBytes, double statsEventBytes, String example,
                         double contractPatchOnlyAverageBytes, String scriptStats) {

        /** 1 - average / document, in percent. */
        public double savingPercent() {
            return 100.0 * (1 - averageBytes / documentBytes);
        }

        /** 1 - patch-only average / document, in percent. */
        public double patchOnlySavingPercent() {
            return 100.0 * (1 - patchOnlyAverageBytes / documentBytes);
        }

        public String report() {
            return String.format(Locale.ROOT, "BytesHarness: %d one-field updates on %s (%d carried the full state)%n"
                            + "  full document JSON (full-object replication): %d B%n"
                            + "  published message, average of all:    %.1f B  -> %.1f%% saving%n"
                            + "  published message, patch-only average: %.1f B  -> %.1f%% saving%n"
                            + "  published message, median %d B, max %d B%n"
                            + "  the same patch-only events in the contract form: %.1f B%n"
                            + "  ManagerStats.eventBytes per commit (no epoch, no stream id): %.1f B%n"
                            + "  example: %s%n"
                            + "  scripts over the updates (INFO commandstats): %s%n",
                    updates, channel, withState, documentBytes, averageBytes, savingPercent(), patchOnlyAverageBytes,
                    patchOnlySavingPercent(), medianBytes, maxBytes, contractPatchOnlyAverageBytes, statsEventBytes, example, scriptStats);
        }
    }

    public static void main(String[] args) {
        System.out.print(run(args).report());
    }

    /** Runs the harness with {@code --updates N} (default 2,000). */
    public static Result run(String... args) {
        int updates = HarnessArgs.parse(OPTIONS, args).intValue("updates", 2_000);
        if (updates == 0) {
            throw new IllegalArgumentException("--updates must be at least 1");
        }
        try (BenchRedis redis = BenchRedis.start()) {
            List<String> messages = new CopyOnWriteArrayList<>();
            RedissonClient raw = redis.newClient();
            String channel = BenchRedis.channel(SECTION);
            RTopic topic = raw.getTopic(channel, StringCodec.INSTANCE);
            topic.addListener(String.class, (ch, message) -> messages.add(message));

            DocumentManager<OrderBook> manager = redis.manager(redis.newClient(), SECTION, ValueSharing.SHARED, "bench-a");
            OrderBook book = OrderBook.sample(ID, 1);
            manager.set(ID, book).join();
            ManagerStats before = manager.stats();
            redis.call("CONFIG", "RESETSTAT");
            for (int i = 0; i < updates; i++) {
                long n = i;
                manager.update(ID, current -> current.change(n)).join();
            }
            ManagerStats after = manager.stats();
            String scriptStats = scriptStats(String.valueOf(redis.call("INFO", "commandstats")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (messages.size() < updates + 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }

            int[] sizes = new int[updates];
            int count = 0;
            int withState = 0;
            long patchOnlyTotal = 0;
            long contractTotal = 0;
            String example = null;
            SectionContext section = SectionContext.of(BenchRedis.PARTITION, SECTION);
            for (String message : messages) {
                ChangeEvent event = ChangeEventCodec.decode(message, section);
                if (event.op() != ChangeOp.UPDATE || count == updates) {
                    continue;
                }
                int size = message.getBytes(StandardCharsets.UTF_8).length;
                sizes[count++] = size;
                if (event.state() != null) {
                    withState++;
                } else {
                    patchOnlyTotal += size;
                    contractTotal += ChangeEventCodec.encode(event).length;
                    if (example == null) {
                        example = message;
                    }
                }
            }
            if (count == 0) {
                throw new IllegalStateException("no update message arrived on " + channel);
            }
            int[] received = Arrays.copyOf(sizes, count);
            Arrays.sort(received);
            long total = Arrays.stream(received).asLongStream().sum();
            int documentBytes = manager.getCached(ID).orElseThrow().value().jsonSize();
            long commits = after.commits() - before.commits();
            return new Result(channel, count, withState, (double) total / count,
                    count == withState ? Double.NaN : (double) patchOnlyTotal / (count - withState),
                    received[(count - 1) / 2], received[count - 1], documentBytes,
                    commits == 0 ? Double.NaN : (double) (after.eventBytes() - before.eventBytes()) / commits, example,
                    count == withState ? Double.NaN : (double) contractTotal / (count - withState), scriptStats);
        }
    }

    /** The EVALSHA and EVAL lines of {@code INFO commandstats} (calls, usec, usec_per_call), as Redis reports them. */
    static String scriptStats(String info) {
        StringBuilder out = new StringBuilder();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                out.append(out.length() == 0 ? "" : "; ").append(line.strip());
            }
        }
        return out.length() == 0 ? "none" : out.toString();
    }
}
