package io.github.ddm.replay;

import io.github.ddm.schema.ChangeEvent;

/**
 * Receives what a {@link KafkaEventReader} reads: each valid event in topic-partition order, each
 * invalid record, and progress from time to time. Every call is made on the thread that called
 * {@link KafkaEventReader#read}, one at a time. An exception thrown by a method ends the read and
 * propagates to the caller of {@code read}.
 */
public interface EventHandler {

    /**
     * A valid change event of the requested scope.
     *
     * @param event the event, never null
     * @param position where it was read, never null
     */
    void onEvent(ChangeEvent event, RecordPosition position);

    /**
     * A record of the requested scope (or without a usable key) that is not a valid DDM change
     * event. It is also counted in the result, and the read goes on. By default nothing more.
     *
     * @param error where and why, never null
     */
    default void onInvalid(RecordError error) {
    }

    /**
     * How far the read is, at most once per the reader's progress interval and once at the end.
     *
     * @param progress the counters and positions so far, never null
     */
    default void onProgress(ReadProgress progress) {
    }

    /** Whether the handler has what it needs: the read stops after the current record. Default false. */
    default boolean isDone() {
        return false;
    }
}
