package io.github.ddm;

import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Instant;
import java.util.Objects;

/**
 * A document's value at one version, with when and by whom that version was written.
 *
 * <p>Immutable when {@code T} is. What a manager hands out is never shared mutable state: with
 * {@link ValueSharing#COPY_ON_READ} every call returns a fresh value, and with
 * {@link ValueSharing#SHARED} the value is shared and {@code T} must be immutable.
 *
 * @param key the document's key, never null
 * @param value the document, never null
 * @param version the document's version, at least 1
 * @param changeTime when {@code version} was committed, never null
 * @param origin the writer of {@code version}, never null
 * @param <T> the document type
 */
public record Versioned<T>(DataKey key, T value, long version, Instant changeTime, Origin origin) {

    /** @throws NullPointerException if a reference is null; IllegalArgumentException if version < 1 */
    public Versioned {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(changeTime, "changeTime");
        Objects.requireNonNull(origin, "origin");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
    }
}
