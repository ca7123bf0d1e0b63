package io.github.ddm;

/**
 * Receives {@link SyncEvent}s: gaps, catch-ups, reloads, epoch changes. Called on a DDM executor
 * thread; must not block. One that throws is logged and the sync goes on.
 */
@FunctionalInterface
public interface SyncListener {

    /** @param event what happened, never null */
    void onSyncEvent(SyncEvent event);
}
