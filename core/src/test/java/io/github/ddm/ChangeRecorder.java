package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * A change listener that records every call per key, and notices calls for one key that overlap
 * (the listener contract says they never do). Thread-safe.
 */
class ChangeRecorder implements ChangeListener {

    private final Map<String, List<ChangeEvent>> byKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inCall = new ConcurrentHashMap<>();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(ChangeEvent event) {
        String id = event.key().id();
        AtomicInteger calls = inCall.computeIfAbsent(id, k -> new AtomicInteger());
        if (calls.incrementAndGet() > 1) {
            overlaps.add(id + " v" + event.version());
        }
        try {
            byKey.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(event);
            onRecorded(event);
        } finally {
            calls.decrementAndGet();
        }
    }

    /** A hook for subclasses, called inside the listener call after the event is recorded. */
    void onRecorded(ChangeEvent event) {
    }

    List<ChangeEvent> events(String id) {
        return List.copyOf(byKey.getOrDefault(id, List.of()));
    }

    List<Long> versions(String id) {
        return events(id).stream().map(ChangeEvent::version).collect(Collectors.toList());
    }

    long lastVersion(String id) {
        List<ChangeEvent> events = events(id);
        return events.isEmpty() ? 0 : events.get(events.size() - 1).version();
    }

    /** What the listener got for the key, compactly: {@code v1(c) v2(u) ...}. */
    String describe(String id) {
        StringBuilder text = new StringBuilder();
        for (ChangeEvent event : events(id)) {
            text.append(" v").append(event.version()).append('(').append(event.op().wireCode()).append(",prev ")
                    .append(event.prevVersion()).append(')');
        }
        return text.toString().trim();
    }

    /** The key's listener calls were exactly versions {@code from..to}, in order, once each, none a snapshot. */
    void assertExactly(String id, long from, long to) {
        List<Long> expected = LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
        assertThat(versions(id)).as("versions the listener saw for %s: %s", id, describe(id)).isEqualTo(expected);
        for (ChangeEvent event : events(id)) {
            assertThat(event.op()).as("%s v%d is a real change, not a snapshot: %s", id, event.version(), describe(id))
                    .isNotEqualTo(ChangeOp.SNAPSHOT);
        }
        assertNoOverlaps();
    }

    /**
     * Like {@link #assertExactly}, for a listener added while versions before {@code from} may still
     * have been arriving: calls for those are ignored.
     */
    void assertExactlyIgnoringBefore(String id, long from, long to) {
        List<Long> expected = LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
        List<ChangeEvent> relevant = events(id).stream().filter(e -> e.version() >= from).collect(Collectors.toList());
        assertThat(relevant.stream().map(ChangeEvent::version).collect(Collectors.toList()))
                .as("versions from %d the listener saw for %s: %s", from, id, describe(id)).isEqualTo(expected);
        assertThat(relevant).extracting(ChangeEvent::op).as("%s: real changes, not snapshots: %s", id, describe(id))
                .doesNotContain(ChangeOp.SNAPSHOT);
        assertNoOverlaps();
    }

    /**
     * The key's listener calls went strictly forward, and each one either continued from the previous
     * (its base is the version delivered before) or is an explicit snapshot: a listener can always
     * tell what it has, even when versions were lost.
     */
    void assertChainedOrSnapshots(String id) {
        List<ChangeEvent> events = events(id);
        long last = -1;
        for (ChangeEvent event : events) {
            assertThat(event.version()).as("%s: strictly increasing versions: %s", id, describe(id)).isGreaterThan(last);
            if (last >= 0 && event.op() != ChangeOp.SNAPSHOT) {
                assertThat(event.prevVersion()).as("%s v%d follows the version delivered before it, or is a snapshot: %s",
                        id, event.version(), describe(id)).isEqualTo(last);
            }
            last = event.version();
        }
        assertNoOverlaps();
    }

    void assertNoOverlaps() {
        assertThat(overlaps).as("listener calls for one key that overlapped").isEmpty();
    }

    List<String> keys() {
        return new ArrayList<>(byKey.keySet());
    }
}
