package io.github.ddm;

import java.util.Objects;
import java.util.Optional;

/**
 * Decides what a blind write ({@code set}) does when it finds that the document changed since the
 * version it was computed from. {@code update} never needs one: it re-runs its mutator on the newer
 * version instead, so it never loses a write.
 *
 * <p>The default, {@link #lastWriterWins()}, writes the proposed value over the newer version.
 * Writers are ordered by (version, change time, origin): a blind write always commits at a higher
 * version than the one it overwrites, so every replica agrees on the winner. A custom resolver can
 * merge the two values, or reject the write.
 *
 * <p>Called on a DDM executor thread, possibly several times for one write if the document keeps
 * changing. It must not block and should be free of side effects.
 *
 * @param <T> the document type
 */
@FunctionalInterface
public interface ConflictResolver<T> {

    /**
     * @param current the newer stored version, or empty if the document was deleted meanwhile
     * @param proposed the value the caller asked to write
     * @return what to write, or a rejection; never null
     */
    Resolution<T> resolve(Optional<Versioned<T>> current, T proposed);

    /** Writes the proposed value over whatever is stored (the default). */
    static <T> ConflictResolver<T> lastWriterWins() {
        return (current, proposed) -> Resolution.write(proposed);
    }

    /** The decision of a {@link ConflictResolver}. */
    sealed interface Resolution<T> {

        /** Write {@code value} (the proposed one, or a merge) over the current version. */
        static <T> Resolution<T> write(T value) {
            return new Write<>(value);
        }

        /** Do not write; the caller's future fails with {@link ConflictRejectedException}. */
        static <T> Resolution<T> reject(String reason) {
            return new Reject<>(reason);
        }

        /** @param value the value to write, never null */
        record Write<T>(T value) implements Resolution<T> {
            public Write {
                Objects.requireNonNull(value, "value");
            }
        }

        /** @param reason why, for the exception message; never null */
        record Reject<T>(String reason) implements Resolution<T> {
            public Reject {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}
