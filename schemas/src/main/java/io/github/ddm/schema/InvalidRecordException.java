package io.github.ddm.schema;

/**
 * A Kafka record (key or value) that is not a DDM change event or control record in any of the
 * forms {@link RecordDecoder} reads. The message names what is wrong and never holds the payload
 * beyond a short parser excerpt; when the record is JSON of the right shape but an event breaks the
 * contract, the cause is the {@link InvalidEventException} naming the field.
 */
public final class InvalidRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what is wrong, never null
     */
    public InvalidRecordException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what is wrong, never null
     * @param cause the underlying failure
     */
    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
