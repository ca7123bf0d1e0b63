package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.merge.MergeState;
import io.github.ddm.internal.merge.RegionMerge;
import io.github.ddm.internal.store.StoredMergeState;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The commit script keeps each document's merge state (docs/regions.md) exactly as the merge rules
 * define it: replaying the section log through {@link RegionMerge} from nothing gives the clock and
 * stamps the script stored, and the document it stored, in the canonical text every region writes.
 */
class MergeStateIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private RedisFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        try (RespClient client = redis.server().client()) {
            client.call("FLUSHALL");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void everyLocalChange_stampsWhatItWrote_likeTheMergeRules() throws Exception {
        DocumentManager<ObjectNode> writer = fixture.manager(ObjectNode.class, "w1");
        writer.set("k", doc("{\"z\":1,\"a\":{\"y\":2,\"x\":1},\"bids\":[{\"size\":1},{\"size\":2}],\"note\":\"n\"}")).join();
        writer.update("k", d -> {
            ((ObjectNode) d.get("a")).put("x", 5);
            return d;
        }).join();
        writer.update("k", d -> {
            ((ObjectNode) ((ArrayNode) d.get("bids")).get(1)).put("size", 7);
            return d;
        }).join();
        writer.update("k", d -> {
            d.remove("note");
            ((ArrayNode) d.get("bids")).addObject().put("size", 9);
            return d;
        }).join();
        writer.update("k", d -> {
            ((ObjectNode) ((ArrayNode) d.get("bids")).get(0)).put("size", 3);
            ((ObjectNode) d.get("a")).putObject("deep").put("q", "~/odd name");
            ((ObjectNode) d.get("a")).put("we/ird~", 1);
            d.putObject("odd/~top").put("x", 1);
            return d;
        }).join();
        writer.update("k", d -> {
            ((ObjectNode) d.get("odd/~top")).put("x", 2);
            return d;
        }).join();
        writer.delete("k").join();
        writer.set("k", doc("{\"again\":true}")).join();
        writer.update("k", d -> d.put("again", false)).join();

        Replayed replayed = replayLog(9);
        List<ChangeEvent> log = replayed.log();
        MergeState state = replayed.state();
        ObjectNode tree = replayed.tree();
        assertThat(storedState("k")).isEqualTo(state);
        assertThat(state.clock().counts()).containsOnlyKeys("local~" + log.get(0).lineage()).containsValue(9L);
        assertThat(redis.server().call("HGET", "ddm:{test:docs}:s:k", "\u0000v")).isEqualTo("9");
        assertThat(redis.server().call("GET", "ddm:{test:docs}:lineage")).isEqualTo(log.get(0).lineage());
        assertThat(tree).isEqualTo(doc("{\"again\":false}"));
    }

    @Test
    void changesInsideThousandsOfMembers_areStampedInEveryOne() {
        // More places than Lua's unpack takes in one call: the script reads and writes the merge state
        // in chunks. The second update reads every member's stamps back.
        DocumentManager<ObjectNode> writer = fixture.manager(ObjectNode.class, "w1");
        writer.set("k", ManyMembers.of(9_000)).join();
        writer.update("k", d -> ManyMembers.setInEvery(d, "x", 1)).join();
        writer.update("k", d -> ManyMembers.setInEvery(d, "y", 1)).join();

        MergeState stored = storedState("k");
        assertThat(stored).isEqualTo(replayLog(3).state());
        assertThat(stored.stamps()).containsKeys("/m0/x", "/m0/y", "/m4500/x", "/m4500/y", "/m8999/x", "/m8999/y");
        assertThat(stored.stamps().get("/m8999/x")).isNotEqualTo(stored.stamps().get("/m8999/y"));
    }

    @Test
    void memberText_isCanonical_membersSortedAndNumbersAsEventsCarryThem() {
        DocumentManager<ObjectNode> writer = fixture.manager(ObjectNode.class, "w1");
        ObjectNode value = doc("{\"m\":{\"b\":1,\"a\":2}}");
        ((ObjectNode) value.get("m")).put("price", new java.math.BigDecimal("1.50"));
        ((ObjectNode) value.get("m")).put("small", 5L);
        writer.set("k", value).join();
        assertThat(redis.server().call("HGET", "ddm:{test:docs}:s:k", "m")).isEqualTo("{\"a\":2,\"b\":1,\"price\":1.5,\"small\":5}");
    }

    @Test
    void aDocumentWrittenBeforeRegionsSupport_countsItsHistoryAsThisRegions() {
        try (RespClient client = redis.server().client()) {
            client.call("HSET", "ddm:{test:docs}:s:old", "\u0000v", "5", "\u0000t", "1000", "\u0000o", "local/w0", "n", "1");
            client.call("SET", "ddm:{test:docs}:epoch", "oldEpoch");
        }
        DocumentManager<ObjectNode> writer = fixture.manager(ObjectNode.class, "w1");
        assertThat(writer.update("old", d -> d.put("n", 2)).join().version()).isEqualTo(6);
        MergeState state = storedState("old");
        assertThat(state.clock().sum()).isEqualTo(6);
        assertThat(state.clock().get(StoredMergeState.LEGACY_REPLICA)).as("the same name in every region").isEqualTo(5);
    }

    @Test
    void aChangeNeverCarriesATimeBeforeTheDocumentsLastChange() {
        DocumentManager<ObjectNode> writer = fixture.manager(ObjectNode.class, "w1");
        writer.set("k", doc("{\"n\":1}")).join();
        long future = System.currentTimeMillis() + 60_000;
        // Another region's change, stamped by a fast clock, was taken in behind this manager's back.
        try (RespClient client = redis.server().client()) {
            client.call("HSET", "ddm:{test:docs}:s:k", "\u0000t", Long.toString(future));
        }
        writer.update("k", d -> d.put("n", 2)).join();
        SectionStore store = SectionStore.open(fixture.client(), "ddm", new SectionId("test", "docs"));
        List<ChangeEvent> log = store.readLog("0-0", 10).join().events();
        assertThat(log.get(1).time().toEpochMilli()).isEqualTo(future);
    }

    /** The section log, and the document and merge state that replaying it through the merge rules gives. */
    private record Replayed(List<ChangeEvent> log, ObjectNode tree, MergeState state) {
    }

    /** Replays the section log (of {@code entries} changes, each a local change) through {@link RegionMerge}. */
    private Replayed replayLog(int entries) {
        SectionStore store = SectionStore.open(fixture.client(), "ddm", new SectionId("test", "docs"));
        List<ChangeEvent> log = store.readLog("0-0", 100).join().events();
        assertThat(log).hasSize(entries);
        ObjectNode tree = null;
        MergeState state = MergeState.EMPTY;
        for (ChangeEvent event : log) {
            assertThat(event.lineage()).isNotNull();
            assertThat(event.clock().sum()).isEqualTo(event.version());
            RegionMerge.Outcome outcome = RegionMerge.apply(tree, state, event);
            assertThat(outcome).as("%s", event).isInstanceOf(RegionMerge.Outcome.Merged.class);
            tree = ((RegionMerge.Outcome.Merged) outcome).tree();
            state = ((RegionMerge.Outcome.Merged) outcome).state();
        }
        return new Replayed(log, tree, state);
    }

    private MergeState storedState(String id) {
        Map<String, String> fields = new HashMap<>();
        try (RespClient client = redis.server().client()) {
            @SuppressWarnings("unchecked")
            List<Object> flat = (List<Object>) client.call("HGETALL", "ddm:{test:docs}:c:" + id);
            for (int i = 0; i < flat.size(); i += 2) {
                fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
            }
        }
        return StoredMergeState.parse(fields, 0);
    }

    private static ObjectNode doc(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
