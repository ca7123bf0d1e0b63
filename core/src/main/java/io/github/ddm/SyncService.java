package io.github.ddm;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One set of resources and one lifecycle for many {@link DocumentManager}s: their Redis client,
 * their worker threads, and one scheduler thread for their periodic work (idle eviction,
 * change-buffer trimming, the log head check and the version check). It reports their health and
 * closes them all.
 *
 * <pre>{@code
 * try (SyncService sync = SyncService.builder().redis(RedisDeployment.single("redis://127.0.0.1:6379").build()).build()) {
 *     DocumentManager<Quote> quotes = DocumentManager.builder(Quote.class)
 *             .section("fx", "quotes").origin("eu", "n1")
 *             .syncService(sync)          // its client and threads
 *             .build();
 *     DocumentManager<Trade> trades = DocumentManager.builder(Trade.class)
 *             .section("fx", "trades").origin("eu", "n1")
 *             .syncService(sync)
 *             .build();
 *     SyncHealth health = sync.health();
 * }   // closes every manager registered with it, then its threads and the client it opened
 * }</pre>
 *
 * <p><b>Shared resources.</b> Managers registered with one service run their work (applying
 * changes, mutators, listeners) on the service's executor unless they are given their own, so
 * the number of threads does not grow with the number of managers: a service owns one pool of
 * {@code max(2, available processors)} daemon threads named {@code ddm-worker-N}, started with
 * its first manager, unless {@link Builder#executor} gives it one. A service built with
 * {@link Builder#redis} or {@link Builder#redisson} lends that client to every manager that names
 * no client of its own; Redisson then multiplexes their subscriptions over its pub/sub
 * connections. A manager built without a service gets a private one.
 *
 * <p>What is due is decided by the injected {@link Clock}, so a test with a fake clock advances
 * it and calls {@link #tick()}; with {@code tickInterval(Duration.ZERO)} nothing runs unless
 * {@link #tick()} is called.
 *
 * <p>Thread-safe.
 */
public final class SyncService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncService.class);

    private final Clock clock;
    private final Duration tickInterval;
    private final Executor givenExecutor;
    private final String threadNamePrefix;
    private final RedissonClient redisson;
    private final boolean ownsRedisson;
    private final List<DocumentManager<?>> managers = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService scheduler;
    private ExecutorService ownedExecutor;
    private boolean closed;

    private SyncService(Builder builder) {
        this.clock = builder.clock;
        this.tickInterval = builder.tickInterval;
        this.givenExecutor = builder.executor;
        this.threadNamePrefix = builder.threadNamePrefix;
        this.ownsRedisson = builder.redis != null;
        this.redisson = ownsRedisson ? builder.redis.open() : builder.redisson;
    }

    /** Settings for a new service. */
    public static Builder builder() {
        return new Builder();
    }

    /** The clock that decides when periodic work is due. Managers registered with the service should use it too. */
    public Clock clock() {
        return clock;
    }

    /** The client this service lends to its managers, or null if it was built without one. */
    RedissonClient redisson() {
        return redisson;
    }

    /**
     * The executor for managers that have none of their own: the one given to the builder, else
     * the service's own pool, started on first use.
     */
    synchronized Executor executor() {
        if (closed) {
            throw new IllegalStateException("this SyncService is closed");
        }
        if (givenExecutor != null) {
            return givenExecutor;
        }
        if (ownedExecutor == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory factory = runnable -> {
                Thread thread = new Thread(runnable, threadNamePrefix + n.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            };
            ownedExecutor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), factory);
        }
        return ownedExecutor;
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

    /**
     * Stops the periodic work, closes every registered manager, then stops the service's own
     * threads (waiting up to 5 seconds for work in flight) and shuts down the client it opened
     * (never one given to {@link Builder#redisson}). Idempotent.
     */
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
        ExecutorService pool;
        synchronized (this) {
            pool = ownedExecutor;
        }
        if (pool != null) {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (ownsRedisson) {
            redisson.shutdown();
        }
    }

    /** Settings of a {@link SyncService}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration tickInterval = Duration.ofSeconds(1);
        private Executor executor;
        private String threadNamePrefix = "ddm-worker-";
        private RedisDeployment redis;
        private RedissonClient redisson;

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

        /**
         * The executor that runs the work of every manager registered with this service that has
         * no executor of its own (default: a pool the service owns, see {@link SyncService}). The
         * service does not shut a given executor down.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The Redis deployment whose client the service opens at {@link #build()}, lends to every
         * manager that names no client of its own, and shuts down on close. Exclusive with
         * {@link #redisson}.
         */
        public Builder redis(RedisDeployment redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
            return this;
        }

        /**
         * A Redisson client to lend to every manager that names no client of its own; the service
         * does not shut it down. Exclusive with {@link #redis}.
         */
        public Builder redisson(RedissonClient redisson) {
            this.redisson = Objects.requireNonNull(redisson, "redisson");
            return this;
        }

        /** The name prefix of the threads of the service's own pool (a manager's private service names them after its section). */
        Builder threadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
            return this;
        }

        /**
         * A new service; its scheduler and its own threads start with the first manager. With
         * {@link #redis}, opens the client now.
         *
         * @throws IllegalStateException if both {@link #redis} and {@link #redisson} are set
         * @throws StoreUnavailableException if the deployment given to {@link #redis} cannot be reached
         */
        public SyncService build() {
            if (redis != null && redisson != null) {
                throw new IllegalStateException("set at most one of redis(...) and redisson(...)");
            }
            return new SyncService(this);
        }
    }
}
