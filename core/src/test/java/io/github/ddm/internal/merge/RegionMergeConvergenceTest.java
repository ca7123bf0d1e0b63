package io.github.ddm.internal.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Guarantee 12 at the level of the merge rules: regions that make concurrent changes to one
 * document and take in each other's changes in any (causal) order, some of them through repair
 * snapshots of another region's whole state, end with the identical document, clock and stamps.
 * Each region's clock is skewed, so times alone do not order changes.
 */
class RegionMergeConvergenceTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DataKey KEY = DataKey.of("p", "s", "doc");

    @Property(tries = 300)
    void concurrentChanges_inAnyCausalOrder_convergeEverywhere(@ForAll long seed,
                                                               @ForAll @IntRange(min = 2, max = 4) int regions) {
        Random random = new Random(seed);
        List<Replica> replicas = new ArrayList<>();
        for (int i = 0; i < regions; i++) {
            replicas.add(new Replica("r" + i, "L" + i, random.nextInt(40) - 20));
        }
        for (Replica r : replicas) {
            replicas.stream().filter(x -> x != r).forEach(r.peers::add);
        }
        int steps = 20 + random.nextInt(60);
        for (int step = 0; step < steps; step++) {
            int action = random.nextInt(10);
            Replica r = replicas.get(random.nextInt(regions));
            if (action < 4) {
                r.write(random, step);
            } else if (action < 8) {
                deliverOne(random, replicas);
            } else {
                Replica from = replicas.get(random.nextInt(regions));
                if (from != r) {
                    r.joinFrom(from);
                }
            }
        }
        while (deliverOne(random, replicas)) {
            // drain every inbox in a random causal order
        }
        Replica first = replicas.get(0);
        for (Replica other : replicas) {
            assertThat(other.inboxEmpty()).as("%s still waits for changes: a causal dependency never arrived", other.region).isTrue();
            assertThat(other.state.clock()).as("clock of %s (seed %s)", other.region, seed).isEqualTo(first.state.clock());
            assertThat(other.tree).as("document of %s (seed %s)", other.region, seed).isEqualTo(first.tree);
            assertThat(other.state.stamps()).as("stamps of %s (seed %s)", other.region, seed).isEqualTo(first.state.stamps());
            assertThat(other.reported).as("conflicts reported twice by %s", other.region).doesNotHaveDuplicates();
        }
    }

    @Property(tries = 200)
    void concurrentChanges_exchangedOnlyAsWholeStates_convergeLikeChangeByChange(@ForAll long seed) {
        Random random = new Random(seed);
        List<Replica> replicas = List.of(new Replica("a", "A", 7), new Replica("b", "B", -5), new Replica("c", "C", 0));
        for (Replica r : replicas) {
            replicas.stream().filter(x -> x != r).forEach(r.peers::add);
        }
        Replica observer = new Replica("o", "O", 0);
        for (Replica r : replicas) {
            r.peers.add(observer);
        }
        for (int step = 0; step < 60; step++) {
            Replica r = replicas.get(random.nextInt(3));
            if (random.nextInt(3) > 0) {
                r.write(random, step);
            } else {
                Replica from = replicas.get(random.nextInt(3));
                if (from != r) {
                    r.joinFrom(from);
                }
            }
        }
        // Everyone joins everyone's final state, in random directions; the observer takes change by change.
        for (int round = 0; round < 3; round++) {
            for (Replica r : replicas) {
                for (Replica from : replicas) {
                    if (from != r && random.nextBoolean()) {
                        r.joinFrom(from);
                    }
                }
            }
        }
        for (Replica r : replicas) {
            for (Replica from : replicas) {
                if (from != r) {
                    r.joinFrom(from);
                }
            }
        }
        while (deliverOne(random, List.of(observer))) {
            // change by change, in a random causal order
        }
        for (Replica r : replicas) {
            assertThat(r.state.clock()).as("clock of %s (seed %s)", r.region, seed).isEqualTo(observer.state.clock());
            assertThat(r.tree).as("document of %s (seed %s)", r.region, seed).isEqualTo(observer.tree);
            assertThat(r.state.stamps()).as("stamps of %s (seed %s)", r.region, seed).isEqualTo(observer.state.stamps());
        }
    }

    /** Delivers the head of a random non-empty inbox whose dependencies are met; false when none can move. */
    private static boolean deliverOne(Random random, List<Replica> replicas) {
        List<Replica> order = new ArrayList<>(replicas);
        java.util.Collections.shuffle(order, random);
        for (Replica target : order) {
            List<String> origins = new ArrayList<>(target.inbox.keySet());
            java.util.Collections.shuffle(origins, random);
            for (String origin : origins) {
                ArrayDeque<ChangeEvent> queue = target.inbox.get(origin);
                if (!queue.isEmpty() && target.take(queue.peek())) {
                    queue.poll();
                    return true;
                }
            }
        }
        return false;
    }

    private static final class Replica {
        final String region;
        final String lineage;
        final long skew;
        ObjectNode tree;
        MergeState state = MergeState.EMPTY;
        long maxTime;
        final java.util.Map<String, ArrayDeque<ChangeEvent>> inbox = new java.util.HashMap<>();
        final List<Replica> peers = new ArrayList<>();
        final List<String> reported = new ArrayList<>();

        Replica(String region, String lineage, long skew) {
            this.region = region;
            this.lineage = lineage;
            this.skew = skew;
        }

        boolean inboxEmpty() {
            return inbox.values().stream().allMatch(ArrayDeque::isEmpty);
        }

        void write(Random random, int step) {
            long now = Math.max(0, 1_000 + step * 3L + skew);
            long time = Math.max(now, maxTime);
            String replica = VersionVector.replica(region, lineage);
            VersionVector clock = state.clock().with(replica, state.clock().get(replica) + 1);
            long version = clock.sum();
            Origin origin = Origin.of(region, "n");
            ChangeEvent event;
            if (tree == null) {
                event = ChangeEvent.create("e" + region + version, KEY, version, version - 1, "E", Instant.ofEpochMilli(time),
                        origin, randomDocument(random));
            } else if (random.nextInt(12) == 0) {
                event = ChangeEvent.delete("e" + region + version, KEY, version, version - 1, "E", Instant.ofEpochMilli(time), origin);
            } else {
                ObjectNode after = tree.deepCopy();
                mutate(random, after);
                ArrayNode patch = RegisterDiff.diff(tree, after);
                if (patch.isEmpty()) {
                    return;
                }
                event = ChangeEvent.update("e" + region + version, KEY, version, version - 1, "E", Instant.ofEpochMilli(time),
                        origin, patch, null);
            }
            event = event.withClock(lineage, clock);
            RegionMerge.Outcome own = RegionMerge.apply(tree, state, event);
            assertThat(own).as("a region's own change applies as it was made").isInstanceOf(RegionMerge.Outcome.Merged.class);
            assertThat(((RegionMerge.Outcome.Merged) own).fastForward()).isTrue();
            accept((RegionMerge.Outcome.Merged) own, time);
            for (Replica peer : peers) {
                peer.inbox.computeIfAbsent(region, k -> new ArrayDeque<>()).add(event);
            }
        }

        /** Takes in one change; false when it must wait for changes it depends on. */
        boolean take(ChangeEvent event) {
            RegionMerge.Outcome outcome = RegionMerge.apply(tree, state, event);
            if (outcome instanceof RegionMerge.Outcome.Missing) {
                return false;
            }
            if (outcome instanceof RegionMerge.Outcome.Merged merged) {
                accept(merged, event.time().toEpochMilli());
            } else {
                assertThat(outcome).as("outcome of %s in %s", event, region).isInstanceOf(RegionMerge.Outcome.Duplicate.class);
            }
            return true;
        }

        /** A repair: another region's whole state, joined into this one. */
        void joinFrom(Replica from) {
            RegionMerge.Outcome outcome = StateJoin.join(tree, state, from.tree, from.state);
            if (outcome instanceof RegionMerge.Outcome.Merged merged) {
                accept(merged, from.maxTime);
            }
        }

        private void accept(RegionMerge.Outcome.Merged merged, long time) {
            tree = merged.tree();
            state = merged.state();
            maxTime = Math.max(maxTime, time);
            for (Conflict c : merged.conflicts()) {
                reported.add(c.path() + " lost " + c.lost());
            }
            if (tree != null) {
                assertThat(tree.isObject()).isTrue();
            }
        }
    }

    private static ObjectNode randomDocument(Random random) {
        ObjectNode doc = NODES.objectNode();
        doc.put("a", random.nextInt(5));
        doc.put("b", "s" + random.nextInt(5));
        ObjectNode o = doc.putObject("o");
        o.put("x", random.nextInt(5));
        o.put("y", random.nextInt(5));
        ArrayNode arr = doc.putArray("arr");
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            arr.addObject().put("v", random.nextInt(5));
        }
        return doc;
    }

    private static void mutate(Random random, ObjectNode doc) {
        switch (random.nextInt(12)) {
            case 0 -> doc.put("a", random.nextInt(9));
            case 1 -> doc.put("b", "s" + random.nextInt(9));
            case 2 -> doc.remove("b");
            case 3 -> objectOf(doc, "o").put("x", random.nextInt(9));
            case 4 -> objectOf(doc, "o").put("z" + random.nextInt(3), random.nextInt(9));
            case 5 -> objectOf(doc, "o").remove("y");
            case 6 -> doc.putObject("o").put("w", random.nextInt(9));
            case 7 -> {
                ArrayNode arr = arrayOf(doc, "arr");
                if (arr.size() > 0) {
                    JsonNode element = arr.get(random.nextInt(arr.size()));
                    if (element.isObject()) {
                        ((ObjectNode) element).put("v", random.nextInt(9));
                    }
                }
            }
            case 8 -> arrayOf(doc, "arr").addObject().put("v", random.nextInt(9));
            case 9 -> doc.put("a", "now a string " + random.nextInt(3));
            case 10 -> doc.putArray("t").add("t" + random.nextInt(4));
            default -> {
                doc.put("a", random.nextInt(9));
                objectOf(doc, "o").put("y", random.nextInt(9));
            }
        }
    }

    private static ObjectNode objectOf(ObjectNode doc, String name) {
        JsonNode node = doc.get(name);
        return node != null && node.isObject() ? (ObjectNode) node : doc.putObject(name);
    }

    private static ArrayNode arrayOf(ObjectNode doc, String name) {
        JsonNode node = doc.get(name);
        return node != null && node.isArray() ? (ArrayNode) node : doc.putArray(name);
    }
}
