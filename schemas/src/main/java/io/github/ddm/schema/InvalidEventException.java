package io.github.ddm.schema;

import java.util.Objects;

/**
 * Thrown when a change event breaks a rule of the ChangeEvent contract, either while it is being
 * built in Java ({@link ChangeEvent}'s constructor and factories) or while it is being decoded
 * ({@link ChangeEventCodec#decode(byte[])} and its overloads).
 *
 * <p>{@link #field()} names the offending wire field, dotted for nested members
 * ({@code key.partition}, {@code origin.node}) and indexed for patch operations
 * ({@code patch[2].op}). {@link ChangeEventCodec#ROOT_FIELD} ({@code "$"}) names the input as a whole:
 * malformed JSON, or a JSON value that is not an object. The message always starts with the field
 * name, and echoes at most about 80 characters of the bad input.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class InvalidEventException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The wire name of the offending field. */
    private final String field;

    /**
     * Creates an exception whose message is {@code field + " " + detail}.
     *
     * @param field the wire name of the offending field, never null
     * @param detail what is wrong with it, never null
     * @throws NullPointerException if {@code field} or {@code detail} is null
     */
    public InvalidEventException(String field, String detail) {
        this(field, detail, null);
    }

    /**
     * Creates an exception whose message is {@code field + " " + detail}, with a cause.
     *
     * @param field the wire name of the offending field, never null
     * @param detail what is wrong with it, never null
     * @param cause the underlying failure, or null
     * @throws NullPointerException if {@code field} or {@code detail} is null
     */
    public InvalidEventException(String field, String detail, Throwable cause) {
        super(Objects.requireNonNull(field, "field") + " " + Objects.requireNonNull(detail, "detail"), cause);
        this.field = field;
    }

    /**
     * Returns the wire name of the offending field, e.g. {@code version}, {@code key.id},
     * {@code patch[0].path} or {@code $}.
     *
     * @return the field name, never null
     */
    public String field() {
        return field;
    }
}
