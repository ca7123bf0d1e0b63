package io.github.ddm.internal.store;

import io.github.ddm.schema.Origin;
import java.util.Map;

/**
 * A document as read from Redis: metadata, top-level members as JSON text, and the section epoch
 * read in the same atomic step.
 *
 * @param epoch the section's epoch, or null when the section has none (never written, or lost)
 * @param version 0 when the key was never written
 * @param timeMillis change time of {@code version}, 0 when never written
 * @param origin the writer of {@code version}, or null when never written
 * @param deleted true for a tombstone (the document was deleted at {@code version})
 * @param members top-level member name to JSON text; empty when deleted or never written
 */
public record StoredDocument(String epoch, long version, long timeMillis, Origin origin, boolean deleted,
                             Map<String, String> members) {

    public StoredDocument {
        members = Map.copyOf(members);
    }

    /** True when there is a live document (written and not deleted). */
    public boolean exists() {
        return version > 0 && !deleted;
    }
}
