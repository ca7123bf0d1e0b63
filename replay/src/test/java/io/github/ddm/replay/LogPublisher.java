package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.redisson.api.RedissonClient;

/**
 * Plays the source connector's part in tests: reads a section's log in the source region with
 * {@link SectionStore#readLog} and produces each event to the section's topic, keyed by
 * {@code partition/section/id}, in the wire form the test chooses. Remembers where it stopped in
 * each section's log, so it can be called again after more writes. Not thread-safe.
 */
final class LogPublisher implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final RedissonClient source;
    private final String namespace;
    private final Map<SectionId, String> lastStreamIds = new HashMap<>();

    LogPublisher(Map<String, Object> kafka, RedissonClient source, String namespace) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // One batch in flight per partition, without the idempotent producer's sequence numbers: a
        // partition that is not ready yet just means a retry, in order.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(props);
        this.source = source;
        this.namespace = namespace;
    }

    /** Every log entry after the last one published, in the form {@code forms} picks for the n-th event (0-based). */
    List<ChangeEvent> publish(SectionId section, String topic, Function<Integer, WireForm> forms) throws Exception {
        return publish(section, topic, forms, event -> true);
    }

    /** As {@link #publish(SectionId, String, Function)}, leaving out the events {@code include} rejects (a hole in Kafka). */
    List<ChangeEvent> publish(SectionId section, String topic, Function<Integer, WireForm> forms,
                              java.util.function.Predicate<ChangeEvent> include) throws Exception {
        SectionStore store = SectionStore.open(source, namespace, section);
        List<ChangeEvent> published = new ArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        String after = lastStreamIds.getOrDefault(section, "0-0");
        while (true) {
            SectionStore.LogBatch batch = store.readLog(after, 500).get(10, TimeUnit.SECONDS);
            if (batch.malformed() > 0) {
                throw new AssertionError(batch.malformed() + " malformed entries in " + store.logKey());
            }
            for (ChangeEvent event : batch.events()) {
                if (!include.test(event)) {
                    continue;
                }
                WireForm form = forms.apply(published.size());
                sends.add(producer.send(new ProducerRecord<>(topic, event.key().toString(), form.encode(event))));
                published.add(event);
            }
            if (batch.entries() == 0) {
                break;
            }
            after = batch.lastStreamId();
        }
        lastStreamIds.put(section, after);
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
            send.get(10, TimeUnit.SECONDS);
        }
        return published;
    }

    /** Produces {@code events} again, to {@code topic}, as the contract's JSON. */
    void publishAgain(List<ChangeEvent> events, String topic) throws Exception {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (ChangeEvent event : events) {
            sends.add(producer.send(new ProducerRecord<>(topic, event.key().toString(), WireForm.CONTRACT.encode(event))));
        }
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
            send.get(10, TimeUnit.SECONDS);
        }
    }

    /** Every new log entry, as the contract's JSON. */
    List<ChangeEvent> publish(SectionId section, String topic) throws Exception {
        return publish(section, topic, n -> WireForm.CONTRACT);
    }

    /**
     * {@code count} records of other documents of {@code section} ({@code prefix + n}, each a valid
     * update event of region {@code region}) to {@code topic}, without waiting for each; returns
     * once all are acknowledged.
     */
    void produceOthers(String topic, SectionId section, String prefix, int count, String region) throws Exception {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            io.github.ddm.schema.DataKey key = io.github.ddm.schema.DataKey.of(section.partition(), section.section(), prefix + n);
            ChangeEvent event = ChangeEvent.update("o" + n, key, 2, 1, "ep1", java.time.Instant.now(),
                    io.github.ddm.schema.Origin.of(region, "other"), Events.json("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + n + "}]"),
                    null);
            sends.add(producer.send(new ProducerRecord<>(topic, key.toString(), WireForm.CONTRACT.encode(event))));
        }
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
            send.get(30, TimeUnit.SECONDS);
        }
    }

    /** One record exactly as given (null key or value allowed); returns where it landed. */
    RecordMetadata produce(String topic, String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
