package io.github.ddm.benchmarks.replay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.ddm.DocumentManager;
import io.github.ddm.HistorySource;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.ValueSharing;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import io.github.ddm.benchmarks.redis.HarnessArgs;
import io.github.ddm.replay.KafkaHistorySource;
import io.github.ddm.replay.TopicNaming;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.testkit.KafkaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A late subscriber served from Kafka (issue 11): one key whose last {@code --missing} versions are
 * neither in a manager's change buffer nor in the Redis log (trimmed to its last 2 entries), on a topic that
 * holds {@code --others} records of other documents, spread evenly before, between and after the
 * key's versions. DESIGN target: the late subscriber has its missing versions within 50 ms.
 *
 * <p>Set-up (not measured): a {@code redis-server} and an in-JVM KRaft broker; a writer commits the
 * key's versions ({@link OrderBook}, one-field changes) and each committed event is produced to the
 * section's topic as the source connector would (keyed by {@code partition/section/id}, the
 * ChangeEvent JSON); the other records (one-field change events of other books, ~330 bytes) are
 * produced by a batching producer ({@code --batch-bytes}, linger 20 ms, no wait per record).
 *
 * <p>Measured, in this order:
 * <ol>
 *   <li><b>Index</b>: the history source's first pass over the topic ({@link KafkaHistorySource#index}:
 *       record keys only), once.</li>
 *   <li><b>Lookup</b>, {@code --lookups} times: {@code --between} more records of other documents
 *       are produced (not measured), then {@code history.changes(key, v)} is timed, which indexes
 *       those new records and reads the key's missing versions back by offset.</li>
 *   <li><b>Late subscriber</b>, {@code --subscribers} times: a manager configured with the history
 *       source is asked {@code changes(key, v)}; the time runs until its listener has the newest
 *       version (core's own steps included: the buffer, Redis, the log, then Kafka).</li>
 * </ol>
 * Each lookup and each subscriber must deliver every missing version, in order, once; the run fails
 * otherwise.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.replay.KafkaHistoryHarness
 *     [--others 1000000] [--missing 50] [--partitions 4] [--lookups 20] [--between 1000]
 *     [--subscribers 20] [--batch-bytes 65536]</pre>
 */
public final class KafkaHistoryHarness {

    /** The section measured. */
    public static final SectionId SECTION = new SectionId(BenchRedis.PARTITION, "history");
    static final String ID = "BTC-USD";
    private static final Set<String> OPTIONS = Set.of("others", "missing", "partitions", "lookups", "between", "subscribers",
            "batch-bytes");
    private static final Duration WAIT = Duration.ofMinutes(5);

    private KafkaHistoryHarness() {
    }

    /**
     * What a run measured.
     *
     * @param others records of other documents in the topic before the first lookup
     * @param records every record in the topic before the first lookup
     * @param missing the key's versions the subscriber misses
     * @param fromVersion the version the subscriber has
     * @param produceSeconds producing the set-up's records (not a DDM figure)
     * @param indexMillis the history source's first pass over the topic
     * @param index the index after the last lookup
     * @param lookup each lookup, in microseconds
     * @param subscriber each late subscriber, until its listener had the newest version, in microseconds
     * @param lookupVersions the versions each lookup returned
     * @param subscriberVersions the versions each subscriber was given
     * @param subscribersAskedKafka how many times the subscribers' manager asked the history source
     */
    public record Result(long others, long records, int missing, long fromVersion, double produceSeconds, long indexMillis,
                         KafkaHistorySource.IndexStats index, Millis lookup, Millis subscriber,
                         List<List<Long>> lookupVersions, List<List<Long>> subscriberVersions, int subscribersAskedKafka) {

        public String report() {
            return String.format(Locale.ROOT, "KafkaHistoryHarness: one key, %d missing versions (after version %d), "
                            + "in a topic of %,d records (%,d of other documents)%n"
                            + "  set-up: produced in %.1f s%n"
                            + "  index, first pass over the topic (record keys only): %,d ms; after the run %,d entries, "
                            + "%,d keys, %.1f MB (capacity %,d)%n"
                            + "  lookup, history.changes(key, %d), new records indexed first: %s%n"
                            + "  late subscriber, changes(key, %d) until the newest version is delivered: %s%n"
                            + "  records read back by offset: %,d; read beyond the index: %,d%n",
                    missing, fromVersion, records, others, produceSeconds, indexMillis, index.entries(), index.keys(),
                    index.bytes() / 1e6, index.capacity(), fromVersion, lookup, fromVersion, subscriber, index.readBack(),
                    index.readBeforeIndex());
        }
    }

    /** Durations in milliseconds: min, median, max, mean. */
    public record Millis(int count, double min, double p50, double max, double mean) {
        static Millis ofNanos(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            double sum = Arrays.stream(sorted).sum();
            return new Millis(sorted.length, sorted[0] / 1e6, sorted[(sorted.length - 1) / 2] / 1e6, sorted[sorted.length - 1] / 1e6,
                    sum / sorted.length / 1e6);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "n=%d min=%.1f ms p50=%.1f ms max=%.1f ms mean=%.1f ms", count, min, p50, max, mean);
        }
    }

    public static void main(String[] args) {
        System.out.print(run(args).report());
    }

    /** Runs the harness; see the class comment for the options. */
    public static Result run(String... args) {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int others = options.intValue("others", 1_000_000);
        int missing = options.intValue("missing", 50);
        int partitions = Math.max(1, options.intValue("partitions", 4));
        int lookups = Math.max(1, options.intValue("lookups", 20));
        int between = options.intValue("between", 1_000);
        int subscribers = options.intValue("subscribers", 20);
        int batchBytes = Math.max(1_024, options.intValue("batch-bytes", 64 * 1024));
        if (missing < 1) {
            throw new IllegalArgumentException("--missing must be at least 1");
        }
        try (BenchRedis redis = BenchRedis.start(); KafkaCluster kafka = KafkaCluster.start()) {
            TopicNaming naming = TopicNaming.perSection();
            String topic = naming.topicFor(BenchRedis.REGION, SECTION);
            kafka.createTopic(topic, partitions);
            RedissonClient client = redis.newClient();
            DocumentManager<OrderBook> writer = redis.manager(client, SECTION.section(), ValueSharing.SHARED, "writer",
                    b -> b.logMaxLength(5));
            try (Producer producer = new Producer(kafka.clientProperties(), batchBytes, topic);
                 // The first pass over a large topic may take longer than the default 30 s per call.
                 KafkaHistorySource history = KafkaHistorySource.builder(kafka.clientProperties())
                         .region(BenchRedis.REGION).timeout(Duration.ofMinutes(5)).build()) {
                // The key's versions 1 (what the subscriber has) .. 1 + missing, with the other records
                // spread evenly before, between and after them.
                long started = System.nanoTime();
                SectionStore store = SectionStore.open(client, BenchRedis.NAMESPACE, SECTION);
                int slices = missing + 2;
                int produced = 0;
                OrderBook book = OrderBook.sample(ID, 1);
                String after = "0-0";
                long fromVersion = 0;
                for (int slice = 0; slice < slices; slice++) {
                    int count = (int) ((long) others * (slice + 1) / slices) - produced;
                    producer.others(produced, count);
                    produced += count;
                    if (slice == slices - 1) {
                        break;
                    }
                    if (slice == 0) {
                        writer.set(ID, book).get(10, TimeUnit.SECONDS);
                    } else {
                        long n = slice;
                        writer.update(ID, current -> current.change(n)).get(10, TimeUnit.SECONDS);
                    }
                    SectionStore.LogBatch batch = store.readLog(after, 100).get(10, TimeUnit.SECONDS);
                    for (ChangeEvent event : batch.events()) {
                        producer.event(event);
                        if (slice == 0) {
                            fromVersion = event.version();
                        }
                    }
                    after = batch.entries() == 0 ? after : batch.lastStreamId();
                }
                producer.flush();
                // The Redis log keeps its last two entries only (MAXLEN ~ trims by whole stream nodes, which hold 100).
                client.getScript(StringCodec.INSTANCE).eval(store.logKey(), RScript.Mode.READ_WRITE,
                        "return redis.call('XTRIM', KEYS[1], 'MAXLEN', '2')", RScript.ReturnType.LONG, List.of(store.logKey()));
                double produceSeconds = (System.nanoTime() - started) / 1e9;
                long records = others + missing + 1L;
                long newest = fromVersion + missing;
                DataKey key = DataKey.of(SECTION.partition(), SECTION.section(), ID);

                long indexStart = System.nanoTime();
                if (!history.index(SECTION).get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("topic " + topic + " does not exist");
                }
                long indexMillis = (System.nanoTime() - indexStart) / 1_000_000;

                long[] lookupNanos = new long[lookups];
                List<List<Long>> lookupVersions = new ArrayList<>();
                for (int i = 0; i < lookups; i++) {
                    producer.others(produced, between);
                    produced += between;
                    producer.flush();
                    long t0 = System.nanoTime();
                    List<ChangeEvent> events = history.changes(key, fromVersion).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    lookupNanos[i] = System.nanoTime() - t0;
                    lookupVersions.add(check("lookup " + (i + 1), versions(events), fromVersion, newest));
                }

                List<List<Long>> subscriberVersions = new ArrayList<>();
                AtomicInteger asked = new AtomicInteger();
                long[] subscriberNanos = new long[subscribers];
                if (subscribers > 0) {
                    HistorySource counted = (k, v) -> {
                        asked.incrementAndGet();
                        return history.changes(k, v);
                    };
                    DocumentManager<OrderBook> late = redis.manager(redis.newClient(), SECTION.section(), ValueSharing.SHARED,
                            "late", b -> b.historySource(counted));
                    for (int i = 0; i < subscribers; i++) {
                        List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
                        CompletableFuture<Void> done = new CompletableFuture<>();
                        long t0 = System.nanoTime();
                        var registration = late.changes(ID, fromVersion, event -> {
                            seen.add(event);
                            if (event.version() >= newest) {
                                done.complete(null);
                            }
                        });
                        try {
                            done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                            subscriberNanos[i] = System.nanoTime() - t0;
                        } finally {
                            registration.close();
                        }
                        subscriberVersions.add(check("subscriber " + (i + 1), versions(seen), fromVersion, newest));
                    }
                }
                return new Result(others, records, missing, fromVersion, produceSeconds, indexMillis, history.indexStats(),
                        Millis.ofNanos(lookupNanos), subscribers == 0 ? null : Millis.ofNanos(subscriberNanos),
                        lookupVersions, subscriberVersions, asked.get());
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("the Kafka history harness failed", e);
        }
    }

    private static List<Long> versions(List<ChangeEvent> events) {
        return events.stream().map(ChangeEvent::version).toList();
    }

    /** Fails unless {@code versions} are exactly {@code from + 1 .. newest}, in order. */
    private static List<Long> check(String what, List<Long> versions, long from, long newest) {
        List<Long> expected = new ArrayList<>();
        for (long v = from + 1; v <= newest; v++) {
            expected.add(v);
        }
        if (!versions.equals(expected)) {
            throw new IllegalStateException(what + " delivered versions " + versions + ", expected " + from + " + 1 .. " + newest);
        }
        return versions;
    }

    /** The set-up's producer: the key's events as the connector writes them, and other documents' records in bulk. */
    private static final class Producer implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final String topic;
        private final Origin origin = Origin.of(BenchRedis.REGION, "others");
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        Producer(Map<String, Object> kafka, int batchBytes, String topic) {
            Map<String, Object> props = new HashMap<>(kafka);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
            props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
            // In order without the idempotent producer's sequence checks: a partition that is not ready yet is a retry.
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            this.producer = new KafkaProducer<>(props);
            this.topic = topic;
        }

        /** Records of other documents {@code from} .. {@code from + count - 1}: one-field changes of other books. */
        void others(int from, int count) {
            Instant now = Instant.now();
            for (int n = from; n < from + count; n++) {
                DataKey key = DataKey.of(SECTION.partition(), SECTION.section(), "book-" + n);
                ChangeEvent event = ChangeEvent.update("o" + n, key, 2, 1, "bench", now, origin,
                        JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode()
                                .put("op", "replace").put("path", "/bids/" + (n % 35) + "/quantity")
                                .put("value", OrderBook.quantityFor(n))), null);
                send(key.toString(), ChangeEventCodec.encode(event));
            }
        }

        /** One committed event, as the source connector writes it. */
        void event(ChangeEvent event) {
            send(event.key().toString(), ChangeEventCodec.encode(event));
        }

        private void send(String key, byte[] value) {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
            });
        }

        /** Waits until everything sent is acknowledged; fails if a send failed. */
        void flush() {
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("producing the set-up's records failed", failure.get());
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
