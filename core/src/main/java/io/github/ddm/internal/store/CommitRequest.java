package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeOp;
import java.util.List;
import java.util.Map;

/**
 * One change for the commit script.
 *
 * @param id the document id
 * @param expectedVersion the version the change was computed from (0 when never written)
 * @param newVersion the version it commits: {@code expectedVersion + 1} for a local change; a
 *     replicated state may jump ahead (it carries the whole document)
 * @param knownEpoch the section epoch the writer knows, or null
 * @param timeMillis change time
 * @param origin {@code region/node}
 * @param op CREATE, UPDATE or DELETE
 * @param event the event text with holes for epoch and stream id
 * @param writes members to write: name to JSON text (ignored for DELETE)
 * @param removals members to delete (ignored for DELETE, which removes every member)
 */
public record CommitRequest(String id, long expectedVersion, long newVersion, String knownEpoch, long timeMillis, String origin,
                            ChangeOp op, EventTemplate event, Map<String, String> writes, List<String> removals) {

    public CommitRequest {
        if (op == ChangeOp.SNAPSHOT) {
            throw new IllegalArgumentException("a snapshot is not a commit");
        }
        if (newVersion <= expectedVersion) {
            throw new IllegalArgumentException("newVersion " + newVersion + " must be above expectedVersion " + expectedVersion);
        }
        writes = Map.copyOf(writes);
        removals = List.copyOf(removals);
    }
}
