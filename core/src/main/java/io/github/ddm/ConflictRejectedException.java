package io.github.ddm;

import io.github.ddm.schema.DataKey;

/** A {@link ConflictResolver} refused to let a blind write ({@code set}) replace a newer version. */
public final class ConflictRejectedException extends DdmException {

    private static final long serialVersionUID = 1L;

    public ConflictRejectedException(DataKey key, String reason) {
        super(key, "write to " + key + " rejected by the conflict resolver: " + reason, null);
    }
}
