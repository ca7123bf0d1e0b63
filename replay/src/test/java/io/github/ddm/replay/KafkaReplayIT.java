package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.testkit.junit.KafkaExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * Replay from Kafka alone (issue 5, "Replay"; DESIGN.md, "Kafka bridge"): region A's writers
 * commit to A's redis-server, A's section logs are published to Kafka as the source connector
 * would (one topic per section, three partitions, keyed by the data key, in all three wire
 * forms), and region B's redis-server is rebuilt from the topics with {@link KafkaReplay}.
 */
class KafkaReplayIT {

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create();
    @RegisterExtension
    static final RedisServerExtension regionA = RedisServerExtension.create();
    @RegisterExtension
    static final RedisServerExtension regionB = RedisServerExtension.create();

    private static final String NS = "ddm";
    private static final SectionId BOOKS = new SectionId("orders", "book");
    private static final SectionId TRADES = new SectionId("orders", "trades");
    private static final SectionId PROFILES = new SectionId("users", "profiles");
    private static final List<SectionId> SECTIONS = List.of(BOOKS, TRADES, PROFILES);
    private static final TopicNaming NAMING = TopicNaming.perSection();
    private static final String REGION_A = "region-a";
    private static final String REGION_B = "region-b";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private RedissonClient a;
    private RedissonClient b;
    private LogPublisher publisher;
    /** What was published per section, in log order. */
    private final Map<SectionId, List<ChangeEvent>> published = new HashMap<>();

    @BeforeEach
    void setUp() {
        a = RedisClients.create(regionA.server().uri());
        resources.add(a::shutdown);
        b = RedisClients.create(regionB.server().uri());
        resources.add(b::shutdown);
        publisher = new LogPublisher(kafka.server().clientProperties(), a, NS);
        resources.add(publisher);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void disasterRecovery_regionBFlushed_isRebuiltFromKafkaAlone_equalToRegionA() throws Exception {
        populateRegionA();
        replay(ReplayListener.NONE).replayAll();
        assertThat(contents(b, BOOKS)).as("region B was a replica before the disaster").isEqualTo(contents(a, BOOKS));
        regionB.server().flushAll();
        assertThat(contents(b, BOOKS)).as("region B lost everything").isEmpty();

        RecordingListener listener = new RecordingListener();
        ReplaySummary summary = replay(listener).replayAll();

        for (SectionId section : SECTIONS) {
            TreeMap<String, String> expected = contents(a, section);
            assertThat(contents(b, section)).as("region B's %s (documents, versions, tombstones)", section).isEqualTo(expected);
        }
        assertThat(contents(a, BOOKS).values()).as("tombstones are part of the comparison").anyMatch(v -> v.startsWith("d v"));
        long events = published.values().stream().mapToLong(List::size).sum();
        assertThat(summary.topics()).containsExactlyInAnyOrder("ddm.region-a.orders.book", "ddm.region-a.orders.trades",
                "ddm.region-a.users.profiles");
        assertThat(summary.events()).as("every published event was read").isEqualTo(events);
        assertThat(summary.keys()).isEqualTo(80 + 60 + 40);
        assertThat(summary.complete()).as("%s", summary).isTrue();
        assertThat(summary.superseded()).as("no whole merge state was published: every change is applied").isZero();
        assertThat(summary.superseded() + summary.applied() + summary.duplicates() + summary.gaps() + summary.unappliable())
                .as("every event is counted once").isEqualTo(summary.events());
        assertThat(summary.gaps() + summary.duplicates()).as("applying every change in order leaves no gap").isZero();

        assertThat(listener.progress).extracting(ReplayProgress::phase)
                .as("progress of both passes").contains(ReplayProgress.Phase.INDEXING, ReplayProgress.Phase.APPLYING);
        assertThat(listener.progress).as("progress while records remained, not only at the end")
                .anyMatch(p -> p.remaining() > 0 && p.recordsRead() > 0);
        ReplayProgress last = listener.last();
        assertThat(last.phase()).isEqualTo(ReplayProgress.Phase.APPLYING);
        assertThat(last.applied()).isEqualTo(summary.applied());
        assertThat(last.partitions()).as("every topic-partition, with its position and end offset").hasSize(9)
                .allMatch(PartitionPosition::done);
        assertThat(summary.partitions()).extracting(PartitionPosition::endOffset).allMatch(end -> end >= 0);
        assertThat(summary.partitions().stream().mapToLong(PartitionPosition::endOffset).sum()).isEqualTo(events);
        assertThat(listener.threads).as("the listener runs on the replay's thread").containsOnly(Thread.currentThread().getName());
    }

    @Test
    void replayKey_andReplaySection_touchOnlyTheirScope_andAPartialTargetIsCompleted() throws Exception {
        populateRegionA();
        KafkaReplay replay = replay(ReplayListener.NONE);
        DataKey key = DataKey.of("orders", "book", "book7");

        ReplaySummary one = replay.replayKey(key);

        assertThat(contents(b, BOOKS)).as("only the key").containsOnlyKeys("book7")
                .containsEntry("book7", contents(a, BOOKS).get("book7"));
        assertThat(contents(b, TRADES)).isEmpty();
        assertThat(contents(b, PROFILES)).isEmpty();
        assertThat(one.keys()).isEqualTo(1);
        assertThat(one.events()).isEqualTo(published.get(BOOKS).stream().filter(e -> e.key().equals(key)).count());

        ReplaySummary section = replay.replaySection(TRADES);

        assertThat(contents(b, TRADES)).as("the whole section").isEqualTo(contents(a, TRADES));
        assertThat(contents(b, BOOKS)).as("other sections untouched").containsOnlyKeys("book7");
        assertThat(contents(b, PROFILES)).isEmpty();
        assertThat(section.keys()).isEqualTo(60);
        assertThat(section.recordsRead()).isEqualTo(published.get(TRADES).size());

        // The target already holds some of the data: a full replay completes it.
        ReplaySummary all = replay.replayAll();
        for (SectionId s : SECTIONS) {
            assertThat(contents(b, s)).as("region B's %s", s).isEqualTo(contents(a, s));
        }
        assertThat(all.duplicates()).as("what was already there is skipped").isPositive();
        assertThat(all.applied()).isPositive();
    }

    @Test
    void malformedRecords_areReportedWithTopicPartitionOffsetAndReason_andTheReplayGoesOn() throws Exception {
        SectionId bad = new SectionId("orders", "bad");
        String topic = NAMING.topicFor(REGION_A, bad);
        kafka.server().createTopic(topic, 1);
        try (DocumentManager<Item> writer = writer(bad, "w1", 0)) {
            writer.set("k", new Item("k")).get(10, TimeUnit.SECONDS);
            writer.set("j", new Item("j")).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                int step = i;
                writer.update("k", item -> { item.count += step + 1; return item; }).get(10, TimeUnit.SECONDS);
            }
            writer.update("j", item -> { item.tags.put("x", 1L); return item; }).get(10, TimeUnit.SECONDS);
        }
        List<ChangeEvent> log = readLog(bad);
        ChangeEvent k3 = log.stream().filter(e -> e.key().id().equals("k") && e.version() == 3).findFirst().orElseThrow();
        Map<Long, String> expectedReasons = new java.util.LinkedHashMap<>();
        for (ChangeEvent event : log) {
            if (event == k3) {
                String json = ChangeEventCodec.encodeToString(k3);
                expectedReasons.put(offset(publisher.produce(topic, "orders/bad/k", bytes("this is not JSON"))), "not well-formed JSON");
                expectedReasons.put(offset(publisher.produce(topic, "orders/bad/k", bytes(json.replace("\"schema\":1", "\"schema\":99")))),
                        "schema version '99' is not supported");
                expectedReasons.put(offset(publisher.produce(topic, "orders/bad/j", bytes(json))), "does not match the event's key");
                expectedReasons.put(offset(publisher.produce(topic, "orders/bad/k", null)), "tombstone");
                String envelope = new String(WireForm.STRUCT_JSON_ENVELOPE.encode(k3), StandardCharsets.UTF_8);
                expectedReasons.put(offset(publisher.produce(topic, "orders/bad/k",
                        bytes(envelope.replace("\"io.github.ddm.ChangeEvent\"", "\"com.example.Other\"")))), "not io.github.ddm.ChangeEvent");
                Struct broken = WireForm.struct(k3).put("patch", "[{\"op\":\"replace\"");
                expectedReasons.put(offset(publisher.produce(topic, "orders/bad/k",
                        WireForm.converter(false).fromConnectData(topic, WireForm.VALUE_SCHEMA, broken))), "patch text is not well-formed JSON");
                expectedReasons.put(offset(publisher.produce(topic, null, bytes(json))), "has no key");
            }
            publisher.produce(topic, event.key().toString(), WireForm.CONTRACT.encode(event));
        }

        RecordingListener listener = new RecordingListener();
        ReplaySummary summary = replay(listener).replaySection(bad);

        assertThat(listener.invalid).extracting(e -> e.position().offset()).as("reported records")
                .containsExactlyElementsOf(expectedReasons.keySet());
        for (RecordError error : listener.invalid) {
            assertThat(error.position().topic()).isEqualTo(topic);
            assertThat(error.position().partition()).isZero();
            assertThat(error.reason()).as("reason at %s", error.position()).contains(expectedReasons.get(error.position().offset()));
        }
        assertThat(summary.invalid()).isEqualTo(expectedReasons.size());
        assertThat(summary.invalidRecords()).isEqualTo(listener.invalid);
        assertThat(summary.complete()).isFalse();
        assertThat(contents(b, bad)).as("the good records around the bad ones were applied").isEqualTo(contents(a, bad));
        assertThat(contents(b, bad).get("k")).startsWith("s v6 ");
    }

    @Test
    void replayingTwice_isIdempotent_theSecondRunFindsOnlyDuplicates() throws Exception {
        populateRegionA();
        KafkaReplay replay = replay(ReplayListener.NONE);
        ReplaySummary first = replay.replayAll();
        Map<SectionId, TreeMap<String, String>> afterFirst = new HashMap<>();
        Map<SectionId, String> logHeads = new HashMap<>();
        for (SectionId s : SECTIONS) {
            afterFirst.put(s, contents(b, s));
            logHeads.put(s, SectionStore.open(b, NS, s).logHead().get(10, TimeUnit.SECONDS));
        }

        ReplaySummary second = replay.replayAll();

        assertThat(first.applied()).isPositive();
        assertThat(second.applied()).as("%s", second).isZero();
        assertThat(second.gaps()).isZero();
        assertThat(second.unappliable()).isZero();
        assertThat(second.duplicates()).as("every event applied is a duplicate").isEqualTo(second.events() - second.superseded());
        assertThat(second.events()).isEqualTo(first.events());
        for (SectionId s : SECTIONS) {
            assertThat(contents(b, s)).isEqualTo(afterFirst.get(s));
            assertThat(SectionStore.open(b, NS, s).logHead().get(10, TimeUnit.SECONDS)).as("nothing committed in %s", s)
                    .isEqualTo(logHeads.get(s));
        }
    }

    @Test
    void regionsWritingTheSameDocuments_areRebuiltFromEveryRegionsTopic_mergedAsTheRegionsMergedThem() throws Exception {
        SectionId shared = new SectionId("orders", "shared");
        String topicA = NAMING.topicFor(REGION_A, shared);
        String topicB = NAMING.topicFor(REGION_B, shared);
        kafka.server().createTopic(topicA, 3);
        kafka.server().createTopic(topicB, 3);
        SectionStore storeA = SectionStore.open(a, NS, shared);
        SectionStore storeB = SectionStore.open(b, NS, shared);
        try (DocumentManager<Item> inA = writer(shared, "w1", 3);
             DocumentManager<Item> inB = DocumentManager.builder(Item.class).redisson(b).namespace(NS)
                     .section(shared.partition(), shared.section()).origin(REGION_B, "w1").fullStateEvery(3).build()) {
            for (int i = 0; i < 20; i++) {
                inA.set("k" + i, new Item("k" + i)).get(10, TimeUnit.SECONDS);
            }
            // B takes in A's changes (what its sink would do), then both regions edit overlapping keys
            // without seeing each other's edits: k5..k9 are concurrent in both.
            for (ChangeEvent event : localLog(storeA, REGION_A)) {
                storeB.apply(event).get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 10; i++) {
                int n = i;
                inB.update("k" + i, item -> { item.count += 100 + n; item.tags.put("b", (long) n); return item; })
                        .get(10, TimeUnit.SECONDS);
            }
            for (int i = 5; i < 15; i++) {
                int n = i;
                inA.update("k" + i, item -> { item.count += 1000 + n; item.tags.put("a", (long) n); return item; })
                        .get(10, TimeUnit.SECONDS);
            }
            inB.delete("k1").get(10, TimeUnit.SECONDS);
        }
        // Each region's source exports its own changes to its own topic; A's sink takes in B's.
        List<ChangeEvent> fromA = localLog(storeA, REGION_A);
        List<ChangeEvent> fromB = localLog(storeB, REGION_B);
        publisher.publish(shared, topicA, n -> WireForm.CONTRACT, e -> e.origin().region().equals(REGION_A));
        publisherOf(b).publish(shared, topicB, n -> WireForm.values()[n % 3], e -> e.origin().region().equals(REGION_B));
        for (ChangeEvent event : fromB) {
            storeA.apply(event).get(10, TimeUnit.SECONDS);
        }
        TreeMap<String, String> merged = contents(a, shared);
        assertThat(merged.get("k7")).as("both regions' concurrent edits are kept: %s", merged.get("k7"))
                .contains("\"a\":7").contains("\"b\":7");
        assertThat(merged.get("k1")).startsWith("d ");

        // Region B is lost and rebuilt from both regions' topics alone.
        regionB.server().flushAll();
        ReplaySummary summary = replay(ReplayListener.NONE).replaySection(shared);

        assertThat(summary.topics()).containsExactlyInAnyOrder(topicA, topicB);
        assertThat(contents(b, shared)).as("region B rebuilt = region A after the exchange").isEqualTo(merged);
        assertThat(summary.events()).isEqualTo(fromA.size() + fromB.size());
        assertThat(summary.gaps()).as("every change's dependencies were in some topic").isZero();
        assertThat(summary.complete()).as("%s", summary).isTrue();
        for (String id : merged.keySet()) {
            ChangeEvent inRebuilt = storeB.snapshot(id).get(10, TimeUnit.SECONDS).orElseThrow();
            ChangeEvent inRegionA = storeA.snapshot(id).get(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(inRebuilt.clock()).as("%s's clock: which changes of each region it holds", id).isEqualTo(inRegionA.clock());
        }
    }

    @Test
    void aRegionsChangesWhoseDependenciesAreInNoTopic_areCountedAsGaps_notApplied() throws Exception {
        SectionId shared = new SectionId("orders", "orphans");
        String topicB = NAMING.topicFor(REGION_B, shared);
        kafka.server().createTopic(topicB, 1);
        SectionStore storeA = SectionStore.open(a, NS, shared);
        SectionStore storeB = SectionStore.open(b, NS, shared);
        try (DocumentManager<Item> inA = writer(shared, "w1", 0);
             DocumentManager<Item> inB = DocumentManager.builder(Item.class).redisson(b).namespace(NS)
                     .section(shared.partition(), shared.section()).origin(REGION_B, "w1").fullStateEvery(0).build()) {
            inA.set("k", new Item("k")).get(10, TimeUnit.SECONDS);
            for (ChangeEvent event : localLog(storeA, REGION_A)) {
                storeB.apply(event).get(10, TimeUnit.SECONDS);
            }
            inB.update("k", item -> { item.count = 5; return item; }).get(10, TimeUnit.SECONDS);
        }
        // Only B's change reaches Kafka: A's creation, which it patches, is in no topic.
        List<ChangeEvent> fromB = localLog(storeB, REGION_B);
        publisherOf(b).publish(shared, topicB, n -> WireForm.CONTRACT, e -> e.origin().region().equals(REGION_B));
        regionB.server().flushAll();

        ReplaySummary summary = replay(ReplayListener.NONE).replaySection(shared);

        assertThat(summary.events()).isEqualTo(1);
        assertThat(summary.gaps()).isEqualTo(1);
        assertThat(summary.applied()).isZero();
        assertThat(summary.keysBehindSample()).containsExactly(DataKey.of("orders", "orphans", "k"));
        assertThat(summary.complete()).isFalse();
        assertThat(contents(b, shared)).as("nothing half-applied").isEmpty();
    }

    @Test
    void replayingASectionWithoutATopic_failsNamingTheTopic() {
        KafkaReplay replay = replay(ReplayListener.NONE);
        assertThatThrownBy(() -> replay.replaySection(new SectionId("no", "such")))
                .isInstanceOf(KafkaReplayException.class).hasMessageContaining("no.such").hasMessageContaining("${region}");
    }

    // ---- helpers ----

    /** Region A: three sections written by two managers each, published to Kafka in every wire form. */
    private void populateRegionA() throws Exception {
        Map<SectionId, Integer> keys = Map.of(BOOKS, 80, TRADES, 60, PROFILES, 40);
        for (SectionId section : SECTIONS) {
            kafka.server().createTopic(NAMING.topicFor(REGION_A, section), 3);
            try (DocumentManager<Item> w1 = writer(section, "w1", 4); DocumentManager<Item> w2 = writer(section, "w2", 0)) {
                Workload.run(List.of(w1, w2), section.section(), keys.get(section), section.hashCode());
            }
        }
        published.put(BOOKS, publisher.publish(BOOKS, NAMING.topicFor(REGION_A, BOOKS), n -> WireForm.CONTRACT));
        published.put(TRADES, publisher.publish(TRADES, NAMING.topicFor(REGION_A, TRADES), n -> WireForm.values()[n % 3]));
        published.put(PROFILES, publisher.publish(PROFILES, NAMING.topicFor(REGION_A, PROFILES), n -> WireForm.STRUCT_JSON_ENVELOPE));
    }

    /** A writer in region A; {@code fullStateEvery} 0 means updates carry patches only. */
    private DocumentManager<Item> writer(SectionId section, String node, int fullStateEvery) {
        return DocumentManager.builder(Item.class).redisson(a).namespace(NS).section(section.partition(), section.section())
                .origin(REGION_A, node).fullStateEvery(fullStateEvery).build();
    }

    private KafkaReplay replay(ReplayListener listener) {
        return KafkaReplay.builder()
                .reader(KafkaEventReader.builder(kafka.server().clientProperties()).progressInterval(Duration.ofMillis(5)).build())
                .redisson(b)
                .namespace(NS)
                .topicNaming(NAMING)
                .listener(listener)
                .build();
    }

    /** The changes {@code region} made itself, as its source connector exports them. */
    private static List<ChangeEvent> localLog(SectionStore store, String region) throws Exception {
        return store.readLog("0-0", 10_000).get(10, TimeUnit.SECONDS).events().stream()
                .filter(e -> e.origin().region().equals(region)).toList();
    }

    private LogPublisher publisherOf(RedissonClient region) {
        LogPublisher other = new LogPublisher(kafka.server().clientProperties(), region, NS);
        resources.add(other);
        return other;
    }

    private List<ChangeEvent> readLog(SectionId section) throws Exception {
        return SectionStore.open(a, NS, section).readLog("0-0", 10_000).get(10, TimeUnit.SECONDS).events();
    }

    private static TreeMap<String, String> contents(RedissonClient redis, SectionId section) throws Exception {
        return RegionContents.of(redis, NS, section);
    }

    private static long offset(RecordMetadata metadata) {
        return metadata.offset();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
