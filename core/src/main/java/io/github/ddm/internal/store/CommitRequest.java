package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeOp;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One change for the commit script.
 *
 * @param id the document id
 * @param expectedVersion the version the change was computed from (0 when never written)
 * @param newVersion the version it commits: {@code expectedVersion + 1} for a change made here; a
 *     change taken in from elsewhere commits the sum of its clock
 * @param knownEpoch the section epoch the writer knows, or null
 * @param timeMillis change time
 * @param origin {@code region/node}
 * @param op CREATE, UPDATE or DELETE
 * @param event the event text with holes for epoch, lineage, clock and stream id
 * @param writes members to write: name to JSON text (ignored for DELETE)
 * @param removals members to delete (ignored for DELETE, which removes every member)
 * @param merge how the document's merge state moves
 */
public record CommitRequest(String id, long expectedVersion, long newVersion, String knownEpoch, long timeMillis, String origin,
                            ChangeOp op, EventTemplate event, Map<String, String> writes, List<String> removals,
                            MergeWrite merge) {

    public CommitRequest {
        if (op == ChangeOp.SNAPSHOT) {
            throw new IllegalArgumentException("a snapshot is not a commit");
        }
        if (newVersion <= expectedVersion) {
            throw new IllegalArgumentException("newVersion " + newVersion + " must be above expectedVersion " + expectedVersion);
        }
        writes = Map.copyOf(writes);
        removals = List.copyOf(removals);
        Objects.requireNonNull(merge, "merge");
    }

    /** How the commit moves the document's merge state (docs/regions.md). */
    public sealed interface MergeWrite {
    }

    /**
     * A change made in this region: the script counts it in the clock under this region's
     * lineage and stamps what it wrote.
     *
     * @param region this region
     * @param written (member, pointer inside it, {@code ""} for the member itself) of every place an
     *     UPDATE wrote as a whole; CREATE and DELETE write the whole document
     */
    public record Local(String region, List<String[]> written) implements MergeWrite {
        public Local {
            written = List.copyOf(written);
        }
    }

    /**
     * A change taken in from elsewhere, whose merge state the caller computed.
     *
     * @param lineage the change's lineage
     * @param clockJson the document's clock after it
     * @param fields merge state fields to set ({@code ""} deletes one)
     * @param reset clear every member's stamps first
     */
    public record Applied(String lineage, String clockJson, Map<String, String> fields, boolean reset) implements MergeWrite {
        public Applied {
            fields = Map.copyOf(fields);
        }
    }
}
