package io.github.ddm.connect.sink;

/**
 * The counters of one sink task, as JMX shows them under
 * {@code io.github.ddm.connect:type=sink-task,connector=<name>,task=<n>}. Totals since the task started.
 */
public interface SinkTaskCountersMBean {

    /** Events committed to Redis. */
    long getApplied();

    /** Events whose version Redis already held: nothing written (redelivery, replay). */
    long getDuplicates();

    /** Updates that do not follow the stored version: reported, nothing written, waiting for a snapshot. */
    long getGaps();

    /** Events whose patch does not fit the stored document, or whose stored document cannot be read: reported. */
    long getUnappliable();

    /** Records that are not valid change events: reported. */
    long getMalformed();

    /** Records given to the errant-record reporter (malformed + gaps + unappliable). */
    long getErrant();

    /** Events skipped by the loop rule (their origin region is skipped). */
    long getSkipped();

    /** Batches retried because Redis was unavailable. */
    long getRetries();
}
