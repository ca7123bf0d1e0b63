package io.github.ddm;

import io.github.ddm.schema.DataKey;

/** An operation that needs an existing document ({@code update}) found none, or a deleted one. */
public final class DocumentNotFoundException extends DdmException {

    private static final long serialVersionUID = 1L;

    public DocumentNotFoundException(DataKey key) {
        super(key, "no document " + key + " (never written, or deleted)", null);
    }
}
