package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON trees of the documents this node wrote most recently, so that the next update of a hot
 * key can diff against its base without rebuilding the tree from the cached value (the most
 * expensive step of an update). Bounded: the least recently written key goes first, so memory
 * stays at a few trees whatever the number of keys. Trees are never modified once stored.
 * Thread-safe.
 */
final class RecentTrees {

    private record At(long version, ObjectNode tree) {
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

    /** The tree of the key at exactly {@code version}, or null. */
    synchronized ObjectNode get(String id, long version) {
        At at = trees.get(id);
        return at != null && at.version() == version ? at.tree() : null;
    }

    synchronized void put(String id, long version, ObjectNode tree) {
        trees.put(id, new At(version, tree));
    }
}
