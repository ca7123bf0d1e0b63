package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds documents in a target Redis from the Kafka topics the DDM source connector writes, and
 * from them alone: one key, one section, or every section found in the topics (disaster recovery).
 *
 * <pre>{@code
 * KafkaReplay replay = KafkaReplay.builder()
 *         .kafka(Map.of("bootstrap.servers", "kafka:9092"))
 *         .redisson(targetRedisson)
 *         .namespace("ddm")
 *         .listener(new ReplayListener() {
 *             public void onProgress(ReplayProgress p) { log.info("{} {} left", p.phase(), p.remaining()); }
 *         })
 *         .build();
 * ReplaySummary summary = replay.replayAll();
 * }</pre>
 *
 * <p><b>How.</b> Events go through {@link SectionStore#apply}, the compare-and-set the sink
 * connector uses: each key's events in topic order; an event at or below the stored version is a
 * duplicate and is skipped; a patch that does not follow the stored version is a gap and is
 * skipped; an event carrying the whole document (create, snapshot, an update with its state, a
 * delete) is written at its version and repairs any gap below it. Each replay reads its topics
 * twice, up to the end offsets observed when it starts: the first pass finds each key's newest
 * whole-document event, the second applies each key from there on, so a long history costs one
 * write per event after its newest snapshot rather than one per event ever written. Applied events
 * are logged and broadcast in the target like any other change, so the target's services follow.
 *
 * <p><b>Safe to repeat.</b> A replay against a target that already holds some or all of the data
 * writes only what is missing; a second identical replay applies nothing. It never moves a
 * document backwards.
 *
 * <p><b>Limits.</b> The first pass keeps one small entry per key in memory. Kafka keeps each key's
 * order only within a partition: if a topic's partitions were increased after events were
 * written, a key may be spread over two partitions, and the replay cannot order them (it logs a
 * warning). Versions restarted by a data loss in the source region (a new epoch) are older, to
 * the compare-and-set, than the versions before it.
 *
 * <p><b>Errors.</b> Invalid records are reported (listener, log, summary) and skipped; events the
 * target cannot apply likewise. A replay method throws {@link KafkaReplayException} when Kafka
 * cannot be read, {@link io.github.ddm.StoreUnavailableException} when the target Redis cannot be
 * reached, and Kafka's unchecked {@link org.apache.kafka.common.errors.InterruptException} when
 * its thread is interrupted (the interrupt flag is set again). What was applied before stays
 * applied; running the replay again completes it.
 *
 * <p>Thread-safe; holds no resources of its own (the Redisson client is the caller's). Each replay
 * runs on its caller's thread, which also receives the listener's calls.
 */
public final class KafkaReplay {

    private static final Logger log = LoggerFactory.getLogger(KafkaReplay.class);

    private final KafkaEventReader reader;
    private final RedissonClient redisson;
    private final String namespace;
    private final TopicNaming naming;
    private final ReplayListener listener;
    private final int maxInFlight;
    private final Duration applyTimeout;
    private final Map<SectionId, SectionStore> stores = new ConcurrentHashMap<>();

    private KafkaReplay(Builder builder) {
        this.reader = builder.reader;
        this.redisson = builder.redisson;
        this.namespace = builder.namespace;
        // ${namespace} in a template stands for the namespace the replay writes: the connector's.
        this.naming = builder.naming.withNamespace(builder.namespace);
        this.listener = builder.listener;
        this.maxInFlight = builder.maxInFlight;
        this.applyTimeout = builder.applyTimeout;
    }

    /** Settings of a replay. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Rebuilds one document from its section's topic.
     *
     * @throws NullPointerException if {@code key} is null
     * @throws KafkaReplayException if the topic does not exist or Kafka cannot be read
     * @throws io.github.ddm.StoreUnavailableException if the target Redis cannot be reached (what was
     *     applied stays applied; run the replay again)
     */
    public ReplaySummary replayKey(DataKey key) {
        Objects.requireNonNull(key, "key");
        return replay(KeyScope.key(key), topicsOf(new SectionId(key.partition(), key.section())));
    }

    /**
     * Rebuilds the documents of one section from its topic.
     *
     * @throws NullPointerException if {@code section} is null
     * @throws KafkaReplayException if the topic does not exist or Kafka cannot be read
     * @throws io.github.ddm.StoreUnavailableException if the target Redis cannot be reached
     */
    public ReplaySummary replaySection(SectionId section) {
        Objects.requireNonNull(section, "section");
        return replay(KeyScope.section(section), topicsOf(section));
    }

    /** The section's topic, or with one topic per region, every region's that exists. */
    private List<String> topicsOf(SectionId section) {
        if (!naming.isPerRegion()) {
            return List.of(naming.topicFor(section));
        }
        List<String> topics = reader.topics(topic -> naming.matches(topic, section));
        if (topics.isEmpty()) {
            throw new KafkaReplayException(null, "no topic of section " + section + " fits " + naming, null);
        }
        return topics;
    }

    /**
     * Rebuilds every document found in the topics of the {@linkplain Builder#topicNaming naming}:
     * the fixed topic, or every existing topic whose name fits the template (listed in the summary;
     * if unrelated topics fit it too, use {@link #replayTopics}). Each event goes to the section
     * its key names.
     *
     * @throws KafkaReplayException if Kafka cannot be read
     * @throws io.github.ddm.StoreUnavailableException if the target Redis cannot be reached
     */
    public ReplaySummary replayAll() {
        List<String> topics = naming.isFixed() ? List.of(naming.template()) : reader.topics(naming::matches);
        if (topics.isEmpty()) {
            log.warn("no topic fits {}: nothing to replay", naming);
            return new ReplaySummary(KeyScope.all(), topics, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), List.of(),
                    List.of(), Duration.ZERO);
        }
        return replay(KeyScope.all(), topics);
    }

    /**
     * Rebuilds every document found in {@code topics}.
     *
     * @throws IllegalArgumentException if {@code topics} is empty
     * @throws KafkaReplayException if a topic does not exist or Kafka cannot be read
     * @throws io.github.ddm.StoreUnavailableException if the target Redis cannot be reached
     */
    public ReplaySummary replayTopics(Collection<String> topics) {
        return replay(KeyScope.all(), List.copyOf(ReadRequest.of(topics).topics()));
    }

    private ReplaySummary replay(KeyScope scope, List<String> topics) {
        long started = System.nanoTime();
        List<String> existing = reader.topics(topics::contains);
        if (existing.size() < topics.size()) {
            List<String> missing = new ArrayList<>(topics);
            missing.removeAll(existing);
            throw new KafkaReplayException("cannot replay " + scope + ": topic(s) " + missing + " do not exist in Kafka"
                    + " (topic naming " + naming + ")");
        }
        log.info("replaying {} from {} into namespace {}", scope, topics, namespace);
        Run run = new Run(scope, topics, started);
        ReplaySummary summary = run.execute();
        log.info("replayed {}", summary);
        if (summary.keysBehind() > 0) {
            log.warn("{} key(s) of {} are behind their topic after the replay (e.g. {}): their history in Kafka lacks a"
                    + " snapshot after a gap", summary.keysBehind(), scope, summary.keysBehindSample().get(0));
        }
        return summary;
    }

    private SectionStore store(SectionId section) {
        return stores.computeIfAbsent(section, s -> SectionStore.open(redisson, namespace, s));
    }

    /** One replay. Confined to the caller's thread, except the pipeline's counters. */
    private final class Run {
        private final KeyScope scope;
        private final List<String> topics;
        private final long started;
        private final SnapshotIndex index = new SnapshotIndex();
        private final List<RecordError> invalidSample = new ArrayList<>();
        private final List<RecordError> unappliableSample = new ArrayList<>();
        private ReplayProgress.Phase phase = ReplayProgress.Phase.INDEXING;
        private ApplyPipeline pipeline;
        private ReadResult indexed;
        private long superseded;

        Run(KeyScope scope, List<String> topics, long started) {
            this.scope = scope;
            this.topics = topics;
            this.started = started;
        }

        ReplaySummary execute() {
            indexed = reader.read(ReadRequest.of(topics).scope(scope), new EventHandler() {
                @Override
                public void onEvent(ChangeEvent event, RecordPosition position) {
                    index.add(event, position);
                }

                @Override
                public void onInvalid(RecordError error) {
                    if (invalidSample.size() < ReplaySummary.MAX_SAMPLES) {
                        invalidSample.add(error);
                        log.warn("invalid record at {} (key {}): {}", error.position(), error.recordKey(), error.reason());
                    }
                    listener.onInvalidRecord(error);
                }

                @Override
                public void onProgress(ReadProgress progress) {
                    report(progress);
                }
            });
            if (index.spreadKeys() > 0) {
                log.warn("{} key(s) of {} have events in more than one partition (were partitions added?): their order"
                        + " across partitions is unknown", index.spreadKeys(), topics);
            }
            log.info("indexed {} events of {} keys in {} ({} records, {} invalid) in {} ms", indexed.events(), index.keys(),
                    topics, indexed.recordsRead(), indexed.invalid(), indexed.elapsed().toMillis());
            superseded = index.supersededEvents();
            phase = ReplayProgress.Phase.APPLYING;
            pipeline = new ApplyPipeline(KafkaReplay.this::store, maxInFlight, applyTimeout);
            ReadRequest second = ReadRequest.of(topics).scope(scope)
                    .startOffsets(index.startOffsets(indexed.partitions()))
                    .endOffsets(indexed.endOffsets());
            ReadResult applied;
            try {
                applied = reader.read(second, new EventHandler() {
                    @Override
                    public void onEvent(ChangeEvent event, RecordPosition position) {
                        if (!index.superseded(event)) {
                            pipeline.submit(event, position);
                        }
                        deliverUnappliable();
                    }

                    // Invalid records were reported by the first pass.

                    @Override
                    public void onProgress(ReadProgress progress) {
                        report(progress);
                    }
                });
                pipeline.drain();
            } catch (RuntimeException e) {
                pipeline.drainQuietly();
                throw e;
            }
            deliverUnappliable();
            report(new ReadProgress(applied.recordsRead(), applied.events(), applied.invalid(), applied.outOfScope(),
                    applied.partitions(), applied.elapsed()));
            List<DataKey> behind = pipeline.behind().stream().limit(ReplaySummary.MAX_SAMPLES).toList();
            return new ReplaySummary(scope, topics, indexed.recordsRead(), indexed.events(), index.keys(), indexed.invalid(),
                    superseded, pipeline.applied.sum(), pipeline.duplicates.sum(), pipeline.gaps.sum(),
                    pipeline.unappliable.sum(), pipeline.behind().size(), behind, invalidSample, unappliableSample,
                    indexed.partitions(), elapsed());
        }

        private void deliverUnappliable() {
            for (RecordError error : pipeline.takeErrors()) {
                if (unappliableSample.size() < ReplaySummary.MAX_SAMPLES) {
                    unappliableSample.add(error);
                    log.warn("cannot apply the event at {}: {}", error.position(), error.reason());
                }
                listener.onUnappliable(error);
            }
        }

        private void report(ReadProgress read) {
            ReplayProgress progress;
            if (pipeline == null) {
                progress = new ReplayProgress(phase, read.recordsRead(), read.events(), read.invalid(), 0, 0, 0, 0, 0, 0,
                        read.partitions(), elapsed());
            } else {
                progress = new ReplayProgress(phase, read.recordsRead(), indexed.events(), indexed.invalid(), superseded,
                        pipeline.applied.sum(), pipeline.duplicates.sum(), pipeline.gaps.sum(), pipeline.unappliable.sum(),
                        pipeline.inFlight(), read.partitions(), elapsed());
            }
            log.debug("replay progress: {}", progress);
            listener.onProgress(progress);
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - started);
        }
    }

    /**
     * Settings of a {@link KafkaReplay}. Each setter checks its argument at once; {@link #build()}
     * names what is missing. Not thread-safe: configure on one thread, then build.
     */
    public static final class Builder {
        private KafkaEventReader reader;
        private RedissonClient redisson;
        private String namespace = "ddm";
        private TopicNaming naming = TopicNaming.perSection();
        private ReplayListener listener = ReplayListener.NONE;
        private int maxInFlight = 64;
        private Duration applyTimeout = Duration.ofMinutes(2);

        private Builder() {
        }

        /**
         * The Kafka client properties ({@code bootstrap.servers}, security settings...): a reader with
         * the default settings. Replaces an earlier {@link #reader}.
         *
         * @throws IllegalStateException if {@code bootstrap.servers} is missing
         * @throws IllegalArgumentException if a property has a bad value
         */
        public Builder kafka(Map<String, ?> clientProperties) {
            this.reader = KafkaEventReader.builder(clientProperties).build();
            return this;
        }

        /** The reader to use, for its poll, stall and progress-interval settings. Replaces an earlier {@link #kafka}. */
        public Builder reader(KafkaEventReader reader) {
            this.reader = Objects.requireNonNull(reader, "reader");
            return this;
        }

        /** The target Redis. The replay does not shut it down. Required. */
        public Builder redisson(RedissonClient redisson) {
            this.redisson = Objects.requireNonNull(redisson, "redisson");
            return this;
        }

        /** The target's namespace, the prefix of every DDM key ({@code [A-Za-z0-9._-]{1,64}}, default {@code ddm}). */
        public Builder namespace(String namespace) {
            this.namespace = Names.requireShortName("namespace", namespace);
            return this;
        }

        /** How the connector named its topics (default {@link TopicNaming#perSection()}). */
        public Builder topicNaming(TopicNaming naming) {
            this.naming = Objects.requireNonNull(naming, "naming");
            return this;
        }

        /** Who follows the replays' progress and problems (default: nobody; the replay logs a summary). */
        public Builder listener(ReplayListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The most applies running at once, across keys (default 64; one key's are always sequential). */
        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** A replay fails if the target finishes no apply for this long (default 2 min). */
        public Builder applyTimeout(Duration applyTimeout) {
            Objects.requireNonNull(applyTimeout, "applyTimeout");
            if (applyTimeout.isNegative() || applyTimeout.isZero()) {
                throw new IllegalArgumentException("applyTimeout must be positive, got " + applyTimeout);
            }
            this.applyTimeout = applyTimeout;
            return this;
        }

        /**
         * The replay.
         *
         * @throws IllegalStateException if {@code kafka(...)}/{@code reader(...)} or {@code redisson(...)} is missing
         */
        public KafkaReplay build() {
            if (reader == null) {
                throw new IllegalStateException("kafka(clientProperties) or reader(...) is required");
            }
            if (redisson == null) {
                throw new IllegalStateException("redisson(...) is required: the target Redis");
            }
            return new KafkaReplay(this);
        }
    }
}
