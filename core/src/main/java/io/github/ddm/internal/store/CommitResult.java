package io.github.ddm.internal.store;

/** What the commit script decided. */
public sealed interface CommitResult {

    /** The section's epoch as the script saw it. */
    String epoch();

    /**
     * The change is in the store as {@code version}, logged at {@code streamId}: committed by this
     * call ({@link Committed}) or by an earlier delivery of it ({@link AlreadyCommitted}).
     */
    sealed interface Done extends CommitResult {

        long version();

        String streamId();
    }

    /**
     * The change is committed as {@code version}, logged at {@code streamId} and published, with
     * this region's {@code lineage} (or the change's) and the document's {@code clock} after it.
     */
    record Committed(long version, String epoch, String streamId, String lineage, String clock) implements Done {
    }

    /**
     * Nothing was written now, because this very change (its event id) is already committed, as
     * {@code version} at {@code streamId}: the Redis client sent the script call again after its
     * response timeout, and the first delivery had run. The caller completes as if that delivery's
     * reply had arrived, and must not compute or commit the change again (docs/core.md, "The commit
     * script").
     */
    record AlreadyCommitted(long version, String epoch, String streamId) implements Done {
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
