package io.github.ddm.internal.sync;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.ddm.internal.cache.DocumentState;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.VersionVector;
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
    static final String ECHO_PREFIX = "{\"schema\":1,\"eventId\":\"";
    private static final String STREAM_ID = ",\"streamId\":\"";
    private static final String LINEAGE = "\",\"lineage\":\"";
    private static final String CLOCK = "\",\"clock\":";

    /** What this node knows of one of its commits: the event, its text, and the new state (null for a delete). */
    record Own<T>(ChangeEvent event, EventTemplate template, DocumentState<T> state) {
    }

    private final Cache<String, Own<T>> byEventId = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(1))
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
        if (!text.startsWith(ECHO_PREFIX)) {
            return null;
        }
        int idEnd = text.indexOf('"', ECHO_PREFIX.length());
        Own<T> own = idEnd < 0 ? null : byEventId.getIfPresent(text.substring(ECHO_PREFIX.length(), idEnd));
        if (own == null) {
            return null;
        }
        EventTemplate template = own.template();
        String head = template.head();
        if (!text.startsWith(head)) {
            return null;
        }
        int epochEnd = text.indexOf('"', head.length());
        if (epochEnd < 0 || !text.startsWith(LINEAGE, epochEnd)) {
            return null;
        }
        int lineageStart = epochEnd + LINEAGE.length();
        int lineageEnd = text.indexOf('"', lineageStart);
        if (lineageEnd < 0 || !text.startsWith(CLOCK, lineageEnd)) {
            return null;
        }
        int clockStart = lineageEnd + CLOCK.length();
        // Replica names hold no braces: the first '}' closes the clock.
        int clockEnd = text.indexOf('}', clockStart) + 1;
        if (clockEnd <= 0 || !text.startsWith(template.middle(), clockEnd)
                || !text.startsWith(STREAM_ID, clockEnd + template.middle().length())) {
            return null;
        }
        int idStart = clockEnd + template.middle().length() + STREAM_ID.length();
        int streamIdEnd = text.indexOf('"', idStart);
        if (streamIdEnd < 0 || !text.startsWith(template.tail(), streamIdEnd + 1)
                || streamIdEnd + 1 + template.tail().length() != text.length()) {
            return null;
        }
        ChangeEvent e = own.event();
        VersionVector clock;
        try {
            clock = VersionVector.parseJson(text.substring(clockStart, clockEnd));
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
        // The constructor validates epoch, lineage, clock and stream id like the codec would.
        return new ChangeEvent(e.eventId(), e.key(), e.op(), e.version(), e.prevVersion(), text.substring(head.length(), epochEnd),
                e.time(), e.origin(), e.patch(), e.state(), text.substring(idStart, streamIdEnd),
                text.substring(lineageStart, lineageEnd), clock, null, null);
    }
}
