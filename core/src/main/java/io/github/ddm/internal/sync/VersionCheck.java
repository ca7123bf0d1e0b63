package io.github.ddm.internal.sync;

import io.github.ddm.SyncEvent;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.DataKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic safety net: compares every cached version with Redis, in pipelined batches
 * ({@link StoredVersions}), after reading the section epoch.
 *
 * <ul>
 *   <li>A changed or missing epoch means Redis lost the section's data: the section cache is dropped.</li>
 *   <li>A cached version behind Redis may still be in flight: a catch-up from the log runs (and the
 *       check waits for it); if the key is still behind the version seen then at the next check,
 *       it is re-read and delivered as a snapshot.</li>
 *   <li>A cached version ahead of Redis, or a key Redis no longer has, is reloaded at once.</li>
 * </ul>
 * Thread-safe; one check runs at a time.
 */
final class VersionCheck<T> {

    private static final Logger log = LoggerFactory.getLogger(VersionCheck.class);

    private final RedissonClient redisson;
    private final RedisLayout layout;
    private final DocumentCache<T> cache;
    private final SectionState<T> state;
    private final Loader<T> loader;
    private final StoredVersions versions;
    private final KeyDelivery<T> delivery;
    private final RepairRequests repairs;
    private final KeyLanes lanes;
    private final SyncEvents events;
    private final Executor executor;
    private final String partition;
    private final String section;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Map<String, Long> behind = new ConcurrentHashMap<>();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong driftRepairs = new AtomicLong();

    VersionCheck(RedissonClient redisson, RedisLayout layout, DocumentCache<T> cache, SectionState<T> state, Loader<T> loader,
                 StoredVersions versions, KeyDelivery<T> delivery, RepairRequests repairs, KeyLanes lanes, SyncEvents events,
                 Executor executor, String partition, String section) {
        this.redisson = redisson;
        this.layout = layout;
        this.cache = cache;
        this.state = state;
        this.loader = loader;
        this.versions = versions;
        this.delivery = delivery;
        this.repairs = repairs;
        this.lanes = lanes;
        this.events = events;
        this.executor = executor;
        this.partition = partition;
        this.section = section;
    }

    /** Asks for a check at the next opportunity (after a re-subscription, for instance), on the executor. */
    void request() {
        executor.execute(this::run);
    }

    /** Runs one check unless one is running; the future completes when it is done. */
    CompletableFuture<Void> run() {
        if (!running.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> ids = new ArrayList<>(cache.asMap().keySet());
        String epochAtStart = state.epoch();
        CompletableFuture<Void> chain = checkEpoch(epochAtStart).thenCompose(ignored -> versions.inBatches(ids, this::checkBatch));
        return chain.handle((ok, error) -> {
            running.set(false);
            checks.incrementAndGet();
            if (error != null) {
                log.debug("section {}/{}: version check failed ({})", partition, section, RedisDocumentStore.unwrap(error).getMessage());
            }
            return null;
        });
    }

    private CompletableFuture<Void> checkEpoch(String epochAtStart) {
        return redisson.<String>getBucket(layout.epochKey(), StringCodec.INSTANCE).getAsync().toCompletableFuture()
                .thenAccept(epoch -> {
                    // A read that began before this node learned a newer epoch says nothing new.
                    boolean outdated = !Objects.equals(epoch, state.epoch()) && Objects.equals(epoch, epochAtStart);
                    if (!outdated) {
                        state.observe(epoch);
                    }
                });
    }

    private CompletableFuture<Void> checkBatch(List<String> ids, long[] stored) {
        boolean catchUp = false;
        for (int i = 0; i < ids.size(); i++) {
            catchUp |= compare(ids.get(i), stored[i]);
        }
        // Wait for the catch-up this batch asked for, so the next check judges what it left.
        return catchUp ? repairs.requestAndWait(SyncEvent.Trigger.VERSION_DRIFT) : CompletableFuture.completedFuture(null);
    }

    /** Compares one key; returns true if a catch-up should run before judging it. */
    private boolean compare(String id, long stored) {
        CachedDocument<T> entry = cache.get(id);
        if (entry == null || entry.version() == stored) {
            behind.remove(id);
            return false;
        }
        if (entry.version() < stored) {
            Long seenBefore = behind.put(id, stored);
            if (seenBefore == null || entry.version() >= seenBefore) {
                // Possibly still in flight: read the log, and judge it at the next check.
                return true;
            }
        }
        behind.remove(id);
        driftRepairs.incrementAndGet();
        log.info("section {}/{}: cached {} is at version {} but Redis has {}; reloading", partition, section, id, entry.version(), stored);
        events.emit(new SyncEvent.Reloaded(partition, section, DataKey.of(partition, section, id), SyncEvent.ReloadReason.VERSION_DRIFT));
        lanes.execute(id, () -> {
            long known = delivery.knownVersion(id);
            if (known >= 0 && stored > known) {
                // Listeners missed versions too: re-read and deliver the current state as a snapshot.
                repairs.resync(id, known);
            } else {
                cache.invalidate(id);
                loader.load(id);
            }
        });
        return false;
    }

    long checks() {
        return checks.get();
    }

    long driftRepairs() {
        return driftRepairs.get();
    }
}
