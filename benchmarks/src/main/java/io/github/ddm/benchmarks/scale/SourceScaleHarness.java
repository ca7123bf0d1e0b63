package io.github.ddm.benchmarks.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.redis.HarnessArgs;
import io.github.ddm.benchmarks.redis.Percentiles;
import io.github.ddm.connect.ChangeEventConverter;
import io.github.ddm.connect.source.DdmSourceConnector;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.testkit.ConnectCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.redisson.api.RedissonClient;

/**
 * The seed's scale for the source: one source task watching {@code --sections} sections (10,000 by
 * default) of one redis-server, exporting them to one topic through an in-JVM KRaft broker and a
 * Connect worker (exactly-once source support on, the consumer reading committed records).
 *
 * <ol>
 *   <li><b>initial export</b>: one document is created in every section before the connector
 *       starts; the time until a read-committed consumer has all of them, and the rate.</li>
 *   <li><b>end to end</b>: {@code --updates} updates at {@code --rate} per second, each in a random
 *       section; per update, the time from the commit in Redis (the write's reply) until the
 *       consumer has the record: the source's round over every section, the producer, the
 *       transaction commit and the consumer's poll.</li>
 * </ol>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.scale.SourceScaleHarness \
 *     [--sections 10000] [--updates 3000] [--rate 200]</pre>
 */
public final class SourceScaleHarness {

    private static final Set<String> OPTIONS = Set.of("sections", "updates", "rate");
    private static final String NAMESPACE = BenchRedis.NAMESPACE;
    private static final String REGION = BenchRedis.REGION;
    private static final String TOPIC = "ddm." + REGION + ".scale";
    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IN_FLIGHT = 200;

    private SourceScaleHarness() {
    }

    /**
     * @param sections sections the one source task watches
     * @param initialSeconds seconds from the connector's start until every section's first record was consumed
     * @param endToEnd per update, from the commit in Redis until the consumer had the record (us)
     * @param updates updates in the end-to-end phase
     */
    public record Result(int sections, double initialSeconds, Percentiles endToEnd, int updates) {

        /** The figures, one per line. */
        public String report() {
            return String.format(Locale.ROOT, "SourceScaleHarness: one source task, %,d sections, one topic%n"
                    + "  initial export (one record per section, from the connector's start): %.1f s, %,.0f records/s%n"
                    + "  end to end, commit in Redis -> record consumed (read committed), %d updates: p50 %.1f ms, p99 %.1f ms, "
                    + "max %.1f ms%n", sections, initialSeconds, sections / initialSeconds, updates, endToEnd.p50() / 1_000,
                    endToEnd.p99() / 1_000, endToEnd.max() / 1_000);
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(args).report());
    }

    /** Runs the harness with {@code --name value} options (see the class comment). */
    public static Result run(String... args) throws Exception {
        HarnessArgs options = HarnessArgs.parse(OPTIONS, args);
        int sectionCount = options.intValue("sections", 10_000);
        int updates = options.intValue("updates", 3_000);
        int rate = options.intValue("rate", 200);
        if (sectionCount < 1 || updates < 1 || rate < 1) {
            throw new IllegalArgumentException("--sections, --updates and --rate must be at least 1");
        }
        List<SectionId> sections = new ArrayList<>(sectionCount);
        for (int i = 0; i < sectionCount; i++) {
            sections.add(new SectionId("scale", String.format(Locale.ROOT, "s%05d", i)));
        }
        try (BenchRedis redis = BenchRedis.start();
             ConnectCluster connect = ConnectCluster.builder().name("ddm-scale")
                     .workerProperty("exactly.once.source.support", "enabled").start()) {
            RedissonClient client = redis.newClient();
            Map<SectionId, SectionStore> stores = new HashMap<>();
            sections.forEach(section -> stores.put(section, SectionStore.open(client, NAMESPACE, section)));
            connect.kafka().createTopic(TOPIC, 3);
            connect.kafka().createTopic("ddm." + REGION + ".control", 1);
            long[] versions = new long[sectionCount];
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < sectionCount; i++) {
                versions[i] = 1;
                writes.add(stores.get(sections.get(i)).apply(event(sections.get(i), 1)));
                if (writes.size() >= IN_FLIGHT) {
                    join(writes);
                }
            }
            join(writes);

            Map<String, Long> arrivals = new ConcurrentHashMap<>();
            AtomicBoolean consuming = new AtomicBoolean(true);
            Thread consumer = new Thread(() -> consume(connect.kafka().bootstrapServers(), arrivals, consuming), "scale-consumer");
            consumer.start();
            try {
                long started = System.nanoTime();
                connect.cluster().configureConnector("ddm-scale-source", sourceConfig(redis.uri(), sections));
                List<String> firsts = sections.stream().map(s -> s.section() + "@1").collect(Collectors.toList());
                await(arrivals, firsts, "the first record of every section");
                double initialSeconds = (System.nanoTime() - started) / 1e9;

                Map<String, Long> committed = new ConcurrentHashMap<>();
                long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
                long next = System.nanoTime();
                List<CompletableFuture<?>> inFlight = new ArrayList<>();
                // One section's versions are applied in order: the next waits for the one before.
                Map<SectionId, CompletableFuture<?>> tails = new HashMap<>();
                for (int n = 0; n < updates; n++) {
                    while (System.nanoTime() < next) {
                        Thread.onSpinWait();
                    }
                    next += intervalNanos;
                    int i = ThreadLocalRandom.current().nextInt(sectionCount);
                    SectionId section = sections.get(i);
                    long version = ++versions[i];
                    String target = section.section() + "@" + version;
                    CompletableFuture<?> previous = tails.getOrDefault(section, CompletableFuture.completedFuture(null));
                    CompletableFuture<?> write = previous.thenCompose(ignored -> stores.get(section).apply(event(section, version)))
                            .thenRun(() -> committed.put(target, System.nanoTime()));
                    tails.put(section, write);
                    inFlight.add(write);
                    inFlight.removeIf(CompletableFuture::isDone);
                }
                join(inFlight);
                await(arrivals, committed.keySet(), "every update");
                long[] nanos = committed.entrySet().stream()
                        .mapToLong(e -> Math.max(0, arrivals.get(e.getKey()) - e.getValue())).toArray();
                return new Result(sectionCount, initialSeconds, Percentiles.ofNanos(nanos), updates);
            } finally {
                consuming.set(false);
                consumer.join(TimeUnit.SECONDS.toMillis(30));
                connect.cluster().deleteConnector("ddm-scale-source");
            }
        }
    }

    /** Version {@code version} of the section's one document, as core's commit script writes it (a create at 1). */
    private static ChangeEvent event(SectionId section, long version) {
        DataKey key = DataKey.of(section.partition(), section.section(), "k");
        Origin origin = Origin.of(REGION, "scale");
        ChangeEvent event;
        if (version == 1) {
            event = ChangeEvent.create("c-" + section.section(), key, 1, 0, "scaleEpoch", Instant.now(), origin,
                    JSON.createObjectNode().put("n", 1));
        } else {
            event = ChangeEvent.update("u" + version + "-" + section.section(), key, version, version - 1, "scaleEpoch",
                    Instant.now(), origin, JSON.createArrayNode().add(JSON.createObjectNode().put("op", "replace")
                            .put("path", "/n").put("value", version)), null);
        }
        return event.withClock("L", VersionVector.of(Map.of(REGION + "~L", version)));
    }

    private static Map<String, String> sourceConfig(String redisUri, List<SectionId> sections) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", DdmSourceConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("redis.uri", redisUri);
        config.put("ddm.region", REGION);
        config.put("ddm.namespace", NAMESPACE);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", ChangeEventConverter.class.getName());
        config.put("source.sections", sections.stream().map(s -> s.partition() + "." + s.section()).collect(Collectors.joining(",")));
        config.put("source.topic.template", "ddm.${region}.scale");
        config.put("source.control.topic", "ddm.${region}.control");
        config.put("source.start", "earliest");
        config.put("exactly.once.support", "required");
        return config;
    }

    /** Reads the topic (read committed) and notes when each {@code section@version} arrived. */
    private static void consume(String bootstrap, Map<String, Long> arrivals, AtomicBoolean consuming) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "scale-harness");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (consuming.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    try {
                        JsonNode value = JSON.readTree(record.value());
                        arrivals.putIfAbsent(value.path("key").path("section").asText() + "@" + value.path("version").asLong(), now);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("a record on " + TOPIC + " is not JSON: " + record.value(), e);
                    }
                }
            }
        }
    }

    private static void await(Map<String, Long> arrivals, java.util.Collection<String> targets, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long missing = targets.stream().filter(t -> !arrivals.containsKey(t)).count();
            if (missing == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the consumer is missing " + missing + " of " + targets.size() + " records ("
                        + what + ") after " + WAIT);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static void join(List<CompletableFuture<?>> writes) {
        for (CompletableFuture<?> write : writes) {
            write.join();
        }
        writes.clear();
    }
}
