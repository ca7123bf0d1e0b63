package io.github.ddm.internal.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.CanonicalForm;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.Stamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Joins two copies of a document, each with its merge state, into the copy that has taken in
 * every change either had: what a repair snapshot from another region does (docs/regions.md). The
 * result is what taking in each change one by one would have given, so a region can catch up from
 * another region's state instead of the changes it missed. Pure; stateless and thread-safe.
 *
 * <p>Place by place, from the whole document down: where both copies hold the value of the same
 * change, the join goes into its members or elements; where they hold different changes, the one
 * the other had seen is superseded, and between two that had not seen each other the later stamp
 * wins; either way the winner's whole subtree is taken, and the loser's writes there that the
 * winner had not seen are reported as conflicts.
 */
public final class StateJoin {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StateJoin() {
    }

    /**
     * The join of two copies.
     *
     * @param treeA one copy's content, or null when absent
     * @param a its merge state
     * @param treeB the other copy's content, or null when absent
     * @param b its merge state
     * @return {@link RegionMerge.Outcome.Duplicate} when {@code a} has taken in everything {@code b}
     *     has, else {@link RegionMerge.Outcome.Merged} (with {@code fastForward} when {@code b} had
     *     everything {@code a} had)
     */
    public static RegionMerge.Outcome join(ObjectNode treeA, MergeState a, ObjectNode treeB, MergeState b) {
        if (a.clock().dominates(b.clock())) {
            return new RegionMerge.Outcome.Duplicate(a.clock().sum());
        }
        if (b.clock().dominates(a.clock())) {
            return new RegionMerge.Outcome.Merged(treeB == null ? null : treeB.deepCopy(), b, List.of(), true);
        }
        Join join = new Join(a, b);
        JsonNode root = join.at("", treeA, a.root(), treeB, b.root());
        return new RegionMerge.Outcome.Merged((ObjectNode) root, new MergeState(a.clock().merge(b.clock()), join.stamps),
                join.conflicts, false);
    }

    private static final class Join {
        private final MergeState a;
        private final MergeState b;
        private final TreeMap<String, Stamp> stamps = new TreeMap<>();
        private final List<Conflict> conflicts = new ArrayList<>();

        Join(MergeState a, MergeState b) {
            this.a = a;
            this.b = b;
        }

        /** The joined value at {@code path}, given each copy's node there and the stamp it holds. */
        JsonNode at(String path, JsonNode nodeA, Stamp stampA, JsonNode nodeB, Stamp stampB) {
            if (Objects.equals(stampA, stampB)) {
                Stamp own = a.stamps().get(path);
                if (own != null) {
                    stamps.put(path, own);
                }
                JsonNode same = same(path, nodeA, stampA, nodeB);
                if (same != Mismatch.INSTANCE) {
                    return same;
                }
            }
            return winner(path, nodeA, stampA, nodeB, stampB);
        }

        /** Both copies hold the same change here: go into its members; {@link Mismatch} if they disagree. */
        private JsonNode same(String path, JsonNode nodeA, Stamp stamp, JsonNode nodeB) {
            if (nodeA == null || nodeB == null) {
                return nodeA == null && nodeB == null ? null : Mismatch.INSTANCE;
            }
            if (nodeA.isObject() && nodeB.isObject()) {
                ObjectNode out = NODES.objectNode();
                for (String name : childNames(path, nodeA, nodeB)) {
                    String child = Pointers.child(path, name);
                    JsonNode value = at(child, nodeA.get(name), stampAt(a, child, stamp), nodeB.get(name), stampAt(b, child, stamp));
                    if (value != null) {
                        out.set(name, value);
                    }
                }
                return out;
            }
            if (nodeA.isArray() && nodeB.isArray() && nodeA.size() == nodeB.size()) {
                ArrayNode out = NODES.arrayNode(nodeA.size());
                for (int i = 0; i < nodeA.size(); i++) {
                    String child = path + "/" + i;
                    JsonNode value = at(child, nodeA.get(i), stampAt(a, child, stamp), nodeB.get(i), stampAt(b, child, stamp));
                    out.add(value == null ? NODES.nullNode() : value);
                }
                return out;
            }
            return nodeA.equals(nodeB) ? nodeA.deepCopy() : Mismatch.INSTANCE;
        }

        /** Different changes hold the two copies here: one wins the whole place. */
        private JsonNode winner(String path, JsonNode nodeA, Stamp stampA, JsonNode nodeB, Stamp stampB) {
            boolean aSeenByB = stampA == null || b.clock().covers(stampA);
            boolean bSeenByA = stampB == null || a.clock().covers(stampB);
            boolean takeB;
            if (aSeenByB != bSeenByA) {
                takeB = aSeenByB;
            } else if (stampA != null && stampB != null) {
                takeB = stampB.isAfter(stampA);
            } else if (stampA != null || stampB != null) {
                takeB = stampB != null;
            } else {
                // Neither copy knows who wrote this place (documents from before regions support): the same
                // choice whichever side joins, by content.
                takeB = compareContent(nodeB, nodeA) > 0;
            }
            MergeState won = takeB ? b : a;
            MergeState lost = takeB ? a : b;
            JsonNode wonNode = takeB ? nodeB : nodeA;
            JsonNode lostNode = takeB ? nodeA : nodeB;
            Stamp wonStamp = takeB ? stampB : stampA;
            Stamp lostStamp = takeB ? stampA : stampB;
            Stamp ownWon = won.stamps().get(path);
            if (ownWon != null) {
                stamps.put(path, ownWon);
            }
            stamps.putAll(won.below(path));
            if (wonStamp != null && lostStamp != null && !won.clock().covers(lostStamp) && !(wonNode == null && lostNode == null)) {
                conflicts.add(new Conflict(path, wonStamp, lostStamp));
            }
            if (wonStamp != null) {
                for (Map.Entry<String, Stamp> inner : lost.below(path).entrySet()) {
                    if (!won.clock().covers(inner.getValue())) {
                        conflicts.add(new Conflict(inner.getKey(), wonStamp, inner.getValue()));
                    }
                }
            }
            return wonNode == null ? null : wonNode.deepCopy();
        }

        /** Orders two values by their canonical text, an absent value first. */
        private static int compareContent(JsonNode a, JsonNode b) {
            if (a == null || b == null) {
                return a == null ? (b == null ? 0 : -1) : 1;
            }
            return CanonicalForm.text(a).compareTo(CanonicalForm.text(b));
        }

        private static Stamp stampAt(MergeState state, String path, Stamp inherited) {
            Stamp own = state.stamps().get(path);
            return own != null ? own : inherited;
        }

        /** Members of either copy, and members either copy has a stamp for (removals included). */
        private Set<String> childNames(String path, JsonNode nodeA, JsonNode nodeB) {
            Set<String> names = new LinkedHashSet<>();
            nodeA.fieldNames().forEachRemaining(names::add);
            nodeB.fieldNames().forEachRemaining(names::add);
            addStampedChildren(a.below(path), path, names);
            addStampedChildren(b.below(path), path, names);
            return names;
        }

        private static void addStampedChildren(SortedMap<String, Stamp> below, String path, Set<String> names) {
            for (Iterator<String> it = below.keySet().iterator(); it.hasNext(); ) {
                String pointer = it.next();
                int end = pointer.indexOf('/', path.length() + 1);
                names.add(Pointers.unescape(pointer.substring(path.length() + 1, end < 0 ? pointer.length() : end)));
            }
        }
    }

    /** Marks copies that hold the same stamp but disagree (which a correct history never produces). */
    private static final class Mismatch {
        static final JsonNode INSTANCE = NODES.textNode("\u0000mismatch");
    }
}
