package io.github.ddm.internal.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The rule table of docs/regions.md, row by row: two regions, eu and us, hold the same version of a
 * document; each makes one change without having seen the other's; then each takes in the other's.
 * Both must end with the document the table gives, and both must report the conflict.
 */
class RegionMergeRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("orders", "book", "BTC-USD");

    /** Row 1: changes to different places are all kept. */
    @Test
    void differentMembers_bothKept_noConflict() {
        Outcome o = concurrent("{\"bid\":1.0,\"ask\":2.0}", 100, d -> d.put("bid", 1.1), 105, d -> d.put("ask", 2.1));
        o.bothEqual("{\"bid\":1.1,\"ask\":2.1}");
        o.noConflicts();
    }

    /** Row 1 again, deeper: different members of one nested object. */
    @Test
    void differentPlacesInOneObject_bothKept() {
        Outcome o = concurrent("{\"position\":{\"qty\":1,\"price\":10}}", 100, d -> obj(d, "position").put("qty", 2),
                105, d -> obj(d, "position").put("price", 11));
        o.bothEqual("{\"position\":{\"qty\":2,\"price\":11}}");
        o.noConflicts();
    }

    /** Row 2: the same place: the later change time wins, everywhere. */
    @Test
    void samePlace_laterTimeWins() {
        Outcome o = concurrent("{\"qty\":1}", 105, d -> d.put("qty", 5), 100, d -> d.put("qty", 7));
        o.bothEqual("{\"qty\":5}");
        o.bothReport("/qty", "eu", "us");
    }

    /** Row 3: the same place at the same millisecond: the region id decides (eu before us, so us wins). */
    @Test
    void samePlace_sameTime_regionOrderDecides() {
        Outcome o = concurrent("{\"qty\":1}", 100, d -> d.put("qty", 5), 100, d -> d.put("qty", 7));
        o.bothEqual("{\"qty\":7}");
        o.bothReport("/qty", "us", "eu");
    }

    /** Row 4: a member removed against the same member changed: the later change wins. */
    @Test
    void memberRemovedVersusMemberChanged_laterWins() {
        concurrent("{\"note\":\"a\",\"x\":1}", 100, d -> d.remove("note"), 105, d -> d.put("note", "b"))
                .bothEqual("{\"note\":\"b\",\"x\":1}");
        concurrent("{\"note\":\"a\",\"x\":1}", 105, d -> d.remove("note"), 100, d -> d.put("note", "b"))
                .bothEqual("{\"x\":1}");
    }

    /** Row 5: an object removed against a change inside it: the removal wins, whatever the times. */
    @Test
    void containerRemovedVersusChangeInside_removalWins() {
        Outcome o = concurrent("{\"position\":{\"qty\":1},\"x\":1}", 100, d -> d.remove("position"),
                200, d -> obj(d, "position").put("qty", 2));
        o.bothEqual("{\"x\":1}");
        o.bothReport("/position/qty", "eu", "us");
    }

    /**
     * Row 6: an object given new content (still an object) against a change inside it: DDM sees
     * changes of members (it diffs documents), so both are kept, member by member.
     */
    @Test
    void objectGivenNewContentVersusChangeInside_mergedMemberByMember() {
        Outcome o = concurrent("{\"limits\":{\"max\":5}}", 100, d -> d.putObject("limits").put("hard", 10),
                200, d -> obj(d, "limits").put("min", 1));
        o.bothEqual("{\"limits\":{\"hard\":10,\"min\":1}}");
        o.noConflicts();
    }

    /** Row 7: a type change against a change inside the old value: the type change wins. */
    @Test
    void typeChangeVersusChangeInside_typeChangeWins() {
        concurrent("{\"a\":{\"x\":1}}", 100, d -> d.put("a", "flat"), 200, d -> obj(d, "a").put("x", 2))
                .bothEqual("{\"a\":\"flat\"}");
    }

    /** Row 8: two type changes of one place: the later wins. */
    @Test
    void typeChangeVersusTypeChange_laterWins() {
        concurrent("{\"a\":1}", 100, d -> d.putObject("a").put("x", 1), 105, d -> d.putArray("a").add(1))
                .bothEqual("{\"a\":[1]}");
    }

    /** Row 9: an array whose length changes against an element edit: the length change wins. */
    @Test
    void arrayLengthChangeVersusElementEdit_lengthChangeWins() {
        Outcome o = concurrent("{\"tags\":[\"a\",\"b\"]}", 100, d -> arr(d, "tags").add("c"),
                200, d -> arr(d, "tags").set(0, JSON.getNodeFactory().textNode("A")));
        o.bothEqual("{\"tags\":[\"a\",\"b\",\"c\"]}");
        o.bothReport("/tags/0", "eu", "us");
    }

    /** Row 10: two length changes of one array: the later array wins as a whole. */
    @Test
    void arrayLengthChangeVersusLengthChange_laterWins() {
        concurrent("{\"tags\":[\"a\"]}", 100, d -> arr(d, "tags").add("eu"), 105, d -> arr(d, "tags").add("us"))
                .bothEqual("{\"tags\":[\"a\",\"us\"]}");
    }

    /** Row 11: edits of different elements of one array (its length unchanged): both kept. */
    @Test
    void elementEditsOfDifferentElements_bothKept() {
        Outcome o = concurrent("{\"bids\":[{\"size\":1},{\"size\":2}]}", 100, d -> obj(arr(d, "bids"), 0).put("size", 10),
                105, d -> obj(arr(d, "bids"), 1).put("size", 20));
        o.bothEqual("{\"bids\":[{\"size\":10},{\"size\":20}]}");
        o.noConflicts();
    }

    /** Row 13: the document deleted against an update: the delete wins, whatever the times. */
    @Test
    void deleteVersusUpdate_deleteWins() {
        Outcome o = concurrent("{\"qty\":1}", 100, null, 200, d -> d.put("qty", 2));
        o.bothAbsent();
        o.bothReport("/qty", "eu", "us");
    }

    /** Row 14: a create (the document replaced from nothing, after a delete) against an update: the create wins. */
    @Test
    void createVersusUpdate_createWins() {
        Replica eu = new Replica("eu", "E");
        Replica us = new Replica("us", "U");
        ChangeEvent create = eu.create("{\"qty\":1}", 10);
        us.take(create);
        ChangeEvent delete = eu.delete(20);
        us.take(delete);
        ChangeEvent recreate = eu.create("{\"fresh\":true}", 30);
        ChangeEvent recreateUs = us.create("{\"qty\":5}", 31);
        // eu re-created from its delete; us re-created too, a moment later: the later create wins.
        eu.take(recreateUs);
        us.take(recreate);
        assertThat(eu.tree).isEqualTo(us.tree).isEqualTo(json("{\"qty\":5}"));
        assertThat(eu.state).isEqualTo(us.state);
    }

    /** Row 16: delete against delete: the same result, and nothing to report. */
    @Test
    void deleteVersusDelete_notAConflict() {
        Outcome o = concurrent("{\"qty\":1}", 100, null, 105, null);
        o.bothAbsent();
        o.noConflicts();
    }

    /** Row 17: a member removed in both: nothing to report. */
    @Test
    void memberRemovedInBoth_notAConflict() {
        Outcome o = concurrent("{\"a\":1,\"b\":2}", 100, d -> d.remove("a"), 105, d -> d.remove("a"));
        o.bothEqual("{\"b\":2}");
        o.noConflicts();
    }

    /** A change made after seeing another is never a conflict, whatever the clocks say. */
    @Test
    void causallyLaterChange_winsEvenWithAnEarlierClock() {
        Replica eu = new Replica("eu", "E");
        Replica us = new Replica("us", "U");
        us.take(eu.create("{\"qty\":1}", 1_000));
        // us's clock is behind eu's: a writer never stamps a change before the document's last change time.
        ChangeEvent later = us.update(d -> d.put("qty", 2), 900);
        assertThat(later.time().toEpochMilli()).isEqualTo(1_000);
        assertThat(eu.take(later).conflicts()).isEmpty();
        assertThat(eu.tree).isEqualTo(json("{\"qty\":2}"));
    }

    /** A change that arrives before one it depends on waits; a redelivery is recognised. */
    @Test
    void missingDependency_waits_andRedeliveryIsADuplicate() {
        Replica eu = new Replica("eu", "E");
        Replica us = new Replica("us", "U");
        Replica ap = new Replica("ap", "A");
        ChangeEvent create = eu.create("{\"qty\":1}", 10);
        us.take(create);
        ChangeEvent usChange = us.update(d -> d.put("qty", 2), 20);
        assertThat(RegionMerge.apply(ap.tree, ap.state, usChange)).isInstanceOf(RegionMerge.Outcome.Missing.class);
        ap.take(create);
        ap.take(usChange);
        assertThat(RegionMerge.apply(ap.tree, ap.state, usChange)).isInstanceOf(RegionMerge.Outcome.Duplicate.class);
        assertThat(ap.tree).isEqualTo(us.tree);
    }

    // --- two regions, one base, one change each ---

    private Outcome concurrent(String base, long euTime, Consumer<ObjectNode> euChange, long usTime, Consumer<ObjectNode> usChange) {
        Replica eu = new Replica("eu", "E");
        Replica us = new Replica("us", "U");
        us.take(eu.create(base, 1));
        ChangeEvent fromEu = euChange == null ? eu.delete(euTime) : eu.update(euChange, euTime);
        ChangeEvent fromUs = usChange == null ? us.delete(usTime) : us.update(usChange, usTime);
        List<Conflict> inEu = eu.take(fromUs).conflicts();
        List<Conflict> inUs = us.take(fromEu).conflicts();
        return new Outcome(eu, us, inEu, inUs);
    }

    private record Outcome(Replica eu, Replica us, List<Conflict> inEu, List<Conflict> inUs) {
        void bothEqual(String expected) {
            assertThat(eu.tree).as("eu").isEqualTo(json(expected));
            assertThat(us.tree).as("us").isEqualTo(json(expected));
            assertThat(eu.state).isEqualTo(us.state);
        }

        void bothAbsent() {
            assertThat(eu.tree).isNull();
            assertThat(us.tree).isNull();
            assertThat(eu.state).isEqualTo(us.state);
        }

        void noConflicts() {
            assertThat(inEu).isEmpty();
            assertThat(inUs).isEmpty();
        }

        void bothReport(String path, String keptRegion, String lostRegion) {
            for (List<Conflict> conflicts : List.of(inEu, inUs)) {
                assertThat(conflicts).anySatisfy(c -> {
                    assertThat(c.path()).isEqualTo(path);
                    assertThat(c.kept().region()).isEqualTo(keptRegion);
                    assertThat(c.lost().region()).isEqualTo(lostRegion);
                });
            }
        }
    }

    private static final class Replica {
        final String region;
        final String lineage;
        ObjectNode tree;
        MergeState state = MergeState.EMPTY;
        long maxTime;

        Replica(String region, String lineage) {
            this.region = region;
            this.lineage = lineage;
        }

        ChangeEvent create(String doc, long time) {
            return commit(ChangeEvent.create("c", KEY, next(), next() - 1, "E", instant(time), origin(), json(doc)));
        }

        ChangeEvent delete(long time) {
            return commit(ChangeEvent.delete("d", KEY, next(), next() - 1, "E", instant(time), origin()));
        }

        ChangeEvent update(Consumer<ObjectNode> change, long time) {
            ObjectNode after = tree.deepCopy();
            change.accept(after);
            return commit(ChangeEvent.update("u", KEY, next(), next() - 1, "E", instant(time), origin(),
                    RegisterDiff.diff(tree, after), null));
        }

        RegionMerge.Outcome.Merged take(ChangeEvent event) {
            RegionMerge.Outcome outcome = RegionMerge.apply(tree, state, event);
            assertThat(outcome).isInstanceOf(RegionMerge.Outcome.Merged.class);
            RegionMerge.Outcome.Merged merged = (RegionMerge.Outcome.Merged) outcome;
            tree = merged.tree();
            state = merged.state();
            maxTime = Math.max(maxTime, event.time().toEpochMilli());
            return merged;
        }

        private ChangeEvent commit(ChangeEvent event) {
            String replica = VersionVector.replica(region, lineage);
            ChangeEvent clocked = event.withClock(lineage, state.clock().with(replica, state.clock().get(replica) + 1));
            take(clocked);
            return clocked;
        }

        private long next() {
            return state.clock().sum() + 1;
        }

        private Instant instant(long time) {
            return Instant.ofEpochMilli(Math.max(time, maxTime));
        }

        private Origin origin() {
            return Origin.of(region, "n1");
        }
    }

    private static ObjectNode obj(ObjectNode doc, String name) {
        return (ObjectNode) doc.get(name);
    }

    private static ObjectNode obj(com.fasterxml.jackson.databind.node.ArrayNode array, int index) {
        return (ObjectNode) array.get(index);
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode arr(ObjectNode doc, String name) {
        return (com.fasterxml.jackson.databind.node.ArrayNode) doc.get(name);
    }

    private static ObjectNode json(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return (ObjectNode) node;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
