package io.github.ddm.replay;

import io.github.ddm.schema.InvalidRecordException;
import io.github.ddm.schema.RecordDecoder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of the {@link KafkaHistorySource}'s key index: keeps a {@link KeyOffsetIndex} of
 * the topics it was asked about up to date by reading only the records written since the last
 * call (record keys only: values are never decoded), and reads given records back by offset.
 *
 * <p>Thread-safe: one topic is brought up to date by one caller at a time (others wait for it),
 * the index itself is locked only to file a poll's records or to list a key's entries. The
 * consumers are the callers' own (a consumer is confined to its thread).
 */
final class HistoryIndex {

    private static final Logger log = LoggerFactory.getLogger(HistoryIndex.class);
    /** For {@link #entries}: start at the key's newest entry. */
    static final long HEAD = -2;

    private final KeyOffsetIndex index;
    private final Duration pollTimeout;
    private final Duration apiTimeout;
    private final Map<String, TopicState> topics = new ConcurrentHashMap<>();
    // Partition id -> its topic-partition; ids are never reused (a recreated topic gets new ones). Guarded by index.
    private final List<TopicPartition> partitionsById = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong indexed = new java.util.concurrent.atomic.AtomicLong();

    HistoryIndex(int capacity, Duration pollTimeout, Duration apiTimeout) {
        this.index = new KeyOffsetIndex(capacity);
        this.pollTimeout = pollTimeout;
        this.apiTimeout = apiTimeout;
    }

    /** One topic's indexing state. Guarded by its lock. */
    private static final class TopicState {
        final ReentrantLock lock = new ReentrantLock();
        // Kafka partition -> partition id in the index; volatile: read by lookups without the lock.
        volatile Map<Integer, Integer> ids = Map.of();
        // Kafka partition -> the next offset to index.
        final Map<Integer, Long> next = new HashMap<>();
        long records;
        long unkeyed;
    }

    /**
     * Brings the index of {@code topic} up to the end offsets Kafka reports now, reading only what
     * was written since the last call.
     *
     * @return false if the topic does not exist
     * @throws KafkaReplayException if the deadline passes first (what was indexed stays indexed)
     */
    boolean catchUp(Consumer<Long, byte[]> consumer, String topic, long deadline) {
        TopicState state = topics.computeIfAbsent(topic, t -> new TopicState());
        try {
            if (!state.lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new KafkaReplayException("indexing " + topic + " did not finish in time (another call is indexing it)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
        try {
            return catchUpLocked(consumer, topic, state, deadline);
        } finally {
            state.lock.unlock();
        }
    }

    private boolean catchUpLocked(Consumer<Long, byte[]> consumer, String topic, TopicState state, long deadline) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeLeft(deadline, apiTimeout, topic));
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
        // Assigned first: with read_committed, end offsets are the last stable offsets of assigned partitions.
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeLeft(deadline, apiTimeout, topic));
        boolean recreated = false;
        for (TopicPartition tp : partitions) {
            if (ends.getOrDefault(tp, 0L) < state.next.getOrDefault(tp.partition(), 0L)) {
                recreated = true;
            }
        }
        if (recreated) {
            // Offsets went backwards: the topic was deleted and created again. What was indexed is gone.
            log.info("topic {} was recreated (its end offsets went back); indexing it again from the start", topic);
            state.ids = Map.of();
            state.next.clear();
        }
        Map<Integer, Integer> ids = new HashMap<>(state.ids);
        synchronized (index) {
            for (TopicPartition tp : partitions) {
                ids.computeIfAbsent(tp.partition(), p -> {
                    partitionsById.add(tp);
                    return partitionsById.size() - 1;
                });
            }
        }
        state.ids = Map.copyOf(ids);
        List<TopicPartition> behind = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (state.next.getOrDefault(tp.partition(), 0L) < ends.getOrDefault(tp, 0L)) {
                behind.add(tp);
            }
        }
        if (behind.isEmpty()) {
            return true;
        }
        long started = System.nanoTime();
        long before = state.records;
        consumer.assign(behind);
        consumer.resume(consumer.paused());
        int maxPartition = partitions.get(partitions.size() - 1).partition();
        long[] endOf = new long[maxPartition + 1];
        int[] idOf = new int[maxPartition + 1];
        for (TopicPartition tp : partitions) {
            endOf[tp.partition()] = ends.getOrDefault(tp, 0L);
            idOf[tp.partition()] = ids.get(tp.partition());
        }
        for (TopicPartition tp : behind) {
            consumer.seek(tp, state.next.getOrDefault(tp.partition(), 0L)); // below the log start: reset to it
        }
        long[] hashes = new long[0];
        int[] partitionIds = new int[0];
        long[] offsets = new long[0];
        while (!behind.isEmpty()) {
            ConsumerRecords<Long, byte[]> batch = consumer.poll(timeLeft(deadline, pollTimeout, topic));
            int n = 0;
            if (hashes.length < batch.count()) {
                hashes = new long[batch.count()];
                partitionIds = new int[batch.count()];
                offsets = new long[batch.count()];
            }
            for (ConsumerRecord<Long, byte[]> record : batch) {
                if (record.partition() > maxPartition || record.offset() >= endOf[record.partition()]) {
                    continue; // written after this call started: the next call indexes it
                }
                long hash = record.key() == null ? 0 : record.key();
                if (hash == 0) {
                    state.unkeyed++;
                    continue;
                }
                hashes[n] = hash;
                partitionIds[n] = idOf[record.partition()];
                offsets[n] = record.offset();
                n++;
            }
            synchronized (index) {
                for (int i = 0; i < n; i++) {
                    index.add(hashes[i], partitionIds[i], offsets[i]);
                }
            }
            state.records += n;
            indexed.addAndGet(n);
            for (int i = behind.size() - 1; i >= 0; i--) {
                TopicPartition tp = behind.get(i);
                long end = ends.getOrDefault(tp, 0L);
                long position = Math.min(consumer.position(tp, timeLeft(deadline, apiTimeout, topic)), end);
                state.next.put(tp.partition(), position);
                if (position >= end) {
                    behind.remove(i);
                    consumer.pause(List.of(tp));
                }
            }
        }
        if (log.isDebugEnabled()) {
            long[] stats = stats();
            log.debug("indexed {} new records of {} in {} ms ({} entries, {} keys, {} bytes in the index)",
                    state.records - before, topic, (System.nanoTime() - started) / 1_000_000, stats[0], stats[1], stats[2]);
        }
        return true;
    }

    /**
     * The hash a record key is filed under (0 when the record has no key or an unreadable one). Raw
     * text is hashed as it is, without building a string; a JSON key (a JsonConverter's) is decoded
     * first, so both forms file a key under the same hash.
     */
    static long hashOf(byte[] key) {
        return key == null ? 0 : hashOf(ByteBuffer.wrap(key));
    }

    static long hashOf(ByteBuffer key) {
        if (key == null || !key.hasRemaining()) {
            return 0;
        }
        byte first = key.get(key.position());
        if (first == '"' || first == '{') {
            byte[] bytes = new byte[key.remaining()];
            key.duplicate().get(bytes);
            try {
                String text = RecordDecoder.key(bytes);
                return text == null ? 0 : KeyOffsetIndex.hash(text);
            } catch (InvalidRecordException e) {
                return 0;
            }
        }
        return KeyOffsetIndex.hash(key);
    }

    /** The indexing consumer's key deserializer: the key's hash, read in place. */
    public static final class KeyHashDeserializer implements Deserializer<Long> {
        @Override
        public Long deserialize(String topic, byte[] data) {
            return hashOf(data);
        }

        @Override
        public Long deserialize(String topic, Headers headers, ByteBuffer data) {
            return hashOf(data);
        }
    }

    /** The indexing consumer's value deserializer: values are never looked at, nor copied. */
    public static final class IgnoredValueDeserializer implements Deserializer<byte[]> {
        @Override
        public byte[] deserialize(String topic, byte[] data) {
            return null;
        }

        @Override
        public byte[] deserialize(String topic, Headers headers, ByteBuffer data) {
            return null;
        }
    }

    /**
     * The key's entries in {@code topic}, newest first, from {@code from} ({@link #HEAD} for the
     * newest, else a previous answer's {@link Entries#next()}), at most {@code max}. Entries of a
     * former incarnation of the topic are left out.
     */
    Entries entries(String topic, long keyHash, long from, int max) {
        TopicState state = topics.get(topic);
        Map<Integer, Integer> ids = state == null ? Map.of() : state.ids;
        synchronized (index) {
            long start = from == HEAD ? index.head(keyHash) : from;
            KeyOffsetIndex.Chunk chunk = index.chunk(start, max);
            List<TopicPartition> tps = new ArrayList<>(chunk.size());
            List<Long> offsets = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                TopicPartition tp = partitionsById.get(chunk.partitions()[i]);
                Integer current = ids.get(tp.partition()); // null: a partition the topic no longer has
                if (tp.topic().equals(topic) && current != null && current == chunk.partitions()[i]) {
                    tps.add(tp);
                    offsets.add(chunk.offsets()[i]);
                }
            }
            return new Entries(tps, offsets, chunk.next(), chunk.truncated());
        }
    }

    /**
     * Entries of one key in one topic, newest first.
     *
     * @param partitions each entry's partition
     * @param offsets each entry's offset
     * @param next where the key's list goes on, or {@link KeyOffsetIndex#NONE}
     * @param truncated whether older entries of the key were overwritten
     */
    record Entries(List<TopicPartition> partitions, List<Long> offsets, long next, boolean truncated) {
    }

    /**
     * For each partition of {@code topic}, the highest offset the index no longer covers (its
     * entry was overwritten), or -1; only partitions with such offsets are listed.
     */
    Map<TopicPartition, Long> evictedThrough(String topic) {
        TopicState state = topics.get(topic);
        Map<TopicPartition, Long> evicted = new HashMap<>();
        if (state == null) {
            return evicted;
        }
        synchronized (index) {
            state.ids.forEach((partition, id) -> {
                long through = index.evictedThrough(id);
                if (through >= 0) {
                    evicted.put(new TopicPartition(topic, partition), through);
                }
            });
        }
        return evicted;
    }

    /** The partitions of {@code topic} as last indexed. */
    List<TopicPartition> partitions(String topic) {
        TopicState state = topics.get(topic);
        return state == null ? List.of() : state.ids.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
    }

    /**
     * Reads the records at the given offsets (ascending within each partition), in that order,
     * seeking only where the next wanted offset is not among the records just returned. An offset
     * whose record is gone (retention, an aborted transaction) is skipped.
     */
    List<ConsumerRecord<byte[], byte[]>> fetch(Consumer<byte[], byte[]> consumer, Map<TopicPartition, long[]> wanted,
                                               long deadline) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        long started = System.nanoTime();
        int seeks = 0;
        int polls = 0;
        for (Map.Entry<TopicPartition, long[]> entry : wanted.entrySet()) {
            TopicPartition tp = entry.getKey();
            long[] offsets = entry.getValue();
            consumer.assign(List.of(tp));
            consumer.resume(consumer.paused());
            int i = 0;
            long position = -1; // where the consumer will return records from next; -1: not sought yet
            while (i < offsets.length) {
                if (position < 0 || offsets[i] < position || offsets[i] - position > SEEK_DISTANCE) {
                    consumer.seek(tp, offsets[i]);
                    position = offsets[i];
                    seeks++;
                }
                polls++;
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(timeLeft(deadline, pollTimeout, tp.topic()));
                for (ConsumerRecord<byte[], byte[]> record : batch.records(tp)) {
                    while (i < offsets.length && offsets[i] < record.offset()) {
                        i++; // gone
                    }
                    if (i < offsets.length && offsets[i] == record.offset()) {
                        found.add(record);
                        i++;
                    }
                }
                long now = consumer.position(tp, timeLeft(deadline, apiTimeout, tp.topic()));
                while (i < offsets.length && offsets[i] < now) {
                    i++; // passed without a record: gone
                }
                position = now;
            }
        }
        if (log.isTraceEnabled()) {
            log.trace("read back {} records in {} us: {} seeks, {} polls", found.size(), (System.nanoTime() - started) / 1_000,
                    seeks, polls);
        }
        return found;
    }

    /** How far ahead of the consumer's position a wanted record may be for it to read on instead of seeking. */
    static final long SEEK_DISTANCE = 256;

    /** Entries held, keys, bytes allocated. */
    long[] stats() {
        synchronized (index) {
            return new long[] {index.entries(), index.keys(), index.bytes()};
        }
    }

    /** Records indexed since this index was made. */
    long indexed() {
        return indexed.get();
    }

    /** The index's capacity in entries. */
    int capacity() {
        return index.capacity();
    }

    /** The time left before {@code deadline}, at most {@code cap}. */
    private static Duration timeLeft(long deadline, Duration cap, String topic) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new KafkaReplayException("reading " + topic + " for a history did not finish in time");
        }
        return left < cap.toNanos() ? Duration.ofNanos(left) : cap;
    }
}
