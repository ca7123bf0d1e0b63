package io.github.ddm.connect.sink;

import io.github.ddm.CorruptDocumentException;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.DdmConnectorVersion;
import io.github.ddm.schema.ChangeEvent;
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
 * Applies DDM change events from Kafka to this region's Redis, through core's {@link SectionStore}
 * (the same commit script as local writes, compare-and-set on the stored version), so every applied
 * event is also logged and broadcast to the services of this region.
 *
 * <p>For each record, in {@link #put}:
 * <ul>
 *   <li>a value that is not a valid change event, an update that does not follow the stored version
 *       (a gap: the key waits for an event that carries the whole document) and a patch that does not
 *       fit the stored document are handed to the errant-record reporter with the reason, and counted;
 *       without a reporter the task fails with a {@link DataException} naming the record, so nothing is
 *       dropped silently;</li>
 *   <li>events from a skipped origin region (see {@link DdmSinkConfig}) are counted and left out;</li>
 *   <li>applied events and duplicates (version already stored) are counted: delivery is at least once,
 *       the effect exactly once through the versions;</li>
 *   <li>when Redis is unavailable (unreachable, or no reply within {@code sink.apply.timeout.ms}), the
 *       batch is retried with {@link RetriableException} after {@code redis.retry.backoff.ms}; after
 *       {@code redis.retry.max.attempts} consecutive failed attempts the task fails with a
 *       {@link ConnectException} that says so.</li>
 * </ul>
 * Every write completes before {@code put} returns, so offsets are only committed for records that are
 * in Redis or reported. Events of one key are applied in record order; different keys overlap (up to
 * {@code sink.apply.parallelism}). When Connect redelivers a batch after a retry, the records already
 * handled in it are not handled again.
 *
 * <p>Connect calls {@code put}, {@code open}, {@code close} and {@code stop} on the task thread.
 */
public final class DdmSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(DdmSinkTask.class);
    private static final int MAX_CACHED_SECTIONS = 10_000;

    private DdmSinkConfig config;
    private ErrantRecordReporter reporter;
    private KeyOrderedApplier applier;
    private RedissonClient redisson;
    private final SinkTaskCounters counters = new SinkTaskCounters();
    private final Map<SectionId, SectionStore> stores = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SectionId, SectionStore> eldest) {
            return size() > MAX_CACHED_SECTIONS;
        }
    };
    /** Records of the batch being retried that were already applied or reported. */
    private final Set<SinkItem.RecordId> handled = new HashSet<>();
    private int consecutiveFailures;
    private long startedNanos;
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
        applier = new KeyOrderedApplier(config.applyParallelism(), config.applyTimeout(), item -> item.store.apply(item.event));
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
        if (records.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        List<Decoded> decoded = new ArrayList<>(records.size());
        long skippedBefore = counters.skipped.get();
        for (SinkRecord record : records) {
            SinkItem.RecordId id = SinkItem.RecordId.of(record);
            if (handled.contains(id)) {
                continue;
            }
            ChangeEvent event;
            try {
                event = ChangeEventData.toEvent(record.value());
            } catch (DataException e) {
                counters.malformed.incrementAndGet();
                report(record, id, e);
                handled.add(id);
                continue;
            }
            if (config.skipsOrigin(event.origin().region())) {
                counters.skipped.incrementAndGet();
                log.trace("skipped {} from region {} (loop rule)", event, event.origin().region());
                handled.add(id);
                continue;
            }
            decoded.add(new Decoded(record, id, event));
        }
        long skipped = counters.skipped.get() - skippedBefore;
        if (skipped > 0) {
            log.debug("{}: skipped {} event(s) whose origin region is in {} (loop rule)", name, skipped,
                    config.skippedOriginRegions());
        }
        if (!decoded.isEmpty()) {
            apply(decoded);
        }
        consecutiveFailures = 0;
        handled.clear();
        log.debug("{}: handled {} record(s) in {} ms ({})", name, records.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), counters);
    }

    /** A record whose value is a change event to apply. */
    private record Decoded(SinkRecord record, SinkItem.RecordId id, ChangeEvent event) {
    }

    private void apply(List<Decoded> decoded) {
        connect();
        List<SinkItem> items = new ArrayList<>(decoded.size());
        for (Decoded d : decoded) {
            items.add(new SinkItem(d.record(), d.id(), d.event(), storeFor(d.event())));
        }
        applier.applyAll(items);
        Throwable unavailable = null;
        boolean progressed = false;
        for (SinkItem item : items) {
            ApplyOutcome outcome = item.outcome();
            Throwable failure = item.failure();
            if (outcome != null) {
                progressed = true;
                handle(item, outcome);
                handled.add(item.id);
            } else if (failure != null) {
                if (isUnavailable(failure)) {
                    unavailable = unavailable == null ? failure : unavailable;
                } else if (failure instanceof CorruptDocumentException) {
                    counters.unappliable.incrementAndGet();
                    report(item.record, item.id, new DataException("unappliable: the stored document cannot be read: "
                            + failure.getMessage() + " (key " + item.event.key() + ", event " + item.event.prevVersion()
                            + "->" + item.event.version() + ")", failure));
                    handled.add(item.id);
                } else {
                    throw new ConnectException("unexpected failure applying " + item.describe() + ": " + failure, failure);
                }
            }
        }
        if (unavailable != null) {
            throw unavailable(unavailable, progressed);
        }
    }

    private void handle(SinkItem item, ApplyOutcome outcome) {
        ChangeEvent event = item.event;
        if (outcome instanceof ApplyOutcome.Applied applied) {
            counters.applied.incrementAndGet();
            log.trace("applied {} at {}", event, applied.streamId());
        } else if (outcome instanceof ApplyOutcome.Duplicate duplicate) {
            counters.duplicates.incrementAndGet();
            log.trace("duplicate {}: stored version {}", event, duplicate.storedVersion());
        } else if (outcome instanceof ApplyOutcome.Missing missing) {
            counters.gaps.incrementAndGet();
            report(item.record, item.id, new DataException("missing changes: the event was made on clock " + missing.needs()
                    + ", this region's copy has " + missing.have() + " (key " + event.key() + ")"));
        } else if (outcome instanceof ApplyOutcome.Unappliable unappliable) {
            counters.unappliable.incrementAndGet();
            report(item.record, item.id, new DataException("unappliable: " + unappliable.reason() + " (key " + event.key()
                    + ", event " + event.prevVersion() + "->" + event.version() + ")"));
        }
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
        SectionId section = new SectionId(event.key().partition(), event.key().section());
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
    }

    @Override
    public void stop() {
        counters.unregister();
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
