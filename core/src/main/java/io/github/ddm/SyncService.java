package io.github.ddm;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lifecycle for many {@link DocumentManager}s: it runs their periodic work (idle eviction,
 * change-buffer trimming, the log head check and the version check) on one scheduler thread,
 * reports their health, and closes them all.
 *
 * <pre>{@code
 * try (SyncService sync = SyncService.builder().build()) {
 *     DocumentManager<Quote> quotes = DocumentManager.builder(Quote.class)
 *             .redisson(client).section("fx", "quotes").origin("eu", "n1")
 *             .syncService(sync)
 *             .build();
 *     SyncHealth health = sync.health();
 * }   // closes every manager registered with it
 * }</pre>
 *
 * <p>A manager built without a service gets a private one. What is due is decided by the
 * injected {@link Clock}, so a test with a fake clock advances it and calls {@link #tick()};
 * with {@code tickInterval(Duration.ZERO)} nothing runs unless {@link #tick()} is called.
 *
 * <p>Thread-safe.
 */
public final class SyncService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncService.class);

    private final Clock clock;
    private final Duration tickInterval;
    private final List<DocumentManager<?>> managers = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService scheduler;
    private boolean closed;

    private SyncService(Builder builder) {
        this.clock = builder.clock;
        this.tickInterval = builder.tickInterval;
    }

    /** Settings for a new service. */
    public static Builder builder() {
        return new Builder();
    }

    /** The clock that decides when periodic work is due. Managers registered with the service should use it too. */
    public Clock clock() {
        return clock;
    }

    synchronized void register(DocumentManager<?> manager) {
        if (closed) {
            throw new IllegalStateException("this SyncService is closed");
        }
        managers.add(manager);
        if (scheduler == null && !tickInterval.isZero()) {
            scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "ddm-sync");
                thread.setDaemon(true);
                return thread;
            });
            long period = tickInterval.toMillis();
            scheduler.scheduleWithFixedDelay(this::tickQuietly, period, period, TimeUnit.MILLISECONDS);
        }
    }

    void unregister(DocumentManager<?> manager) {
        managers.remove(manager);
    }

    /**
     * Runs the periodic work that is due now (on the service's clock) for every manager. Returns a
     * future that completes when the checks started now are done.
     */
    public CompletableFuture<Void> tick() {
        List<CompletableFuture<Void>> work = new ArrayList<>();
        for (DocumentManager<?> manager : managers) {
            work.add(manager.tick());
        }
        return CompletableFuture.allOf(work.toArray(CompletableFuture[]::new));
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("periodic sync work failed; it runs again at the next tick", e);
        }
    }

    /** The health of every registered section. */
    public SyncHealth health() {
        List<SyncHealth.Section> sections = new ArrayList<>();
        SyncHealth.Status worst = SyncHealth.Status.UP;
        for (DocumentManager<?> manager : managers) {
            SyncHealth.Section section = manager.health();
            sections.add(section);
            if (section.status().compareTo(worst) > 0) {
                worst = section.status();
            }
        }
        return new SyncHealth(worst, sections);
    }

    /** The managers registered with this service. */
    public List<DocumentManager<?>> managers() {
        return List.copyOf(managers);
    }

    /** Stops the periodic work and closes every registered manager. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
        }
        for (DocumentManager<?> manager : managers) {
            manager.close();
        }
        managers.clear();
    }

    /** Settings of a {@link SyncService}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration tickInterval = Duration.ofSeconds(1);

        private Builder() {
        }

        /** The clock that decides when work is due (default system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often the scheduler looks for due work (default 1 s); zero: only when {@link #tick()} is called. */
        public Builder tickInterval(Duration tickInterval) {
            Objects.requireNonNull(tickInterval, "tickInterval");
            if (tickInterval.isNegative()) {
                throw new IllegalArgumentException("tickInterval must not be negative, got " + tickInterval);
            }
            this.tickInterval = tickInterval;
            return this;
        }

        /** A new service; its scheduler starts with the first manager. */
        public SyncService build() {
            return new SyncService(this);
        }
    }
}
