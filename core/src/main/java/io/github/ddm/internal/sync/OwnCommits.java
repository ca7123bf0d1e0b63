package io.github.ddm.internal.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.ddm.internal.cache.DocumentState;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import java.time.Duration;

/**
 * This node's commits whose echo (the broadcast of its own change, which comes back on the
 * section channel) has not been handled yet. The echo is the event this node built, plus the
 * epoch and stream id that only Redis knew: it is recognised by its event id and rebuilt from
 * the known parts without parsing JSON, and if it arrives before the commit's reply, the cache
 * takes the state this node already has instead of applying its own patch.
 *
 * <p>Bounded (10,000 entries, one minute): an echo that never comes (pub/sub lost it) only costs
 * a slot until then. Thread-safe.
 */
final class OwnCommits<T> {

    /** Where an echo starts: the codec writes the schema version first, then the event id. */
    static final String ECHO_PREFIX = WireForm.ECHO_PREFIX;

    /** What this node knows of one of its commits: the event, its text, and the new state (null for a delete). */
    record Own<T>(ChangeEvent event, EventTemplate template, DocumentState<T> state) {
    }

    private final Cache<String, Own<T>> byEventId = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
            .executor(Runnable::run) // maintenance on the writing thread, not the common pool (see DocumentCache)
            .build();

    void register(Own<T> own) {
        byEventId.put(own.event().eventId(), own);
    }

    Own<T> get(String eventId) {
        return byEventId.getIfPresent(eventId);
    }

    void forget(String eventId) {
        byEventId.invalidate(eventId);
    }

    /** The complete event if {@code text} is the echo of a known commit, else null (then decode it). */
    ChangeEvent echo(String text) {
        String eventId = WireForm.eventIdOf(text);
        Own<T> own = eventId == null ? null : byEventId.getIfPresent(eventId);
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
