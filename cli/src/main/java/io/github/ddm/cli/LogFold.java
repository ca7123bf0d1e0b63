package io.github.ddm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.util.HashMap;
import java.util.Map;

/**
 * Folds each document's logged events into the state they describe, independently of core's own
 * patch code (it applies patches with zjsonpatch): from the newest event that carries the whole
 * document (a create, a snapshot, an update with its state, a delete), then each later patch on the
 * version it names. Not thread-safe: one fold per check.
 */
final class LogFold {

    /**
     * What the log says about one document.
     *
     * @param version the newest logged version
     * @param deleted whether that version is a delete
     * @param state the document at that version (null if deleted or unknown)
     * @param unknownBase the log holds patches of it but no whole document to start from (trimmed)
     * @param problem why the logged history does not hold together, or null
     */
    record Folded(long version, boolean deleted, JsonNode state, boolean unknownBase, String problem) {
    }

    private final Map<String, Folded> documents = new HashMap<>();

    /** Adds the next event of the log (events must come in log order). */
    void add(ChangeEvent event) {
        String id = event.key().id();
        documents.put(id, next(documents.get(id), event));
    }

    private static Folded next(Folded current, ChangeEvent event) {
        // A whole document starts the history afresh, whatever came before it.
        if (event.op() == ChangeOp.DELETE) {
            return new Folded(event.version(), true, null, false, null);
        }
        if (event.state() != null) {
            return new Folded(event.version(), false, event.state().deepCopy(), false, null);
        }
        // An update carrying only its patch.
        if (current != null && current.problem() != null) {
            return new Folded(event.version(), false, null, false, current.problem()); // the first problem stands
        }
        if (current == null || current.unknownBase()) {
            return new Folded(event.version(), false, null, true, null);
        }
        if (current.version() != event.prevVersion() || current.deleted()) {
            return new Folded(event.version(), false, null, false, "the log has version " + current.version()
                    + (current.deleted() ? " (deleted)" : "") + ", then a patch on version " + event.prevVersion()
                    + " (stream id " + event.streamId() + ")");
        }
        try {
            return new Folded(event.version(), false, JsonPatch.apply(event.patch(), current.state()), false, null);
        } catch (JsonPatchApplicationException e) {
            return new Folded(event.version(), false, null, false, "the patch to version " + event.version() + " (stream id "
                    + event.streamId() + ") does not apply to version " + current.version() + ": " + e.getMessage());
        }
    }

    /** What the log says about each document it mentions. */
    Map<String, Folded> documents() {
        return documents;
    }
}
