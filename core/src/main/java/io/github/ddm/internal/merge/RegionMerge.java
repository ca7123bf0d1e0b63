package io.github.ddm.internal.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.patch.PatchEngine;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Takes one region's change into another region's copy of a document, under the rules of
 * docs/regions.md. Pure: it computes the next content, merge state and the conflicts resolved,
 * and never touches Redis. Stateless and thread-safe.
 *
 * <p>A change is taken in only after every change it had seen ({@link Outcome.Missing} otherwise),
 * and only once ({@link Outcome.Duplicate}). When the copy is exactly the state the change was made
 * on (their clocks agree), the change applies as it is ({@code fastForward}). Otherwise each place
 * the change wrote is merged:
 * <ul>
 *   <li>a write inside an object or array that a change the writer had not seen removed or
 *       replaced is dropped (removing or replacing a container wins over concurrent changes inside
 *       it, whatever their times);</li>
 *   <li>a write to a place that a concurrent change also wrote is kept only if its stamp orders
 *       after the other's (later change time wins; the same order in every region);</li>
 *   <li>a write that is kept replaces what concurrent changes wrote inside that place.</li>
 * </ul>
 * Every write dropped or replaced by a concurrent one is reported as a {@link Conflict}.
 */
public final class RegionMerge {

    private RegionMerge() {
    }

    /** What taking in one change did. */
    public sealed interface Outcome {

        /** The change is already taken in: a redelivery, or an echo. */
        record Duplicate(long count) implements Outcome {
        }

        /** Changes the event depends on are not taken in yet; {@code needs} is the clock it was made on. */
        record Missing(VersionVector needs, VersionVector have) implements Outcome {
        }

        /** The change cannot be merged here, for {@code reason}; nothing is to be written. */
        record Unmergeable(String reason) implements Outcome {
        }

        /**
         * The change is taken in.
         *
         * @param tree the document after it, or null when it is absent (deleted, or never created)
         * @param state the merge state after it
         * @param conflicts what concurrent writes were superseded, and by which
         * @param fastForward true when the copy was exactly the change's base
         */
        record Merged(ObjectNode tree, MergeState state, List<Conflict> conflicts, boolean fastForward) implements Outcome {
            public Merged {
                conflicts = List.copyOf(conflicts);
            }
        }
    }

    /**
     * Takes {@code event} into a copy of its document.
     *
     * @param tree the copy's content (not modified), or null when the document is absent
     * @param local the copy's merge state
     * @param event a change that carries its lineage and clock (as DDM writers log it)
     */
    public static Outcome apply(ObjectNode tree, MergeState local, ChangeEvent event) {
        Stamp stamp = event.stamp();
        if (stamp == null) {
            return new Outcome.Unmergeable("the event carries no lineage and clock (written before regions support,"
                    + " or not an origin's own change)");
        }
        if (event.op() == ChangeOp.SNAPSHOT) {
            return new Outcome.Unmergeable("a snapshot is merged as a whole state, not as a change");
        }
        String replica = stamp.replica();
        long have = local.clock().get(replica);
        if (have >= stamp.counter()) {
            return new Outcome.Duplicate(have);
        }
        VersionVector needs = stamp.counter() == 1 ? without(event.clock(), replica) : event.clock().with(replica, stamp.counter() - 1);
        if (have < stamp.counter() - 1 || !local.clock().dominates(needs)) {
            return new Outcome.Missing(needs, local.clock());
        }
        VersionVector clock = local.clock().with(replica, stamp.counter());
        if (local.clock().equals(needs)) {
            return fastForward(tree, local, event, stamp, clock);
        }
        return new Merging(tree, local, needs, stamp).run(event, clock);
    }

    private static VersionVector without(VersionVector clock, String replica) {
        java.util.TreeMap<String, Long> counts = new java.util.TreeMap<>(clock.counts());
        counts.remove(replica);
        return new VersionVector(counts);
    }

    /** The copy is the change's base: apply it as its origin did. */
    private static Outcome fastForward(ObjectNode tree, MergeState local, ChangeEvent event, Stamp stamp, VersionVector clock) {
        NavigableMap<String, Stamp> stamps = local.mutableStamps();
        switch (event.op()) {
            case CREATE -> {
                stamps.clear();
                stamps.put("", stamp);
                return new Outcome.Merged((ObjectNode) event.state().deepCopy(), new MergeState(clock, stamps), List.of(), true);
            }
            case DELETE -> {
                stamps.clear();
                stamps.put("", stamp);
                return new Outcome.Merged(null, new MergeState(clock, stamps), List.of(), true);
            }
            default -> {
                if (tree == null) {
                    return new Outcome.Unmergeable("an update of a document that is absent here, although this copy has"
                            + " taken in exactly the changes the update was made on");
                }
                JsonNode after;
                try {
                    after = PatchEngine.apply(event.patch(), tree);
                } catch (PatchEngine.PatchFailedException e) {
                    return new Outcome.Unmergeable("the patch does not apply to the state it was made on: " + e.getMessage());
                }
                for (JsonNode op : event.patch()) {
                    String opName = op.path("op").asText();
                    if (opName.equals("test")) {
                        continue;
                    }
                    stampWrite(stamps, tree, op.path("path").asText(), opName, stamp);
                    if (op.has("from") && opName.equals("move")) {
                        stampWrite(stamps, tree, op.get("from").asText(), "remove", stamp);
                    }
                }
                return new Outcome.Merged((ObjectNode) after, new MergeState(clock, stamps), List.of(), true);
            }
        }
    }

    /** Records that {@code stamp} wrote {@code path} as a whole (an array's element inserted or removed: the array). */
    private static void stampWrite(NavigableMap<String, Stamp> stamps, JsonNode before, String path, String op, Stamp stamp) {
        String written = path;
        if (!path.isEmpty() && !op.equals("replace")) {
            JsonNode parent = Pointers.resolve(before, Pointers.parent(path));
            if (parent != null && parent.isArray()) {
                written = Pointers.parent(path);
            }
        }
        MergeState.below(stamps, written).clear();
        stamps.put(written, stamp);
    }

    /** One non-fast-forward merge: a working copy of the content and stamps, and the conflicts found. */
    private static final class Merging {
        private ObjectNode tree;
        private final NavigableMap<String, Stamp> stamps;
        private final VersionVector seen;
        private final Stamp stamp;
        private final Set<Conflict> conflicts = new LinkedHashSet<>();

        Merging(ObjectNode tree, MergeState local, VersionVector seen, Stamp stamp) {
            this.tree = tree == null ? null : tree.deepCopy();
            this.stamps = local.mutableStamps();
            this.seen = seen;
            this.stamp = stamp;
        }

        Outcome run(ChangeEvent event, VersionVector clock) {
            switch (event.op()) {
                case CREATE -> writeRoot(event.state());
                case DELETE -> writeRoot(null);
                default -> {
                    for (JsonNode op : event.patch()) {
                        String name = op.path("op").asText();
                        String path = op.path("path").asText();
                        switch (name) {
                            case "test" -> {
                            }
                            case "add", "replace" -> {
                                String problem = write(path, name, op.get("value"));
                                if (problem != null) {
                                    return new Outcome.Unmergeable(problem);
                                }
                            }
                            case "remove" -> {
                                String problem = write(path, name, null);
                                if (problem != null) {
                                    return new Outcome.Unmergeable(problem);
                                }
                            }
                            default -> {
                                return new Outcome.Unmergeable("a '" + name + "' operation (" + path + ") cannot be merged"
                                        + " with concurrent changes; DDM writers never produce one");
                            }
                        }
                    }
                }
            }
            return new Outcome.Merged(tree, new MergeState(clock, stamps), new ArrayList<>(conflicts), false);
        }

        private boolean seen(Stamp s) {
            return s == null || this.seen.covers(s);
        }

        private void writeRoot(JsonNode value) {
            Stamp root = stamps.get("");
            if (!seen(root)) {
                boolean bothDelete = value == null && tree == null;
                if (root.isAfter(stamp)) {
                    if (!bothDelete) {
                        conflicts.add(new Conflict("", root, stamp));
                    }
                    return;
                }
                if (!bothDelete) {
                    conflicts.add(new Conflict("", stamp, root));
                }
            }
            supersedeBelow("");
            stamps.clear();
            stamps.put("", stamp);
            tree = value == null ? null : (ObjectNode) value.deepCopy();
        }

        /** Merges one write; returns a problem when it cannot be merged at all. */
        private String write(String path, String op, JsonNode value) {
            if (path.isEmpty()) {
                return "an update that writes the whole document cannot be merged; DDM writers create instead";
            }
            String parentPath = Pointers.parent(path);
            JsonNode parent = tree == null ? null : Pointers.resolve(tree, parentPath);
            Stamp container = effective(parentPath);
            if (parent == null || !parent.isContainerNode() || !seen(container)) {
                // A change this writer had not seen removed or replaced the place it wrote into.
                Stamp holder = parent == null || !parent.isContainerNode() ? nearestExisting(parentPath) : container;
                if (holder != null) {
                    conflicts.add(new Conflict(path, holder, stamp));
                }
                return null;
            }
            String token = Pointers.lastToken(path);
            if (parent.isArray()) {
                int index = Pointers.index(token);
                if (!op.equals("replace") || index < 0 || index >= parent.size()) {
                    return "an '" + op + "' of array element " + path + " changes the array's length; it cannot be merged"
                            + " with concurrent changes (DDM writers replace such an array as a whole)";
                }
            }
            Stamp own = stamps.get(path);
            if (!seen(own)) {
                // Two removals of one member lose nothing: they are not reported.
                boolean bothRemove = value == null && parent.isObject() && !parent.has(token);
                if (own.isAfter(stamp)) {
                    if (!bothRemove) {
                        conflicts.add(new Conflict(path, own, stamp));
                    }
                    return null;
                }
                if (!bothRemove) {
                    conflicts.add(new Conflict(path, stamp, own));
                }
            }
            supersedeBelow(path);
            MergeState.below(stamps, path).clear();
            stamps.put(path, stamp);
            if (parent.isArray()) {
                ((ArrayNode) parent).set(Pointers.index(token), value.deepCopy());
            } else if (value == null) {
                ((ObjectNode) parent).remove(token);
            } else {
                ((ObjectNode) parent).set(token, value.deepCopy());
            }
            return null;
        }

        /** Reports the writes below {@code path} that the writer had not seen: they are replaced with it. */
        private void supersedeBelow(String path) {
            for (Map.Entry<String, Stamp> inner : MergeState.below(stamps, path).entrySet()) {
                if (!seen(inner.getValue())) {
                    conflicts.add(new Conflict(inner.getKey(), stamp, inner.getValue()));
                }
            }
        }

        private Stamp effective(String pointer) {
            String p = pointer;
            while (true) {
                Stamp own = stamps.get(p);
                if (own != null || p.isEmpty()) {
                    return own;
                }
                p = Pointers.parent(p);
            }
        }

        /** The stamp of whatever holds the deepest existing ancestor of {@code pointer}. */
        private Stamp nearestExisting(String pointer) {
            String p = pointer;
            while (!p.isEmpty() && (tree == null || Pointers.resolve(tree, p) == null)) {
                Stamp own = stamps.get(p);
                if (own != null) {
                    return own;
                }
                p = Pointers.parent(p);
            }
            return effective(p);
        }
    }
}
