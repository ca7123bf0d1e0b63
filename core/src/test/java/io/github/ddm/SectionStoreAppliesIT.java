package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.RedisCluster;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisClusterExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * {@link SectionStore.Applies}: many events taken in with pipelined reads and commits, against real
 * servers (region eu writes on one server; region us is a second server, or a 3-master cluster with
 * the sections on different masters). One batch holds several events of one key, a gap in another,
 * duplicates in a third, changes to merge with a local one, and a document that cannot be read; the
 * scripts are flushed first, so each pipeline meets NOSCRIPT. Each event's outcome, the final
 * documents, versions and logs are what taking the events in one by one gives.
 */
class SectionStoreAppliesIT {

    @RegisterExtension
    static final RedisServerExtension eu = RedisServerExtension.create();

    @RegisterExtension
    static final RedisServerExtension us = RedisServerExtension.create();

    @RegisterExtension
    static final RedisClusterExtension usCluster = RedisClusterExtension.create();

    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisFixture euFixture;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void setUp() {
        eu.server().call("FLUSHALL");
        us.server().call("FLUSHALL");
        usCluster.server().flushAll();
        euFixture = new RedisFixture(eu.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
        euFixture.close();
    }

    @Test
    void aBatchWithSeveralEventsPerKey_aGap_duplicates_merges_andAnUnreadableDocument_onOneServer() throws Exception {
        RedisFixture fixture = new RedisFixture(us.server());
        resources.add(fixture);
        // Two documents per round: the lanes join rounds as others finish.
        runScenario(fixture.client(), List.of("s0", "s1"), 2, key -> us.server(), List.of(us.server()));
    }

    @Test
    void aBatchWithSeveralEventsPerKey_aGap_duplicates_merges_andAnUnreadableDocument_onACluster() throws Exception {
        RedisCluster cluster = usCluster.server();
        List<String> sections = new ArrayList<>();
        Set<Integer> masters = new HashSet<>();
        for (int i = 0; sections.size() < 3 && i < 1_000; i++) {
            String section = "s" + i;
            if (masters.add(cluster.nodeFor("ddm:{test:" + section + "}:log").uri().hashCode())) {
                sections.add(section);
            }
        }
        assertThat(sections).as("sections on three different masters").hasSize(3);
        ClusterFixture fixture = new ClusterFixture(cluster);
        resources.add(fixture);
        runScenario(fixture.client(), sections, 512, cluster::nodeFor, cluster.masters());
    }

    /**
     * A round whose reads get no reply within the round timeout (the server pauses its clients) fails
     * each of its documents' events with a {@link java.util.concurrent.TimeoutException}, later events
     * unattempted, and writes nothing; the same events sent again are taken in once each.
     */
    @Test
    void aRoundWithoutReply_failsWithATimeout_writesNothing_andTheEventsSentAgainApplyOnce() throws Exception {
        RedisFixture fixture = new RedisFixture(us.server());
        resources.add(fixture);
        RedissonClient client = fixture.client();
        Map<String, List<ChangeEvent>> of = writeInEu("s0");
        SectionStore store = SectionStore.open(client, "ddm", new SectionId("test", "s0"));
        assertThat(store.logHead().join()).isEqualTo("0-0"); // the client is connected before the pause

        us.server().call("CLIENT", "PAUSE", "1500", "ALL");
        SectionStore.Applies paused = SectionStore.applies(client, 512, Duration.ofMillis(200));
        List<CompletableFuture<ApplyOutcome>> outcomes = new ArrayList<>();
        for (ChangeEvent event : of.get("a")) {
            outcomes.add(paused.apply(store, event));
        }
        paused.send().get();
        for (CompletableFuture<ApplyOutcome> outcome : outcomes) {
            assertThat(outcome).failsWithin(Duration.ZERO).withThrowableThat()
                    .withCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> store.logHead().join().equals("0-0") && store.ids().join().isEmpty());

        SectionStore.Applies again = SectionStore.applies(client, 512, Duration.ofSeconds(10));
        List<CompletableFuture<ApplyOutcome>> retried = new ArrayList<>();
        for (ChangeEvent event : of.get("a")) {
            retried.add(again.apply(store, event));
        }
        again.send().get();
        assertThat(retried).allSatisfy(f -> assertThat(f.join()).isInstanceOf(ApplyOutcome.Applied.class));
        assertThat(us.server().call("HGET", "ddm:{test:s0}:s:a", "\u0000v")).isEqualTo("4");
        assertThat(store.readLog("0-0", 100).join().events()).hasSize(4);
    }

    /**
     * In each section: a (4 events), b (v1 and v3: v3 waits for v2), c (v1 taken in before: v1 again is a
     * duplicate, v2 applies, v2 again is a duplicate), m (us changed it locally: eu's v2 and v3 merge), z
     * (us's copy is unreadable: both events fail, nothing written).
     */
    private void runScenario(RedissonClient usClient, List<String> sections, int maxDocuments,
                             Function<String, RedisServer> nodeFor, List<RedisServer> usServers) throws Exception {
        Map<String, SectionStore> stores = new LinkedHashMap<>();
        Map<String, Map<String, List<ChangeEvent>>> events = new HashMap<>();
        for (String section : sections) {
            events.put(section, writeInEu(section));
            SectionStore store = SectionStore.open(usClient, "ddm", new SectionId("test", section));
            stores.put(section, store);
            Map<String, List<ChangeEvent>> of = events.get(section);
            assertThat(store.apply(of.get("c").get(0)).join()).isInstanceOf(ApplyOutcome.Applied.class);
            assertThat(store.apply(of.get("m").get(0)).join()).isInstanceOf(ApplyOutcome.Applied.class);
            DocumentManager<ObjectNode> local = DocumentManager.builder(ObjectNode.class).redisson(usClient)
                    .section("test", section).origin("us", "w1").build();
            resources.add(local);
            local.update("m", d -> d.put("local", 1)).join();
            String z = "ddm:{test:" + section + "}:s:z";
            nodeFor.apply(z).call("HSET", z, "\u0000v", "not-a-number", "x", "1");
        }
        for (RedisServer server : usServers) {
            server.call("SCRIPT", "FLUSH");
        }

        SectionStore.Applies applies = SectionStore.applies(usClient, maxDocuments, Duration.ofSeconds(10));
        List<String> expected = new ArrayList<>();
        List<CompletableFuture<ApplyOutcome>> outcomes = new ArrayList<>();
        for (String section : sections) {
            Map<String, List<ChangeEvent>> of = events.get(section);
            SectionStore store = stores.get(section);
            Object[][] batch = {
                {"a", 0, "applied 1"}, {"b", 0, "applied 1"}, {"c", 0, "duplicate"}, {"z", 0, "corrupt"}, {"a", 1, "applied 2"},
                {"m", 1, "merged 3"}, {"b", 2, "missing"}, {"a", 2, "applied 3"}, {"c", 1, "applied 2"}, {"m", 2, "merged 4"},
                {"z", 1, "corrupt"}, {"a", 3, "applied 4"}, {"c", 1, "duplicate"}};
            for (Object[] entry : batch) {
                outcomes.add(applies.apply(store, of.get((String) entry[0]).get((Integer) entry[1])));
                expected.add(section + " " + entry[0] + ": " + entry[2]);
            }
        }
        applies.send().get();

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            seen.add(expected.get(i).substring(0, expected.get(i).indexOf(':') + 1) + " " + describe(outcomes.get(i)));
        }
        assertThat(seen).as("each event's outcome, in batch order").isEqualTo(expected);

        for (String section : sections) {
            String prefix = "ddm:{test:" + section + "}:";
            RedisServer node = nodeFor.apply(prefix + "log");
            assertThat(members(node, prefix + "s:a")).as("a, as eu holds it").isEqualTo(members(eu.server(), prefix + "s:a"));
            assertThat(node.call("HGET", prefix + "s:a", "\u0000v")).isEqualTo("4");
            assertThat(node.call("HGET", prefix + "s:b", "\u0000v")).as("b stays before its gap").isEqualTo("1");
            assertThat(node.call("HGET", prefix + "s:c", "\u0000v")).isEqualTo("2");
            assertThat(members(node, prefix + "s:c")).isEqualTo(members(eu.server(), prefix + "s:c"));
            assertThat(node.call("HGET", prefix + "s:m", "\u0000v")).isEqualTo("4");
            assertThat(members(node, prefix + "s:m")).as("m merges eu's changes with us's own")
                    .containsEntry("local", "1").containsEntry("n", "3");
            assertThat(node.call("HGET", prefix + "s:z", "\u0000v")).as("nothing written to z").isEqualTo("not-a-number");
            Map<String, List<Long>> logged = new HashMap<>();
            for (ChangeEvent e : stores.get(section).readLog("0-0", 1_000).join().events()) {
                logged.computeIfAbsent(e.key().id(), k -> new ArrayList<>()).add(e.version());
            }
            assertThat(logged).as("us's log: each change taken in once, per key in order").isEqualTo(Map.of(
                    "a", List.of(1L, 2L, 3L, 4L), "b", List.of(1L), "c", List.of(1L, 2L), "m", List.of(1L, 2L, 3L, 4L)));
        }
    }

    private static String describe(CompletableFuture<ApplyOutcome> future) {
        ApplyOutcome outcome;
        try {
            outcome = future.join();
        } catch (CompletionException e) {
            return e.getCause() instanceof CorruptDocumentException ? "corrupt" : e.getCause().toString();
        }
        if (outcome instanceof ApplyOutcome.Applied applied) {
            return (applied.merged() ? "merged " : "applied ") + applied.version();
        }
        if (outcome instanceof ApplyOutcome.Duplicate) {
            return "duplicate";
        }
        if (outcome instanceof ApplyOutcome.Missing) {
            return "missing";
        }
        return outcome.toString();
    }

    /** eu's changes of one section: a (set + 3 updates), b (set + 2), c (set + 1), m (set + 2), z (set + 1). */
    private Map<String, List<ChangeEvent>> writeInEu(String section) {
        DocumentManager<ObjectNode> writer = euFixture.track(DocumentManager.builder(ObjectNode.class).redisson(euFixture.client())
                .section("test", section).origin("eu", "w1").build());
        Map<String, Integer> updates = Map.of("a", 3, "b", 2, "c", 1, "m", 2, "z", 1);
        for (String id : List.of("a", "b", "c", "m", "z")) {
            writer.set(id, doc("{\"n\":1,\"id\":\"" + id + "\"}")).join();
            for (int i = 0; i < updates.get(id); i++) {
                int n = i + 2;
                writer.update(id, d -> d.put("n", n)).join();
            }
        }
        Map<String, List<ChangeEvent>> byKey = new HashMap<>();
        for (ChangeEvent e : SectionStore.open(euFixture.client(), "ddm", new SectionId("test", section)).readLog("0-0", 100)
                .join().events()) {
            byKey.computeIfAbsent(e.key().id(), k -> new ArrayList<>()).add(e);
        }
        return byKey;
    }

    private static Map<String, String> members(RedisServer server, String key) {
        Map<String, String> members = new HashMap<>();
        try (RespClient client = server.client()) {
            @SuppressWarnings("unchecked")
            List<Object> flat = (List<Object>) client.call("HGETALL", key);
            for (int i = 0; i < flat.size(); i += 2) {
                String field = String.valueOf(flat.get(i));
                if (!field.startsWith("\u0000")) {
                    members.put(field, String.valueOf(flat.get(i + 1)));
                }
            }
        }
        return members;
    }

    private static ObjectNode doc(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
