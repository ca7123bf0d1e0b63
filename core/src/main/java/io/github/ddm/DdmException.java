package io.github.ddm;

import io.github.ddm.schema.DataKey;

/**
 * Base of every failure DDM reports about data or the store. Unchecked. Asynchronous methods
 * complete their future exceptionally with a subclass; they do not throw.
 *
 * <p>Bad arguments (an invalid key, a null value) are reported with
 * {@link IllegalArgumentException} or {@link NullPointerException} before any I/O instead.
 */
public class DdmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient DataKey key;

    /**
     * @param key the document concerned, or null
     * @param message what went wrong; it should name the key when there is one
     * @param cause the underlying failure, or null
     */
    protected DdmException(DataKey key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The document concerned, or null when the failure is not about one document. */
    public DataKey key() {
        return key;
    }
}
