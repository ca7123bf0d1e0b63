package io.github.ddm.internal.sync;

import io.github.ddm.ChangeListener;
import io.github.ddm.schema.ChangeEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change listeners of one section. Each listener is isolated: one that throws is logged and
 * counted, and the others, and the sync itself, go on. Thread-safe.
 */
final class Listeners {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong failures = new AtomicLong();

    /** Adds a listener; the returned handle removes it. */
    public AutoCloseable add(ChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Calls every listener with the event, in registration order. */
    public void dispatch(ChangeEvent event) {
        for (ChangeListener listener : listeners) {
            try {
                listener.onChange(event);
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                log.warn("change listener {} failed on {} version {}; it stays registered", listener, event.key(), event.version(), e);
            }
        }
    }

    /** How many listener calls threw since start. */
    public long failures() {
        return failures.get();
    }

    /** Removes every listener. */
    public void clear() {
        listeners.clear();
    }
}
