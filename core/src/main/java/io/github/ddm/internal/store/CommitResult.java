package io.github.ddm.internal.store;

/** What the commit script decided. */
public sealed interface CommitResult {

    /** The section's epoch as the script saw it. */
    String epoch();

    /** The change is committed as {@code version}, logged at {@code streamId} and published. */
    record Committed(long version, String epoch, String streamId) implements CommitResult {
    }

    /** Nothing was written: the stored version is not the expected one. */
    record VersionMismatch(long storedVersion, String epoch) implements CommitResult {
    }

    /** Nothing was written: the section's epoch is not the one the writer knows (Redis lost data). */
    record EpochMismatch(long storedVersion, String epoch) implements CommitResult {
    }
}
