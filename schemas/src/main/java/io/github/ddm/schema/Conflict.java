package io.github.ddm.schema;

import java.util.Objects;

/**
 * One conflict a region resolved while taking in another region's change: two changes made
 * without having seen each other touched the same place of a document, and the merge rules kept
 * one of them there (see docs/regions.md). Carried by the change event that committed the
 * resolution in the receiving region.
 *
 * <p>Immutable and thread-safe.
 *
 * @param path the JSON Pointer of the place (RFC 6901; {@code ""} is the whole document)
 * @param kept the stamp of the change that stays there
 * @param lost the stamp of the change that was superseded there
 */
public record Conflict(String path, Stamp kept, Stamp lost) {

    /**
     * Validates the parts.
     *
     * @throws IllegalArgumentException if the path is not a JSON Pointer or a stamp is missing
     */
    public Conflict {
        Objects.requireNonNull(path, "path");
        if (!Rules.isJsonPointer(path)) {
            throw new IllegalArgumentException("conflict path must be a JSON Pointer, got " + Rules.quote(path));
        }
        Objects.requireNonNull(kept, "kept");
        Objects.requireNonNull(lost, "lost");
    }
}
