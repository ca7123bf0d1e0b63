package io.github.ddm.internal.sync;

import io.github.ddm.internal.cache.DocumentState;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's commits whose echo (the broadcast of its own change, which comes back on the
 * section channel) has not been handled yet. The echo is the event this node built, plus the
 * epoch and stream id that only Redis knew: it is recognised by its event id and rebuilt from
 * the known parts without parsing JSON, and if it arrives before the commit's reply, the cache
 * takes the state this node already has instead of applying its own patch.
 *
 * <p>Bounded (10,000 entries, one minute): an echo that never comes (pub/sub lost it) only costs
 * a slot until then. A plain concurrent map swept now and then, not a cache: every update registers
 * and forgets one entry, and a Caffeine cache's bookkeeping for that cost more than the rest of the
 * echo's handling. Thread-safe.
 */
final class OwnCommits<T> {

    /** Where an echo starts: the codec writes the schema version first, then the event id. */
    static final String ECHO_PREFIX = WireForm.ECHO_PREFIX;

    /** What this node knows of one of its commits: the event, its text, and the new state (null for a delete). */
    record Own<T>(ChangeEvent event, EventTemplate template, DocumentState<T> state) {
    }

    private static final int MAX_ENTRIES = 10_000;
    private static final long MAX_AGE_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Registrations between sweeps of entries older than {@link #MAX_AGE_NANOS}. */
    private static final int SWEEP_EVERY = 1_024;

    private record Entry<T>(Own<T> own, long registeredAt) {
    }

    private final ConcurrentHashMap<String, Entry<T>> byEventId = new ConcurrentHashMap<>();
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);

    void register(Own<T> own) {
        long now = System.nanoTime();
        byEventId.put(own.event().eventId(), new Entry<>(own, now));
        if (untilSweep.decrementAndGet() <= 0 || byEventId.size() > MAX_ENTRIES) {
            untilSweep.set(SWEEP_EVERY);
            sweep(now);
        }
    }

    /**
     * Drops entries older than a minute, and when over the bound, the oldest ones down to nine tenths
     * of it (so that a run of lost echoes sorts the map once per thousand registrations, not each time).
     */
    private void sweep(long now) {
        byEventId.values().removeIf(entry -> now - entry.registeredAt() > MAX_AGE_NANOS);
        int over = byEventId.size() - MAX_ENTRIES * 9 / 10;
        if (byEventId.size() > MAX_ENTRIES && over > 0) {
            byEventId.entrySet().stream()
                    .sorted(java.util.Comparator.comparingLong(e -> e.getValue().registeredAt()))
                    .limit(over)
                    .map(java.util.Map.Entry::getKey)
                    .toList()
                    .forEach(byEventId::remove);
        }
    }

    Own<T> get(String eventId) {
        Entry<T> entry = byEventId.get(eventId);
        return entry == null ? null : entry.own();
    }

    void forget(String eventId) {
        byEventId.remove(eventId);
    }

    /** Entries held (for tests). */
    int size() {
        return byEventId.size();
    }

    /** The complete event if {@code text} is the echo of a known commit, else null (then decode it). */
    ChangeEvent echo(String text) {
        String eventId = WireForm.eventIdOf(text);
        Own<T> own = eventId == null ? null : get(eventId);
        WireForm.Filled filled = own == null ? null : own.template().filledIn(text);
        if (filled == null) {
            return null;
        }
        ChangeEvent e = own.event();
        VersionVector clock;
        try {
            clock = VersionVector.parseJson(filled.clockJson());
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
        // The constructor validates epoch, lineage, clock and stream id like the codec would.
        return new ChangeEvent(e.eventId(), e.key(), e.op(), e.version(), e.prevVersion(), filled.epoch(), e.time(), e.origin(),
                e.patch(), e.state(), filled.streamId(), filled.lineage(), clock, null, null);
    }
}
