package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON trees of the documents this node wrote most recently, so that the next update of a hot
 * key can diff against its base without rebuilding the tree from the cached value (the most
 * expensive step of an update). Bounded: the least recently written key goes first, so memory
 * stays at a few trees whatever the number of keys. Trees are never modified once stored. A tree
 * is found only at the version and the section epoch it was stored with: versions start over when
 * Redis loses a section's data, and version 5 of the new epoch is not version 5 of the old one.
 * One instance per section, shared by this node's writes, the change feed and the loader.
 * Thread-safe.
 */
final class RecentTrees {

    private record At(long version, String epoch, ObjectNode tree) {
    }

    private final Map<String, At> trees;

    RecentTrees(int capacity) {
        this.trees = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, At> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The tree of the key at exactly {@code version} of {@code epoch}, or null. */
    synchronized ObjectNode get(String id, long version, String epoch) {
        At at = trees.get(id);
        return at != null && at.version() == version && Objects.equals(at.epoch(), epoch) ? at.tree() : null;
    }

    synchronized void put(String id, long version, String epoch, ObjectNode tree) {
        trees.put(id, new At(version, epoch, tree));
    }
}
