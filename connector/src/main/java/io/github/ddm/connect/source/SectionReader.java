package io.github.ddm.connect.source;

import io.github.ddm.CorruptDocumentException;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.ControlRecord;
import io.github.ddm.connect.source.DdmSourceConfig.ExportOrigins;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.WireForm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one section's change log for a source task and turns its events into source records.
 *
 * <p><b>Position.</b> {@code position} is the id of the last log entry consumed: exported, or
 * deliberately not exported (another region's change, a malformed entry, a version a snapshot
 * already covered). Every record carries its own entry's id as its offset, which also covers the
 * entries skipped before it. Entries skipped after the last exported record are only remembered in
 * memory: after a restart they are read and skipped again, which exports nothing twice.
 *
 * <p><b>Trimmed log.</b> After each non-empty read it asks whether the log lost entries after
 * {@code position} ({@link SectionStore.LogInfo#lostAfter}); asked after the read, a "no" proves the
 * batch follows {@code position} without a hole. The answer is exact because the reader keeps
 * {@code entriesThrough}, the number of entries the log had received up to {@code position}
 * (known from the start of the log, from the head it starts at, or learnt from {@code XINFO} the
 * first time it is caught up after resuming from a stored offset): so a reader whose own last entry
 * was trimmed, with nothing after it lost, goes on reading. Until the count is known, any trimmed
 * entry counts as a hole once {@code position} itself is gone. On a hole it reads the head (the
 * newest entry ever added, with its count, in one {@code XINFO}), then emits a snapshot of every
 * document in chunks of the batch size, and continues after that head. Until the last snapshot
 * record the records carry the old offset, so a restart in the middle starts the snapshot again (the
 * snapshot events are idempotent: each names its version); the last one carries the head. Log events
 * that a snapshot already covers (committed between the head and the end of the snapshot, with a
 * version not above the snapshot's) are not exported, so each key's versions stay increasing in Kafka.
 *
 * <p>The task reads its sections together ({@link SectionRounds}): it sends the reads and hands each
 * reader its own ({@link #start}, {@link #accept}); {@link #poll} does one section's whole step alone.
 *
 * <p>Confined to the task's poll thread. State changes only after every Redis call of a step
 * succeeded, so a failed step can simply be repeated.
 */
final class SectionReader {

    private static final Logger log = LoggerFactory.getLogger(SectionReader.class);

    static final String VERSION_HEADER = WireForm.VERSION_HEADER;
    static final String ORIGIN_HEADER = WireForm.ORIGIN_HEADER;

    /** Bound of one Redis round trip; a listing of a section's keys gets longer. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SCAN_TIMEOUT = Duration.ofMinutes(5);

    private final SectionId section;
    private final SectionStore store;
    private final String topic;
    private final String controlTopic;
    private final String namespace;
    private final Map<String, String> sourcePartition;
    private final String region;
    private final Origin exporter;
    private final ExportOrigins origins;
    private final DdmSourceConfig.StartPosition start;
    private final String storedOffset;
    private final long heartbeatNanos;
    /** When this section last produced a record (a change or a heartbeat). */
    private long lastRecordNanos = System.nanoTime();
    /** The section epoch of the last entry read; a different one means this region lost or rebuilt the section. */
    private String epoch;
    /** Whether entries were read (and skipped) after the last record's offset. */
    private boolean heartbeatDue;
    /** When an idle reader last checked that its log still holds what it read. */
    private long lastLogCheckNanos = System.nanoTime();

    /** The last log entry consumed; null until the start position is resolved. */
    private String position;
    /** How many entries the log had received up to and including {@code position}; -1 while unknown. */
    private long entriesThrough = -1;
    private Snapshot snapshot;
    /** Versions a finished snapshot emitted, until the log passes {@code coveredUntil}. */
    private Map<String, Long> covered;
    private String coveredUntil;

    private long exported;
    private long skippedOrigin;
    private long skippedCovered;

    SectionReader(SectionStore store, String namespace, String topic, String controlTopic, String region, ExportOrigins origins,
                  DdmSourceConfig.StartPosition start, SourceOffsets.Position stored, Duration heartbeatInterval) {
        this.section = store.section();
        this.store = store;
        this.topic = topic;
        this.controlTopic = controlTopic;
        this.namespace = namespace;
        this.sourcePartition = SourceOffsets.partition(namespace, section);
        this.region = region;
        this.exporter = Origin.of(region, EXPORTER_NODE);
        this.origins = origins;
        this.start = start;
        this.storedOffset = stored == null ? null : stored.streamId();
        this.epoch = stored == null ? null : stored.epoch();
        this.heartbeatNanos = heartbeatInterval.toNanos();
    }

    /** The node named as the origin of the snapshots a source exports. */
    static final String EXPORTER_NODE = "ddm-source";

    SectionId section() {
        return section;
    }

    /**
     * A wait for the log's next entry after the position ({@link SectionStore#awaitLog}), or null
     * when this section must be polled again right away (start not resolved, snapshot in progress).
     */
    CompletableFuture<Boolean> awaitNewEntry(Duration timeout) {
        return position == null || snapshot != null ? null : store.awaitLog(position, timeout);
    }

    /** The section's store. */
    SectionStore store() {
        return store;
    }

    /** Whether the start position is still to be resolved, from the log's info ({@link #start}). */
    boolean needsStart() {
        return position == null && snapshot == null;
    }

    /** Whether a snapshot is in progress: the next step is {@link #snapshotStep}, not a log read. */
    boolean inSnapshot() {
        return snapshot != null;
    }

    /** Where the next log read starts (exclusive), or null when the next step is not a log read. */
    String readPosition() {
        return snapshot != null ? null : position;
    }

    /** When this section last produced a record; the most recently active sections are watched first. */
    long lastRecordNanos() {
        return lastRecordNanos;
    }

    /**
     * Whether a log read that found nothing still needs the log's info read after it: while the
     * count of entries up to the position is unknown, and when the idle check that the log still holds
     * what was read ({@link #checkLogStillThere}) is due.
     */
    boolean wantsInfoWhenEmpty() {
        return entriesThrough < 0 || System.nanoTime() - lastLogCheckNanos >= heartbeatNanos;
    }

    /**
     * Adds up to {@code max} records to {@code out}, reading from Redis one call after another: the
     * whole step of one section. The task reads its sections together instead ({@link #start},
     * {@link #accept}); this serves a reader used alone.
     *
     * @return whether the section may have more to read right away
     * @throws io.github.ddm.StoreUnavailableException if Redis failed; nothing changed, retry later
     */
    boolean poll(List<SourceRecord> out, int max) throws InterruptedException {
        if (needsStart()) {
            start(logInfo());
        }
        if (snapshot != null) {
            return snapshotStep(out, max);
        }
        String after = position;
        SectionStore.LogBatch batch = RedisWait.await(store.readLog(after, max), CALL_TIMEOUT, "read the log of " + section);
        SectionStore.LogInfo info = batch.entries() > 0 || wantsInfoWhenEmpty() ? logInfo() : null;
        return accept(after, batch, info, out, max);
    }

    /**
     * Takes a read of the log after {@code after} (which must be the current {@link #readPosition()}),
     * and the log's info read after it on the same connection: null only for an empty read when
     * {@link #wantsInfoWhenEmpty()} said no. Asked after the read, an info that reports no loss proves
     * that the batch follows the position without a hole.
     *
     * @return whether the section may have more to read right away
     * @throws io.github.ddm.StoreUnavailableException if Redis failed while starting a snapshot; nothing changed
     * @throws IllegalStateException if the read does not start at the current position
     */
    boolean accept(String after, SectionStore.LogBatch batch, SectionStore.LogInfo info, List<SourceRecord> out, int max)
            throws InterruptedException {
        if (snapshot != null || !after.equals(position)) {
            throw new IllegalStateException(section + ": a log read after " + after + " does not continue at " + position);
        }
        if (batch.entries() == 0) {
            if (info == null) {
                heartbeatIfDue(out);
                return false;
            }
            if (entriesThrough < 0) {
                // Caught up: if nothing was added since, the log's count of added entries is the position's.
                if (info.lastGeneratedId().equals(position)) {
                    entriesThrough = info.entriesAdded();
                }
            } else if (System.nanoTime() - lastLogCheckNanos >= heartbeatNanos) {
                lastLogCheckNanos = System.nanoTime();
                checkLogStillThere(info, out);
            }
            heartbeatIfDue(out);
            return false;
        }
        if (info == null) {
            throw new IllegalArgumentException(section + ": a non-empty log read needs the log's info read after it");
        }
        if (info.lostAfter(after, entriesThrough)) {
            startSnapshot(after);
            return true;
        }
        entriesThrough = entriesThrough < 0 ? -1 : entriesThrough + batch.entries();
        List<SourceRecord> records = new ArrayList<>(batch.events().size());
        for (ChangeEvent event : batch.events()) {
            noteEpoch(event.epoch(), records, event.streamId());
            if (!isExported(event)) {
                skippedOrigin++;
            } else if (isCovered(event)) {
                skippedCovered++;
            } else {
                records.add(record(event, event.streamId()));
            }
        }
        position = batch.lastStreamId();
        if (records.isEmpty()) {
            // Nothing of this region's was in the batch: a heartbeat will carry the offset, so that a
            // restart does not read these entries again (and never reports them as a hole).
            heartbeatDue = true;
            heartbeatIfDue(records);
        } else {
            heartbeatDue = false;
            lastRecordNanos = System.nanoTime();
        }
        if (covered != null && SourceOffsets.compare(position, coveredUntil) >= 0) {
            covered = null;
            coveredUntil = null;
        }
        exported += records.size();
        out.addAll(records);
        if (log.isDebugEnabled()) {
            log.debug("{}: read {} log entries after {} up to {}: {} exported, {} malformed (totals: {} exported, {} of other "
                    + "regions skipped, {} covered by a snapshot)", section, batch.entries(), after, position, records.size(),
                    batch.malformed(), exported, skippedOrigin, skippedCovered);
        }
        return batch.entries() >= max;
    }

    private SectionStore.LogInfo logInfo() throws InterruptedException {
        return RedisWait.await(store.logInfo(), CALL_TIMEOUT, "describe the log of " + section);
    }

    /**
     * Resolves where the reader starts ({@link #needsStart()}), given the log's info read now: after
     * the stored offset, at the log's head, or at its start; with a snapshot first if the log lost
     * entries there.
     *
     * @throws io.github.ddm.StoreUnavailableException if Redis failed while starting a snapshot; nothing changed
     */
    void start(SectionStore.LogInfo info) throws InterruptedException {
        if (!needsStart()) {
            return;
        }
        if (storedOffset != null) {
            if (info.lostAfter(storedOffset, -1)) {
                startSnapshot(storedOffset);
            } else if (info.lastGeneratedId().equals(storedOffset)) {
                entriesThrough = info.entriesAdded();
            }
            if (snapshot == null) {
                position = storedOffset;
            }
            log.info("{}: resuming after log entry {} (stored offset)", section, storedOffset);
        } else if (start == DdmSourceConfig.StartPosition.LATEST) {
            position = info.lastGeneratedId();
            entriesThrough = info.entriesAdded();
            log.info("{}: no stored offset; starting at the log head {} (only later changes are exported)", section, position);
        } else {
            if (info.lostAfter(SourceOffsets.LOG_START, 0)) {
                startSnapshot(SourceOffsets.LOG_START);
            } else {
                position = SourceOffsets.LOG_START;
                entriesThrough = 0;
            }
            log.info("{}: no stored offset; starting at the start of the log{}", section,
                    snapshot == null ? "" : ", with a snapshot since the log was trimmed");
        }
    }

    /** Starts a snapshot because the log lost entries after {@code lostAfter} (a hole, unless that is the log's start). */
    private void startSnapshot(String lostAfter) throws InterruptedException {
        boolean hole = !lostAfter.equals(SourceOffsets.LOG_START);
        long started = System.nanoTime();
        // The newest entry ever added and the count up to it, from one XINFO: the log continues exactly after them.
        SectionStore.LogInfo info = logInfo();
        String head = info.lastGeneratedId();
        List<String> ids = RedisWait.await(store.ids(), SCAN_TIMEOUT, "list the documents of " + section);
        if (hole) {
            String first = info.firstEntryId();
            // XINFO counts every entry ever added; those missing were trimmed, the hole among them.
            long dropped = info.entriesAdded() - info.length();
            log.warn("{}: the section log {} was trimmed past this source's offset {} (added at {}): the entries between it "
                    + "and {} are gone from Redis, about {} of history and at most {} entries (as many as the log has dropped in all). "
                    + "Emitting snapshot events (op 's') for the section's {} document(s), then continuing after the log head "
                    + "{}. Consumers get each document's latest state instead of the versions in the hole; give the log more "
                    + "room (logMaxLength) or the connector more capacity.",
                    section, store.logKey(), lostAfter, instantOf(lostAfter),
                    first == null ? "the head" : "the oldest entry left, " + first + " (added at " + instantOf(first) + ")",
                    first == null ? "an unknown amount" : Duration.ofMillis(Math.max(0,
                            SourceOffsets.millis(first) - SourceOffsets.millis(lostAfter))),
                    dropped, ids.size(), head);
        } else {
            log.info("{}: the log no longer reaches back to its start; emitting snapshot events for the section's {} "
                    + "document(s) first, then continuing from the log head {}", section, ids.size(), head);
        }
        snapshot = new Snapshot(ids, head, info.entriesAdded(), lostAfter, started);
        position = lostAfter;
    }

    /**
     * Emits the next chunk of a snapshot in progress ({@link #inSnapshot()}).
     *
     * @return true (a snapshot step always leaves more to do right away)
     * @throws io.github.ddm.StoreUnavailableException if Redis failed; nothing changed, retry later
     */
    boolean snapshotStep(List<SourceRecord> out, int max) throws InterruptedException {
        Snapshot s = snapshot;
        List<String> chunk = s.ids.subList(s.next, Math.min(s.ids.size(), s.next + max));
        List<CompletableFuture<Optional<ChangeEvent>>> reads = new ArrayList<>(chunk.size());
        for (String id : chunk) {
            reads.add(store.snapshot(id));
        }
        List<ChangeEvent> events = new ArrayList<>(chunk.size());
        int corrupt = 0;
        for (int i = 0; i < reads.size(); i++) {
            try {
                RedisWait.await(reads.get(i), CALL_TIMEOUT, "read a document of " + section).ifPresent(events::add);
            } catch (CorruptDocumentException e) {
                corrupt++;
                log.error("{}: document {} cannot be read, so no snapshot of it is exported: {}", section, chunk.get(i),
                        e.getMessage(), e);
            }
        }
        boolean last = s.next + chunk.size() >= s.ids.size();
        String coveredHead = last ? logInfo().lastGeneratedId() : null;

        List<SourceRecord> records = new ArrayList<>(events.size());
        for (ChangeEvent event : events) {
            s.versions.put(event.key().id(), event.version());
            noteEpoch(event.epoch(), records, s.offsetDuring);
            // A snapshot hands over this region's whole copy (its merge state included): it is sent
            // as this region's, whoever made the last change.
            records.add(record(asExporter(event), s.offsetDuring));
        }
        s.next += chunk.size();
        s.emitted += records.size();
        s.corrupt += corrupt;
        if (last) {
            if (!records.isEmpty()) {
                // The last record moves the offset past the snapshot; until it is committed, a restart snapshots again.
                SourceRecord tail = records.remove(records.size() - 1);
                records.add(new SourceRecord(tail.sourcePartition(), SourceOffsets.offset(s.resumeAfter, epoch), tail.topic(),
                        tail.kafkaPartition(), tail.keySchema(), tail.key(), tail.valueSchema(), tail.value(),
                        tail.timestamp(), tail.headers()));
            }
            position = s.resumeAfter;
            entriesThrough = s.resumeCount;
            if (SourceOffsets.compare(coveredHead, s.resumeAfter) > 0) {
                covered = s.versions;
                coveredUntil = coveredHead;
            }
            snapshot = null;
            log.info("{}: snapshot done: {} snapshot event(s) exported for {} document(s) ({} never written, {} unreadable) "
                    + "in {} ms; continuing after log entry {}", section, s.emitted, s.ids.size(),
                    s.ids.size() - s.emitted - s.corrupt, s.corrupt, (System.nanoTime() - s.started) / 1_000_000, position);
        }
        exported += records.size();
        out.addAll(records);
        if (!records.isEmpty()) {
            lastRecordNanos = System.nanoTime();
        }
        return true;
    }

    /**
     * While idle: whether the log still holds what this reader read. A log whose newest entry ever
     * added is before the position, or that has had fewer entries than the reader counted, was lost
     * with the section's data (a flush, a failover to an empty replica): the source asks the other
     * regions for the whole section and starts the new log from its beginning.
     */
    private void checkLogStillThere(SectionStore.LogInfo info, List<SourceRecord> out) {
        if (position.equals(SourceOffsets.LOG_START)) {
            return;
        }
        if (SourceOffsets.compare(info.lastGeneratedId(), position) >= 0 && info.entriesAdded() >= entriesThrough) {
            return;
        }
        log.warn("{}: the section log {} no longer holds what this source read (it had {} entries up to {}; now {} up to {}): this "
                + "region lost the section's data; asking the other regions for their copies of the whole section",
                section, store.logKey(), entriesThrough, position, info.entriesAdded(), info.lastGeneratedId());
        position = SourceOffsets.LOG_START;
        entriesThrough = 0;
        epoch = null;
        out.add(control(ControlRecord.repair(region, namespace, section, null, null, System.currentTimeMillis()), position));
        lastRecordNanos = System.nanoTime();
    }

    /**
     * Notes the section epoch of an entry read. A different epoch than the last one means this
     * region's Redis lost the section's data (or it was rebuilt): the source asks the other regions
     * for their copies of the whole section, so this region gets back what it lost (docs/regions.md,
     * "Region data loss").
     */
    private void noteEpoch(String seen, List<SourceRecord> records, String offset) {
        if (seen == null || seen.equals(epoch)) {
            return;
        }
        String previous = epoch;
        epoch = seen;
        if (previous != null) {
            log.warn("{}: the section's epoch changed from {} to {}: this region lost (or rebuilt) the section's data; asking the "
                    + "other regions for their copies of the whole section", section, previous, seen);
            ControlRecord repair = ControlRecord.repair(region, namespace, section, null, null, System.currentTimeMillis());
            records.add(control(repair, offset));
        }
    }

    /** Adds a heartbeat if entries were read past the last record and the interval has passed since that record. */
    private void heartbeatIfDue(List<SourceRecord> out) {
        if (heartbeatDue && System.nanoTime() - lastRecordNanos >= heartbeatNanos) {
            out.add(heartbeat(position));
            heartbeatDue = false;
            lastRecordNanos = System.nanoTime();
        }
    }

    private SourceRecord heartbeat(String streamId) {
        return control(ControlRecord.heartbeat(region, namespace, section, streamId, System.currentTimeMillis()), streamId);
    }

    private SourceRecord control(ControlRecord record, String offset) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(ControlRecord.HEADER, record.kind().wireName());
        headers.addString(ORIGIN_HEADER, exporter.toString());
        return new SourceRecord(sourcePartition, SourceOffsets.offset(offset, epoch), controlTopic, null,
                ChangeEventData.KEY_SCHEMA, record.key(), ControlRecord.SCHEMA, record.toStruct(), record.time(), headers);
    }

    private ChangeEvent asExporter(ChangeEvent e) {
        return new ChangeEvent(e.eventId(), e.key(), e.op(), e.version(), e.prevVersion(), e.epoch(), e.time(), exporter,
                e.patch(), e.state(), e.streamId(), e.lineage(), e.clock(), e.stamps(), e.conflicts());
    }

    private boolean isExported(ChangeEvent event) {
        return origins == ExportOrigins.ALL || event.origin().region().equals(region);
    }

    private boolean isCovered(ChangeEvent event) {
        if (covered == null) {
            return false;
        }
        Long version = covered.get(event.key().id());
        return version != null && event.version() <= version;
    }

    private SourceRecord record(ChangeEvent event, String offset) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.addLong(VERSION_HEADER, event.version());
        headers.addString(ORIGIN_HEADER, event.origin().toString());
        // The record's time is the change's, but never ahead of this worker's clock: a change stamped by
        // a writer whose clock runs fast would otherwise hold a log segment "in the future" at the broker
        // (kept past retention, and rejected past log.message.timestamp.after.max.ms).
        long time = Math.min(event.time().toEpochMilli(), System.currentTimeMillis());
        return new SourceRecord(sourcePartition, SourceOffsets.offset(offset, epoch), topic, null,
                ChangeEventData.KEY_SCHEMA, ChangeEventData.key(event),
                ChangeEventData.VALUE_SCHEMA, ChangeEventData.toStruct(event),
                time, headers);
    }

    private static Instant instantOf(String streamId) {
        return Instant.ofEpochMilli(SourceOffsets.millis(streamId));
    }

    /** A snapshot in progress. */
    private static final class Snapshot {
        final List<String> ids;
        final String resumeAfter;
        final long resumeCount;
        final String offsetDuring;
        final long started;
        final Map<String, Long> versions = new HashMap<>();
        int next;
        long emitted;
        long corrupt;

        Snapshot(List<String> ids, String resumeAfter, long resumeCount, String offsetDuring, long started) {
            this.ids = List.copyOf(ids);
            this.resumeAfter = resumeAfter;
            this.resumeCount = resumeCount;
            this.offsetDuring = offsetDuring;
            this.started = started;
        }
    }
}
