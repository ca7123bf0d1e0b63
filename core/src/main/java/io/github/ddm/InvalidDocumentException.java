package io.github.ddm;

import io.github.ddm.schema.DataKey;

/**
 * A value cannot be stored as a document: it does not serialize to a JSON object, it has a
 * top-level member whose name is reserved, or serializing it failed. Nothing was committed.
 */
public final class InvalidDocumentException extends DdmException {

    private static final long serialVersionUID = 1L;

    public InvalidDocumentException(DataKey key, String reason, Throwable cause) {
        super(key, "invalid document for " + key + ": " + reason, cause);
    }
}
