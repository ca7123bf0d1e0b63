package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code ddm check}'s fold of a region's log: local changes, merges of other regions' changes, and repair snapshots. */
class LogFoldTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("shop", "carts", "c1");
    private static final String EU = "eu~aaaaaaaa";
    private static final String US = "us~bbbbbbbb";
    private static final Stamp EU_1 = new Stamp(1_000, 1, 1, "eu", "aaaaaaaa");
    private static final Stamp US_1 = new Stamp(1_001, 2, 1, "us", "bbbbbbbb");
    private static final Stamp EU_2 = new Stamp(1_002, 2, 2, "eu", "aaaaaaaa");

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static VersionVector clock(long eu, long us) {
        Map<String, Long> counts = new TreeMap<>();
        if (eu > 0) {
            counts.put(EU, eu);
        }
        if (us > 0) {
            counts.put(US, us);
        }
        return VersionVector.of(counts);
    }

    /** An event as a region logs it; {@code lineage} null for a merge. */
    private static ChangeEvent event(ChangeOp op, long version, long prev, String region, String lineage, VersionVector clock, String patch,
                                     String state) {
        return new ChangeEvent("e" + version + op.wireCode() + region, KEY, op, version, prev, "epoch1", Instant.ofEpochMilli(1_000 + version),
                Origin.of(region, "w1"), patch == null ? null : json(patch), state == null ? null : json(state), version + "-0",
                lineage, clock, null, null);
    }

    private static ChangeEvent snapshot(long version, VersionVector clock, String state) {
        return event(ChangeOp.SNAPSHOT, version, 0, "eu", "aaaaaaaa", clock, null, state)
                .withStamps(Map.of("", EU_1, "/count", EU_2, "/label", US_1));
    }

    @Test
    void mergesOfOtherRegionsChanges_foldOnTheVersionTheyName_evenWhenTheyMoveItByMoreThanOne() {
        LogFold fold = new LogFold();
        fold.add(event(ChangeOp.CREATE, 1, 0, "eu", "aaaaaaaa", clock(1, 0), null, "{\"count\":0,\"label\":\"a\"}"));
        fold.add(event(ChangeOp.UPDATE, 2, 1, "eu", "aaaaaaaa", clock(2, 0), "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":1}]", null));
        // us's change, made on version 1, merged here as version 3; then a join of us's copy taking in two more of its changes.
        fold.add(event(ChangeOp.UPDATE, 3, 2, "us", null, clock(2, 1), "[{\"op\":\"replace\",\"path\":\"/label\",\"value\":\"us\"}]", null)
                .withConflicts(List.of(new Conflict("/label", US_1, EU_1))));
        fold.add(event(ChangeOp.UPDATE, 5, 3, "us", null, clock(2, 3), "[{\"op\":\"add\",\"path\":\"/note\",\"value\":\"x\"}]", null));
        // A change whose every write lost: its count is taken in, with an empty patch.
        fold.add(event(ChangeOp.UPDATE, 6, 5, "us", null, clock(2, 4), "[]", null));

        LogFold.Folded folded = fold.documents().get("c1");
        assertThat(folded.problem()).isNull();
        assertThat(folded.version()).isEqualTo(6);
        assertThat(folded.state()).isEqualTo(json("{\"count\":1,\"label\":\"us\",\"note\":\"x\"}"));
        assertThat(fold.merges()).isEqualTo(3);
        assertThat(fold.conflicts()).isEqualTo(1);
        assertThat(fold.snapshots()).isZero();
    }

    @Test
    void aRepairSnapshot_resetsTheDocumentToItsState_andLaterPatchesApplyOnIt() {
        LogFold fold = new LogFold();
        fold.add(event(ChangeOp.CREATE, 1, 0, "eu", "aaaaaaaa", clock(1, 0), null, "{\"count\":0,\"label\":\"a\"}"));
        // A patch on a version the log does not hold: on its own, the history would not hold together.
        fold.add(event(ChangeOp.UPDATE, 3, 2, "eu", "aaaaaaaa", clock(2, 1), "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":2}]", null));
        assertThat(fold.documents().get("c1").problem()).contains("then a patch on version 2");
        fold.add(snapshot(3, clock(2, 1), "{\"count\":2,\"label\":\"us\"}"));
        fold.add(event(ChangeOp.UPDATE, 4, 3, "eu", "aaaaaaaa", clock(3, 1), "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":3}]", null));

        LogFold.Folded folded = fold.documents().get("c1");
        assertThat(folded.problem()).isNull();
        assertThat(folded.version()).isEqualTo(4);
        assertThat(folded.state()).isEqualTo(json("{\"count\":3,\"label\":\"us\"}"));
        assertThat(fold.snapshots()).isEqualTo(1);
    }

    @Test
    void aRepairSnapshotReadBeforeALaterCommit_andAppendedAfterIt_changesNothing() {
        LogFold fold = new LogFold();
        fold.add(event(ChangeOp.CREATE, 1, 0, "eu", "aaaaaaaa", clock(1, 0), null, "{\"count\":0,\"label\":\"a\"}"));
        fold.add(event(ChangeOp.UPDATE, 2, 1, "eu", "aaaaaaaa", clock(2, 0), "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":1}]", null));
        fold.add(snapshot(1, clock(1, 0), "{\"count\":0,\"label\":\"a\"}"));

        LogFold.Folded folded = fold.documents().get("c1");
        assertThat(folded.version()).isEqualTo(2);
        assertThat(folded.state()).isEqualTo(json("{\"count\":1,\"label\":\"a\"}"));
    }

    @Test
    void aRepairAnswerForADeletedDocument_isADeleteWithItsMergeState() {
        LogFold fold = new LogFold();
        fold.add(event(ChangeOp.CREATE, 1, 0, "eu", "aaaaaaaa", clock(1, 0), null, "{\"count\":0}"));
        fold.add(event(ChangeOp.DELETE, 2, 1, "eu", "aaaaaaaa", clock(2, 0), null, null));
        fold.add(event(ChangeOp.DELETE, 2, 1, "eu", "aaaaaaaa", clock(2, 0), null, null).withStamps(Map.of("", EU_2)));

        assertThat(fold.documents().get("c1").deleted()).isTrue();
        assertThat(fold.documents().get("c1").version()).isEqualTo(2);
        assertThat(fold.snapshots()).isEqualTo(1);
    }

    @Test
    void patchesOnEscapedMemberNames_foldAsWritten_andOneThatDoesNotApply_namesItsOperation() {
        LogFold fold = new LogFold();
        fold.add(event(ChangeOp.CREATE, 1, 0, "eu", "aaaaaaaa", clock(1, 0), null, "{\"~1\":0,\"a/b\":0}"));
        fold.add(event(ChangeOp.UPDATE, 2, 1, "eu", "aaaaaaaa", clock(2, 0),
                "[{\"op\":\"replace\",\"path\":\"/~01\",\"value\":1},{\"op\":\"remove\",\"path\":\"/a~1b\"}]", null));
        assertThat(fold.documents().get("c1").problem()).isNull();
        assertThat(fold.documents().get("c1").state()).isEqualTo(json("{\"~1\":1}"));

        fold.add(event(ChangeOp.UPDATE, 3, 2, "eu", "aaaaaaaa", clock(3, 0),
                "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},{\"op\":\"remove\",\"path\":\"/a~1b\"}]", null));
        assertThat(fold.documents().get("c1").problem()).isEqualTo("the patch to version 3 (stream id 3-0) does not apply to version 2: "
                + "operation 1 (remove \"/a~1b\"): the object at \"\" has no member \"a/b\"");
    }
}
