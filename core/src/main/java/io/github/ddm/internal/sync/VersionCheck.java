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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic safety net: compares every cached version with Redis, in pipelined batches
 * ({@code HGET} of the version field, plus the section epoch, one round trip per batch).
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
    private final SectionRepair<T> repair;
    private final KeyLanes lanes;
    private final SyncEvents events;
    private final String partition;
    private final String section;
    private final int batchSize;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Map<String, Long> behind = new ConcurrentHashMap<>();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong driftRepairs = new AtomicLong();

    VersionCheck(RedissonClient redisson, RedisLayout layout, DocumentCache<T> cache, SectionState<T> state, Loader<T> loader,
                 SectionRepair<T> repair, KeyLanes lanes, SyncEvents events, String partition, String section, int batchSize) {
        this.redisson = redisson;
        this.layout = layout;
        this.cache = cache;
        this.state = state;
        this.loader = loader;
        this.repair = repair;
        this.lanes = lanes;
        this.events = events;
        this.partition = partition;
        this.section = section;
        this.batchSize = batchSize;
        repair.versionCheck(this);
    }

    /** Runs one check unless one is running; the future completes when it is done. */
    CompletableFuture<Void> run() {
        if (!running.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> ids = new ArrayList<>(cache.asMap().keySet());
        String epochAtStart = state.epoch();
        CompletableFuture<Void> chain = checkEpoch(epochAtStart);
        for (int from = 0; from < ids.size(); from += batchSize) {
            List<String> slice = ids.subList(from, Math.min(ids.size(), from + batchSize));
            chain = chain.thenCompose(ignored -> checkBatch(slice));
        }
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

    private CompletableFuture<Void> checkBatch(List<String> ids) {
        return storedVersions(ids).thenCompose(stored -> {
            boolean catchUp = false;
            for (int i = 0; i < ids.size(); i++) {
                catchUp |= compare(ids.get(i), stored[i]);
            }
            // Wait for the catch-up this batch asked for, so the next check judges what it left.
            return catchUp ? repair.requestAndWait(SyncEvent.Trigger.VERSION_DRIFT) : CompletableFuture.completedFuture(null);
        });
    }

    /** The stored version of each key (0 when none), one pipelined round trip. */
    private CompletableFuture<long[]> storedVersions(List<String> ids) {
        RBatch batch = redisson.createBatch();
        List<RFuture<String>> versions = new ArrayList<>(ids.size());
        for (String id : ids) {
            versions.add(batch.<String, String>getMap(layout.documentKey(id), StringCodec.INSTANCE).getAsync(RedisLayout.VERSION_FIELD));
        }
        return batch.executeAsync().toCompletableFuture().thenApply(result -> {
            long[] stored = new long[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                String text = versions.get(i).toCompletableFuture().getNow(null);
                stored[i] = text == null ? 0 : parse(text);
            }
            return stored;
        });
    }

    /**
     * After the log was trimmed past what this node saw: every key whose delivered version is now
     * behind Redis missed changes that cannot be replayed, so it is re-read and delivered as a snapshot.
     */
    CompletableFuture<Void> resyncKeysBehind(List<String> ids, java.util.function.ToLongFunction<String> delivered) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < ids.size(); from += batchSize) {
            List<String> slice = ids.subList(from, Math.min(ids.size(), from + batchSize));
            chain = chain.thenCompose(ignored -> storedVersions(slice).thenAccept(stored -> {
                for (int i = 0; i < slice.size(); i++) {
                    String id = slice.get(i);
                    long version = stored[i];
                    lanes.execute(id, () -> {
                        long last = delivered.applyAsLong(id);
                        if (last >= 0 && version > last) {
                            repair.resync(id, last);
                        }
                    });
                }
            }));
        }
        return chain;
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
            long known = repair.knownVersion(id);
            if (known >= 0 && stored > known) {
                // Listeners missed versions too: re-read and deliver the current state as a snapshot.
                repair.resync(id, known);
            } else {
                cache.invalidate(id);
                loader.load(id);
            }
        });
        return false;
    }

    private static long parse(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1; // corrupt: differs from any cached version, so the key is reloaded (and the read reports it)
        }
    }

    long checks() {
        return checks.get();
    }

    long driftRepairs() {
        return driftRepairs.get();
    }
}
