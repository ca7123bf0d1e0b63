package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.CorruptDocumentException;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.patch.PatchEngine;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;

/**
 * Moves a cached entry forward by one change event, under DDM's receive rules:
 * <ul>
 *   <li>{@code version <= cached}: a duplicate, or the echo of our own write: ignored;</li>
 *   <li>{@code prevVersion == cached}: applied (the patch, or the full state when the event has one);</li>
 *   <li>a snapshot newer than the cached version: its state replaces the entry;</li>
 *   <li>anything else is a gap: nothing is applied, a patch is never applied on the wrong base.</li>
 * </ul>
 * Stateless apart from its collaborators; one per section, shared by the change feed and the loader
 * (and so is the section's {@link RecentTrees}). Call it from the key's lane.
 */
final class EventApplier<T> {

    /** The outcome of one event. */
    sealed interface Outcome {
    }

    /** The event moved the entry to a new version. */
    record Applied<T>(CachedDocument<T> entry) implements Outcome {
    }

    /** The entry already has this version. */
    record Ignored() implements Outcome {
    }

    /** The event does not follow the entry; the key must be repaired. */
    record Gap(String reason) implements Outcome {
    }

    private static final Ignored IGNORED = new Ignored();

    private final DocumentCache<T> cache;
    private final RedisLayout layout;
    private final RecentTrees trees;

    EventApplier(DocumentCache<T> cache, RedisLayout layout, RecentTrees trees) {
        this.cache = cache;
        this.layout = layout;
        this.trees = trees;
    }

    Outcome apply(String id, CachedDocument<T> entry, ChangeEvent event) {
        if (event.version() <= entry.version()) {
            return IGNORED;
        }
        boolean follows = event.prevVersion() == entry.version();
        // The document's time is the latest change time it has taken in (docs/regions.md, "Stamps").
        long time = Math.max(entry.timeMillis(), event.time().toEpochMilli());
        if (event.op() == ChangeOp.SNAPSHOT) {
            return present(id, event, time, (ObjectNode) event.state());
        }
        if (!follows) {
            return new Gap("event " + event.prevVersion() + "->" + event.version() + " does not follow cached version " + entry.version());
        }
        switch (event.op()) {
            case CREATE:
                return present(id, event, time, (ObjectNode) event.state());
            case DELETE:
                return new Applied<>(cache.absent(event.version(), time, event.origin(), event.epoch()));
            case UPDATE:
                if (event.state() != null) {
                    return present(id, event, time, (ObjectNode) event.state());
                }
                if (!entry.exists()) {
                    return new Gap("update " + event.version() + " arrived for a key cached as absent");
                }
                try {
                    // The base's tree is remembered for hot keys, so a change costs what it touches.
                    ObjectNode base = trees.get(id, entry.version(), entry.epoch());
                    ObjectNode next = (ObjectNode) PatchEngine.apply(event.patch(), base != null ? base : cache.tree(entry));
                    Outcome applied = present(id, event, time, next);
                    if (applied instanceof Applied<?>) {
                        trees.put(id, event.version(), event.epoch(), next);
                    }
                    return applied;
                } catch (PatchEngine.PatchFailedException e) {
                    return new Gap("patch " + event.prevVersion() + "->" + event.version() + " does not apply: " + e.getMessage());
                }
            default:
                throw new IllegalStateException("unknown op " + event.op());
        }
    }

    private Outcome present(String id, ChangeEvent event, long time, ObjectNode state) {
        try {
            // applied() only reads the tree (the entry keeps a typed value or bytes), so the
            // event's shared tree is never aliased.
            return new Applied<>(cache.applied(id, layout.documentKey(id), event.version(), time,
                    event.origin(), event.epoch(), state));
        } catch (CorruptDocumentException e) {
            return new Gap("version " + event.version() + " does not map to the document type: " + e.getMessage());
        }
    }
}
