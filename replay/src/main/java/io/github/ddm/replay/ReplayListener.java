package io.github.ddm.replay;

/**
 * Follows a {@link KafkaReplay}: progress from time to time, and each record that was not applied
 * because it is invalid or cannot be applied. Every call is made on the thread running the replay,
 * one at a time; a listener must return quickly. An exception thrown by a listener ends the replay
 * and propagates to its caller (events already applied stay applied; a replay can be run again).
 */
public interface ReplayListener {

    /** A listener that does nothing. */
    ReplayListener NONE = new ReplayListener() {
    };

    /**
     * How far the replay is: at most once per the reader's progress interval, and at the end of each
     * phase.
     *
     * @param progress counters and positions, never null
     */
    default void onProgress(ReplayProgress progress) {
    }

    /**
     * A record that is not a valid DDM change event (reported once, during the first pass).
     *
     * @param error where and why, never null
     */
    default void onInvalidRecord(RecordError error) {
    }

    /**
     * A valid event the target could not apply (its patch does not fit the stored document).
     *
     * @param error where and why, never null
     */
    default void onUnappliable(RecordError error) {
    }
}
