package io.github.ddm.connect.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.redisson.api.RedissonClient;

/** Events, Kafka and Redis helpers for the sink's integration tests. */
final class SinkTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SOURCE_EPOCH = "srcEpoch1";

    private SinkTestSupport() {
    }

    // ---- events written by hand ----

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /*
     * The events of one writer region: its version v is its v-th change of the key, so its clock is
     * {region~L<region>: v}, as a region's own log would carry it.
     */

    static ChangeEvent create(SectionId section, String id, long version, long prevVersion, String state, String region) {
        return ChangeEvent.create(eventId(id, version), key(section, id), version, prevVersion, SOURCE_EPOCH, Instant.now(),
                Origin.of(region, "n1"), json(state)).withClock(lineage(region), clock(region, version));
    }

    static ChangeEvent update(SectionId section, String id, long version, long prevVersion, String patch, String region) {
        return ChangeEvent.update(eventId(id, version), key(section, id), version, prevVersion, SOURCE_EPOCH, Instant.now(),
                Origin.of(region, "n1"), json(patch), null).withClock(lineage(region), clock(region, version));
    }

    /** The writer's whole copy at {@code version}, as its source exports it in answer to a repair request. */
    static ChangeEvent snapshot(SectionId section, String id, long version, String state, String region) {
        Instant now = Instant.now();
        return ChangeEvent.snapshot(eventId(id, version) + "-s", key(section, id), version, 0, SOURCE_EPOCH, now,
                        Origin.of(region, "n1"), json(state)).withClock(lineage(region), clock(region, version))
                .withStamps(Map.of("", new Stamp(now.toEpochMilli(), version, version, region, lineage(region))));
    }

    static String lineage(String region) {
        return "L" + region;
    }

    static VersionVector clock(String region, long version) {
        return VersionVector.of(Map.of(VersionVector.replica(region, lineage(region)), version));
    }

    static DataKey key(SectionId section, String id) {
        return DataKey.of(section.partition(), section.section(), id);
    }

    private static String eventId(String id, long version) {
        return "ev-" + id + "-" + version;
    }

    // ---- Kafka ----

    static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(props);
    }

    /** Sends each event (the codec's JSON, keyed by its data key) and waits for every acknowledgement. */
    static void produce(KafkaProducer<String, byte[]> producer, String topic, List<ChangeEvent> events) {
        for (ChangeEvent event : events) {
            producer.send(new ProducerRecord<>(topic, ChangeEventData.key(event), ChangeEventCodec.encode(event)));
        }
        producer.flush();
    }

    static void produceRaw(KafkaProducer<String, byte[]> producer, String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /** The JSON of {@code event} with one field replaced, to make an event the contract rejects. */
    static String tampered(ChangeEvent event, String field, Object value) {
        ObjectNode node = (ObjectNode) json(ChangeEventCodec.encodeToString(event));
        node.set(field, JSON.valueToTree(value));
        return node.toString();
    }

    /** Every record the topic holds now (empty if it does not exist yet). */
    static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "sink-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            if (!consumer.listTopics(Duration.ofSeconds(10)).containsKey(topic)) {
                return records;
            }
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** DLQ records by the offset of the original record: the exception message Connect put in the headers. */
    static Map<Long, String> dlqReasons(List<ConsumerRecord<String, String>> dlq) {
        Map<Long, String> reasons = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : dlq) {
            reasons.put(Long.parseLong(header(record, "__connect.errors.offset")),
                    header(record, "__connect.errors.exception.message"));
        }
        return reasons;
    }

    // ---- counters (JMX) ----

    /** The sum of one counter over the connector's running tasks. */
    static long counter(String connector, String attribute) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            long sum = 0;
            for (ObjectName name : server.queryNames(new ObjectName(SinkTaskCounters.JMX_DOMAIN + ":type=sink-task,connector="
                    + ObjectName.quote(connector) + ",*"), null)) {
                sum += (Long) server.getAttribute(name, attribute);
            }
            return sum;
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Redis ----

    /** What a region's Redis holds for a document: its version and state (null when deleted), or null if never written. */
    record Stored(long version, JsonNode state) {
    }

    static Stored stored(SectionStore store, String id) {
        Optional<ChangeEvent> snapshot = store.snapshot(id).join();
        return snapshot.map(e -> new Stored(e.version(), e.state())).orElse(null);
    }

    static Map<String, Stored> storedAll(SectionStore store) {
        Map<String, Stored> all = new TreeMap<>();
        for (String id : store.ids().join()) {
            all.put(id, stored(store, id));
        }
        return all;
    }

    /** The section log: every logged version, per document id, in log order. */
    static Map<String, List<Long>> loggedVersions(SectionStore store) {
        Map<String, List<Long>> versions = new TreeMap<>();
        for (ChangeEvent event : log(store)) {
            versions.computeIfAbsent(event.key().id(), k -> new ArrayList<>()).add(event.version());
        }
        return versions;
    }

    static List<ChangeEvent> log(SectionStore store) {
        List<ChangeEvent> events = new ArrayList<>();
        String after = "0-0";
        while (true) {
            SectionStore.LogBatch batch = store.readLog(after, 1_000).join();
            if (batch.entries() == 0) {
                return events;
            }
            events.addAll(batch.events());
            after = batch.lastStreamId();
        }
    }

    static SectionStore section(RedissonClient redisson, SectionId section) {
        return SectionStore.open(redisson, "ddm", section);
    }
}
