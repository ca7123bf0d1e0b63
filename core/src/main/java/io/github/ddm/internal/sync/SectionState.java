package io.github.ddm.internal.sync;

import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The section's epoch as this node knows it, and the only path by which entries enter the cache.
 *
 * <p>An entry is cached only if it was read or written under the current epoch. When a known
 * epoch is replaced (Redis lost the section's data: a flush, a restart without persistence, a
 * failover to an empty replica), every cached entry is dropped, and the old epoch is retired:
 * results and events that still carry it are history from before the loss and are never cached
 * again. Learning an epoch where none was known (the section's first write) drops nothing.
 *
 * <p>Observations from reads are not ordered with events; the loader therefore only reports an
 * epoch that is newer than what it knew when its read started (see {@link Loader}). Thread-safe.
 */
final class SectionState<T> {

    private static final Logger log = LoggerFactory.getLogger(SectionState.class);
    private static final int RETIRED_KEPT = 32;

    /** What an observed epoch means. */
    public enum Observation {
        /** The epoch is the current one. */
        CURRENT,
        /** The epoch is new: the cache was dropped and the epoch is now current. */
        SWITCHED,
        /** The epoch was retired: what carries it predates a data loss and must not be cached. */
        RETIRED
    }

    private final DocumentCache<T> cache;
    private final String section;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Deque<String> retired = new ArrayDeque<>();
    private final AtomicLong switches = new AtomicLong();
    private volatile String epoch;
    private volatile BiConsumer<String, String> onLoss = (previous, current) -> { };

    public SectionState(DocumentCache<T> cache, String section) {
        this.cache = cache;
        this.section = section;
    }

    /** Called (under the epoch lock) when a known epoch is replaced, with the old and the new one. */
    public void onLoss(BiConsumer<String, String> action) {
        this.onLoss = action;
    }

    /** The current epoch, or null when unknown or when the section has none in Redis. */
    public String epoch() {
        return epoch;
    }

    /** How many times the epoch changed since start. */
    public long epochSwitches() {
        return switches.get();
    }

    /**
     * Records an epoch seen in Redis or in an event. A null epoch (the section has none in Redis)
     * counts as an epoch too: if this node knew one, the data was lost.
     */
    public Observation observe(String seen) {
        if (Objects.equals(seen, epoch)) {
            return Observation.CURRENT;
        }
        lock.writeLock().lock();
        try {
            if (Objects.equals(seen, epoch)) {
                return Observation.CURRENT;
            }
            if (seen != null && retired.contains(seen)) {
                return Observation.RETIRED;
            }
            String previous = epoch;
            if (previous != null) {
                // A known epoch was replaced: what this node cached under it may no longer be in Redis.
                retired.addLast(previous);
                if (retired.size() > RETIRED_KEPT) {
                    retired.removeFirst();
                }
                log.warn("section {}: epoch changed from {} to {}; Redis lost this section's data, dropping {} cached entries",
                        section, previous, seen, cache.size());
                switches.incrementAndGet();
                cache.invalidateAll();
                onLoss.accept(previous, seen);
            }
            // From no epoch to one: the section's first write (or the first after a loss this node
            // already handled). Entries cached meanwhile were read from the data that is still there.
            epoch = seen;
            return Observation.SWITCHED;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Caches the entry if it belongs to the current epoch; returns whether it did. */
    public boolean put(String id, CachedDocument<T> entry) {
        lock.readLock().lock();
        try {
            if (!Objects.equals(entry.epoch(), epoch)) {
                return false;
            }
            cache.put(id, entry);
            return true;
        } finally {
            lock.readLock().unlock();
        }
    }
}
