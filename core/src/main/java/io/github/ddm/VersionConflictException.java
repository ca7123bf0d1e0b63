package io.github.ddm;

import io.github.ddm.schema.DataKey;

/**
 * A write could not be committed because other writers kept changing the document: every one of
 * {@link #attempts()} compare-and-set attempts found a newer version than the one it was computed
 * from. Nothing of this write was committed.
 */
public final class VersionConflictException extends DdmException {

    private static final long serialVersionUID = 1L;

    private final int attempts;
    private final long storedVersion;

    public VersionConflictException(DataKey key, int attempts, long storedVersion) {
        super(key, "version conflict on " + key + ": gave up after " + attempts
                + " attempts; the stored version kept moving (last seen " + storedVersion + ")", null);
        this.attempts = attempts;
        this.storedVersion = storedVersion;
    }

    /** How many compare-and-set attempts were made. */
    public int attempts() {
        return attempts;
    }

    /** The stored version the last attempt found. */
    public long storedVersion() {
        return storedVersion;
    }
}
