package io.github.ddm.internal.sync;

import io.github.ddm.SyncEvent;
import io.github.ddm.internal.buffer.ChangeBuffer;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered, idempotent delivery of each key's changes (other nodes' and the echo of our own) to
 * the cache, the change buffer, the listeners and the late subscribers.
 *
 * <p>A change is delivered only if it follows the last version delivered for its key (the change
 * buffer remembers it): a repeat is dropped, and a change that skips versions is held back as a
 * gap while the repair reads what was missed from the section log, in order. Listeners therefore
 * see each key's versions in commit order, once each. Whoever queues a change on the key's lane
 * (the {@link ChangeChannel} for live changes, {@link SectionRepair} for the log's) hands the
 * {@link RepairRequests} along, and the delivery asks it for a catch-up or a re-read.
 *
 * <p>Thread-safe: every method that takes a key runs on that key's lane.
 */
final class KeyDelivery<T> {

    private static final Logger log = LoggerFactory.getLogger(KeyDelivery.class);
    private static final int MAX_HELD_PER_KEY = 1_000;

    private final DocumentCache<T> cache;
    private final SectionState<T> state;
    private final Loader<T> loader;
    private final EventApplier<T> applier;
    private final Listeners listeners;
    private final SyncEvents syncEvents;
    private final ChangeBuffer buffer;
    private final Subscriptions<T> subscriptions;
    private final OwnCommits<T> ownCommits;
    private final String partition;
    private final String section;
    private volatile Consumer<ChangeEvent> deliveryObserver = event -> { };

    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong regionConflicts = new AtomicLong();
    /** Changes that arrived ahead of a missing version, per key, waiting for it. Lane-owned per key. */
    private final Map<String, NavigableMap<Long, ChangeEvent>> held = new ConcurrentHashMap<>();
    /** Keys holding back a gap, with the catch-up generation at which the gap was first seen. Lane-owned per key. */
    private final Map<String, Long> gapsSince = new ConcurrentHashMap<>();

    KeyDelivery(DocumentCache<T> cache, SectionState<T> state, Loader<T> loader, EventApplier<T> applier, Listeners listeners,
                SyncEvents syncEvents, ChangeBuffer buffer, Subscriptions<T> subscriptions, OwnCommits<T> ownCommits,
                String partition, String section) {
        this.cache = cache;
        this.state = state;
        this.loader = loader;
        this.applier = applier;
        this.listeners = listeners;
        this.syncEvents = syncEvents;
        this.buffer = buffer;
        this.subscriptions = subscriptions;
        this.ownCommits = ownCommits;
        this.partition = partition;
        this.section = section;
    }

    /** Observes every delivered change (metrics: apply lag). Must be fast and must not throw. */
    void observeDeliveries(Consumer<ChangeEvent> observer) {
        this.deliveryObserver = observer;
    }

    /**
     * Delivers one event if it is the next version of its key. Runs on the key's lane.
     *
     * @param fromLog true when a catch-up read it from the section log, false when it came live
     * @param repairs asked for a catch-up when the event does not follow, or a re-read when the log cannot help
     */
    void process(ChangeEvent event, boolean fromLog, RepairRequests repairs) {
        SectionState.Observation seen = state.observe(event.epoch());
        if (seen == SectionState.Observation.RETIRED) {
            log.debug("section {}/{}: ignoring {} v{} from a retired epoch", partition, section, event.key().id(), event.version());
            return;
        }
        String id = event.key().id();
        long last = buffer.newestVersion(id);
        if (last >= 0) {
            // The buffer knows what was delivered: a repeat is dropped, a skip is a gap.
            if (event.version() <= last) {
                duplicates.incrementAndGet();
                return;
            }
            if (event.prevVersion() != last && event.op() != ChangeOp.SNAPSHOT) {
                onGap(event, last, repairs);
                return;
            }
        } else if (event.op() != ChangeOp.SNAPSHOT) {
            // Nothing delivered for this key yet (or the buffer forgot it). Deliver it, unless it
            // skips versions past what the cache holds: then the cache and the listeners missed some.
            CachedDocument<T> entry = cache.get(id);
            if (entry != null && event.prevVersion() > entry.version()) {
                onGap(event, entry.version(), repairs);
                return;
            }
            if (!fromLog && repairs.busy()) {
                // A catch-up is replaying the log: earlier versions of this key may be on their way
                // from it. Hold this one until they are delivered (a catch-up follows).
                hold(event, repairs);
                return;
            }
        }
        deliver(event, repairs);
    }

    /** Moves cache, buffer and listeners to this event, which follows what was delivered. Lane only. */
    void deliver(ChangeEvent event, RepairRequests repairs) {
        deliverOne(event);
        // Changes held back because they arrived ahead of this one may follow now.
        NavigableMap<Long, ChangeEvent> waiting = held.get(event.key().id());
        if (waiting != null) {
            long last = event.version();
            waiting.headMap(last, true).clear();
            ChangeEvent next;
            while ((next = waiting.firstEntry() == null ? null : waiting.firstEntry().getValue()) != null
                    && next.prevVersion() == last) {
                waiting.pollFirstEntry();
                deliverOne(next);
                last = next.version();
            }
            waiting.headMap(last, true).clear();
            if (waiting.isEmpty()) {
                held.remove(event.key().id());
            } else {
                // Still a hole before the next held change: keep waiting for the log to fill it.
                gapsSince.putIfAbsent(event.key().id(), repairs.startedCatchUps());
            }
        }
    }

    private void deliverOne(ChangeEvent event) {
        String id = event.key().id();
        gapsSince.remove(id);
        CachedDocument<T> entry = cache.get(id);
        OwnCommits.Own<T> own = ownCommits.get(event.eventId());
        if (own != null) {
            ownCommits.forget(event.eventId());
        }
        if (entry == null) {
            loader.buffer(event);
        } else if (own != null && own.state() != null && entry.version() == event.prevVersion()) {
            // Our own change came back before the commit's reply: take the state we already have.
            state.put(id, cache.committed(id, event.version(), event.time().toEpochMilli(), event.origin(), event.epoch(),
                    own.state()));
            applied.incrementAndGet();
        } else {
            EventApplier.Outcome outcome = applier.apply(id, entry, event);
            if (outcome instanceof EventApplier.Applied<?> done) {
                @SuppressWarnings("unchecked")
                CachedDocument<T> next = (CachedDocument<T>) done.entry();
                state.put(id, next);
                applied.incrementAndGet();
            } else if (outcome instanceof EventApplier.Gap gap) {
                // The delivered chain is whole, but the cached copy does not fit it (a patch that
                // does not apply, say): never apply it on the wrong base; read the key again.
                gaps.incrementAndGet();
                cache.invalidate(id);
                log.debug("section {}/{}: cached {} does not follow ({}); evicted", partition, section, id, gap.reason());
            }
        }
        buffer.append(event);
        delivered.incrementAndGet();
        if (event.conflicts() != null) {
            regionConflicts.addAndGet(event.conflicts().size());
            syncEvents.emit(new SyncEvent.ConflictResolved(partition, section, event.key(), event.version(),
                    event.origin().region(), event.conflicts()));
        }
        deliveryObserver.accept(event);
        listeners.dispatch(event);
        subscriptions.dispatch(event);
    }

    private void hold(ChangeEvent event, RepairRequests repairs) {
        String id = event.key().id();
        NavigableMap<Long, ChangeEvent> waiting = held.computeIfAbsent(id, k -> new TreeMap<>());
        if (waiting.size() < MAX_HELD_PER_KEY) {
            waiting.put(event.version(), event);
        }
        gapsSince.putIfAbsent(id, repairs.startedCatchUps());
        repairs.request(SyncEvent.Trigger.GAP);
    }

    private void onGap(ChangeEvent event, long last, RepairRequests repairs) {
        String id = event.key().id();
        gaps.incrementAndGet();
        // Keep it: live changes and catch-ups interleave on the lane, so the missing versions may
        // arrive after it, and the log may not be read past this point again.
        NavigableMap<Long, ChangeEvent> waiting = held.computeIfAbsent(id, k -> new TreeMap<>());
        if (waiting.size() < MAX_HELD_PER_KEY) {
            waiting.put(event.version(), event);
        }
        Long since = gapsSince.get(id);
        if (since != null && repairs.completedAfter(since)) {
            // A catch-up that started after this gap was seen has finished, and the key still
            // does not chain: the missing versions are not in the log. Re-read the key.
            repairs.resync(id, last);
            return;
        }
        if (since == null) {
            gapsSince.put(id, repairs.startedCatchUps());
            syncEvents.emit(new SyncEvent.GapDetected(partition, section, event.key(), last, event.prevVersion(), event.version()));
            log.debug("section {}/{}: gap on {}: delivered v{}, got {}->{}; catching up", partition, section, id, last,
                    event.prevVersion(), event.version());
        }
        repairs.request(SyncEvent.Trigger.GAP);
    }

    /** Forgets every held change (the epoch changed: versions start over). */
    void forgetHeld() {
        held.clear();
        gapsSince.clear();
    }

    /** Keys still holding back a gap first seen before catch-up number {@code generation} started. */
    Iterable<String> keysGappedBefore(long generation) {
        return gapsSince.entrySet().stream().filter(e -> e.getValue() < generation).map(Map.Entry::getKey)::iterator;
    }

    /** True if the key still holds back a gap first seen before catch-up number {@code generation}. */
    boolean stillGapped(String id, long generation) {
        Long since = gapsSince.get(id);
        return since != null && since < generation;
    }

    /** The newest version this node knows of a key: delivered, else cached; -1 if neither. */
    long knownVersion(String id) {
        long last = buffer.newestVersion(id);
        if (last >= 0) {
            return last;
        }
        CachedDocument<T> entry = cache.get(id);
        return entry == null ? -1 : entry.version();
    }

    /** Counters of the delivery. */
    record Counters(long delivered, long applied, long duplicates, long gaps, long regionConflicts) {
    }

    /** A snapshot of the counters. */
    Counters counters() {
        return new Counters(delivered.get(), applied.get(), duplicates.get(), gaps.get(), regionConflicts.get());
    }
}
