package io.github.ddm.replay;

import io.github.ddm.HistorySource;
import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Names;
import java.time.Duration;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HistorySource} that reads a late subscriber's missing versions from the Kafka topics
 * the DDM source connector writes: for a key and a version, it reads the topic of the key's
 * section that holds its region's own changes, and returns the key's events after that version, in
 * order. Configure it on the managers whose change
 * buffer and Redis log may not reach back far enough:
 *
 * <pre>{@code
 * try (KafkaHistorySource history = KafkaHistorySource.builder(Map.of("bootstrap.servers", "kafka:9092"))
 *         .region("eu-west").build()) {
 *     DocumentManager<OrderBook> books = DocumentManager.builder(OrderBook.class)
 *             .redisson(redisson).section("orders", "book").origin("eu-west", "pricer-1")
 *             .historySource(history)
 *             .build();
 *     books.changes("BTC-USD", 3, event -> ...);   // versions 4.. from the buffer, the log, or Kafka
 * }
 * }</pre>
 *
 * <p><b>What it returns.</b> The events that follow each other from {@code fromVersion} on
 * ({@code prevVersion} = the previous one's version), so when Kafka holds the exact history the
 * subscriber gets exactly the updates it missed. Where a version is missing from the topic
 * (retention), the history continues at the next event that carries the whole document, handed
 * over as an explicit {@code SNAPSHOT} event; patches in between are left out. At most
 * Changes another region made reach this region merged, under versions its topic does not carry:
 * to the chain they are holes like any other. At most
 * {@linkplain Builder#maxEvents maxEvents} events are returned; DDM continues from the Redis log,
 * or asks again. Records that are not valid events are logged by the reader and left out.
 *
 * <p><b>Cost and bounds.</b> Each call reads the section's whole topic (the key's records are
 * picked by their record key, without decoding the others) on one of this source's threads, with
 * a consumer opened for the call and closed after it; no connection is held between calls. A call
 * fails (its future completes with {@link KafkaReplayException}, and DDM falls back to a snapshot
 * of the current state) when it does not finish within the {@linkplain Builder#timeout timeout},
 * or when more than {@linkplain Builder#maxConcurrentReads maxConcurrentReads} reads plus a queue of
 * {@linkplain Builder#maxQueuedReads maxQueuedReads} are already waiting. A topic that does not
 * exist means no history (an empty list).
 *
 * <p>Thread-safe. Futures complete on this source's threads (or on the caller's when a call is
 * refused). {@link #close()} stops the threads and fails the reads still running or queued.
 */
public final class KafkaHistorySource implements HistorySource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaHistorySource.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final KafkaEventReader reader;
    private final TopicNaming naming;
    private final String region;
    private final Duration timeout;
    private final int maxEvents;
    private final ThreadPoolExecutor ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaHistorySource(Builder builder) {
        this.reader = builder.reader;
        this.naming = builder.naming;
        this.region = builder.region;
        this.timeout = builder.timeout;
        this.maxEvents = builder.maxEvents;
        this.ownedExecutor = new ThreadPoolExecutor(builder.maxConcurrentReads, builder.maxConcurrentReads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(builder.maxQueuedReads), threads());
        this.ownedExecutor.allowCoreThreadTimeOut(true);
    }

    private static ThreadFactory threads() {
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "ddm-kafka-history-" + instance + "-" + count.incrementAndGet());
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
     * Settings of a source that reads with {@code reader} (for its poll and stall settings).
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
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the Kafka history source is closed"));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        HistoryRead task = new HistoryRead(key, fromVersion, deadline);
        try {
            ownedExecutor.execute(task);
        } catch (RejectedExecutionException e) {
            task.future.completeExceptionally(new KafkaReplayException(key, closed.get() ? "the Kafka history source is closed"
                    : "too many Kafka history reads are waiting; no history for " + key, e));
        }
        return task.future;
    }

    /** One call's read, run on a reading thread; completes its future whatever happens. */
    private final class HistoryRead implements Runnable {
        final CompletableFuture<List<ChangeEvent>> future = new CompletableFuture<>();
        final DataKey key;
        final long fromVersion;
        final long deadline;

        HistoryRead(DataKey key, long fromVersion, long deadline) {
            this.key = key;
            this.fromVersion = fromVersion;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            try {
                future.complete(read(key, fromVersion, deadline));
            } catch (RuntimeException | Error e) {
                log.debug("no Kafka history for {}: {}", key, e.toString());
                future.completeExceptionally(e);
            }
        }
    }

    private List<ChangeEvent> read(DataKey key, long fromVersion, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new KafkaReplayException(key, "the Kafka history of " + key + " waited longer than " + timeout
                    + " for a reading thread", null);
        }
        SectionId section = new SectionId(key.partition(), key.section());
        String topic = region == null ? naming.topicFor(section) : naming.isPerRegion() ? naming.topicFor(region, section)
                : naming.topicFor(section);
        HistoryChain chain = new HistoryChain(fromVersion, maxEvents);
        ReadResult result = reader.read(ReadRequest.of(topic).scope(KeyScope.key(key)).timeout(Duration.ofNanos(left)),
                new EventHandler() {
                    @Override
                    public void onEvent(ChangeEvent event, RecordPosition position) {
                        // Only this region's own changes form its sequence of versions.
                        if (region == null || region.equals(event.origin().region())) {
                            chain.offer(event);
                        }
                    }

                    @Override
                    public boolean isDone() {
                        return chain.full();
                    }
                });
        List<ChangeEvent> events = chain.events();
        if (result.invalid() > 0) {
            log.warn("{} invalid record(s) of {} in {} left out of its history, e.g. {}", result.invalid(), key, topic,
                    result.errors().get(0));
        }
        if (!result.missingTopics().isEmpty()) {
            log.debug("no Kafka history for {}: topic {} does not exist", key, topic);
        } else {
            log.debug("Kafka history of {} after version {}: {} events ({} holes, exact: {}) from {} records of {} in {} ms",
                    key, fromVersion, events.size(), chain.holes(), chain.exact(), result.recordsRead(), topic,
                    result.elapsed().toMillis());
        }
        return events;
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
            if (queued instanceof HistoryRead read) {
                read.future.completeExceptionally(new KafkaReplayException(read.key, "the Kafka history source is closed", null));
            }
        }
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
        private int maxConcurrentReads = 2;
        private int maxQueuedReads = 100;

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
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The most events one call returns (default 10,000); the read stops there. */
        public Builder maxEvents(int maxEvents) {
            this.maxEvents = atLeastOne("maxEvents", maxEvents);
            return this;
        }

        /** How many calls read Kafka at once (default 2), each with its own consumer. */
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

        private static int atLeastOne(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + value);
            }
            return value;
        }
    }
}
