package io.github.ddm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A sync listener that records every {@link SyncEvent}. Thread-safe. */
final class SyncRecorder implements SyncListener {

    private final List<SyncEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onSyncEvent(SyncEvent event) {
        events.add(event);
    }

    List<SyncEvent> events() {
        return List.copyOf(events);
    }

    <E extends SyncEvent> List<E> of(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    List<SyncEvent.Reloaded> reloads(SyncEvent.ReloadReason reason) {
        return of(SyncEvent.Reloaded.class).stream().filter(r -> r.reason() == reason).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        return events.toString();
    }
}
