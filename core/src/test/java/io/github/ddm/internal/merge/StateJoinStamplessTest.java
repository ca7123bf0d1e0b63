package io.github.ddm.internal.merge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Review of 40faed3: StateJoin against taking the same changes in one by one. */
class StateJoinStamplessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("p", "s", "doc");

    /**
     * Two regions hold a document written before regions support (no clock, no stamps) at the same
     * version but not the same content (the old active-active compared versions only: both could
     * commit v5 from v4). Each changes one member after the upgrade; then each repairs from the
     * other's state. The join must not depend on which side is "a": here /m goes to b either way, so
     * eu ends with us's /m and us with eu's, and they never converge.
     */
    @Test
    void join_ofCopiesWithoutStamps_isTheSameWhicheverSideJoins() {
        ObjectNode euTree = json("{\"n\":2,\"m\":\"eu's\"}");
        ObjectNode usTree = json("{\"n\":3,\"m\":\"us's\"}");
        // What the commit script keeps after one change to a legacy document at version 5.
        MergeState eu = new MergeState(VersionVector.of(Map.of("eu~E", 6L)),
                new TreeMap<>(Map.of("/n", new Stamp(1_000, 6, 6, "eu", "E"))));
        MergeState us = new MergeState(VersionVector.of(Map.of("us~U", 6L)),
                new TreeMap<>(Map.of("/n", new Stamp(1_001, 6, 6, "us", "U"))));

        RegionMerge.Outcome.Merged inEu = (RegionMerge.Outcome.Merged) StateJoin.join(euTree, eu, usTree, us);
        RegionMerge.Outcome.Merged inUs = (RegionMerge.Outcome.Merged) StateJoin.join(usTree, us, euTree, eu);

        assertThat(inEu.state()).isEqualTo(inUs.state());
        assertThat(inEu.tree()).as("eu after joining us's state, against us after joining eu's").isEqualTo(inUs.tree());
    }

    /**
     * The same two legacy copies, with arrays of different lengths, and eu edited an element after
     * the upgrade. Where us's array wins the place (no stamps on either side: the argument order
     * decides), eu's element edit is reported as lost to the winner's stamp, which is null: the
     * Conflict constructor throws, and the repair fails with a NullPointerException.
     */
    @Test
    void join_ofCopiesWithoutStamps_whereTheLoserEditedInside_doesNotThrow() {
        ObjectNode euTree = json("{\"arr\":[{\"v\":5}],\"n\":2}");
        ObjectNode usTree = json("{\"arr\":[{\"v\":1},{\"v\":2}],\"n\":3}");
        MergeState eu = new MergeState(VersionVector.of(Map.of("eu~E", 6L)),
                new TreeMap<>(Map.of("/arr/0/v", new Stamp(1_000, 6, 6, "eu", "E"))));
        MergeState us = new MergeState(VersionVector.of(Map.of("us~U", 6L)),
                new TreeMap<>(Map.of("/n", new Stamp(1_001, 6, 6, "us", "U"))));

        assertThat(StateJoin.join(euTree, eu, usTree, us)).isInstanceOf(RegionMerge.Outcome.Merged.class);
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

        Replica copy() {
            Replica copy = new Replica(region, lineage);
            copy.tree = tree == null ? null : tree.deepCopy();
            copy.state = state;
            copy.maxTime = maxTime;
            return copy;
        }

        ChangeEvent create(String doc, long time) {
            return commit(ChangeEvent.create("c", KEY, next(), next() - 1, "E", instant(time), origin(), json(doc)));
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

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
