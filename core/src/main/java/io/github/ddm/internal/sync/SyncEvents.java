package io.github.ddm.internal.sync;

import io.github.ddm.SyncEvent;
import io.github.ddm.SyncListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync listeners of one section. Events are handed to the executor so that no listener runs
 * on a Redisson thread or inside a lane; one that throws is logged and the others go on. Thread-safe.
 */
final class SyncEvents {

    private static final Logger log = LoggerFactory.getLogger(SyncEvents.class);

    private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();
    private final Executor executor;

    public SyncEvents(Executor executor) {
        this.executor = executor;
    }

    /** Adds a listener; the returned handle removes it. */
    public Runnable add(SyncListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Tells every listener, asynchronously. */
    public void emit(SyncEvent event) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> {
                for (SyncListener listener : listeners) {
                    try {
                        listener.onSyncEvent(event);
                    } catch (RuntimeException e) {
                        log.warn("sync listener {} failed on {}", listener, event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("sync event {} dropped: the manager is closing", event);
        }
    }

    /** Removes every listener. */
    public void clear() {
        listeners.clear();
    }
}
