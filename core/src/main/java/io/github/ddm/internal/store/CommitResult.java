package io.github.ddm.internal.store;

/** What the commit script decided. */
public sealed interface CommitResult {

    /** The section's epoch as the script saw it. */
    String epoch();

    /**
     * The change is committed as {@code version}, logged at {@code streamId} and published, with
     * this region's {@code lineage} (or the change's) and the document's {@code clock} after it.
     */
    record Committed(long version, String epoch, String streamId, String lineage, String clock) implements CommitResult {
    }

    /** Nothing was written: the stored version is not the expected one. */
    record VersionMismatch(long storedVersion, String epoch) implements CommitResult {
    }

    /** Nothing was written: the section's epoch is not the one the writer knows (Redis lost data). */
    record EpochMismatch(long storedVersion, String epoch) implements CommitResult {
    }

    /**
     * Nothing was written: a change made here carried a time before the document's last change
     * time, which it must never (docs/regions.md, "Stamps"); compute it again with at least
     * {@code storedTime}.
     */
    record TimeBehind(long storedVersion, String epoch, long storedTime) implements CommitResult {
    }
}
