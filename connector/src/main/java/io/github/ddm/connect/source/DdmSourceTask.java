package io.github.ddm.connect.source;

import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.connect.DdmConnectorVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the change logs of the sections assigned to it: each poll reads the due sections together,
 * up to {@code source.batch.size} entries per section and about {@code source.poll.max.records} in
 * all, in one pipelined round ({@link SectionRounds}: which sections, and the read-ahead while Connect
 * commits the previous records), and returns them as records keyed by document key (see
 * {@link SectionReader} for positions, origin filtering and snapshots after a trimmed log). A task
 * may export thousands of sections.
 *
 * <p><b>Offsets.</b> The source partition of a section is {@code {namespace, partition, section}},
 * its offset {@code {streamId}}. A restarted task resumes after the stored stream id. Without one it
 * starts as {@code source.start} says: at the start of the log (default) or at its head.
 *
 * <p><b>Threads.</b> {@link #poll()} runs on the worker's task thread; {@link #stop()} may run on
 * another one: it sets an atomic flag, wakes a waiting poll and closes the Redis client. When no
 * section has anything to read, a poll waits for the next log entry with blocking reads on the most
 * recently active sections ({@link LogWatcher}), at most {@code source.poll.interval.ms}; so an idle
 * task exports a new change there within a round trip, one elsewhere within the poll interval (every
 * section is read at least that often), and a poll never takes much longer than the poll interval.
 *
 * <p><b>Redis failures.</b> A poll that cannot reach Redis throws {@link RetriableException}, and the
 * next polls wait {@code redis.retry.backoff.ms} (in steps of at most the poll interval) before trying
 * again; after {@code redis.retry.max.attempts} consecutive failures the poll throws
 * {@link ConnectException} and the task fails. Records already read in a failing poll (from other
 * sections) are returned, never dropped, and the failure still counts.
 */
public final class DdmSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(DdmSourceTask.class);

    private static final long CLOSE_TIMEOUT_MS = 2_000;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object clientLock = new Object();
    private final LogWatcher watcher = new LogWatcher();

    private DdmSourceTaskConfig config;
    private Map<SectionId, SourceOffsets.Position> storedOffsets;
    private String storedRepairsOffset;
    private RepairReader repairs;
    private RedissonClient redisson;
    private SectionRounds rounds;
    private int failures;
    private long retryAtNanos;
    private RuntimeException fatal;

    @Override
    public String version() {
        return DdmConnectorVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        try {
            config = new DdmSourceTaskConfig(props);
        } catch (ConfigException e) {
            throw new ConnectException("invalid DDM source task configuration: " + e.getMessage(), e);
        }
        List<Map<String, String>> partitions = new ArrayList<>();
        for (SectionId section : config.assignedSections()) {
            partitions.add(SourceOffsets.partition(config.namespace(), section));
            config.topicOf(section); // fails now if the name is too long
        }
        Map<String, String> repairsPartition = SourceOffsets.repairsPartition(config.namespace());
        if (config.exportsRepairs()) {
            partitions.add(repairsPartition);
        }
        Map<Map<String, String>, Map<String, Object>> offsets = context.offsetStorageReader().offsets(partitions);
        storedOffsets = new HashMap<>();
        for (SectionId section : config.assignedSections()) {
            Map<String, Object> offset = offsets == null ? null : offsets.get(SourceOffsets.partition(config.namespace(), section));
            try {
                storedOffsets.put(section, SourceOffsets.position(offset));
            } catch (IllegalArgumentException e) {
                throw new ConnectException("the stored offset of section " + section + " is not one this connector wrote: "
                        + e.getMessage() + "; reset it with the Connect REST API (PATCH /connectors/<name>/offsets)", e);
            }
        }
        try {
            storedRepairsOffset = config.exportsRepairs() && offsets != null
                    ? SourceOffsets.streamId(offsets.get(repairsPartition)) : null;
        } catch (IllegalArgumentException e) {
            throw new ConnectException("the stored offset of the repair requests is not one this connector wrote: " + e.getMessage(), e);
        }
        log.info("DDM source task starting for {} section(s) of namespace '{}' in region '{}' on {} ({} with a stored offset), "
                + "exporting {} origins", config.assignedSections().size(), config.namespace(), config.region(),
                RedisClients.redact(config.redisUri()), storedOffsets.values().stream().filter(o -> o != null).count(),
                config.exportOrigins().configValue());
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (stopping.get()) {
            return null;
        }
        if (fatal != null) {
            throw fatal;
        }
        long waitNanos = retryAtNanos - System.nanoTime();
        if (failures > 0 && waitNanos > 0) {
            // Backing off after a Redis failure: return at least once per poll interval.
            awaitStop(Math.min(waitNanos, config.pollInterval().toNanos()));
            return null;
        }
        List<SourceRecord> records = new ArrayList<>();
        StoreUnavailableException failure = null;
        boolean more = false;
        try {
            SectionRounds sections = rounds();
            // The repair requests are read alongside the sections' round.
            CompletableFuture<SectionStore.RepairBatch> repairRead =
                    repairs != null && !stopping.get() ? repairs.read(config.batchSize()) : null;
            try {
                more = sections.poll(records);
            } catch (StoreUnavailableException e) {
                failure = e;
            }
            if (repairRead != null) {
                more |= repairs.accept(repairRead, records, config.batchSize());
            }
        } catch (StoreUnavailableException e) {
            failure = failure == null ? e : failure;
        } catch (RuntimeException e) {
            if (stopping.get()) {
                return null; // the client was closed under us by stop()
            }
            throw e;
        }
        if (stopping.get()) {
            return records.isEmpty() ? null : records;
        }
        if (failure != null) {
            RuntimeException next = retryOrFail(failure);
            if (records.isEmpty()) {
                throw next;
            }
            // Hand over what was read before the failure; a fatal failure is thrown by the next poll.
            fatal = next instanceof RetriableException ? null : next;
            return records;
        }
        failures = 0;
        if (records.isEmpty()) {
            if (!more && !stopping.get() && rounds != null) {
                watcher.await(rounds.watchOrder(LogWatcher.MAX_WATCHED), config.pollInterval(), rounds::woken);
            }
            return null;
        }
        if (!stopping.get()) {
            // Connect now converts, sends and commits these records: meanwhile the next round is read.
            rounds.readAhead();
        }
        return records;
    }

    private SectionRounds rounds() {
        if (rounds != null) {
            return rounds;
        }
        RedissonClient client;
        try {
            client = config.openRedis();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConnectException("cannot open Redis at " + RedisClients.redact(config.redisUri()) + ": " + e.getMessage(), e);
        }
        synchronized (clientLock) {
            if (stopping.get()) {
                shutdown(client);
                throw new ConnectException("the task is stopping");
            }
            redisson = client;
        }
        List<SectionReader> opened = new ArrayList<>();
        Map<String, SectionReader> byChannel = new HashMap<>();
        String controlTopic = config.controlTopic();
        for (SectionId section : config.assignedSections()) {
            SectionStore store = SectionStore.open(client, config.namespace(), section);
            SectionReader reader = new SectionReader(store, config.namespace(), config.topicOf(section), controlTopic,
                    config.region(), config.exportOrigins(), config.startPosition(), storedOffsets.get(section),
                    config.heartbeatInterval());
            opened.add(reader);
            byChannel.put(store.changeChannel(), reader);
        }
        if (config.exportsRepairs()) {
            repairs = new RepairReader(client, config.namespace(), config.region(), controlTopic, storedRepairsOffset);
        }
        SectionRounds created = new SectionRounds(client, opened, config.batchSize(), config.pollMaxRecords(), config.pollInterval());
        // A change broadcast marks its section due and ends the idle wait: with thousands of sections,
        // changes are found without reading every log each poll interval (the sweep only backs it up).
        ChangeSignals.subscribe(client, config.namespace(), byChannel, reader -> {
            created.woken(reader);
            watcher.signal();
        });
        rounds = created;
        return rounds;
    }

    private RuntimeException retryOrFail(StoreUnavailableException e) {
        failures++;
        String where = RedisClients.redact(config.redisUri());
        if (failures > config.retryMaxAttempts()) {
            return new ConnectException("Redis at " + where + " is unavailable: " + failures + " consecutive attempts failed ("
                    + DdmSourceConfig.REDIS_RETRY_MAX_CONFIG + "=" + config.retryMaxAttempts() + "); last error: " + e.getMessage(), e);
        }
        Duration backoff = config.retryBackoff();
        retryAtNanos = System.nanoTime() + backoff.toNanos();
        log.warn("Redis at {} is unavailable (attempt {} of {}), retrying in {} ms: {}", where, failures,
                config.retryMaxAttempts() + 1, backoff.toMillis(), e.getMessage());
        return new RetriableException("Redis at " + where + " is unavailable (attempt " + failures + "): " + e.getMessage(), e);
    }

    private void awaitStop(long nanos) throws InterruptedException {
        if (nanos > 0) {
            stopped.await(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        stopped.countDown();
        watcher.wake();
        RedissonClient client;
        synchronized (clientLock) {
            client = redisson;
            redisson = null;
        }
        if (client != null) {
            shutdown(client);
        }
        log.info("DDM source task stopped ({} section(s))", config == null ? 0 : config.assignedSections().size());
    }

    private static void shutdown(RedissonClient client) {
        try {
            client.shutdown(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            log.warn("closing the Redis client failed: {}", e.toString());
        }
    }
}
