package io.github.ddm.internal.buffer;

import io.github.ddm.schema.ChangeEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The buffered events of one key, oldest first, with when each arrived, and the newest version
 * delivered (kept even when every event has aged out). Immutable.
 */
final class KeyHistory {

    private final ChangeEvent[] events;
    private final long[] arrived;
    private final long newestVersion;

    private KeyHistory(ChangeEvent[] events, long[] arrived, long newestVersion) {
        this.events = events;
        this.arrived = arrived;
        this.newestVersion = newestVersion;
    }

    static KeyHistory of(ChangeEvent event, long now) {
        return new KeyHistory(new ChangeEvent[] {event}, new long[] {now}, event.version());
    }

    int size() {
        return events.length;
    }

    long newestVersion() {
        return newestVersion;
    }

    KeyHistory plus(ChangeEvent event, long now, int limit) {
        int keep = Math.min(events.length, limit - 1);
        int from = events.length - keep;
        ChangeEvent[] nextEvents = Arrays.copyOfRange(events, from, from + keep + 1);
        long[] nextArrived = Arrays.copyOfRange(arrived, from, from + keep + 1);
        nextEvents[keep] = event;
        nextArrived[keep] = now;
        return new KeyHistory(nextEvents, nextArrived, event.version());
    }

    Optional<List<ChangeEvent>> since(long fromVersion, long cutoff) {
        if (newestVersion <= fromVersion) {
            return Optional.of(List.of());
        }
        for (int i = 0; i < events.length; i++) {
            if (arrived[i] < cutoff) {
                continue;
            }
            ChangeEvent event = events[i];
            if (event.version() > fromVersion) {
                // Covered only if the first event handed out starts right where the caller is.
                boolean contiguous = event.prevVersion() == fromVersion;
                return contiguous ? Optional.of(List.of(Arrays.copyOfRange(events, i, events.length))) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    List<ChangeEvent> live(long cutoff) {
        List<ChangeEvent> out = new ArrayList<>(events.length);
        for (int i = 0; i < events.length; i++) {
            if (arrived[i] >= cutoff) {
                out.add(events[i]);
            }
        }
        return out;
    }

    /** This history without the events that arrived before {@code cutoff} (the newest version is kept). */
    KeyHistory trimmed(long cutoff) {
        int first = 0;
        while (first < events.length && arrived[first] < cutoff) {
            first++;
        }
        if (first == 0) {
            return this;
        }
        return new KeyHistory(Arrays.copyOfRange(events, first, events.length),
                Arrays.copyOfRange(arrived, first, arrived.length), newestVersion);
    }
}
