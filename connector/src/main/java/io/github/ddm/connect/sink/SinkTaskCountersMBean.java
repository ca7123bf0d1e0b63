package io.github.ddm.connect.sink;

/**
 * The counters of one sink task, as JMX shows them under
 * {@code io.github.ddm.connect:type=sink-task,connector=<name>,task=<n>}. Totals since the task started.
 */
public interface SinkTaskCountersMBean {

    /** Events committed to Redis. */
    long getApplied();

    /** Of those, events merged with changes this region had and their region had not seen. */
    long getMerged();

    /** Conflicts resolved: concurrent writes superseded under the merge rules (docs/regions.md). */
    long getConflicts();

    /** Events whose change was already taken in: redeliveries and replays; nothing written. */
    long getDuplicates();

    /** Events that had to wait for changes they depend on (they are applied once those arrive). */
    long getWaited();

    /** Events waiting right now. */
    long getWaiting();

    /** Repair requests sent to the other regions for documents that waited too long, or for lost sections. */
    long getRepairsRequested();

    /** Snapshots sent in answer to other regions' repair requests. */
    long getRepairsAnswered();

    /** Times a region was seen writing under a new lineage (it lost its data and started over). */
    long getLineageChanges();

    /** Events that cannot be taken in (no clock, a patch that does not fit its base, unreadable stored copy): reported. */
    long getUnappliable();

    /** Records that are neither valid change events nor control records: reported. */
    long getMalformed();

    /** Records given to the errant-record reporter (malformed + unappliable + waited out). */
    long getErrant();

    /** Events skipped by the loop rule (their origin region is skipped). */
    long getSkipped();

    /** Control records (heartbeats, repair requests) read. */
    long getControl();

    /** Batches retried because Redis was unavailable. */
    long getRetries();
}
