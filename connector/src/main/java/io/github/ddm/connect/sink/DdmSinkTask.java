package io.github.ddm.connect.sink;

import io.github.ddm.CorruptDocumentException;
import io.github.ddm.SectionId;
import io.github.ddm.RegionNotice;
import io.github.ddm.SectionStore;
import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.ControlRecord;
import io.github.ddm.connect.DdmConnectorVersion;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.RecordDecoder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes DDM change events from Kafka into this region's Redis, through core's {@link SectionStore}
 * (the same commit script as local writes, under the merge rules of docs/regions.md), so every
 * applied event is also logged and broadcast to the services of this region.
 *
 * <p>For each record, in {@link #put}:
 * <ul>
 *   <li>a control record of another region ({@link ControlRecord}): a repair request is answered
 *       with snapshots of this region's copies ({@link RepairAnswers}); a heartbeat is ignored;</li>
 *   <li>a value that is neither a valid change event nor a control record, and an event that cannot
 *       be taken in (no clock, a patch that does not fit its base) are handed to the errant-record
 *       reporter with the reason, and counted; without a reporter the task fails with a
 *       {@link DataException} naming the record, so nothing is dropped silently;</li>
 *   <li>events from a skipped origin region (see {@link DdmSinkConfig}) are counted, logged and left out;</li>
 *   <li>an event whose document lacks a change it depends on <b>waits</b>: it is tried again whenever
 *       the document changes (and at least every 500 ms), and once it has waited
 *       {@code sink.repair.after.ms} the sink asks the other regions for their copies of the document
 *       (a request its region's source exports), so it is taken in within seconds even if the change
 *       it waits for was lost. The offsets committed for its partition stay before it meanwhile;</li>
 *   <li>applied events (merged ones and the conflicts they resolved counted apart), duplicates (the
 *       change was already taken in) and new lineages of a region are counted and logged;</li>
 *   <li>when Redis is unavailable (unreachable, or no reply within {@code sink.apply.timeout.ms}), the
 *       batch is retried with {@link RetriableException} after {@code redis.retry.backoff.ms}; after
 *       {@code redis.retry.max.attempts} consecutive failed attempts the task fails with a
 *       {@link ConnectException} that says so.</li>
 * </ul>
 * Every write completes before {@code put} returns. Events of one key are applied in record order;
 * different keys overlap (up to {@code sink.apply.parallelism}), in pipelined rounds
 * ({@link KeyOrderedApplier}): one pipelined read of the keys whose state is not known and one
 * pipelined commit per key per round. When Connect redelivers a batch after
 * a retry, the records already handled in it are not handled again.
 *
 * <p>Connect calls {@code put}, {@code preCommit}, {@code open}, {@code close} and {@code stop} on the
 * task thread.
 */
public final class DdmSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(DdmSinkTask.class);
    private static final int MAX_CACHED_SECTIONS = 10_000;
    private static final long RETRY_WAITING_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int MAX_LOGGED_KEYS = 5;

    private DdmSinkConfig config;
    private ErrantRecordReporter reporter;
    private KeyOrderedApplier applier;
    private RedissonClient redisson;
    private RepairAnswers answers;
    private final SinkTaskCounters counters = new SinkTaskCounters();
    private final WaitingEvents waiting = new WaitingEvents();
    private SinkNotices notices;
    private final Map<SectionId, SectionStore> stores = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SectionId, SectionStore> eldest) {
            return size() > MAX_CACHED_SECTIONS;
        }
    };
    /**
     * Per section, per asking region, the time of its latest whole-section repair request answered
     * here: read from Redis ({@link SectionStore#sectionAnswers}) for the sections of each batch
     * before it is applied, so a task that restarted, or that did not answer the request itself
     * (another task of the connector read the control topic), still answers again for a change that
     * arrives after the answer.
     */
    private final Map<SectionId, Map<String, Long>> sectionAnswers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SectionId, Map<String, Long>> eldest) {
            return size() > MAX_CACHED_SECTIONS;
        }
    };
    /** The lineage each region last wrote each section under, to notice a region that started over. */
    private final Map<String, String> lineages = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_CACHED_SECTIONS;
        }
    };
    /** Records of the batch being retried that were already applied or reported. */
    private final Set<SinkItem.RecordId> handled = new HashSet<>();
    private int consecutiveFailures;
    private long startedNanos;
    private long lastWaitingRetry = System.nanoTime();
    private String name;

    @Override
    public String version() {
        return DdmConnectorVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        startedNanos = System.nanoTime();
        config = new DdmSinkConfig(props);
        name = config.connectorName() + "-" + config.taskIndex();
        notices = new SinkNotices(name);
        applier = new KeyOrderedApplier(config.applyParallelism(), config.applyTimeout());
        reporter = errantRecordReporter();
        counters.register(config.connectorName(), config.taskIndex());
        log.info("DDM sink task {} started: region {}, namespace {}, Redis {}, skipping origins {}, {} errant-record reporter",
                name, config.region(), config.namespace(), config.redisUri(), config.skippedOriginRegions(),
                reporter == null ? "no" : "with an");
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            // A worker older than Kafka 2.6 has no reporter; bad records then fail the task.
            return null;
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        long started = System.nanoTime();
        List<Decoded> decoded = new ArrayList<>(records.size());
        List<String> skippedKeys = new ArrayList<>();
        for (SinkRecord record : records) {
            SinkItem.RecordId id = SinkItem.RecordId.of(record);
            if (handled.contains(id)) {
                continue;
            }
            ControlRecord control = null;
            ChangeEvent event = null;
            try {
                RecordDecoder.Decoded value = ChangeEventData.read(record.value()); // decoded once, whatever it holds
                if (value instanceof RecordDecoder.Control wire) {
                    control = ControlRecord.of(wire);
                } else {
                    event = ((RecordDecoder.Change) value).event();
                }
            } catch (DataException e) {
                counters.malformed.incrementAndGet();
                report(record, id, e);
                handled.add(id);
                continue;
            }
            if (control != null) {
                onControl(control, record);
                handled.add(id);
                continue;
            }
            if (config.skipsOrigin(event.origin().region())) {
                counters.skipped.incrementAndGet();
                skippedKeys.add(event.key() + " v" + event.version());
                handled.add(id);
                continue;
            }
            decoded.add(new Decoded(record, id, event));
        }
        if (!skippedKeys.isEmpty()) {
            log.info("{}: skipped {} event(s) whose origin region is in {} (loop rule), e.g. {}", name, skippedKeys.size(),
                    config.skippedOriginRegions(), sample(skippedKeys));
        }
        if (!decoded.isEmpty() || !waiting.isEmpty()) {
            try {
                apply(decoded);
            } finally {
                notices.endBatch();
            }
        }
        consecutiveFailures = 0;
        handled.clear();
        if (!records.isEmpty()) {
            log.debug("{}: handled {} record(s) in {} ms ({})", name, records.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), counters);
        }
    }

    /** A record whose value is a change event to apply. */
    private record Decoded(SinkRecord record, SinkItem.RecordId id, ChangeEvent event) {
    }

    private void onControl(ControlRecord control, SinkRecord record) {
        counters.control.incrementAndGet();
        if (control.kind() != ControlRecord.Kind.REPAIR || control.region().equals(config.region())
                || !control.namespace().equals(config.namespace())) {
            return;
        }
        connect();
        log.info("{}: region {} asks for {} (its clock {}); answering with this region's copy", name, control.region(),
                control.key(), control.clock());
        if (control.id() == null) {
            // Recorded before the answer is queued, so the tasks of this region that take in that region's late changes
            // know of it (they read it before each batch).
            awaitRedis(storeOf(control.section()).recordSectionAnswer(control.region(), control.time()),
                    "recording a repair request");
        }
        answers.answer(control, new TopicPartition(record.topic(), record.kafkaPartition()), record.kafkaOffset());
    }

    /**
     * Reads, for each section of {@code items} and of the events waiting, the whole-section repair
     * requests answered here, before anything is applied (a failure retries the batch).
     */
    private void loadSectionAnswers(List<SinkItem> items) {
        Map<SectionId, SectionStore> sections = new LinkedHashMap<>();
        for (SinkItem item : items) {
            sections.putIfAbsent(item.store.section(), item.store);
        }
        for (SectionId section : waiting.sections()) {
            sections.computeIfAbsent(section, this::storeOf);
        }
        Map<SectionId, java.util.concurrent.CompletableFuture<Map<String, Long>>> reads = new LinkedHashMap<>();
        sections.forEach((section, store) -> reads.put(section, store.sectionAnswers()));
        reads.forEach((section, read) -> sectionAnswers.put(section, awaitRedis(read, "reading " + section
                + "'s answered repair requests")));
    }

    /**
     * Waits up to {@code sink.apply.timeout.ms} for a Redis call made on the task thread; when Redis
     * is unavailable, throws what {@link #unavailable} says (the batch is retried).
     */
    private <T> T awaitRedis(java.util.concurrent.CompletableFuture<T> call, String what) {
        try {
            return call.get(config.applyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while " + what, e);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw unavailable(e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e, false);
        }
    }

    /**
     * A change of a region that asked for a whole section (it lost its data), made before it asked
     * but taken in here only now: the region may have lost it too, and the answer went out without
     * it. Answer again for its document, so the region gets it back.
     */
    private void answerAgainIfLost(ChangeEvent event) {
        SectionId section = new SectionId(event.key().partition(), event.key().section());
        Map<String, Long> answered = sectionAnswers.get(section);
        Long askedAt = answered == null ? null : answered.get(event.origin().region());
        if (askedAt != null && event.time().toEpochMilli() <= askedAt) {
            log.info("{}: {} v{} from {} was made before {} asked for the whole section, and arrived after the answer;"
                    + " answering again for it", name, event.key(), event.version(), event.origin().region(),
                    event.origin().region());
            answers.answer(ControlRecord.repair(event.origin().region(), config.namespace(), section, event.key().id(), null,
                    System.currentTimeMillis()), null, -1);
        }
    }

    /** Counts and logs a region that writes a section under a new lineage: it lost its data and started over. */
    private void noteLineage(ChangeEvent event, SectionStore store) {
        if (event.lineage() == null) {
            return;
        }
        String key = event.key().partition() + "/" + event.key().section() + "@" + event.origin().region();
        String previous = lineages.put(key, event.lineage());
        if (previous != null && !previous.equals(event.lineage())) {
            counters.lineageChanges.incrementAndGet();
            log.info("{}: region {} writes section {}/{} under a new lineage {} (was {}): it lost its data and started over; "
                    + "its changes are merged as those of a new writer (first seen on key {})", name, event.origin().region(),
                    event.key().partition(), event.key().section(), event.lineage(), previous, event.key());
            notices.send(store, RegionNotice.Kind.LINEAGE_CHANGED, event, false, "region " + event.origin().region()
                    + " writes under a new lineage " + event.lineage() + " (was " + previous + "): it lost its data and started over");
        }
    }

    private void apply(List<Decoded> decoded) {
        connect();
        List<SinkItem> items = new ArrayList<>(decoded.size());
        for (Decoded d : decoded) {
            SectionStore store = storeFor(d.event());
            noteLineage(d.event(), store);
            items.add(new SinkItem(d.record(), d.id(), d.event(), store));
        }
        loadSectionAnswers(items);
        // Waiting events go first: a new event of the same key may depend on them.
        long now = System.nanoTime();
        boolean retryAll = now - lastWaitingRetry >= RETRY_WAITING_NANOS;
        List<WaitingEvents.Waiting> retried = retryAll ? waiting.takeAll()
                : waiting.take(items.stream().map(i -> i.event.key()).distinct().toList());
        if (retryAll) {
            lastWaitingRetry = now;
        }
        List<SinkItem> round = new ArrayList<>(retried.size() + items.size());
        Map<SinkItem, Long> since = new java.util.IdentityHashMap<>();
        for (WaitingEvents.Waiting w : retried) {
            round.add(w.item());
            since.put(w.item(), w.since());
        }
        round.addAll(items);
        Throwable unavailable = null;
        boolean progressed = false;
        List<String> duplicateKeys = new ArrayList<>();
        while (!round.isEmpty()) {
            applier.applyAll(redisson, round);
            Set<io.github.ddm.schema.DataKey> changed = new HashSet<>();
            List<SinkItem> stillWaiting = new ArrayList<>();
            for (SinkItem item : round) {
                ApplyOutcome outcome = item.outcome();
                Throwable failure = item.failure();
                if (outcome instanceof ApplyOutcome.Missing) {
                    stillWaiting.add(item);
                    handled.add(item.id);
                } else if (outcome != null) {
                    progressed = true;
                    handle(item, outcome, duplicateKeys);
                    handled.add(item.id);
                    if (outcome instanceof ApplyOutcome.Applied) {
                        changed.add(item.event.key());
                    }
                } else if (failure != null && !isUnavailable(failure)) {
                    if (failure instanceof CorruptDocumentException) {
                        counters.unappliable.incrementAndGet();
                        notices.send(item.store, RegionNotice.Kind.SKIPPED, item.event, true, "v" + item.event.version()
                                + " not taken in: the stored document cannot be read (" + failure.getMessage() + ")");
                        report(item.record, item.id, new DataException("unappliable: the stored document cannot be read: "
                                + failure.getMessage() + " (key " + item.event.key() + ", event " + item.event.prevVersion()
                                + "->" + item.event.version() + ")", failure));
                        handled.add(item.id);
                    } else {
                        throw new ConnectException("unexpected failure applying " + item.describe() + ": " + failure, failure);
                    }
                } else {
                    if (failure != null) {
                        unavailable = unavailable == null ? failure : unavailable;
                    }
                    // Failed because Redis is unavailable, or not attempted behind such a failure of its key: Connect
                    // delivers a new event again after the backoff; one that was waiting keeps waiting.
                    if (since.containsKey(item)) {
                        waiting.putBack(List.of(new WaitingEvents.Waiting(item, since.get(item))));
                    }
                }
            }
            // What still waits is tried once more right away if its document changed in this round.
            round = new ArrayList<>();
            for (SinkItem item : stillWaiting) {
                if (changed.contains(item.event.key())) {
                    round.add(item);
                } else {
                    Long waitingSince = since.get(item);
                    park(item, waitingSince == null ? now : waitingSince, waitingSince == null);
                }
            }
        }
        if (!duplicateKeys.isEmpty()) {
            log.info("{}: {} event(s) already taken in (redeliveries or replays), e.g. {}", name, duplicateKeys.size(),
                    sample(duplicateKeys));
        }
        requestRepairs(now);
        counters.waiting.set(waiting.size());
        if (unavailable != null) {
            throw unavailable(unavailable, progressed);
        }
    }

    /** Keeps an event waiting for the changes it depends on; when too many wait, the longest-waiting goes to the reporter. */
    private void park(SinkItem item, long since, boolean first) {
        if (first) {
            counters.waited.incrementAndGet();
            ChangeEvent event = item.event;
            log.debug("{}: {} v{} from {} waits for changes of its document it depends on ({})", name, event.key(),
                    event.version(), event.origin().region(), item.outcome());
        }
        waiting.add(item, since);
        while (waiting.size() > config.waitMaxEvents()) {
            WaitingEvents.Waiting oldest = waiting.evictOldest();
            counters.timedOut.incrementAndGet();
            notices.send(oldest.item().store, RegionNotice.Kind.SKIPPED, oldest.item().event, true, "v"
                    + oldest.item().event.version() + " not taken in: it waited too long for changes it depends on");
            report(oldest.item().record, oldest.item().id, new DataException("waited out: " + config.waitMaxEvents()
                    + " events wait for changes they depend on (" + DdmSinkConfig.WAIT_MAX_EVENTS_CONFIG + "); key "
                    + oldest.item().event.key() + " still misses changes of its document, whose repair was requested"));
        }
    }

    /** Asks the other regions for the documents whose events have waited long enough. */
    private void requestRepairs(long now) {
        if (waiting.isEmpty()) {
            return;
        }
        for (WaitingEvents.Waiting w : waiting.dueForRepair(now, config.repairAfter().toNanos())) {
            ApplyOutcome.Missing missing = (ApplyOutcome.Missing) w.item().outcome();
            ChangeEvent event = w.item().event;
            counters.repairsRequested.incrementAndGet();
            notices.send(w.item().store, RegionNotice.Kind.REPAIR_REQUESTED, event, true, "v" + event.version() + " from "
                    + event.origin().region() + " waits for changes of its document (made on clock " + missing.needs()
                    + ", this region has " + missing.have() + "): asked the other regions for their copies");
            log.info("{}: {} v{} from {} has waited {} ms for changes of its document (it was made on clock {}, this region has "
                    + "{}); asking the other regions for their copies", name, event.key(), event.version(), event.origin().region(),
                    TimeUnit.NANOSECONDS.toMillis(now - w.since()), missing.needs(), missing.have());
            w.item().store.requestRepair(event.key().id(), config.region(), missing.have()).whenComplete((request, error) -> {
                if (error != null) {
                    log.warn("{}: asking for a repair of {} failed (asked again later): {}", name, event.key(), error.toString());
                }
            });
        }
    }

    private void handle(SinkItem item, ApplyOutcome outcome, List<String> duplicateKeys) {
        ChangeEvent event = item.event;
        if (outcome instanceof ApplyOutcome.Applied applied) {
            counters.applied.incrementAndGet();
            answerAgainIfLost(event);
            if (applied.merged()) {
                counters.merged.incrementAndGet();
            }
            if (!applied.conflicts().isEmpty()) {
                counters.conflicts.addAndGet(applied.conflicts().size());
                log.info("{}: {} from {} merged as v{}, resolving {} conflict(s): {}", name, event.key(), event.origin().region(),
                        applied.version(), applied.conflicts().size(), applied.conflicts().stream().limit(MAX_LOGGED_KEYS)
                                .map(c -> c.path() + " kept " + c.kept().replica() + " over " + c.lost().replica()).toList());
            }
            log.trace("applied {} at {}", event, applied.streamId());
        } else if (outcome instanceof ApplyOutcome.Duplicate duplicate) {
            counters.duplicates.incrementAndGet();
            // Taken in already, perhaps by a task that stopped before its answer went out.
            answerAgainIfLost(event);
            duplicateKeys.add(event.key() + " v" + event.version());
            notices.send(item.store, RegionNotice.Kind.REDELIVERED, event, true, "v" + event.version() + " ("
                    + event.eventId() + ") arrived again; this region already holds it (at v" + duplicate.storedVersion() + ")");
            log.trace("duplicate {}: stored version {}", event, duplicate.storedVersion());
        } else if (outcome instanceof ApplyOutcome.Unappliable unappliable) {
            counters.unappliable.incrementAndGet();
            notices.send(item.store, RegionNotice.Kind.SKIPPED, event, true, "v" + event.version() + " not taken in: "
                    + unappliable.reason());
            report(item.record, item.id, new DataException("unappliable: " + unappliable.reason() + " (key " + event.key()
                    + ", event " + event.prevVersion() + "->" + event.version() + ")"));
        }
    }

    private static String sample(List<String> keys) {
        return keys.size() <= MAX_LOGGED_KEYS ? keys.toString() : keys.subList(0, MAX_LOGGED_KEYS) + " and " + (keys.size() - MAX_LOGGED_KEYS) + " more";
    }

    /**
     * Commits offsets only up to the first waiting event of each partition, so a restart delivers
     * it (and what follows, which is then recognised as taken in) again; and on a control topic
     * partition, only up to the first request for a whole section whose answer is not sent yet.
     */
    @Override
    public Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> preCommit(
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> currentOffsets) {
        Map<TopicPartition, Long> earliest = new java.util.HashMap<>(waiting.isEmpty() ? Map.of() : waiting.earliestOffsets());
        if (answers != null) {
            answers.heldOffsets().forEach((partition, offset) -> earliest.merge(partition, offset, Math::min));
        }
        if (earliest.isEmpty()) {
            return currentOffsets;
        }
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> safe = new java.util.HashMap<>(currentOffsets);
        earliest.forEach((partition, offset) -> {
            org.apache.kafka.clients.consumer.OffsetAndMetadata current = safe.get(partition);
            if (current != null && current.offset() > offset) {
                safe.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(offset));
            }
        });
        return safe;
    }

    /**
     * Hands a record that cannot be applied to the errant-record reporter (DLQ, error log); Connect's
     * {@code errors.tolerance} decides whether the task goes on. Without a reporter, fails the task.
     */
    private void report(SinkRecord record, SinkItem.RecordId id, DataException reason) {
        if (reporter == null) {
            throw new DataException("record " + id.topic() + "-" + id.partition() + "@" + id.offset() + " cannot be applied: "
                    + reason.getMessage() + ". No errant-record reporter is configured: set errors.deadletterqueue.topic.name "
                    + "(or errors.log.enable=true) with errors.tolerance=all to keep the task running past such records",
                    reason);
        }
        log.debug("{}: reporting {} as errant: {}", name, id, reason.getMessage());
        reporter.report(record, reason);
    }

    private SectionStore storeFor(ChangeEvent event) {
        return storeOf(new SectionId(event.key().partition(), event.key().section()));
    }

    private SectionStore storeOf(SectionId section) {
        return stores.computeIfAbsent(section, s -> SectionStore.open(redisson, config.namespace(), s));
    }

    /** Opens the Redis client on first use, so that a Redis down at start is retried like one down later. */
    private void connect() {
        if (redisson != null) {
            return;
        }
        try {
            redisson = config.openRedis();
        } catch (StoreUnavailableException e) {
            throw unavailable(e, false);
        } catch (RuntimeException e) {
            throw new ConnectException(scrub("cannot open a Redis client for " + config.redisUri() + ": " + e.getMessage()),
                    revealsSecret(e) ? null : e);
        }
        answers = new RepairAnswers(redisson, config.namespace(), config.region(), counters, name);
        log.info("{}: connected to Redis {}", name, config.redisUri());
    }

    private static boolean isUnavailable(Throwable failure) {
        return failure instanceof StoreUnavailableException || failure instanceof TimeoutException;
    }

    /**
     * What to throw when Redis is unavailable: a {@link RetriableException} (the batch comes back after
     * the backoff), or a {@link ConnectException} once the attempts are used up.
     */
    private RuntimeException unavailable(Throwable cause, boolean progressed) {
        consecutiveFailures = progressed ? 1 : consecutiveFailures + 1;
        int maxAttempts = config.retryMaxAttempts();
        long backoff = config.retryBackoff().toMillis();
        String why = cause instanceof TimeoutException
                ? "no reply within " + DdmSinkConfig.APPLY_TIMEOUT_MS_CONFIG + "=" + config.applyTimeout().toMillis() + " ms"
                : scrub(String.valueOf(cause.getMessage()));
        if (consecutiveFailures > maxAttempts) {
            String message = "DDM sink task " + name + " gives up: Redis at " + config.redisUri() + " was unavailable for "
                    + consecutiveFailures + " consecutive attempts (" + DdmSinkConfig.REDIS_RETRY_MAX_CONFIG + "="
                    + maxAttempts + ", " + DdmSinkConfig.REDIS_RETRY_BACKOFF_MS_CONFIG + "=" + backoff + "): " + why
                    + ". Restart the task once Redis is reachable; records not applied yet are delivered again.";
            log.error(message);
            return new ConnectException(message, revealsSecret(cause) ? null : cause);
        }
        counters.retries.incrementAndGet();
        context.timeout(backoff);
        String message = "Redis at " + config.redisUri() + " is unavailable (" + why + "); retrying the batch in " + backoff
                + " ms (failed attempt " + consecutiveFailures + ", the task fails after " + maxAttempts + " retries)";
        log.warn("{}: {}", name, message);
        return new RetriableException(message, revealsSecret(cause) ? null : cause);
    }

    private String scrub(String text) {
        String scrubbed = text;
        for (String secret : secrets()) {
            scrubbed = scrubbed.replace(secret, "***");
        }
        return scrubbed;
    }

    private boolean revealsSecret(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (String secret : secrets()) {
                if (message.contains(secret)) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>(2);
        for (String key : List.of(DdmSinkConfig.REDIS_PASSWORD_CONFIG, DdmSinkConfig.REDIS_TRUSTSTORE_PASSWORD_CONFIG)) {
            Password password = config.getPassword(key);
            if (password != null && !password.value().isEmpty()) {
                secrets.add(password.value());
            }
        }
        return secrets;
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        // A revoked partition's records may come back to another task, or to this one from the committed offset.
        handled.removeIf(id -> partitions.contains(new TopicPartition(id.topic(), id.partition())));
        waiting.drop(partitions);
        counters.waiting.set(waiting.size());
    }

    @Override
    public void stop() {
        counters.unregister();
        if (answers != null) {
            answers.close();
            answers = null;
        }
        if (redisson != null) {
            try {
                redisson.shutdown(0, 5, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                log.warn("{}: closing the Redis client failed", name, e);
            }
            redisson = null;
        }
        stores.clear();
        if (config != null) {
            log.info("DDM sink task {} stopped after {} s: {}", name,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos), counters);
        }
    }

    /** The counters, for tests in this package. */
    SinkTaskCounters counters() {
        return counters;
    }
}
