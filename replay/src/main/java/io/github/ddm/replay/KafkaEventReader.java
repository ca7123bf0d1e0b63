package io.github.ddm.replay;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.InvalidRecordException;
import io.github.ddm.schema.RecordDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads DDM change events from Kafka topics: every partition is assigned (no consumer group, no
 * committed offsets), read from the beginning or from given offsets up to the end offsets observed
 * when the read starts, and each record is decoded strictly (see {@link ReadRequest} and
 * {@link EventHandler}). Values may be the ChangeEvent JSON itself or the JSON of the connector's
 * Connect Struct (Kafka's JsonConverter, with or without the schema envelope), read by the one
 * decoder of record forms, {@link RecordDecoder}. A record that is not
 * a valid event, whose key is missing, or whose key does not match its event's key is reported to
 * {@link EventHandler#onInvalid} and counted in the {@link ReadResult} with its position and reason
 * (the first {@value #MAX_ERRORS_KEPT}), and the read goes on; none is silently dropped. The reader
 * does not log them itself: what to do with them is the caller's decision.
 *
 * <pre>{@code
 * KafkaEventReader reader = KafkaEventReader.builder(Map.of("bootstrap.servers", "kafka:9092")).build();
 * ReadResult result = reader.read(ReadRequest.of("ddm.orders.book"), (event, position) -> System.out.println(event));
 * }</pre>
 *
 * <p>Each {@link #read} opens its own {@code KafkaConsumer} and closes it before returning, so the
 * reader holds no connection between reads and needs no closing. The consumer reads with
 * {@code isolation.level=read_committed} unless the client properties say otherwise, so the
 * aborted transactions of an exactly-once connector are never replayed.
 *
 * <p>Thread-safe: reads may run concurrently, each on its caller's thread.
 */
public final class KafkaEventReader {

    /** How many invalid records a {@link ReadResult} keeps (it counts them all). */
    public static final int MAX_ERRORS_KEPT = 100;

    private static final Logger log = LoggerFactory.getLogger(KafkaEventReader.class);
    private static final AtomicLong CLIENT_IDS = new AtomicLong();

    private final Map<String, Object> clientProperties;
    private final Duration pollTimeout;
    private final Duration apiTimeout;
    private final Duration stallTimeout;
    private final Duration progressInterval;

    private KafkaEventReader(Builder builder) {
        this.clientProperties = Map.copyOf(builder.clientProperties);
        this.pollTimeout = builder.pollTimeout;
        this.apiTimeout = builder.apiTimeout;
        this.stallTimeout = builder.stallTimeout;
        this.progressInterval = builder.progressInterval;
    }

    /**
     * Settings of a reader that connects with {@code clientProperties}: {@code bootstrap.servers}
     * and, as needed, security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*})
     * and any other consumer setting. The deserializers, {@code enable.auto.commit} and
     * {@code allow.auto.create.topics} are the reader's own and are overridden.
     *
     * @throws NullPointerException if {@code clientProperties} is null
     */
    public static Builder builder(Map<String, ?> clientProperties) {
        return new Builder(clientProperties);
    }

    /**
     * Reads {@code request} on the calling thread, handing each event of its scope to {@code handler}
     * in topic-partition order (records of one key are in one partition, so each key's events arrive
     * in the order they were written). Returns when every partition reached its end offset, or when
     * the handler {@linkplain EventHandler#isDone() is done}.
     *
     * @return what was read, never null; requested topics that do not exist are listed in it
     * @throws KafkaReplayException if Kafka cannot be reached, a read makes no progress for the stall
     *     timeout, or the request's time limit passes
     * @throws org.apache.kafka.common.errors.InterruptException if the thread is interrupted (its
     *     interrupt flag is set again)
     * @throws RuntimeException whatever the handler throws
     */
    public ReadResult read(ReadRequest request, EventHandler handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        Run run = new Run(request, handler);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            return run.execute(consumer);
        } catch (InterruptException | KafkaReplayException e) {
            throw e;
        } catch (KafkaException e) {
            throw new KafkaReplayException(null, "cannot read " + request.topics() + " from Kafka: " + e.getMessage(), e);
        }
    }

    /** The longest wait of one poll. */
    Duration pollTimeout() {
        return pollTimeout;
    }

    /** The longest wait for metadata and offsets. */
    Duration apiTimeout() {
        return apiTimeout;
    }

    /**
     * The names of the topics that exist and {@code filter} accepts, sorted; Kafka's internal topics
     * (names starting with {@code __}) are left out.
     *
     * @throws KafkaReplayException if Kafka cannot be reached within the reader's API timeout
     */
    public List<String> topics(Predicate<String> filter) {
        Objects.requireNonNull(filter, "filter");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            Set<String> names = new TreeSet<>(consumer.listTopics(apiTimeout).keySet());
            names.removeIf(name -> name.startsWith("__") || !filter.test(name));
            return List.copyOf(names);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            throw new KafkaReplayException(null, "cannot list Kafka's topics: " + e.getMessage(), e);
        }
    }

    /** The consumer settings of every read: the client properties plus the reader's own (for other readers of the same topics). */
    Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "ddm-replay-" + CLIENT_IDS.incrementAndGet());
        return props;
    }

    /** One read: its consumer's partitions, positions and counters. Confined to the reading thread. */
    private final class Run {
        private final ReadRequest request;
        private final EventHandler handler;
        private final long started = System.nanoTime();
        private final long deadline;
        private final Map<TopicPartition, long[]> ranges = new LinkedHashMap<>(); // start, position, end
        private final List<RecordError> errors = new ArrayList<>();
        private final List<String> missing = new ArrayList<>();
        private long records;
        private long events;
        private long invalid;
        private long outOfScope;
        private boolean stoppedEarly;

        Run(ReadRequest request, EventHandler handler) {
            this.request = request;
            this.handler = handler;
            this.deadline = request.timeout() == null ? Long.MAX_VALUE : started + request.timeout().toNanos();
        }

        ReadResult execute(KafkaConsumer<byte[], byte[]> consumer) {
            List<TopicPartition> partitions = partitions(consumer);
            if (!partitions.isEmpty()) {
                // Assigned first: with read_committed, end offsets are the last stable offsets of assigned partitions.
                consumer.assign(partitions);
                Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, apiTimeout());
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, apiTimeout());
                for (TopicPartition tp : partitions) {
                    long begin = beginnings.getOrDefault(tp, 0L);
                    long start = Math.max(begin, request.startOffsets().getOrDefault(tp, begin));
                    long end = Math.min(ends.getOrDefault(tp, 0L), request.endOffsets().getOrDefault(tp, Long.MAX_VALUE));
                    ranges.put(tp, new long[] {start, start, Math.max(start, end)});
                }
                log.debug("reading {} ({}) in {}", request.topics(), request.scope(), ranges.keySet());
                poll(consumer);
            }
            ReadResult result = new ReadResult(records, events, invalid, outOfScope, errors, positions(), missing,
                    stoppedEarly, elapsed());
            handler.onProgress(progress());
            log.debug("read {} records of {} in {} ms: {} events, {} invalid, {} out of scope", records, request.topics(),
                    result.elapsed().toMillis(), events, invalid, outOfScope);
            return result;
        }

        private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : request.topics()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, apiTimeout());
                if (infos == null || infos.isEmpty()) {
                    missing.add(topic);
                    continue;
                }
                infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                        .sorted(Comparator.comparingInt(TopicPartition::partition)).forEach(partitions::add);
            }
            return partitions;
        }

        private void poll(KafkaConsumer<byte[], byte[]> consumer) {
            List<TopicPartition> active = new ArrayList<>();
            List<TopicPartition> done = new ArrayList<>();
            ranges.forEach((tp, range) -> {
                consumer.seek(tp, range[0]);
                (range[1] < range[2] ? active : done).add(tp);
            });
            consumer.pause(done);
            long lastAdvance = System.nanoTime();
            long nextProgress = lastAdvance + progressInterval.toNanos();
            while (!active.isEmpty()) {
                checkTime(lastAdvance);
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(pollTimeout);
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    long[] range = ranges.get(tp);
                    if (range == null || record.offset() >= range[2]) {
                        continue; // written after the read started
                    }
                    range[1] = record.offset() + 1;
                    records++;
                    handle(record);
                    if (handler.isDone()) {
                        stoppedEarly = true;
                        return;
                    }
                }
                boolean advanced = !batch.isEmpty();
                for (int i = active.size() - 1; i >= 0; i--) {
                    TopicPartition tp = active.get(i);
                    long[] range = ranges.get(tp);
                    long position = consumer.position(tp, apiTimeout());
                    if (position > range[1]) {
                        advanced = true; // transaction markers and compacted-away offsets
                    }
                    range[1] = Math.min(Math.max(range[1], position), range[2]);
                    if (range[1] >= range[2]) {
                        active.remove(i);
                        consumer.pause(List.of(tp));
                    }
                }
                long now = System.nanoTime();
                if (advanced) {
                    lastAdvance = now;
                }
                if (now - nextProgress >= 0) {
                    nextProgress = now + progressInterval.toNanos();
                    handler.onProgress(progress());
                }
            }
        }

        private void handle(ConsumerRecord<byte[], byte[]> record) {
            RecordPosition position = new RecordPosition(record.topic(), record.partition(), record.offset());
            String key = null;
            try {
                key = RecordDecoder.key(record.key());
                if (key != null && !request.scope().admitsRecordKey(key)) {
                    outOfScope++;
                    return;
                }
                if (key == null) {
                    throw new InvalidRecordException("the record has no key; DDM records are keyed by partition/section/id");
                }
                ChangeEvent event = RecordDecoder.event(record.value());
                if (!event.key().toString().equals(key)) {
                    throw new InvalidRecordException("the record key does not match the event's key " + event.key());
                }
                events++;
                handler.onEvent(event, position);
            } catch (InvalidRecordException e) {
                invalid(new RecordError(position, key, e.getMessage()));
            }
        }

        private void invalid(RecordError error) {
            invalid++;
            if (errors.size() < MAX_ERRORS_KEPT) {
                errors.add(error);
            }
            log.trace("invalid record at {}: {}", error.position(), error.reason());
            handler.onInvalid(error);
        }

        private void checkTime(long lastAdvance) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                throw new KafkaReplayException("reading " + request.topics() + " did not finish within " + request.timeout()
                        + " (" + records + " records read; positions " + positions() + ")");
            }
            if (now - lastAdvance > stallTimeout.toNanos()) {
                throw new KafkaReplayException("reading " + request.topics() + " made no progress for " + stallTimeout
                        + " (" + records + " records read; positions " + positions() + ")");
            }
        }

        /** The API timeout, cut short by the request's deadline. */
        private Duration apiTimeout() {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new KafkaReplayException("reading " + request.topics() + " did not finish within " + request.timeout());
            }
            return left < apiTimeout.toNanos() ? Duration.ofNanos(left) : apiTimeout;
        }

        private List<PartitionPosition> positions() {
            List<PartitionPosition> positions = new ArrayList<>(ranges.size());
            ranges.forEach((tp, range) -> positions.add(new PartitionPosition(tp, range[0], range[1], range[2])));
            return positions;
        }

        private ReadProgress progress() {
            return new ReadProgress(records, events, invalid, outOfScope, positions(), elapsed());
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - started);
        }
    }

    /**
     * Settings of a {@link KafkaEventReader}. Each setter checks its argument at once. Not
     * thread-safe: configure on one thread, then build.
     */
    public static final class Builder {
        private final Map<String, Object> clientProperties = new HashMap<>();
        private Duration pollTimeout = Duration.ofMillis(500);
        private Duration apiTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private Duration progressInterval = Duration.ofSeconds(5);

        private Builder(Map<String, ?> clientProperties) {
            Objects.requireNonNull(clientProperties, "clientProperties");
            clientProperties.forEach((key, value) -> this.clientProperties.put(Objects.requireNonNull(key, "property name"),
                    Objects.requireNonNull(value, () -> "value of " + key)));
        }

        /** The longest wait of one poll (default 500 ms). */
        public Builder pollTimeout(Duration pollTimeout) {
            this.pollTimeout = positive("pollTimeout", pollTimeout);
            return this;
        }

        /** The longest wait for metadata and offsets: partitions, beginning and end offsets (default 30 s). */
        public Builder apiTimeout(Duration apiTimeout) {
            this.apiTimeout = positive("apiTimeout", apiTimeout);
            return this;
        }

        /** A read whose positions do not move for this long fails (default 60 s): brokers gone, partition offline. */
        public Builder stallTimeout(Duration stallTimeout) {
            this.stallTimeout = positive("stallTimeout", stallTimeout);
            return this;
        }

        /** How often {@link EventHandler#onProgress} is called during a read (default 5 s). */
        public Builder progressInterval(Duration progressInterval) {
            this.progressInterval = positive("progressInterval", progressInterval);
            return this;
        }

        /**
         * The reader.
         *
         * @throws IllegalStateException if {@code bootstrap.servers} is missing
         * @throws IllegalArgumentException if a client property has a bad value (the message names it)
         */
        public KafkaEventReader build() {
            Object servers = clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
            if (servers == null || servers.toString().isBlank()) {
                throw new IllegalStateException("the client properties must name " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
            }
            Map<String, Object> check = new HashMap<>(clientProperties);
            check.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            check.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try {
                ConsumerConfig.configDef().parse(check);
            } catch (ConfigException e) {
                throw new IllegalArgumentException("bad Kafka client property: " + e.getMessage(), e);
            }
            return new KafkaEventReader(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
