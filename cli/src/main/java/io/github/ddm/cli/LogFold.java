package io.github.ddm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.util.HashMap;
import java.util.Map;

/**
 * Folds each document's logged events into the state they describe, independently of core's own
 * patch code (patches apply with check's own {@link PatchApplier}): from the newest event that
 * carries the whole document (a create, a snapshot, an update with its state, a delete), then each
 * later patch on the version it names.
 *
 * <p>With regions (docs/regions.md), a log also holds the region's <b>merges</b> of other regions'
 * changes (logged without a lineage, as updates on this copy's version, possibly moving it by more
 * than one, or with an empty patch when every write of the change lost) and <b>snapshots</b> that
 * answer other regions' repair requests ({@code op s}, or a delete, with the whole merge state in
 * {@code stamps}): a snapshot resets the document to its state, unless it is older than what the log
 * already gave (it was read before a later commit and appended after it), which says nothing new.
 * Not thread-safe: one fold per check.
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
    private long merges;
    private long snapshots;
    private long conflicts;

    /** Adds the next event of the log (events must come in log order). */
    void add(ChangeEvent event) {
        String id = event.key().id();
        if (event.conflicts() != null) {
            conflicts += event.conflicts().size();
        }
        Folded current = documents.get(id);
        if (event.stamps() != null) {
            snapshots++;
            if (current != null && current.problem() == null && !current.unknownBase() && event.version() < current.version()) {
                return; // a repair answer read before a later commit, appended after it
            }
        } else if (event.clock() != null && event.lineage() == null) {
            merges++;
        }
        documents.put(id, next(current, event));
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
            return new Folded(event.version(), false, PatchApplier.apply(event.patch(), current.state()), false, null);
        } catch (PatchApplier.PatchFailedException e) {
            return new Folded(event.version(), false, null, false, "the patch to version " + event.version() + " (stream id "
                    + event.streamId() + ") does not apply to version " + current.version() + ": " + e.getMessage());
        }
    }

    /** What the log says about each document it mentions. */
    Map<String, Folded> documents() {
        return documents;
    }

    /** Events that merged another region's change (or joined another region's copy) into this one: logged without a lineage. */
    long merges() {
        return merges;
    }

    /** Snapshots with a whole merge state: this region's answers to other regions' repair requests. */
    long snapshots() {
        return snapshots;
    }

    /** Conflicts the logged events say they resolved. */
    long conflicts() {
        return conflicts;
    }
}
