package io.github.ddm.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.ValueSharing;
import io.github.ddm.connect.ChangeEventConverter;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.testkit.ConnectCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.storage.StringConverter;
import org.redisson.api.RedissonClient;

/** Writers, connector configs and a topic reader shared by the source connector's integration tests. */
final class SourceTestSupport {

    static final String REGION = "eu";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private SourceTestSupport() {
    }

    /** The document type the tests write. */
    record Doc(long n, String by) {
    }

    /** One record of a change topic, decoded. */
    record Exported(String topic, int partition, long offset, String key, ChangeEvent event, String versionHeader,
                    String originHeader, long timestamp) {
    }

    static DocumentManager<Doc> writer(String redisUri, SectionId section, String region, String node) {
        return writer(redisUri, section, region, node, 10_000);
    }

    static DocumentManager<Doc> writer(String redisUri, SectionId section, String region, String node, long logMaxLength) {
        return DocumentManager.builder(Doc.class).redisUri(redisUri).section(section.partition(), section.section())
                .origin(region, node).valueSharing(ValueSharing.SHARED).logMaxLength(logMaxLength).build();
    }

    /** Creates or bumps a document. */
    static void bump(DocumentManager<Doc> writer, String id) {
        writer.update(id, d -> new Doc(d.n() + 1, d.by()))
                .exceptionallyCompose(e -> writer.set(id, new Doc(1, "w")))
                .join();
    }

    /** A source connector config for a one-worker test cluster, with the contract-JSON value converter. */
    static Map<String, String> sourceConfig(String redisUri, String... keyValues) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", DdmSourceConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("key.converter", StringConverter.class.getName());
        config.put("value.converter", ChangeEventConverter.class.getName());
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "3");
        config.put("redis.uri", redisUri);
        config.put("ddm.region", REGION);
        config.put("source.poll.interval.ms", "50");
        // These tests are about one region's export: a topic per section, as before regions had their own topics.
        config.put("source.topic.template", "ddm.${partition}.${section}");
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    static void awaitRunning(ConnectCluster connect, String name, int tasks) {
        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
            ConnectorStateInfo status = connect.cluster().connectorStatus(name);
            assertThat(status.connector().state()).isEqualTo("RUNNING");
            assertThat(status.tasks()).hasSize(tasks).allSatisfy(t -> assertThat(t.state()).isEqualTo("RUNNING"));
        });
    }

    /** Decodes values written by {@link ChangeEventConverter}. */
    static Function<byte[], ChangeEvent> contractJson() {
        return ChangeEventCodec::decode;
    }

    /** Decodes values written by Kafka's JsonConverter (with or without the schema envelope). */
    static Function<byte[], ChangeEvent> connectJson(boolean schemas) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", Boolean.toString(schemas)), false);
        return bytes -> ChangeEventData.toEvent(converter.toConnectData("any", bytes).value());
    }

    /** Every committed record of {@code topic} (read_committed), up to its current end; empty if there is no such topic. */
    static List<Exported> readAll(String bootstrapServers, String topic, Function<byte[], ChangeEvent> decoder) {
        return readAll(bootstrapServers, topic, decoder, IsolationLevel.READ_COMMITTED);
    }

    /**
     * Every record of {@code topic} up to its current end, as a consumer with this isolation level
     * sees it: READ_COMMITTED up to the last stable offset, without aborted records; READ_UNCOMMITTED
     * up to the high watermark, with the records of aborted and open transactions. Empty if there is no such topic.
     */
    static List<Exported> readAll(String bootstrapServers, String topic, Function<byte[], ChangeEvent> decoder,
                                  IsolationLevel isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ddm-source-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        List<Exported> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.listTopics(Duration.ofSeconds(10)).get(topic);
            if (infos == null) {
                return out;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new Exported(r.topic(), r.partition(), r.offset(), r.key(), decoder.apply(r.value()),
                            header(r, SectionReader.VERSION_HEADER), header(r, SectionReader.ORIGIN_HEADER), r.timestamp()));
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Each key's records in topic order (a key lives in one partition, so this is its export order). */
    static Map<String, List<Exported>> byKey(List<Exported> records) {
        Map<String, List<Exported>> byKey = new LinkedHashMap<>();
        records.stream().sorted((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                        : Long.compare(a.offset(), b.offset()))
                .forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
        return byKey;
    }

    /** Each key's events in the section log, in log order. */
    static Map<String, List<ChangeEvent>> logByKey(RedissonClient redisson, SectionId section) {
        SectionStore store = SectionStore.open(redisson, "ddm", section);
        Map<String, List<ChangeEvent>> byKey = new LinkedHashMap<>();
        String after = "0-0";
        while (true) {
            SectionStore.LogBatch batch = store.readLog(after, 1_000).join();
            if (batch.entries() == 0) {
                return byKey;
            }
            batch.events().forEach(e -> byKey.computeIfAbsent(ChangeEventData.key(e), k -> new ArrayList<>()).add(e));
            after = batch.lastStreamId();
        }
    }

    /** Each document's stored version, from Redis. */
    static Map<String, Long> storedVersions(RedissonClient redisson, SectionId section) {
        SectionStore store = SectionStore.open(redisson, "ddm", section);
        Map<String, Long> versions = new HashMap<>();
        for (String id : store.ids().join()) {
            store.snapshot(id).join().ifPresent(e -> versions.put(ChangeEventData.key(e), e.version()));
        }
        return versions;
    }

    /**
     * Asserts that Kafka holds every version of every key from 1 to the stored one, none missing; with
     * {@code exactlyOnce}, each exactly once.
     */
    static void assertEveryVersionExported(List<Exported> records, Map<String, Long> stored, boolean exactlyOnce) {
        Map<String, List<Long>> versions = records.stream().collect(Collectors.groupingBy(Exported::key,
                Collectors.mapping(r -> r.event().version(), Collectors.toList())));
        assertThat(versions.keySet()).containsExactlyInAnyOrderElementsOf(stored.keySet());
        for (Map.Entry<String, Long> entry : stored.entrySet()) {
            List<Long> seen = versions.get(entry.getKey());
            List<Long> expected = java.util.stream.LongStream.rangeClosed(1, entry.getValue()).boxed().toList();
            assertThat(seen.stream().distinct().sorted().toList()).as("versions of %s", entry.getKey()).isEqualTo(expected);
            if (exactlyOnce) {
                assertThat(seen).as("versions of %s, in topic order", entry.getKey()).isEqualTo(expected);
            }
        }
    }

    /** Writes continuously (a few keys every few milliseconds) until closed; counts the commits. */
    static final class BackgroundWriter implements AutoCloseable {
        private final ScheduledExecutorService executor;
        private final AtomicLong commits = new AtomicLong();
        private final List<Throwable> errors = new CopyOnWriteArrayList<>();

        /** 4 changes every 5 ms, or as many as Redis takes. */
        BackgroundWriter(DocumentManager<Doc> writer, int keys, ScheduledExecutorService executor) {
            this(writer, keys, 4, Duration.ofMillis(5), executor);
        }

        /** {@code perTick} changes every {@code period} (fewer if Redis is slower), round-robin over {@code keys} keys. */
        BackgroundWriter(DocumentManager<Doc> writer, int keys, int perTick, Duration period, ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor);
            AtomicLong round = new AtomicLong();
            executor.scheduleAtFixedRate(() -> {
                try {
                    long r = round.getAndIncrement();
                    for (int i = 0; i < perTick; i++) {
                        bump(writer, "k" + ((r * perTick + i) % keys));
                        commits.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            }, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        }

        long commits() {
            return commits.get();
        }

        @Override
        public void close() throws InterruptedException {
            executor.shutdown();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(errors).isEmpty();
        }
    }
}
