package io.github.ddm.replay;

import java.util.Objects;

/**
 * A Kafka record that was not used, and why: a value that is not a valid DDM change event (in any
 * of the accepted forms), a missing or mismatched record key, or an event that could not be
 * applied to the target. The reason never contains the record's payload.
 *
 * <p>Immutable and thread-safe.
 *
 * @param position where the record is, never null
 * @param recordKey the record key as text, or null if the record had none (or it was not UTF-8)
 * @param reason what is wrong, never null
 */
public record RecordError(RecordPosition position, String recordKey, String reason) {

    /** @throws NullPointerException if {@code position} or {@code reason} is null */
    public RecordError {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return position + (recordKey == null ? "" : " key=" + recordKey) + ": " + reason;
    }
}
