package io.github.ddm.connect.source;

import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.connect.errors.ConnectException;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the sections matching {@code source.sections.pattern} with {@code SCAN}, at start and then
 * every {@code source.discovery.interval.ms} on one daemon thread, and reports a changed set. After
 * {@code redis.retry.max.attempts} consecutive failures it reports an error (the connector fails).
 *
 * <p>The Redis client is confined to the discovery thread. {@link #sections()} is safe from any
 * thread; {@link #close()} waits a bounded time for the thread.
 */
final class SectionDiscovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SectionDiscovery.class);

    private static final Duration SCAN_TIMEOUT = Duration.ofMinutes(2);
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final DdmSourceConfig config;
    private final SectionPattern pattern;
    private final Runnable onChange;
    private final Consumer<Exception> onFailure;
    private final ScheduledExecutorService executor;

    private volatile List<SectionId> sections = List.of();
    private volatile boolean closed;
    private volatile RedissonClient redisson;
    private int failures;

    /**
     * @param onChange called on the discovery thread when the set of sections changed
     * @param onFailure called on the discovery thread when discovery keeps failing
     */
    SectionDiscovery(DdmSourceConfig config, String connectorName, Runnable onChange, Consumer<Exception> onFailure) {
        this.config = config;
        this.pattern = config.sectionPattern();
        this.onChange = onChange;
        this.onFailure = onFailure;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ddm-source-discovery-" + connectorName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Discovers once (waiting for it, bounded), then every interval. A failed first discovery leaves the set empty. */
    void start() throws InterruptedException {
        try {
            executor.submit(() -> refresh(true)).get(SCAN_TIMEOUT.toMillis() + CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the first discovery of sections matching {} did not finish: {}", pattern, e.toString());
        }
        long interval = config.discoveryInterval().toMillis();
        executor.scheduleWithFixedDelay(() -> refresh(false), interval, interval, TimeUnit.MILLISECONDS);
    }

    /** The sections found last, sorted. */
    List<SectionId> sections() {
        return sections;
    }

    private void refresh(boolean first) {
        if (closed) {
            return;
        }
        try {
            if (redisson == null) {
                redisson = config.openRedis();
            }
            List<SectionId> found = RedisWait.await(SectionStore.discover(redisson, config.namespace(),
                    pattern.partitionGlob(), pattern.sectionGlob()), SCAN_TIMEOUT, "discover the sections matching " + pattern);
            failures = 0;
            List<SectionId> old = sections;
            if (!found.equals(old)) {
                sections = List.copyOf(found);
                List<SectionId> added = new ArrayList<>(found);
                added.removeAll(old);
                List<SectionId> removed = new ArrayList<>(old);
                removed.removeAll(found);
                log.info("{} section(s) match {} in namespace '{}' (added: {}, removed: {})", found.size(), pattern,
                        config.namespace(), added, removed);
                if (!first) {
                    onChange.run();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            failures++;
            String where = RedisClients.redact(config.redisUri());
            if (failures > config.retryMaxAttempts()) {
                onFailure.accept(new ConnectException("cannot discover the sections matching " + pattern + " in Redis at " + where
                        + ": " + failures + " consecutive attempts failed (" + DdmSourceConfig.REDIS_RETRY_MAX_CONFIG + "="
                        + config.retryMaxAttempts() + "); last error: " + e.getMessage(), e));
            } else {
                log.warn("discovering the sections matching {} in Redis at {} failed (attempt {} of {}); retrying in {} ms: {}",
                        pattern, where, failures, config.retryMaxAttempts() + 1, config.discoveryInterval().toMillis(),
                        e.getMessage());
            }
        }
    }

    /** Stops the thread (waiting at most a few seconds) and closes the Redis client. Idempotent. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                log.warn("the section discovery thread did not stop within {} ms", CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RedissonClient client = redisson;
        redisson = null;
        if (client != null) {
            try {
                client.shutdown(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                log.warn("closing the Redis client failed: {}", e.toString());
            }
        }
    }
}
