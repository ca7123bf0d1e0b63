package io.github.ddm.internal.buffer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.ddm.schema.ChangeEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The recent changes of one section, per key, in version order: what late subscribers are served
 * from first, and what tells the receive path which version of a key it delivered last.
 *
 * <p><b>Bounds.</b> Per key, the newest {@code perKey} events (default 50), each kept at most
 * {@code ttl} after it arrived (default 1 h); a key with no change is forgotten within 2 x {@code ttl}.
 * Across the section, at most {@code maxEvents} events in all (a key without events counts as
 * one): beyond that, Caffeine evicts whole keys, the least valuable first. An evicted or expired
 * key simply has no history; late subscribers fall back to the section log. Memory is therefore
 * bounded by {@code maxEvents} times the size of an event (a few hundred bytes for a one-field
 * update).
 *
 * <p>Writes for one key come from that key's lane only; reads may come from any thread and see an
 * immutable snapshot. Thread-safe.
 */
public final class ChangeBuffer {

    private final Cache<String, KeyHistory> histories;
    private final int perKey;
    private final Duration ttl;
    private final Clock clock;

    public ChangeBuffer(int perKey, Duration ttl, long maxEvents, Clock clock) {
        this.perKey = perKey;
        this.ttl = ttl;
        this.clock = clock;
        if (perKey < 1) {
            throw new IllegalArgumentException("perKey must be >= 1, got " + perKey);
        }
        this.histories = Caffeine.newBuilder()
                .maximumWeight(maxEvents)
                .weigher((String id, KeyHistory history) -> Math.max(1, history.size()))
                .expireAfterWrite(ttl)
                .ticker(() -> clock.millis() * 1_000_000L)
                .executor(Runnable::run) // maintenance on the writing thread, not the common pool (see DocumentCache)
                .build();
    }

    /** The newest version delivered for the key, or -1 when the buffer holds nothing for it. */
    public long newestVersion(String id) {
        KeyHistory history = histories.getIfPresent(id);
        return history == null ? -1 : history.newestVersion();
    }

    /** Appends a delivered event (its key's lane only). The caller has checked it follows the newest. */
    public void append(ChangeEvent event) {
        String id = event.key().id();
        KeyHistory history = histories.getIfPresent(id);
        long now = clock.millis();
        KeyHistory next = history == null ? KeyHistory.of(event, now) : history.plus(event, now, perKey);
        histories.put(id, next);
    }

    /**
     * Every buffered version of the key after {@code fromVersion}, in order, if the buffer holds
     * all of them (the first one's previous version is {@code fromVersion}); empty if it does not.
     */
    public Optional<List<ChangeEvent>> since(String id, long fromVersion) {
        KeyHistory history = histories.getIfPresent(id);
        if (history == null) {
            return Optional.empty();
        }
        return history.since(fromVersion, clock.millis() - ttl.toMillis());
    }

    /** The key's buffered events, oldest first, for debugging (the seed's GetChangesBuffer). */
    public List<ChangeEvent> events(String id) {
        KeyHistory history = histories.getIfPresent(id);
        return history == null ? List.of() : history.live(clock.millis() - ttl.toMillis());
    }

    /** Drops events older than the TTL, and keys unchanged for that long. Returns how many events went. */
    public long trim() {
        histories.cleanUp();
        long cutoff = clock.millis() - ttl.toMillis();
        long[] dropped = {0};
        for (String id : new ArrayList<>(histories.asMap().keySet())) {
            KeyHistory history = histories.getIfPresent(id);
            if (history != null) {
                KeyHistory kept = history.trimmed(cutoff);
                if (kept != history) {
                    // Caffeine counts the replace as a write, so a key whose last events age out is
                    // forgotten one TTL after that trim: within twice the TTL of its last change.
                    dropped[0] += history.size() - kept.size();
                    histories.asMap().replace(id, history, kept);
                }
            }
        }
        return dropped[0];
    }

    /** Forgets everything (the section's epoch changed: versions start over). */
    public void clear() {
        histories.invalidateAll();
    }

    /** Forgets one key. */
    public void forget(String id) {
        histories.invalidate(id);
    }

    /** Events buffered in all (approximate). */
    public long size() {
        return histories.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    /** The keys the buffer knows, a snapshot. */
    public java.util.List<String> knownKeys() {
        return new ArrayList<>(histories.asMap().keySet());
    }

    /** Keys with buffered events (approximate). */
    public long keys() {
        return histories.estimatedSize();
    }
}
