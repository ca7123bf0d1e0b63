package io.github.ddm;

import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.internal.merge.MergeState;
import io.github.ddm.internal.store.SectionLog;
import io.github.ddm.internal.store.Snapshots;
import io.github.ddm.internal.store.StoredDocument;
import io.github.ddm.internal.sync.ReplicationRounds;
import io.github.ddm.internal.sync.Replicator;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Names;
import io.github.ddm.schema.VersionVector;
import java.time.Duration;
import io.github.ddm.schema.Origin;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RStream;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamRangeArgs;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;

/**
 * Direct access to one section's stored documents and change log, without a cache: for the Kafka
 * bridge (which reads logs and applies other regions' changes), replay, and operator tools. It
 * goes through the same layout and commit script as {@link DocumentManager}, so what it writes is
 * committed, logged and broadcast exactly like a local change.
 *
 * <p>Thread-safe. Futures complete on Redisson threads (scans on the scan executor): do not block in
 * their continuations. Futures fail with DDM's exceptions ({@link StoreUnavailableException} when
 * Redis cannot be reached or refuses a command, {@link CorruptDocumentException} for a stored copy
 * that cannot be read), never with Redisson's.
 */
public final class SectionStore {

    private static final Logger LOGGER = LoggerFactory.getLogger(SectionStore.class);

    private static final Pattern LOG_KEY = Pattern.compile("^(.+):\\{([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)\\}:log$");

    private final SectionId id;
    private final RedisDocumentStore store;
    private final SectionLog log;
    private final Replicator replicator;
    private final RedisLayout layout;
    private final RedissonClient redisson;
    private final String namespace;
    private final Executor scanExecutor;

    private SectionStore(RedissonClient redisson, String namespace, SectionId id, Executor scanExecutor) {
        this.id = id;
        this.scanExecutor = scanExecutor;
        this.namespace = namespace;
        this.redisson = redisson;
        this.layout = new RedisLayout(namespace, id.partition(), id.section());
        boolean sharded = redisson.getConfig().isClusterConfig();
        this.store = new RedisDocumentStore(redisson, layout, id.partition(), id.section(), sharded, 0);
        this.log = new SectionLog(redisson, layout);
        this.replicator = new Replicator(store);
    }

    /**
     * A section of {@code namespace}, whose {@link #ids()} scans run on {@link #defaultScanExecutor()}.
     * Replicated writes publish with sharded pub/sub on a cluster. The log is not trimmed by writes
     * made here ({@code logMaxLength} belongs to the writers).
     */
    public static SectionStore open(RedissonClient redisson, String namespace, SectionId section) {
        return open(redisson, namespace, section, defaultScanExecutor());
    }

    /**
     * A section of {@code namespace}, as {@link #open(RedissonClient, String, SectionId)}, whose
     * {@link #ids()} scans (blocking {@code SCAN} iterations) run on {@code scanExecutor}.
     */
    public static SectionStore open(RedissonClient redisson, String namespace, SectionId section, Executor scanExecutor) {
        Objects.requireNonNull(redisson, "redisson");
        Names.requireShortName("namespace", namespace);
        return new SectionStore(redisson, namespace, Objects.requireNonNull(section, "section"),
                Objects.requireNonNull(scanExecutor, "scanExecutor"));
    }

    /**
     * The executor that runs the blocking {@code SCAN}s of {@link #discover} and {@link #ids()} unless
     * one is given: at most two daemon threads ({@code ddm-scan-N}), shared by every store, that end
     * after 30 s idle, and a queue of 1,024 scans; past that a scan's future fails with
     * {@link StoreUnavailableException}. Not the common ForkJoin pool: a scan waits on Redis, and
     * blocking that pool would stall every other user of it.
     */
    public static Executor defaultScanExecutor() {
        return SectionScans.DEFAULT_EXECUTOR;
    }

    private static <T> CompletableFuture<T> translated(CompletableFuture<T> future) {
        return SectionScans.translated(future);
    }

    /**
     * The sections of {@code namespace} that have a change log, found with {@code SCAN} (on every
     * master of a cluster), run on {@link #defaultScanExecutor()}. The globs use Redis's syntax
     * ({@code *}, {@code ?}). The future fails with {@link StoreUnavailableException} when Redis cannot
     * be reached.
     */
    public static CompletableFuture<List<SectionId>> discover(RedissonClient redisson, String namespace, String partitionGlob,
                                                               String sectionGlob) {
        return discover(redisson, namespace, partitionGlob, sectionGlob, defaultScanExecutor());
    }

    /** {@link #discover(RedissonClient, String, String, String)}, scanning on {@code scanExecutor}. */
    public static CompletableFuture<List<SectionId>> discover(RedissonClient redisson, String namespace, String partitionGlob,
                                                               String sectionGlob, Executor scanExecutor) {
        Names.requireShortName("namespace", namespace);
        Objects.requireNonNull(scanExecutor, "scanExecutor");
        String pattern = namespace + ":{" + partitionGlob + ":" + sectionGlob + "}:log";
        return SectionScans.scan(() -> {
            List<SectionId> found = new ArrayList<>();
            for (String key : redisson.getKeys().getKeys(KeysScanOptions.defaults().pattern(pattern).chunkSize(500))) {
                Matcher m = LOG_KEY.matcher(key);
                if (m.matches() && m.group(1).equals(namespace)) {
                    found.add(new SectionId(m.group(2), m.group(3)));
                }
            }
            found.sort((a, b) -> a.toString().compareTo(b.toString()));
            return found;
        }, scanExecutor);
    }

    /** The section. */
    public SectionId section() {
        return id;
    }

    /** The Redis key of the section log, for messages and metrics. */
    public String logKey() {
        return layout.logKey();
    }

    /**
     * The channel on which the commit script broadcasts each of the section's changes (classic
     * pub/sub; writers in sharded mode broadcast on the sharded channel of the same name).
     */
    public String changeChannel() {
        return layout.channel();
    }

    /**
     * A {@code PSUBSCRIBE} pattern that matches the change channel of every section of a namespace
     * (classic pub/sub only: sharded channels cannot be matched by a pattern).
     *
     * @param namespace the key prefix
     * @return the pattern, with the namespace's glob characters escaped
     */
    public static String changeChannelPattern(String namespace) {
        return RedisLayout.channelPattern(namespace);
    }

    /** One read of the log: events in log order, each with its stream id. */
    public record LogBatch(List<ChangeEvent> events, String lastStreamId, int entries, int malformed) {
        public LogBatch {
            events = List.copyOf(events);
        }
    }

    /** Up to {@code count} log entries after {@code afterStreamId} (exclusive; {@code "0-0"} for the start). */
    public CompletableFuture<LogBatch> readLog(String afterStreamId, int count) {
        return translated(log.after(afterStreamId, count)
                .thenApply(b -> new LogBatch(b.events(), b.lastId(), b.entries(), b.malformed())));
    }

    /**
     * Starts a set of log reads of many sections that go to Redis together ({@link LogReads}).
     *
     * @param redisson the client the sections' stores were opened with
     */
    public static LogReads logReads(RedissonClient redisson) {
        return new LogReads(Objects.requireNonNull(redisson, "redisson"));
    }

    /**
     * Log reads ({@link #readLog}, {@link #logInfo}) of any number of sections, queued and then sent
     * together by {@link #send()}: one pipeline per Redis server (on a cluster, each master gets its
     * sections' commands in one write and they answer in parallel), so reading a thousand sections
     * costs about one round trip rather than a thousand. The commands of one server run in the order
     * they were queued, so a {@link #logInfo} queued after a {@link #readLog} of the same section
     * describes the log as it was after that read. Each future completes (or fails, with
     * {@link StoreUnavailableException} when Redis cannot be reached) on its own: one command's failure
     * does not fail the others.
     *
     * <p>Not thread-safe: queue and send on one thread. The futures complete on Redisson threads.
     */
    public static final class LogReads {

        private final RBatch batch;
        private boolean sent;
        private int queued;

        private LogReads(RedissonClient redisson) {
            this.batch = redisson.createBatch(BatchOptions.defaults());
        }

        /** Queues {@link SectionStore#readLog}. @throws IllegalStateException once sent */
        public CompletableFuture<LogBatch> readLog(SectionStore store, String afterStreamId, int count) {
            requireOpen();
            queued++;
            return translated(store.log.after(batch, afterStreamId, count)
                    .thenApply(b -> new LogBatch(b.events(), b.lastId(), b.entries(), b.malformed())));
        }

        /** Queues {@link SectionStore#logInfo}. @throws IllegalStateException once sent */
        public CompletableFuture<LogInfo> logInfo(SectionStore store) {
            requireOpen();
            queued++;
            return translated(store.log.info(batch).thenApply(i -> new LogInfo(i.lastGeneratedId(), i.entriesAdded(), i.length(),
                    i.firstEntryId(), i.maxDeletedEntryId())));
        }

        /** How many reads are queued. */
        public int size() {
            return queued;
        }

        /** Sends the queued reads (nothing when none is queued). @throws IllegalStateException if sent already */
        public void send() {
            requireOpen();
            sent = true;
            if (queued > 0) {
                // Each queued future reports its own command's outcome; the batch's own result adds nothing.
                batch.executeAsync();
            }
        }

        private void requireOpen() {
            if (sent) {
                throw new IllegalStateException("these log reads were sent already");
            }
        }
    }

    /**
     * Completes with true as soon as the log has an entry after {@code afterStreamId}, or with
     * false once {@code timeout} (at least a millisecond) has passed: a blocking {@code XREAD},
     * so a reader that has caught up wakes when the next change is committed instead of polling.
     * The wait holds one of the client's connections.
     */
    public CompletableFuture<Boolean> awaitLog(String afterStreamId, Duration timeout) {
        Objects.requireNonNull(afterStreamId, "afterStreamId");
        Objects.requireNonNull(timeout, "timeout");
        return translated(log.awaitAfter(afterStreamId, timeout));
    }

    /** The stream id of the newest log entry, or {@code "0-0"} when the log is empty. */
    public CompletableFuture<String> logHead() {
        return translated(log.head());
    }

    /**
     * Whether entries after {@code streamId} may have been trimmed from the log (what was after it
     * may be gone), for a reader that does not know how many entries the log had received up to
     * {@code streamId}; {@link #logInfo()} and {@link LogInfo#lostAfter} answer exactly for one
     * that does.
     */
    public CompletableFuture<Boolean> logTrimmedPast(String streamId) {
        return translated(log.trimmedPast(streamId));
    }

    /**
     * The log's counters, read in one {@code XINFO STREAM} (so they agree with each other).
     *
     * @param lastGeneratedId the id of the newest entry ever added, {@code "0-0"} if none; a reader
     *        that starts here with {@code entriesAdded} as its count sees exactly the later entries
     * @param entriesAdded how many entries were ever added
     * @param length how many are left
     * @param firstEntryId the oldest entry left, or null
     * @param maxDeletedEntryId the newest entry removed by {@code XDEL}, {@code "0-0"} if none
     */
    public record LogInfo(String lastGeneratedId, long entriesAdded, long length, String firstEntryId, String maxDeletedEntryId) {

        /**
         * Whether entries added after {@code streamId} were removed, for a reader whose last
         * consumed entry is {@code streamId} and which knows that the log had received
         * {@code entriesThrough} entries up to and including it ({@code -1} if it does not: then any
         * removed entry counts as a possible loss once {@code streamId} itself is gone). A reader
         * keeps the count by adding the number of entries of each read that found no loss.
         */
        public boolean lostAfter(String streamId, long entriesThrough) {
            return new SectionLog.Info(lastGeneratedId, entriesAdded, length, firstEntryId, maxDeletedEntryId)
                    .lostAfter(streamId, entriesThrough);
        }
    }

    /** The log's {@link LogInfo} (all zero, {@code "0-0"} ids, for a log that does not exist yet). */
    public CompletableFuture<LogInfo> logInfo() {
        return translated(log.info().thenApply(i -> new LogInfo(i.lastGeneratedId(), i.entriesAdded(), i.length(),
                i.firstEntryId(), i.maxDeletedEntryId())));
    }

    /**
     * This region's lineage of the section (docs/regions.md, "Identity"): a random id the section gets
     * with its first change made in this region, so that this region's replica is
     * {@code region~lineage}. Empty while no change was made here (changes taken in from other regions
     * do not create one), and after the region lost the section's data until its next change, which
     * starts a new lineage. The future fails with {@link StoreUnavailableException} when Redis cannot be
     * reached.
     */
    public CompletableFuture<Optional<String>> lineage() {
        return redisson.<String>getBucket(layout.lineageKey(), StringCodec.INSTANCE).getAsync().toCompletableFuture()
                .thenApply(Optional::ofNullable)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /**
     * The ids of every document of the section, live or deleted, found with {@code SCAN} on the
     * store's scan executor. The future fails with {@link StoreUnavailableException} when Redis
     * cannot be reached.
     */
    public CompletableFuture<List<String>> ids() {
        return SectionScans.scan(() -> {
            List<String> ids = new ArrayList<>();
            // The prefix has no glob characters: namespace, partition and section are short names.
            for (String key : storeKeys()) {
                ids.add(layout.idOf(key));
            }
            return ids;
        }, scanExecutor);
    }

    private Iterable<String> storeKeys() {
        return redisson.getKeys().getKeys(KeysScanOptions.defaults().pattern(layout.documentKeyPrefix() + "*").chunkSize(500));
    }

    /**
     * The document's current state as an explicit snapshot event ({@code op} {@code SNAPSHOT},
     * previous version 0), a delete event for a deleted document, or empty if it was never written.
     * The event carries the document's whole merge state (clock and stamps, with this region's
     * lineage), so another region can join it with its own copy ({@link #apply}).
     * The future fails with {@link CorruptDocumentException} if a member is not JSON.
     */
    public CompletableFuture<Optional<ChangeEvent>> snapshot(String documentId) {
        DataKey key = DataKey.of(id.partition(), id.section(), documentId);
        return translated(store.loadForMerge(documentId).thenApply(load -> {
            StoredDocument stored = load.document();
            ChangeEvent event = Snapshots.of(key, layout.documentKey(documentId), stored,
                    "snapshot-" + stored.epoch() + "-" + stored.version(), 0);
            MergeState state = load.state();
            if (event == null || state.clock().isEmpty() || state.clock().sum() != stored.version()) {
                // Written before regions support: a plain snapshot, without the merge state.
                return Optional.ofNullable(event);
            }
            return Optional.of(event.withClock(load.lineage(), state.clock()).withStamps(state.stamps()));
        }));
    }

    /**
     * Asks the other regions for their copies of a document, or of the whole section when
     * {@code id} is null: appends a {@link RepairRequest} to this region's request stream, which
     * this region's source exports (docs/regions.md, "Repair").
     *
     * @param id the document, or null for the whole section
     * @param region this region
     * @param have this copy's clock of the document, or null
     * @return the request, with its stream id
     */
    public CompletableFuture<RepairRequest> requestRepair(String id, String region, VersionVector have) {
        if (id != null) {
            DataKey.of(this.id.partition(), this.id.section(), id); // validates the id
        }
        RepairRequest request = new RepairRequest(this.id, id, region, have, Instant.now(), null);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("p", this.id.partition());
        fields.put("s", this.id.section());
        fields.put("r", region);
        if (id != null) {
            fields.put("i", id);
        }
        if (have != null) {
            fields.put("c", have.toJson());
        }
        fields.put("t", Long.toString(request.time().toEpochMilli()));
        RStream<String, String> stream = redisson.getStream(RedisLayout.repairsKey(namespace), StringCodec.INSTANCE);
        return stream.addAsync(StreamAddArgs.entries(fields)).toCompletableFuture()
                .thenApply(streamId -> new RepairRequest(this.id, id, region, have, request.time(), streamId.toString()))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /** One read of a region's repair requests: the requests, and the id of the last entry read (skipped ones included). */
    public record RepairBatch(List<RepairRequest> requests, String lastStreamId) {
        public RepairBatch {
            requests = List.copyOf(requests);
        }
    }

    /**
     * Up to {@code count} entries of {@code namespace}'s repair requests after {@code afterStreamId}
     * ({@code "0-0"} for the start), as this region's sinks wrote them; an entry that is not a request
     * is skipped and logged.
     */
    public static CompletableFuture<RepairBatch> readRepairRequests(RedissonClient redisson, String namespace,
                                                                   String afterStreamId, int count) {
        RStream<String, String> stream = redisson.getStream(RedisLayout.repairsKey(namespace), StringCodec.INSTANCE);
        return stream.rangeAsync(StreamRangeArgs.startIdExclusive(streamId(afterStreamId)).endId(StreamMessageId.MAX).count(count))
                .toCompletableFuture()
                .thenApply(entries -> {
                    List<RepairRequest> requests = new ArrayList<>(entries.size());
                    String[] last = {afterStreamId};
                    entries.forEach((streamId, fields) -> {
                        last[0] = streamId.toString();
                        try {
                            String clock = fields.get("c");
                            requests.add(new RepairRequest(new SectionId(fields.get("p"), fields.get("s")), fields.get("i"),
                                    fields.get("r"), clock == null ? null : VersionVector.parseJson(clock),
                                    Instant.ofEpochMilli(Long.parseLong(fields.get("t"))), streamId.toString()));
                        } catch (RuntimeException e) {
                            LOGGER.warn("{}: skipping entry {}: not a repair request ({})", RedisLayout.repairsKey(namespace), streamId,
                                    e.toString());
                        }
                    });
                    return new RepairBatch(requests, last[0]);
                })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /**
     * Answers another region's repair request: appends a snapshot of the document, as stored now and
     * with its whole merge state, to the section log, marked as sent by {@code as} (this region, so
     * that this region's source exports it), without publishing it. Empty when the document was never
     * written here, or has no merge state (written before regions support).
     */
    public CompletableFuture<Optional<ChangeEvent>> announceSnapshot(String documentId, Origin as) {
        Objects.requireNonNull(as, "as");
        return snapshot(documentId).thenCompose(found -> {
            if (found.isEmpty() || found.get().stamps() == null) {
                return CompletableFuture.completedFuture(Optional.<ChangeEvent>empty());
            }
            ChangeEvent e = found.get();
            ChangeEvent answer = new ChangeEvent("repair-" + e.epoch() + "-" + e.version() + "-" + System.nanoTime(), e.key(),
                    e.op(), e.version(), e.prevVersion(), e.epoch(), e.time(), as, e.patch(), e.state(), null, e.lineage(),
                    e.clock(), e.stamps(), null);
            return translated(log.append(answer).thenApply(streamId -> Optional.of(answer.withStreamId(streamId))));
        });
    }

    /**
     * Records that this region answered {@code region}'s request for the whole section, made at
     * {@code askedAt} (epoch ms): a change of that region made before the request may reach this
     * region only after the answer, and is then answered again (see {@link #sectionAnswers}). Kept
     * in Redis, so a sink that restarts still knows. Keeps the latest time per region.
     *
     * @throws IllegalArgumentException if {@code region} is not a short name
     */
    public CompletableFuture<Void> recordSectionAnswer(String region, long askedAt) {
        Names.requireShortName("region", region);
        return translated(store.recordSectionAnswer(region, askedAt));
    }

    /**
     * The whole-section repair requests this region answered ({@link #recordSectionAnswer}): asking
     * region to the time (epoch ms) of its latest one. Empty when none was answered.
     */
    public CompletableFuture<Map<String, Long>> sectionAnswers() {
        return redisson.<String, String>getMap(layout.answeredKey(), StringCodec.INSTANCE).readAllMapAsync()
                .toCompletableFuture().thenApply(stored -> {
                    Map<String, Long> answers = new java.util.TreeMap<>();
                    stored.forEach((region, time) -> {
                        try {
                            answers.put(region, Long.parseLong(time));
                        } catch (NumberFormatException e) {
                            LOGGER.warn("section {}: ignoring the unreadable answered-request time '{}' of region {} in {}",
                                    id, time, region, layout.answeredKey());
                        }
                    });
                    return answers;
                })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /** How many notices a section's notice stream keeps (about). */
    public static final int NOTICES_KEPT = 1_000;

    /**
     * Tells the services of this region about something the region did with another region's
     * changes ({@link RegionNotice}): appends it to the section's capped notice stream and publishes
     * it on the section's notice channel, where every {@link DocumentManager} of the section reports
     * it to its {@link SyncListener}s. Completes when both are done.
     *
     * @throws IllegalArgumentException if the notice is about another section
     */
    public CompletableFuture<Void> notice(RegionNotice notice) {
        Objects.requireNonNull(notice, "notice");
        if (!notice.section().equals(id)) {
            throw new IllegalArgumentException("notice about " + notice.section() + " sent to section " + id);
        }
        String json = notice.toJson();
        RStream<String, String> stream = redisson.getStream(layout.noticesKey(), StringCodec.INSTANCE);
        CompletableFuture<StreamMessageId> added = stream.addAsync(StreamAddArgs.entry("n", json).trimNonStrict()
                .maxLen(NOTICES_KEPT).noLimit()).toCompletableFuture();
        boolean sharded = redisson.getConfig().isClusterConfig();
        CompletableFuture<Long> published = (sharded ? redisson.getShardedTopic(layout.noticesKey(), StringCodec.INSTANCE)
                : redisson.getTopic(layout.noticesKey(), StringCodec.INSTANCE)).publishAsync(json).toCompletableFuture();
        return CompletableFuture.allOf(added, published)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /**
     * The section's newest notices, up to {@code count} (the stream keeps about
     * {@value #NOTICES_KEPT}), oldest first; an entry that is not a notice is skipped and logged.
     */
    public CompletableFuture<List<RegionNotice>> recentNotices(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        RStream<String, String> stream = redisson.getStream(layout.noticesKey(), StringCodec.INSTANCE);
        return stream.rangeReversedAsync(count, StreamMessageId.MAX, StreamMessageId.MIN)
                .toCompletableFuture()
                .thenApply(entries -> {
                    List<RegionNotice> notices = new ArrayList<>(entries.size());
                    entries.forEach((streamId, fields) -> {
                        try {
                            notices.add(RegionNotice.parseJson(fields.get("n")));
                        } catch (RuntimeException e) {
                            LOGGER.warn("{}: skipping entry {}: not a region notice ({})", layout.noticesKey(), streamId,
                                    e.toString());
                        }
                    });
                    java.util.Collections.reverse(notices);
                    return notices;
                })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    private static StreamMessageId streamId(String id) {
        int dash = id.indexOf('-');
        return new StreamMessageId(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }

    /**
     * Takes in a change made elsewhere (another region, a replay), keeping its id, time, origin and
     * lineage, merged under the rules of docs/regions.md and committed with compare-and-set on the
     * stored version: see {@link ApplyOutcome}. An event that carries stamps (a snapshot of another
     * copy's whole merge state) is joined with the stored copy. The future fails with
     * {@link StoreUnavailableException} when Redis cannot be reached.
     *
     * @throws IllegalArgumentException if the event belongs to another section
     */
    public CompletableFuture<ApplyOutcome> apply(ChangeEvent event) {
        Objects.requireNonNull(event, "event");
        requireOwn(event);
        return translated(replicator.apply(event).thenApply(SectionStore::outcome));
    }

    private static ApplyOutcome outcome(Replicator.Outcome outcome) {
        if (outcome instanceof Replicator.Outcome.Applied applied) {
            return new ApplyOutcome.Applied(applied.version(), applied.streamId(), applied.conflicts(), applied.merged());
        }
        if (outcome instanceof Replicator.Outcome.Duplicate duplicate) {
            return new ApplyOutcome.Duplicate(duplicate.storedVersion());
        }
        if (outcome instanceof Replicator.Outcome.Missing missing) {
            return new ApplyOutcome.Missing(missing.needs(), missing.have());
        }
        Replicator.Outcome.Unappliable unappliable = (Replicator.Outcome.Unappliable) outcome;
        return new ApplyOutcome.Unappliable(unappliable.storedVersion(), unappliable.reason());
    }

    private void requireOwn(ChangeEvent event) {
        if (!event.key().partition().equals(id.partition()) || !event.key().section().equals(id.section())) {
            throw new IllegalArgumentException("event for " + event.key() + " applied to section " + id);
        }
    }

    /**
     * Starts a set of {@link #apply}s, of any sections of one client, that go to Redis in pipelined
     * rounds ({@link Applies}).
     *
     * @param redisson the client the sections' stores were opened with
     * @param maxDocuments how many documents one round reads and commits at most (at least 1)
     * @param roundTimeout how long one round's reads, or its commits, may take: past it, the documents
     *     still without a reply fail with {@link java.util.concurrent.TimeoutException}
     * @throws IllegalArgumentException if {@code maxDocuments} is below 1 or the timeout below 1 ms
     */
    public static Applies applies(RedissonClient redisson, int maxDocuments, Duration roundTimeout) {
        Objects.requireNonNull(redisson, "redisson");
        Objects.requireNonNull(roundTimeout, "roundTimeout");
        return new Applies(redisson, maxDocuments, roundTimeout.toMillis());
    }

    /**
     * Many {@link SectionStore#apply}s, queued and then sent together by {@link #send()}: the same
     * outcomes, with far fewer round trips. Each round reads, in one pipeline, every document of the
     * round whose state is not known yet (a document and its merge state in one script call), merges
     * each document's next events in memory (duplicates and events that must wait need no write), and
     * sends one commit per document in one pipeline; a document's next event then starts from the
     * state it committed, without reading it again. On a cluster each pipeline is split by node and
     * the nodes answer in parallel.
     *
     * <p>The guarantees of {@link SectionStore#apply} hold for each event: per document, events are
     * taken in in the order they were queued, each commit is checked against the stored version (a
     * document whose version moved under a local write is read again and merged again), a change is
     * never taken in twice. A document whose read or commit fails stops there: that event's future and
     * those of the document's later events fail with the same cause ({@link StoreUnavailableException},
     * {@link CorruptDocumentException}, or a {@link java.util.concurrent.TimeoutException}), and the
     * later ones were not attempted. Other documents go on.
     *
     * <p>Not thread-safe: queue and send on one thread. The futures complete on Redisson threads.
     */
    public static final class Applies {

        private final RedissonClient redisson;
        private final ReplicationRounds rounds;
        private boolean sent;

        private Applies(RedissonClient redisson, int maxDocuments, long timeoutMillis) {
            this.redisson = redisson;
            this.rounds = new ReplicationRounds(redisson, maxDocuments, Math.max(1, timeoutMillis));
        }

        /**
         * Queues {@link SectionStore#apply}.
         *
         * @throws IllegalArgumentException if the event belongs to another section than {@code store}'s,
         *     or {@code store} was opened with another client
         * @throws IllegalStateException once sent
         */
        public CompletableFuture<ApplyOutcome> apply(SectionStore store, ChangeEvent event) {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(event, "event");
            if (sent) {
                throw new IllegalStateException("these applies were sent already");
            }
            if (store.redisson != redisson) {
                throw new IllegalArgumentException("section " + store.id + " was opened with another Redis client than these applies");
            }
            store.requireOwn(event);
            return rounds.add(store.replicator, event).thenApply(SectionStore::outcome);
        }

        /**
         * Sends the queued applies. The future completes (it never fails) once every queued apply's
         * future has completed.
         *
         * @throws IllegalStateException if sent already
         */
        public CompletableFuture<Void> send() {
            if (sent) {
                throw new IllegalStateException("these applies were sent already");
            }
            sent = true;
            return rounds.run();
        }
    }

    /** What {@link #apply} did. */
    public sealed interface ApplyOutcome {

        /**
         * Taken in and committed (logged and broadcast) as {@code version} at {@code streamId}.
         *
         * @param conflicts what concurrent changes the merge superseded (docs/regions.md); empty when none
         * @param merged true when the copy here had changes the event's region had not seen, so the event
         *     was merged rather than applied as it was made
         */
        record Applied(long version, String streamId, List<Conflict> conflicts, boolean merged) implements ApplyOutcome {
            public Applied {
                conflicts = List.copyOf(conflicts);
            }
        }

        /** The change is already taken in (a redelivery or a replay): nothing written. */
        record Duplicate(long storedVersion) implements ApplyOutcome {
        }

        /**
         * Changes the event depends on are not taken in here yet (one was lost on the way, or another
         * region's change has not arrived): nothing written. {@code needs} is the clock the event was made
         * on, {@code have} the stored one; taking in what is missing (or a snapshot) lets it apply.
         */
        record Missing(VersionVector needs, VersionVector have) implements ApplyOutcome {
        }

        /** The event cannot be taken in (it carries no clock, its patch does not fit its base...): nothing written. */
        record Unappliable(long storedVersion, String reason) implements ApplyOutcome {
        }
    }
}
