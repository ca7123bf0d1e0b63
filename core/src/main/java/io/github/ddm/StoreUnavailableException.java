package io.github.ddm;

/**
 * Redis could not be reached or did not answer in time. Nothing is known to have been committed by
 * the failed call; retrying an {@code update} is safe because every commit is a compare-and-set.
 */
public final class StoreUnavailableException extends DdmException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
