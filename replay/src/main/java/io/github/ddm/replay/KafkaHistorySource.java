package io.github.ddm.replay;

import io.github.ddm.HistorySource;
import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.InvalidRecordException;
import io.github.ddm.schema.Names;
import io.github.ddm.schema.RecordDecoder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HistorySource} that reads a late subscriber's missing versions from the Kafka topics
 * the DDM source connector writes: for a key and a version, the key's events after that version in
 * the topic of its section that holds its region's own changes; for a section and an instant, the
 * section's events from that instant on. Configure it on the managers whose change buffer and
 * Redis log may not reach back far enough:
 *
 * <pre>{@code
 * try (KafkaHistorySource history = KafkaHistorySource.builder(Map.of("bootstrap.servers", "kafka:9092"))
 *         .region("eu-west").build()) {
 *     DocumentManager<OrderBook> books = DocumentManager.builder(OrderBook.class)
 *             .redisson(redisson).section("orders", "book").origin("eu-west", "pricer-1")
 *             .historySource(history)
 *             .build();
 *     books.changes("BTC-USD", 3, event -> ...);   // versions 4.. from the buffer, the log, or Kafka
 *     books.changesSince(anHourAgo, event -> ...); // the section's changes from the log, or Kafka
 * }
 * }</pre>
 *
 * <p><b>What it returns.</b> For a key, the events that follow each other from {@code fromVersion}
 * on ({@code prevVersion} = the previous one's version), so when Kafka holds the exact history the
 * subscriber gets exactly the updates it missed. Where a version is missing from the topic
 * (retention), the history continues at the next event that carries the whole document, handed
 * over as an explicit {@code SNAPSHOT} event; patches in between are left out. Changes another
 * region made reach this region merged, under versions its topic does not carry: to the chain they
 * are holes like any other. At most {@linkplain Builder#maxEvents maxEvents} events are returned;
 * DDM continues from the Redis log, or asks again. For a section, every key's events from the
 * instant on, chained the same way per key (see {@link #sectionChanges}). Records that are not
 * valid events are logged and left out.
 *
 * <p><b>Cost: a key lookup reads that key's records, not the topic.</b> The source keeps an index
 * of where each key's records are (record key hash, partition, offset: no event, no key text; see
 * {@link Builder#indexCapacity}), brought up to date at each call by reading only the records
 * written since the previous one, record keys only. A lookup then reads the key's records newest
 * first, by offset, until it reaches {@code fromVersion}: its cost grows with the versions missed,
 * not with the topic. The first call for a topic indexes the topic from its start (record keys
 * only; {@link #index} does it ahead of time). A section lookup starts each partition at the
 * offset of the instant ({@code offsetsForTimes}) and reads from there. See docs/replay.md.
 *
 * <p><b>Threads and bounds.</b> Calls run on the source's own threads (at most
 * {@linkplain Builder#maxConcurrentReads maxConcurrentReads}); each thread keeps one consumer to
 * index and {@code readParallelism} consumers to read records back while it lives, and ends
 * after 30 s without work. A
 * call fails (its future completes with {@link KafkaReplayException}, and DDM falls back to a
 * snapshot of the current state) when it does not finish within the
 * {@linkplain Builder#timeout timeout}, or when more than {@linkplain Builder#maxQueuedReads
 * maxQueuedReads} calls are already waiting. What a call indexed before its timeout stays indexed.
 * A key lookup on a topic that does not exist has no history (an empty list).
 *
 * <p>Thread-safe. Futures complete on this source's threads (or on the caller's when a call is
 * refused). {@link #close()} stops the threads and fails the reads still running or queued.
 */
public final class KafkaHistorySource implements HistorySource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaHistorySource.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Index entries listed, and records read back, per round of a key lookup. */
    static final int CHUNK = 64;

    private final KafkaEventReader reader;
    private final TopicNaming naming;
    private final String region;
    private final Duration timeout;
    private final int maxEvents;
    private final int maxSectionEvents;
    private final Duration timestampTolerance;
    private final HistoryIndex index;
    private final ReadingClients clients;
    private final ThreadPoolExecutor ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong readBack = new AtomicLong();
    private final AtomicLong readBeforeIndex = new AtomicLong();

    private KafkaHistorySource(Builder builder) {
        this.reader = builder.reader;
        this.naming = builder.naming;
        this.region = builder.region;
        this.timeout = builder.timeout;
        this.maxEvents = builder.maxEvents;
        this.maxSectionEvents = builder.maxSectionEvents;
        this.timestampTolerance = builder.timestampTolerance;
        this.index = new HistoryIndex(builder.indexCapacity, reader.pollTimeout(), reader.apiTimeout());
        int instance = INSTANCES.incrementAndGet();
        this.clients = new ReadingClients(reader, builder.readParallelism, index, "ddm-kafka-history-" + instance);
        this.ownedExecutor = new ThreadPoolExecutor(builder.maxConcurrentReads, builder.maxConcurrentReads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(builder.maxQueuedReads), threads("ddm-kafka-history-" + instance));
        this.ownedExecutor.allowCoreThreadTimeOut(true);
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            // The thread's consumers live as long as it does.
            Thread thread = new Thread(() -> {
                try {
                    task.run();
                } finally {
                    clients.closeThisThreads();
                }
            }, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Settings of a source that reads Kafka with {@code clientProperties} ({@code bootstrap.servers},
     * security settings...).
     *
     * @throws NullPointerException if {@code clientProperties} is null
     */
    public static Builder builder(Map<String, ?> clientProperties) {
        return new Builder(KafkaEventReader.builder(clientProperties), null);
    }

    /**
     * Settings of a source that reads with {@code reader} (for its client properties and its poll,
     * API and stall settings).
     *
     * @throws NullPointerException if {@code reader} is null
     */
    public static Builder builder(KafkaEventReader reader) {
        return new Builder(null, Objects.requireNonNull(reader, "reader"));
    }

    /**
     * The events of {@code key} after {@code fromVersion}, read from its section's topic (see the
     * class comment). Never throws for Kafka trouble: the future fails instead.
     *
     * @return the events, possibly none, in version order
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if {@code fromVersion} is negative
     */
    @Override
    public CompletableFuture<List<ChangeEvent>> changes(DataKey key, long fromVersion) {
        Objects.requireNonNull(key, "key");
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion must be >= 0, got " + fromVersion);
        }
        return submit(key, deadline -> keyHistory(key, fromVersion, deadline));
    }

    /**
     * The events of {@code section} committed at or after {@code since} (by their Redis stream id,
     * else their time), read from the section's topic from the offset of that instant on: each
     * partition starts at the first record whose timestamp is at or after {@code since} minus the
     * {@linkplain Builder#timestampTolerance timestamp tolerance}. Only this region's own changes,
     * each key's chained as for {@link #changes} (its first event as it is; then events that
     * follow, or a whole document as an explicit snapshot; a patch after a hole is left out, and
     * DDM sends that document's snapshot). Never throws for Kafka trouble: the future fails instead.
     *
     * <p>The future fails with {@link KafkaReplayException} when the section has no topic, when a
     * partition may have lost records from after {@code since} to retention (its first remaining
     * record is already at or after that instant), or when more than
     * {@linkplain Builder#maxSectionEvents maxSectionEvents} events qualify: DDM then sends a
     * snapshot of every document instead.
     *
     * @throws NullPointerException if an argument is null
     */
    @Override
    public CompletableFuture<List<ChangeEvent>> sectionChanges(SectionId section, Instant since) {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(since, "since");
        return submit(null, deadline -> sectionHistory(section, since, deadline));
    }

    /**
     * Brings the key index of {@code section}'s topic up to date now, so that the first late
     * subscriber does not wait for it (at start-up, say). Completes with false if the topic does
     * not exist; fails if it cannot finish within the {@linkplain Builder#timeout timeout} (what
     * was indexed stays indexed, and the next call goes on from there).
     *
     * @throws NullPointerException if {@code section} is null
     */
    public CompletableFuture<Boolean> index(SectionId section) {
        Objects.requireNonNull(section, "section");
        return submit(null, deadline -> index.catchUp(clients.indexer(), topicOf(section), deadline));
    }

    /** What the key index holds now, and what the lookups read since the source was built (for metrics and sizing). */
    public IndexStats indexStats() {
        long[] stats = index.stats();
        return new IndexStats(stats[0], stats[1], stats[2], index.capacity(), index.indexed(), readBack.get(),
                readBeforeIndex.get());
    }

    /**
     * The key index's size, and what lookups read.
     *
     * @param entries records indexed and still held
     * @param keys keys the index knows
     * @param bytes bytes of the index's arrays
     * @param capacity the most entries it holds ({@link Builder#indexCapacity})
     * @param indexed records indexed since the source was built (record keys read)
     * @param readBack records key lookups read back by offset (each one of the key's, or of a key
     *     with the same hash)
     * @param readBeforeIndex records key lookups read from the part of a topic the index no longer
     *     covers (0 while the index holds what the topics retain)
     */
    public record IndexStats(long entries, long keys, long bytes, int capacity, long indexed, long readBack,
                             long readBeforeIndex) {
    }

    private interface Read<T> {
        T run(long deadline);
    }

    private <T> CompletableFuture<T> submit(DataKey key, Read<T> read) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the Kafka history source is closed"));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Task<T> task = new Task<>(key, read, deadline);
        try {
            ownedExecutor.execute(task);
        } catch (RejectedExecutionException e) {
            task.future.completeExceptionally(new KafkaReplayException(key, closed.get() ? "the Kafka history source is closed"
                    : "too many Kafka history reads are waiting; no history" + (key == null ? "" : " for " + key), e));
        }
        return task.future;
    }

    /** One call's read, run on a reading thread; completes its future whatever happens. */
    private final class Task<T> implements Runnable {
        final CompletableFuture<T> future = new CompletableFuture<>();
        final DataKey key;
        final Read<T> read;
        final long deadline;

        Task(DataKey key, Read<T> read, long deadline) {
            this.key = key;
            this.read = read;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            try {
                if (deadline - System.nanoTime() <= 0) {
                    throw new KafkaReplayException(key, "a Kafka history read waited longer than " + timeout
                            + " for a reading thread", null);
                }
                future.complete(read.run(deadline));
            } catch (InterruptException | KafkaReplayException e) {
                log.debug("no Kafka history{}: {}", key == null ? "" : " for " + key, e.toString());
                future.completeExceptionally(e);
            } catch (KafkaException e) {
                log.debug("no Kafka history{}: {}", key == null ? "" : " for " + key, e.toString());
                future.completeExceptionally(new KafkaReplayException(key, "cannot read Kafka: " + e.getMessage(), e));
            } catch (RuntimeException | Error e) {
                log.debug("no Kafka history{}: {}", key == null ? "" : " for " + key, e.toString());
                future.completeExceptionally(e);
            }
        }
    }

    private String topicOf(SectionId section) {
        return region != null && naming.isPerRegion() ? naming.topicFor(region, section) : naming.topicFor(section);
    }

    /** Whether {@code event} belongs to the sequence of versions this source serves. */
    private boolean ours(ChangeEvent event) {
        // Only this region's own changes form its sequence of versions.
        return region == null || region.equals(event.origin().region());
    }

    // ---- one key ----

    /** An event with where it was read. */
    private record Found(ChangeEvent event, TopicPartition partition, long offset) {
    }

    private List<ChangeEvent> keyHistory(DataKey key, long fromVersion, long deadline) {
        long started = System.nanoTime();
        String topic = topicOf(new SectionId(key.partition(), key.section()));
        if (!index.catchUp(clients.indexer(), topic, deadline)) {
            log.debug("no Kafka history for {}: topic {} does not exist", key, topic);
            return List.of();
        }
        long indexedAt = System.nanoTime();
        String recordKey = key.toString();
        long hash = KeyOffsetIndex.hash(recordKey);
        Invalid invalid = new Invalid();
        Deque<Found> kept = new ArrayDeque<>(); // oldest first, at most maxEvents: the chain starts at the oldest
        boolean reachedBack = false;
        boolean indexed = false;
        boolean truncated = false;
        long read = 0;
        long next = HistoryIndex.HEAD;
        do {
            HistoryIndex.Entries entries = index.entries(topic, hash, next, CHUNK);
            indexed |= !entries.offsets().isEmpty() || entries.truncated();
            truncated = entries.truncated();
            next = entries.next();
            if (entries.offsets().isEmpty()) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> records = clients.fetch(ascending(entries), deadline);
            read += records.size();
            readBack.addAndGet(records.size());
            List<Found> chunk = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                ChangeEvent event = decode(record, recordKey, invalid);
                if (event != null && ours(event)) {
                    if (event.version() <= fromVersion) {
                        reachedBack = true; // everything before it is older still
                    } else {
                        chunk.add(new Found(event, new TopicPartition(record.topic(), record.partition()), record.offset()));
                    }
                }
            }
            prepend(kept, chunk);
        } while (!reachedBack && next != KeyOffsetIndex.NONE);
        // The index does not reach back far enough: its oldest entries were overwritten (or the key's were).
        Map<TopicPartition, Long> evicted = index.evictedThrough(topic);
        if (!reachedBack && (truncated || !indexed) && !evicted.isEmpty()) {
            read += readBeforeIndex(key, topic, fromVersion, evicted, kept, deadline);
        }
        HistoryChain chain = new HistoryChain(fromVersion, maxEvents);
        inOrder(kept).forEach(found -> chain.offer(found.event()));
        List<ChangeEvent> events = chain.events();
        invalid.log(key, topic);
        log.debug("Kafka history of {} after version {}: {} events ({} holes, exact: {}) from {} records of {} in {} ms"
                + " ({} ms bringing the index up to date)", key, fromVersion, events.size(), chain.holes(), chain.exact(), read,
                topic, (System.nanoTime() - started) / 1_000_000, (indexedAt - started) / 1_000_000);
        return events;
    }

    /** The entries by partition, offsets ascending. */
    private static Map<TopicPartition, long[]> ascending(HistoryIndex.Entries entries) {
        Map<TopicPartition, List<Long>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < entries.offsets().size(); i++) {
            byPartition.computeIfAbsent(entries.partitions().get(i), tp -> new ArrayList<>()).add(entries.offsets().get(i));
        }
        Map<TopicPartition, long[]> wanted = new LinkedHashMap<>();
        byPartition.forEach((tp, offsets) -> wanted.put(tp, offsets.stream().mapToLong(Long::longValue).sorted().toArray()));
        return wanted;
    }

    /** Puts {@code older} (events older than every kept one) before the kept ones, keeping the oldest maxEvents. */
    private void prepend(Deque<Found> kept, List<Found> older) {
        for (int i = older.size() - 1; i >= 0; i--) {
            kept.addFirst(older.get(i));
        }
        // The chain takes at most maxEvents from the oldest on: the newest beyond are never needed.
        while (kept.size() > maxEvents) {
            kept.removeLast();
        }
    }

    /**
     * The kept events in the order the chain takes them: topic order, which is version order within
     * a partition; a key spread over several partitions (they were increased) is put in version order.
     */
    private static List<Found> inOrder(Deque<Found> kept) {
        List<Found> all = new ArrayList<>(kept);
        if (all.stream().map(Found::partition).distinct().count() > 1) {
            all.sort(Comparator.comparingLong((Found f) -> f.event().version()));
        } else {
            all.sort(Comparator.comparingLong(Found::offset));
        }
        return all;
    }

    /**
     * Reads the part of the topic the index no longer covers, for one key (the old way: every
     * record of those ranges, the key's picked by their record key), and puts its events first.
     */
    private long readBeforeIndex(DataKey key, String topic, long fromVersion, Map<TopicPartition, Long> evicted,
                                 Deque<Found> kept, long deadline) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        evicted.forEach((tp, through) -> ends.put(tp, through + 1));
        for (TopicPartition tp : index.partitions(topic)) {
            ends.putIfAbsent(tp, 0L); // covered by the index: nothing to read there
        }
        List<Found> older = new ArrayList<>();
        ReadResult result = reader.read(ReadRequest.of(topic).scope(KeyScope.key(key)).endOffsets(ends)
                .timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))), new EventHandler() {
                    @Override
                    public void onEvent(ChangeEvent event, RecordPosition position) {
                        if (ours(event) && event.version() > fromVersion) {
                            older.add(new Found(event, new TopicPartition(position.topic(), position.partition()), position.offset()));
                        }
                    }
                });
        log.debug("the key index no longer covers {} of {}: read {} records before it for {}", ends, topic,
                result.recordsRead(), key);
        if (result.invalid() > 0) {
            log.warn("{} invalid record(s) of {} in {} left out of its history, e.g. {}", result.invalid(), key, topic,
                    result.errors().get(0));
        }
        prepend(kept, older);
        readBeforeIndex.addAndGet(result.recordsRead());
        return result.recordsRead();
    }

    /** The record's event if it is {@code recordKey}'s and valid; null otherwise (counted when invalid). */
    private static ChangeEvent decode(ConsumerRecord<byte[], byte[]> record, String recordKey, Invalid invalid) {
        String key;
        try {
            key = RecordDecoder.key(record.key());
        } catch (InvalidRecordException e) {
            return null; // not this key's record (its key has the same hash and is not even readable)
        }
        if (!recordKey.equals(key)) {
            return null; // another key with the same hash
        }
        RecordPosition position = new RecordPosition(record.topic(), record.partition(), record.offset());
        try {
            ChangeEvent event = RecordDecoder.event(record.value());
            if (!event.key().toString().equals(key)) {
                throw new InvalidRecordException("the record key does not match the event's key " + event.key());
            }
            return event;
        } catch (InvalidRecordException e) {
            invalid.add(new RecordError(position, key, e.getMessage()));
            return null;
        }
    }

    /** Invalid records of one lookup: counted, the first kept for the log. */
    private static final class Invalid {
        long count;
        RecordError first;

        void add(RecordError error) {
            if (count++ == 0) {
                first = error;
            }
        }

        void log(DataKey key, String topic) {
            if (count > 0) {
                log.warn("{} invalid record(s) of {} in {} left out of its history, e.g. {}", count, key, topic, first);
            }
        }
    }

    // ---- one section ----

    private List<ChangeEvent> sectionHistory(SectionId section, Instant since, long deadline) {
        return new SectionHistoryRead(reader, clients.indexer(), topicOf(section), section, region, timestampTolerance,
                maxSectionEvents, timeout).read(since, deadline);
    }

    /**
     * Stops the reading threads: reads still running are interrupted and fail, queued ones fail,
     * later calls fail at once. Waits at most a few seconds. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Runnable queued : ownedExecutor.shutdownNow()) {
            if (queued instanceof Task<?> task) {
                task.future.completeExceptionally(new KafkaReplayException(task.key, "the Kafka history source is closed", null));
            }
        }
        clients.shutdown();
        try {
            if (!ownedExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Kafka history reads did not stop within 5 s of close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Settings of a {@link KafkaHistorySource}. Each setter checks its argument at once. Not
     * thread-safe: configure on one thread, then build.
     */
    public static final class Builder {
        private final KafkaEventReader.Builder readerBuilder;
        private KafkaEventReader reader;
        private TopicNaming naming = TopicNaming.perSection();
        private String region;
        private Duration timeout = Duration.ofSeconds(30);
        private int maxEvents = 10_000;
        private int maxSectionEvents = 100_000;
        private int maxConcurrentReads = 2;
        private int maxQueuedReads = 100;
        private int indexCapacity = 2_000_000;
        private Duration timestampTolerance = Duration.ofMinutes(1);
        private int readParallelism = 8;

        private Builder(KafkaEventReader.Builder readerBuilder, KafkaEventReader reader) {
            this.readerBuilder = readerBuilder;
            this.reader = reader;
        }

        /** How the connector named its topics (default {@link TopicNaming#perSection()}). */
        public Builder topicNaming(TopicNaming naming) {
            this.naming = Objects.requireNonNull(naming, "naming");
            return this;
        }

        /**
         * The region of the managers this source serves (their {@code origin} region). Required when
         * the naming has {@code ${region}} (the default): a late subscriber missed versions of its own
         * region's sequence, which only that region's topic holds; other regions' changes reached it
         * merged, as changes Kafka does not carry. With another naming, the events of other regions
         * in the topic are left out.
         *
         * @throws IllegalArgumentException if {@code region} is not a short name
         */
        public Builder region(String region) {
            this.region = Names.requireShortName("region", region);
            return this;
        }

        /** The longest a call may take, from the call to the answer, queueing included (default 30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /** The most events one key lookup returns (default 10,000). */
        public Builder maxEvents(int maxEvents) {
            this.maxEvents = atLeastOne("maxEvents", maxEvents);
            return this;
        }

        /**
         * The most events one section lookup returns (default 100,000); a section with more changes
         * since the instant has no history from Kafka (its subscriber gets snapshots).
         */
        public Builder maxSectionEvents(int maxSectionEvents) {
            this.maxSectionEvents = atLeastOne("maxSectionEvents", maxSectionEvents);
            return this;
        }

        /** How many calls read Kafka at once (default 2), each thread with its own consumers. */
        public Builder maxConcurrentReads(int maxConcurrentReads) {
            this.maxConcurrentReads = atLeastOne("maxConcurrentReads", maxConcurrentReads);
            return this;
        }

        /** How many calls may wait for a reading thread (default 100); beyond, a call fails at once. */
        public Builder maxQueuedReads(int maxQueuedReads) {
            this.maxQueuedReads = atLeastOne("maxQueuedReads", maxQueuedReads);
            return this;
        }

        /**
         * The most records the key index holds, over all topics (default 2,000,000). Each takes 20
         * bytes, each key 32 to 96 more (a table of hashes, never the key's text or events): the
         * default holds at most 40 MB of entries plus the keys, allocated as records are indexed.
         * When it is full, the newest records replace the oldest; a lookup whose versions are older
         * than what the index covers reads that older part of the key's topic record by record, as
         * without an index. Size it to hold what the topics retain.
         */
        public Builder indexCapacity(int records) {
            this.indexCapacity = atLeastOne("indexCapacity", records);
            return this;
        }

        /**
         * How many consumers read one key lookup's records back at once (default 8): each record
         * sought is one fetch from the broker, so a lookup of 50 scattered versions is 50 round
         * trips, shared among these consumers. Each reading thread opens this many consumers besides
         * the one that indexes.
         */
        public Builder readParallelism(int consumers) {
            this.readParallelism = atLeastOne("readParallelism", consumers);
            return this;
        }

        /**
         * How far before a section subscriber's instant a section lookup starts (default 1 min):
         * the connector stamps a record with the change's time, or its own clock when that is
         * earlier, so a record may be stamped a little before its change was committed.
         */
        public Builder timestampTolerance(Duration tolerance) {
            Objects.requireNonNull(tolerance, "tolerance");
            if (tolerance.isNegative()) {
                throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
            }
            this.timestampTolerance = tolerance;
            return this;
        }

        /**
         * The source, with its reading threads (started on demand).
         *
         * @throws IllegalStateException if {@code bootstrap.servers} is missing, or the naming has
         *     {@code ${region}} and no {@link #region} is set
         * @throws IllegalArgumentException if a client property has a bad value
         */
        public KafkaHistorySource build() {
            if (naming.isPerRegion() && region == null) {
                throw new IllegalStateException("the topic naming " + naming + " gives each region its own topics: set region(...)"
                        + " to the origin region of the managers this history source serves");
            }
            if (reader == null) {
                reader = readerBuilder.build();
            }
            return new KafkaHistorySource(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static int atLeastOne(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + value);
            }
            return value;
        }
    }
}
