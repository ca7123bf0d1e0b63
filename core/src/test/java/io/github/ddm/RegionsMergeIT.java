package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.merge.MergeState;
import io.github.ddm.internal.store.StoredMergeState;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.RedisServer;
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
 * Regions' changes taken in through {@link SectionStore#apply}, against real redis-servers: region eu
 * (regionA), region us (regionB) and, for a rebuild, a third server. Changes travel by reading one
 * region's log and applying its own changes in the other, as the source and sink do.
 */
class RegionsMergeIT {

    @RegisterExtension
    static final RedisServerExtension regionA = RedisServerExtension.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SectionId DOCS = new SectionId("test", "docs");

    private RedisServer regionB;
    private RedisServer regionC;
    private RedisFixture fixtureA;
    private RedisFixture fixtureB;
    private RedisFixture fixtureC;

    @BeforeEach
    void setUp() {
        try (RespClient client = regionA.server().client()) {
            client.call("FLUSHALL");
        }
        regionB = RedisServer.start();
        regionC = RedisServer.start();
        fixtureA = new RedisFixture(regionA.server());
        fixtureB = new RedisFixture(regionB);
        fixtureC = new RedisFixture(regionC);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixtureA.close();
        fixtureB.close();
        fixtureC.close();
        regionB.close();
        regionC.close();
    }

    /**
     * A notice the sink announces reaches the SyncListeners of every manager of the section once,
     * is counted by kind, and is kept in the section's notice stream; one about another section is
     * refused.
     */
    @Test
    void regionNotices_reachEveryManagersSyncListeners_countedByKind_andKept() throws Exception {
        DocumentManager<ObjectNode> one = fixtureA.track(fixtureA.builder(ObjectNode.class, "n1").section("test", "docs").build());
        DocumentManager<ObjectNode> two = fixtureA.track(fixtureA.builder(ObjectNode.class, "n2").section("test", "docs").build());
        List<SyncEvent> seenByOne = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<SyncEvent> seenByTwo = new java.util.concurrent.CopyOnWriteArrayList<>();
        one.addSyncListener(seenByOne::add);
        two.addSyncListener(seenByTwo::add);
        SectionStore store = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        java.time.Instant now = java.time.Instant.ofEpochMilli(System.currentTimeMillis());

        RegionNotice lineage = new RegionNotice(RegionNotice.Kind.LINEAGE_CHANGED, DOCS, null, "us", "new lineage L2", now);
        RegionNotice redelivered = new RegionNotice(RegionNotice.Kind.REDELIVERED, DOCS, "d1", "us", "v3 again", now);
        RegionNotice skipped = new RegionNotice(RegionNotice.Kind.SKIPPED, DOCS, "d2", "us", "did not fit", now);
        RegionNotice repair = new RegionNotice(RegionNotice.Kind.REPAIR_REQUESTED, DOCS, "d3", "ap", "asked", now);
        for (RegionNotice n : List.of(lineage, redelivered, skipped, repair, redelivered)) {
            store.notice(n).get(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        for (List<SyncEvent> seen : List.of(seenByOne, seenByTwo)) {
            org.awaitility.Awaitility.await("five notices").atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> seen.stream().filter(e -> e instanceof SyncEvent.RegionNoticed).count() == 5);
            assertThat(seen).filteredOn(e -> e instanceof SyncEvent.RegionNoticed)
                    .extracting(e -> ((SyncEvent.RegionNoticed) e).notice())
                    .as("each once (listeners are called on executor threads, in no set order)")
                    .containsExactlyInAnyOrder(lineage, redelivered, skipped, repair, redelivered);
        }
        ManagerStats stats = one.stats();
        assertThat(stats.regionLineageChanges()).isEqualTo(1);
        assertThat(stats.regionRedeliveries()).isEqualTo(2);
        assertThat(stats.regionSkipped()).isEqualTo(1);
        assertThat(stats.regionRepairRequests()).isEqualTo(1);
        assertThat(lineage.key()).isNull();
        assertThat(redelivered.key()).isEqualTo(io.github.ddm.schema.DataKey.of("test", "docs", "d1"));
        assertThat(store.recentNotices(3).get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the newest three, oldest first")
                .containsExactly(skipped, repair, redelivered);
        RegionNotice elsewhere = new RegionNotice(RegionNotice.Kind.SKIPPED, new SectionId("test", "other"), "x", "us", "?", now);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.notice(elsewhere))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test.other");
    }

    /**
     * Both regions hold the same document from before regions support (version 5, no merge state),
     * as the version-compared bridge left it. eu changes it: the script counts the whole history as
     * eu's ({eu~L: 6}), so us, whose copy has no clock, waits for eu's changes 1-5 that will never
     * come (Missing), and every later change of the key is stuck behind it.
     */
    @Test
    void aDocumentFromBeforeRegionsSupport_inBothRegions_takesInTheFirstChangeMadeAfterTheUpgrade() {
        for (RedisServer server : List.of(regionA.server(), regionB)) {
            try (RespClient client = server.client()) {
                client.call("HSET", "ddm:{test:docs}:s:old", "\u0000v", "5", "\u0000t", "1000", "\u0000o", "eu/w0", "n", "1");
                client.call("SET", "ddm:{test:docs}:epoch", "oldEpoch");
            }
        }
        DocumentManager<ObjectNode> eu = manager(fixtureA, "eu");
        eu.update("old", d -> d.put("n", 2)).join();
        List<ChangeEvent> euLog = SectionStore.open(fixtureA.client(), "ddm", DOCS).readLog("0-0", 10).join().events();
        assertThat(euLog).hasSize(1);

        SectionStore.ApplyOutcome outcome = SectionStore.open(fixtureB.client(), "ddm", DOCS).apply(euLog.get(0)).join();

        assertThat(outcome).as("us takes in eu's change to the document both had").isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        assertThat(regionB.call("HGET", "ddm:{test:docs}:s:old", "n")).isEqualTo("2");
    }

    /**
     * us takes in eu's change concurrently with one of its own (a merge). us's log holds the result
     * under eu's event id and origin (so us's source never exports it), but not under eu's lineage:
     * the merge is not eu's change, and nothing may take it for one (its stamp would be another).
     */
    @Test
    void aMergedChange_isNotLoggedAsTheChange() {
        Setup s = concurrentChanges();
        ChangeEvent euChange = s.euLog.get(1);
        ChangeEvent loggedInUs = s.usLog.get(2);
        assertThat(loggedInUs.eventId()).isEqualTo(euChange.eventId());
        assertThat(loggedInUs.origin()).isEqualTo(euChange.origin());

        assertThat(loggedInUs.lineage()).isNull();
        assertThat(loggedInUs.stamp()).isNull();
        assertThat(SectionStore.open(fixtureC.client(), "ddm", DOCS).apply(loggedInUs).join())
                .as("a merge result taken for a change").isInstanceOf(SectionStore.ApplyOutcome.Unappliable.class);
    }

    /**
     * A third Redis rebuilt from every region's own changes (what the regions' topics hold) holds
     * exactly the merge state of the regions that took them in one by one.
     */
    @Test
    void aRedisRebuiltFromEveryRegionsOwnChanges_holdsTheSameMergeState() {
        Setup s = concurrentChanges();
        SectionStore rebuilt = SectionStore.open(fixtureC.client(), "ddm", DOCS);
        for (ChangeEvent event : s.usLog) {
            if (event.origin().region().equals("us")) {
                assertThat(rebuilt.apply(event).join()).as("%s", event).isInstanceOf(SectionStore.ApplyOutcome.Missing.class);
            }
        }
        for (ChangeEvent event : s.euLog) {
            assertThat(rebuilt.apply(event).join()).as("%s", event).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        }
        for (ChangeEvent event : s.usLog) {
            if (event.origin().region().equals("us")) {
                assertThat(rebuilt.apply(event).join()).as("%s", event).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
            }
        }

        assertThat(regionC.call("HGET", "ddm:{test:docs}:s:k", "a")).isEqualTo("2");
        assertThat(regionC.call("HGET", "ddm:{test:docs}:s:k", "b")).isEqualTo("2");
        assertThat(storedState(regionC, "k")).as("merge state rebuilt from the regions' changes, against us's")
                .isEqualTo(storedState(regionB, "k"));
        assertThat(regionC.call("HGET", "ddm:{test:docs}:s:k", "\u0000v"))
                .isEqualTo(regionB.call("HGET", "ddm:{test:docs}:s:k", "\u0000v"));
    }

    /**
     * Concurrent changes inside each of thousands of members, merged both ways: more merge state
     * fields than Lua's unpack takes in one call, so the script writes them in chunks.
     */
    @Test
    void concurrentChangesInsideThousandsOfMembers_mergeToTheSameDocumentAndState() {
        ObjectNode value = ManyMembers.of(6_000);
        DocumentManager<ObjectNode> eu = manager(fixtureA, "eu");
        SectionStore euStore = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore usStore = SectionStore.open(fixtureB.client(), "ddm", DOCS);
        eu.set("k", value).join();
        assertThat(usStore.apply(euStore.readLog("0-0", 10).join().events().get(0)).join())
                .isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        DocumentManager<ObjectNode> us = manager(fixtureB, "us");
        eu.update("k", d -> ManyMembers.setInEvery(d, "x", 1)).join();
        us.update("k", d -> ManyMembers.setInEvery(d, "y", 2)).join();
        ChangeEvent euChange = euStore.readLog("0-0", 10).join().events().get(1);
        ChangeEvent usChange = usStore.readLog("0-0", 10).join().events().get(1);

        assertThat(usStore.apply(euChange).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        assertThat(euStore.apply(usChange).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);

        assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", "m5999")).isEqualTo("{\"x\":1,\"y\":2}");
        for (String member : List.of("m0", "m2999", "m5999")) {
            assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", member))
                    .isEqualTo(regionA.server().call("HGET", "ddm:{test:docs}:s:k", member));
        }
        MergeState inUs = storedState(regionB, "k");
        assertThat(inUs).isEqualTo(storedState(regionA.server(), "k"));
        assertThat(inUs.stamps()).containsKeys("/m0/x", "/m0/y", "/m5999/x", "/m5999/y");
    }

    private record Setup(List<ChangeEvent> euLog, List<ChangeEvent> usLog) {
    }

    /** eu creates k; us takes it in; eu changes /a while us changes /b; us takes eu's change in (a merge). */
    private Setup concurrentChanges() {
        DocumentManager<ObjectNode> eu = manager(fixtureA, "eu");
        SectionStore euStore = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore usStore = SectionStore.open(fixtureB.client(), "ddm", DOCS);
        eu.set("k", doc("{\"a\":1,\"b\":1}")).join();
        assertThat(usStore.apply(euStore.readLog("0-0", 10).join().events().get(0)).join())
                .isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        DocumentManager<ObjectNode> us = manager(fixtureB, "us");
        eu.update("k", d -> d.put("a", 2)).join();
        us.update("k", d -> d.put("b", 2)).join();
        List<ChangeEvent> euLog = euStore.readLog("0-0", 10).join().events();
        SectionStore.ApplyOutcome merged = usStore.apply(euLog.get(1)).join();
        assertThat(merged).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        assertThat(((SectionStore.ApplyOutcome.Applied) merged).merged()).isTrue();
        List<ChangeEvent> usLog = usStore.readLog("0-0", 10).join().events();
        assertThat(usLog).hasSize(3);
        return new Setup(euLog, usLog);
    }

    private static DocumentManager<ObjectNode> manager(RedisFixture fixture, String region) {
        return fixture.track(DocumentManager.builder(ObjectNode.class).redisson(fixture.client()).section("test", "docs")
                .origin(region, "w1").build());
    }

    private static MergeState storedState(RedisServer server, String id) {
        Map<String, String> fields = new HashMap<>();
        try (RespClient client = server.client()) {
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
