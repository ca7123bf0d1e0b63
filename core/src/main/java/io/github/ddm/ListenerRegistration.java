package io.github.ddm;

/** A registered {@link ChangeListener}; {@link #close()} removes it. Idempotent and thread-safe. */
@FunctionalInterface
public interface ListenerRegistration extends AutoCloseable {

    /** Removes the listener. Calls already under way finish. */
    @Override
    void close();
}
