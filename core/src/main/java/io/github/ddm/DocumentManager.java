package io.github.ddm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.sync.SectionEngine;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versioned JSON documents of one section (partition, section), kept in Redis and cached
 * locally, for the caller's type {@code T} (a record or POJO mapped by Jackson).
 *
 * <ul>
 *   <li>{@link #get} answers from the local cache without I/O or locks; a miss loads once per key
 *       however many callers wait.</li>
 *   <li>{@link #update}, {@link #set} and {@link #delete} commit one atomic compare-and-set each
 *       (one Lua script: state, version, log entry and broadcast together) and never lose a
 *       concurrent update.</li>
 *   <li>Every other node's change arrives as a JSON Patch and moves this cache to the same
 *       version, per key in order; {@link #addListener listeners} see every version once.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Thread-safe. Methods validate their arguments on the caller's thread and throw
 * {@link IllegalArgumentException} or {@link NullPointerException} before any I/O. Returned
 * futures never throw; they fail with a {@link DdmException} (or the mutator's own exception) and
 * complete on a DDM executor thread, or on the caller's thread when the answer is cached.
 * Mutators, resolvers and listeners run on DDM executor threads and must not block.
 *
 * <p><b>Lifecycle.</b> {@link DocumentManagerBuilder#build()} subscribes before returning;
 * {@link #close()} unsubscribes and releases what the manager owns. Calls after close fail with
 * {@link IllegalStateException}.
 *
 * @param <T> the document type
 */
public final class DocumentManager<T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DocumentManager.class);
    private static final int CLOSE_GRACE_SECONDS = 5;

    private final String partition;
    private final String section;
    private final RedissonClient redisson;
    private final boolean ownsRedisson;
    private final SyncService syncService;
    private final boolean ownsSyncService;
    private final SectionEngine<T> engine;
    private final long maxPendingChanges;
    private final Origin origin;
    private final LongAdder hits = new LongAdder();
    /** Counting hits costs about as much as the hit itself, so only a metrics binding turns it on. */
    private volatile boolean countHits;
    private final LongAdder misses = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    DocumentManager(DocumentManagerBuilder<T> settings) {
        this.partition = settings.partition;
        this.section = settings.section;
        this.maxPendingChanges = settings.maxPendingChanges;
        this.origin = settings.origin;
        this.ownsSyncService = settings.syncService == null;
        this.syncService = ownsSyncService
                ? SyncService.builder().clock(settings.clock).threadNamePrefix("ddm-" + section + "-").build()
                : settings.syncService;
        RedisDeployment deployment = settings.deployment();
        this.ownsRedisson = deployment != null;
        try {
            this.redisson = settings.redisson != null ? settings.redisson
                    : ownsRedisson ? deployment.open() : syncService.redisson();
        } catch (RuntimeException e) {
            if (ownsSyncService) {
                syncService.close();
            }
            throw e;
        }
        try {
            Executor executor = settings.executor != null ? settings.executor : syncService.executor();
            boolean sharded = settings.pubSubMode == PubSubMode.SHARDED
                    || (settings.pubSubMode == PubSubMode.AUTO && redisson.getConfig().isClusterConfig());
            ObjectMapper mapper = settings.objectMapper != null ? settings.objectMapper : new ObjectMapper();
            this.engine = new SectionEngine<>(redisson, settings.sectionSettings(sharded, mapper, syncService.clock(), executor));
            engine.checkAccess(settings.subscribeTimeout);
            try {
                engine.start(settings.subscribeTimeout);
                syncService.register(this);
            } catch (RuntimeException e) {
                // the client may be the service's and outlive this manager: leave no subscription on it
                engine.stop();
                throw e;
            }
            log.info("DDM manager for {}/{} started (origin {}, {} pub/sub, {} values)", partition, section,
                    settings.origin, sharded ? "sharded" : "classic", settings.valueSharing);
        } catch (RuntimeException e) {
            releaseOwned();
            throw e;
        }
    }

    /** Settings for a manager of documents of {@code type}. */
    public static <T> DocumentManagerBuilder<T> builder(Class<T> type) {
        return new DocumentManagerBuilder<>(type);
    }

    /**
     * The key of {@code id} in this manager's section.
     *
     * @throws IllegalArgumentException if {@code id} is not a valid id (empty, too long, control characters)
     */
    public DataKey key(String id) {
        return DataKey.of(partition, section, id);
    }

    /**
     * The current version of a document, or empty if it was never written or is deleted. A cached
     * document is returned without I/O; a miss loads it once, however many callers wait. Fails with
     * {@link CorruptDocumentException} if the document does not map to the document type.
     */
    public CompletableFuture<Optional<Versioned<T>>> get(String id) {
        CachedDocument<T> entry = engine.cached(Objects.requireNonNull(id, "id"));
        if (entry != null) {
            if (countHits) {
                hits.increment();
            }
            try {
                return CompletableFuture.completedFuture(engine.read(id, entry));
            } catch (CorruptDocumentException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        misses.increment();
        key(id);
        ensureOpen();
        return engine.load(id);
    }

    /**
     * The cached version of a document, without I/O: empty if it is not cached or not present.
     *
     * @throws CorruptDocumentException with {@link ValueSharing#COPY_ON_READ}, if the cached document
     *     does not map to the document type (a writer with another type changed it: the cache keeps a
     *     change's JSON without mapping it first, and the read maps it)
     */
    public Optional<Versioned<T>> getCached(String id) {
        CachedDocument<T> entry = engine.cached(Objects.requireNonNull(id, "id"));
        if (entry == null) {
            misses.increment();
            return Optional.empty();
        }
        if (countHits) {
            hits.increment();
        }
        return engine.read(id, entry);
    }

    /**
     * A few top-level members of a document, mapped to {@code view} (members it does not declare
     * are ignored). From the cache when the document is cached, else read from Redis without
     * loading the rest of the document.
     *
     * @param members top-level member names, at least one
     */
    public <P> CompletableFuture<Optional<Versioned<P>>> project(String id, Class<P> view, String... members) {
        DataKey key = key(id);
        Objects.requireNonNull(view, "view");
        if (members.length == 0) {
            throw new IllegalArgumentException("project needs at least one member name");
        }
        List<String> names = List.of(members);
        CachedDocument<T> entry = engine.cached(id);
        if (entry != null) {
            return CompletableFuture.completedFuture(engine.project(key, entry, view, names));
        }
        ensureOpen();
        return engine.project(key, view, names);
    }

    /**
     * Read-modify-write: runs {@code mutation} on the current value and commits the difference.
     * If another writer got there first, the mutation runs again on the newer value (so it may run
     * more than once and must be free of side effects). If it changes nothing, nothing is
     * committed and the current version is returned.
     *
     * <p>With {@link ValueSharing#COPY_ON_READ} the mutation receives a private copy it may change
     * and return; with {@link ValueSharing#SHARED} it must return a new value instead.
     *
     * <p>The returned version holds the mutation's own result as it is (with {@code COPY_ON_READ}
     * too: it is not read back from the cache, which keeps its own bytes). One exception: with
     * {@code SHARED}, a mutation that changes nothing gets the cached instance back, equal in
     * content to its result.
     *
     * @return the committed version; fails with {@link DocumentNotFoundException} if there is no
     *     document, {@link VersionConflictException} after the configured attempts, the mutation's
     *     own exception (nothing committed), or another {@link DdmException}
     */
    public CompletableFuture<Versioned<T>> update(String id, UnaryOperator<T> mutation) {
        key(id);
        Objects.requireNonNull(mutation, "mutation");
        ensureOpen();
        return engine.update(id, mutation);
    }

    /**
     * Creates the document, or replaces it with {@code value} (committing only the difference). If
     * it changed since this node last saw it, the configured {@link ConflictResolver} decides.
     *
     * <p>The returned version holds the value written as it is: {@code value}, or the resolver's
     * (with {@code SHARED}, the cached instance when {@code value} changes nothing).
     *
     * @return the committed version
     */
    public CompletableFuture<Versioned<T>> set(String id, T value) {
        key(id);
        Objects.requireNonNull(value, "value");
        ensureOpen();
        return engine.set(id, value);
    }

    /**
     * The current versions of many documents: cached ones without I/O, the others loaded together
     * (their reads are issued at once, not one after another). Ids that have no document are
     * absent from the map.
     *
     * @param ids the documents' ids; duplicates are read once
     * @return the present documents by id, in the order of {@code ids}; fails with the first
     *     failed read's {@link DdmException}
     */
    public CompletableFuture<Map<String, Versioned<T>>> getAll(Collection<String> ids) {
        Objects.requireNonNull(ids, "ids");
        ids.forEach(id -> key(Objects.requireNonNull(id, "an id in ids"))); // every id checked before any I/O
        ensureOpen();
        Map<String, CompletableFuture<Optional<Versioned<T>>>> reads = new LinkedHashMap<>();
        for (String id : ids) {
            reads.computeIfAbsent(id, this::get);
        }
        return CompletableFuture.allOf(reads.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, Versioned<T>> found = new LinkedHashMap<>();
            reads.forEach((id, read) -> read.join().ifPresent(versioned -> found.put(id, versioned)));
            return found;
        });
    }

    /**
     * {@link #set} for many documents, issued together rather than one after another. Each key
     * commits atomically on its own (the batch is not a transaction): the future completes when
     * every commit has answered.
     *
     * @param values the new values by id
     * @return the committed versions by id, in the order of {@code values}; fails with a
     *     {@link BatchWriteException} naming each key that failed and holding those that committed
     */
    public CompletableFuture<Map<String, Versioned<T>>> setAll(Map<String, ? extends T> values) {
        Objects.requireNonNull(values, "values");
        values.forEach((id, value) -> {
            key(id);
            Objects.requireNonNull(value, () -> "the value of " + id + " in values");
        });
        ensureOpen();
        Map<String, CompletableFuture<Versioned<T>>> writes = new LinkedHashMap<>();
        values.forEach((id, value) -> writes.put(id, engine.set(id, value)));
        return allWritten(writes);
    }

    /**
     * {@link #update} of many documents with one mutation, issued together rather than one after
     * another. Each key commits atomically on its own (the batch is not a transaction), and the
     * mutation may run more than once per key, as with {@link #update}.
     *
     * @param ids the documents' ids; duplicates are updated once
     * @return the committed versions by id, in the order of {@code ids}; fails with a
     *     {@link BatchWriteException} naming each key that failed (for example with
     *     {@link DocumentNotFoundException}) and holding those that committed
     */
    public CompletableFuture<Map<String, Versioned<T>>> updateAll(Collection<String> ids, UnaryOperator<T> mutation) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(mutation, "mutation");
        ids.forEach(this::key);
        ensureOpen();
        Map<String, CompletableFuture<Versioned<T>>> writes = new LinkedHashMap<>();
        for (String id : ids) {
            writes.computeIfAbsent(id, key -> engine.update(key, mutation));
        }
        return allWritten(writes);
    }

    private CompletableFuture<Map<String, Versioned<T>>> allWritten(Map<String, CompletableFuture<Versioned<T>>> writes) {
        return CompletableFuture.allOf(writes.values().toArray(CompletableFuture[]::new)).handle((done, ignored) -> {
            Map<String, Versioned<T>> committed = new LinkedHashMap<>();
            Map<String, Throwable> failures = new LinkedHashMap<>();
            writes.forEach((id, write) -> write.handle((versioned, failure) -> {
                if (failure == null) {
                    committed.put(id, versioned);
                } else {
                    failures.put(id, failure instanceof CompletionException wrapped && wrapped.getCause() != null
                            ? wrapped.getCause() : failure);
                }
                return null;
            }));
            if (!failures.isEmpty()) {
                throw new BatchWriteException(partition + "/" + section, committed, failures);
            }
            return committed;
        });
    }

    /**
     * Deletes the document. Its version is kept (a tombstone), so a later re-create continues the
     * sequence and versions are never reused.
     *
     * @return true if a document was deleted, false if there was none
     */
    public CompletableFuture<Boolean> delete(String id) {
        key(id);
        ensureOpen();
        return engine.delete(id);
    }

    /** Drops a document from the local cache; the next read loads it from Redis. */
    public void invalidate(String id) {
        engine.invalidate(Objects.requireNonNull(id, "id"));
    }

    /**
     * Registers a listener for every change of this section (see {@link ChangeListener}).
     *
     * @return a handle whose {@code close()} removes the listener
     */
    public ListenerRegistration addListener(ChangeListener listener) {
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        AutoCloseable handle = engine.addListener(listener);
        return () -> {
            try {
                handle.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Subscribes late to one document: {@code listener} gets every version after {@code fromVersion}
     * in order, without gaps or duplicates, then every new one. The history comes from the change
     * buffer, else the section log, else the {@link HistorySource} (if configured), else an explicit
     * snapshot event ({@code op} {@code SNAPSHOT}) of the current state. Use {@code fromVersion} 0
     * for the whole history that is still available.
     *
     * <p>The listener runs on the key's DDM lane, like other listeners.
     *
     * @return a handle whose {@code close()} ends the subscription
     */
    public ListenerRegistration changes(String id, long fromVersion, ChangeListener listener) {
        key(id);
        Objects.requireNonNull(listener, "listener");
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion must be >= 0, got " + fromVersion);
        }
        ensureOpen();
        Runnable cancel = engine.subscribe(id, fromVersion, listener);
        return cancel::run;
    }

    /**
     * Subscribes late to the whole section: {@code listener} gets every change committed at or after
     * {@code since}, then every new change. The section log serves them when it reaches back that
     * far; if it does not, the {@linkplain DocumentManagerBuilder#historySource history source} (when
     * there is one) serves the older changes, and a document whose history has a hole gets a
     * snapshot event instead; without one, first a snapshot event of every document. Each key's
     * versions arrive in order and once; calls for one subscription never overlap.
     *
     * @return a handle whose {@code close()} ends the subscription
     */
    public ListenerRegistration changesSince(Instant since, ChangeListener listener) {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        Runnable cancel = engine.subscribeSection(since, listener);
        return cancel::run;
    }

    /**
     * Registers a listener for the sync's own events: gaps, catch-ups, reloads, epoch changes.
     *
     * @return a handle whose {@code close()} removes the listener
     */
    public ListenerRegistration addSyncListener(SyncListener listener) {
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        Runnable remove = engine.addSyncListener(listener);
        return remove::run;
    }

    /**
     * The changes of a key the change buffer holds, oldest first, for debugging (what late
     * subscribers are served from first). Empty if none is buffered.
     */
    public List<ChangeEvent> bufferedChanges(String id) {
        key(id);
        return engine.bufferedChanges(id);
    }

    /** Counters since start: for tests, debugging and metrics. */
    public ManagerStats stats() {
        return engine.stats(hits.sum(), misses.sum());
    }

    /** The internals, for {@link DdmMetrics}. */
    SectionEngine<T> engine() {
        return engine;
    }

    /** Starts counting cache hits (for {@link DdmMetrics}). */
    void countHits() {
        countHits = true;
    }

    /** Runs this manager's due periodic work (called by its {@link SyncService}). */
    CompletableFuture<Void> tick() {
        return closed.get() ? CompletableFuture.completedFuture(null) : engine.tick();
    }

    /** This section's health (for its {@link SyncService}). */
    SyncHealth.Section health() {
        return engine.health(closed.get(), maxPendingChanges);
    }


    /** This writer's region and node, as every change it commits carries them. */
    public Origin origin() {
        return origin;
    }

    /** The partition this manager serves. */
    public String partition() {
        return partition;
    }

    /** The section this manager serves. */
    public String section() {
        return section;
    }

    /**
     * Refuses new calls, lets the calls in flight finish (for up to {@value #CLOSE_GRACE_SECONDS}
     * seconds), then unsubscribes, drops the cache and releases what the manager owns. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_GRACE_SECONDS);
        while ((engine.writesInFlight() > 0 || engine.loadsInFlight() > 0) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (engine.writesInFlight() > 0 || engine.loadsInFlight() > 0) {
            log.warn("closing {}/{} with {} write(s) and {} load(s) still in flight; their futures may not complete",
                    partition, section, engine.writesInFlight(), engine.loadsInFlight());
        }
        syncService.unregister(this);
        engine.stop();
        releaseOwned();
        log.info("DDM manager for {}/{} closed", partition, section);
    }

    private void releaseOwned() {
        if (ownsSyncService && syncService != null) {
            syncService.close();
        }
        if (ownsRedisson && redisson != null) {
            redisson.shutdown();
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the DocumentManager for " + partition + "/" + section + " is closed");
        }
    }
}
