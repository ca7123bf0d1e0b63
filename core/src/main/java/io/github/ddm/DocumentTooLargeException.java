package io.github.ddm;

import io.github.ddm.schema.DataKey;

/** A document's JSON form is larger than the manager's configured limit. Nothing was committed. */
public final class DocumentTooLargeException extends DdmException {

    private static final long serialVersionUID = 1L;

    private final long size;
    private final long limit;

    public DocumentTooLargeException(DataKey key, long size, long limit) {
        super(key, "document " + key + " is " + size + " bytes of JSON, over the limit of " + limit
                + " bytes (maxDocumentBytes)", null);
        this.size = size;
        this.limit = limit;
    }

    /** The document's size in bytes of JSON. */
    public long size() {
        return size;
    }

    /** The configured limit in bytes. */
    public long limit() {
        return limit;
    }
}
