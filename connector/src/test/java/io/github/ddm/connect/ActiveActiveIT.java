package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.DocumentManager;
import io.github.ddm.SectionId;
import io.github.ddm.RegionNotice;
import io.github.ddm.SectionStore;
import io.github.ddm.SyncEvent;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Conflict;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.RespClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Two regions, eu and us, both writing, bridged through one Kafka by the DDM source and sink of
 * each region with the default topic layout (docs/regions.md): concurrent changes converge to the
 * same document, version and clock in both, with identical bytes, under the rule table; conflicts
 * are reported in both; a change lost on its way is repaired from the other region within seconds
 * with writes stopped; a region that loses its Redis gets its documents back from the other; and a
 * section whose log holds only the other region's changes still moves its source offset.
 */
class ActiveActiveIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SectionId SECTION = new SectionId("trading", "positions");
    /** A section of its own for the repair test, so that no whole-section answer of another test repairs it first. */
    private static final SectionId ORDERS = new SectionId("trading", "orders");
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    private static ConnectCluster connect;
    private static Region eu;
    private static Region us;

    /** One region: its Redis, a client, a writer. */
    private static final class Region implements AutoCloseable {
        final String name;
        final RedisServer redis;
        final RedissonClient client;
        DocumentManager<ObjectNode> writer;

        Region(String name) {
            this.name = name;
            this.redis = RedisServer.start();
            Config config = new Config();
            config.useSingleServer().setAddress(redis.uri()).setConnectionMinimumIdleSize(2).setConnectionPoolSize(8);
            this.client = Redisson.create(config);
            this.writer = newWriter();
        }

        DocumentManager<ObjectNode> newWriter() {
            return writer(SECTION);
        }

        DocumentManager<ObjectNode> writer(SectionId section) {
            return DocumentManager.builder(ObjectNode.class).redisson(client).section(section.partition(), section.section())
                    .origin(name, "w1").build();
        }

        SectionStore store() {
            return SectionStore.open(client, "ddm", SECTION);
        }

        /** The stored document hash, metadata fields included (version, time, origin, tombstone). */
        Map<String, String> hash(String id) {
            return hash(SECTION, id);
        }

        Map<String, String> hash(SectionId section, String id) {
            return hashOf("ddm:{" + section.partition() + ":" + section.section() + "}:s:" + id);
        }

        Map<String, String> clock(String id) {
            return clock(SECTION, id);
        }

        Map<String, String> clock(SectionId section, String id) {
            return hashOf("ddm:{" + section.partition() + ":" + section.section() + "}:c:" + id);
        }

        private Map<String, String> hashOf(String key) {
            Map<String, String> fields = new TreeMap<>();
            try (RespClient c = redis.client()) {
                @SuppressWarnings("unchecked")
                List<Object> flat = (List<Object>) c.call("HGETALL", key);
                for (int i = 0; i < flat.size(); i += 2) {
                    fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
                }
            }
            return fields;
        }

        List<ChangeEvent> log() {
            return store().readLog("0-0", 10_000).join().events();
        }

        @Override
        public void close() {
            writer.close();
            client.shutdown();
            redis.close();
        }
    }

    @BeforeAll
    static void start() {
        eu = new Region("eu");
        us = new Region("us");
        connect = ConnectCluster.builder().name("ddm-regions").workerProperty("exactly.once.source.support", "enabled")
                .workerProperty("offset.flush.interval.ms", "1000").start();
        for (String region : List.of("eu", "us")) {
            connect.kafka().createTopic("ddm." + region + ".trading.positions", 3);
            connect.kafka().createTopic("ddm." + region + ".trading.orders", 3);
            connect.kafka().createTopic("ddm." + region + ".control", 1);
        }
        for (Region region : List.of(eu, us)) {
            String other = region == eu ? "us" : "eu";
            connect.cluster().configureConnector("source-" + region.name, RegionConnectors.config("io.github.ddm.connect.source.DdmSourceConnector",
                    region.name, region.redis.uri(), "source.sections", "trading.positions,trading.orders", "exactly.once.support", "required",
                    "source.heartbeat.interval.ms", "500"));
            connect.cluster().configureConnector("sink-" + region.name, RegionConnectors.config("io.github.ddm.connect.sink.DdmSinkConnector",
                    region.name, region.redis.uri(), "topics.regex", "ddm\\." + other + "\\..*", "sink.repair.after.ms", "500",
                    "errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq." + region.name,
                    "errors.deadletterqueue.topic.replication.factor", "1", "errors.deadletterqueue.context.headers.enable", "true",
                    "consumer.override.isolation.level", "read_committed"));
        }
        for (String name : List.of("source-eu", "source-us", "sink-eu", "sink-us")) {
            RegionConnectors.awaitRunning(connect, name);
        }
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.close();
        }
        for (Region region : new Region[] {eu, us}) {
            if (region != null) {
                region.close();
            }
        }
    }

    @BeforeEach
    void resumeSinks() {
        for (String name : List.of("sink-eu", "sink-us")) {
            connect.cluster().resumeConnector(name);
        }
        // A status read right after a resume may still say PAUSED: wait until the tasks run.
        for (String name : List.of("sink-eu", "sink-us")) {
            RegionConnectors.awaitRunning(connect, name);
        }
    }

    @AfterEach
    void resumeAfter_andNothingWentToADeadLetterQueue() {
        resumeSinks();
        for (String dlq : List.of("dlq.eu", "dlq.us")) {
            assertThat(deadLetters(dlq)).as("records in %s, with their reason", dlq).isEmpty();
        }
    }

    /** The reasons of the records in a dead-letter topic (empty when the topic does not exist). */
    private static List<String> deadLetters(String topic) {
        Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
        props.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        props.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        List<String> reasons = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(props)) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                return reasons;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    var header = record.headers().lastHeader("__connect.errors.exception.message");
                    reasons.add(record.key() + ": " + (header == null ? "?" : new String(header.value(),
                            java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException absent) {
            return reasons;
        }
        return reasons;
    }

    private static void pauseSinks() {
        for (String name : List.of("sink-eu", "sink-us")) {
            connect.cluster().pauseConnector(name);
        }
        await("sinks paused").atMost(Duration.ofSeconds(30)).until(() -> List.of("sink-eu", "sink-us").stream().allMatch(name -> {
            var status = connect.cluster().connectorStatus(name);
            return status.tasks().stream().allMatch(t -> "PAUSED".equals(t.state()));
        }));
    }

    /** Both regions hold byte-identical documents (metadata included) and clocks for every id. */
    private static void awaitConverged(String... ids) {
        awaitConverged(SECTION, ids);
    }

    private static void awaitConverged(SectionId section, String... ids) {
        await("eu and us converge on " + List.of(ids)).atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(us.hash(section, id)).as("us's copy of %s", id).isNotEmpty()
                        .isEqualTo(withoutOrigin(eu.hash(section, id), us.hash(section, id)));
                assertThat(us.clock(section, id).get("v")).as("us's clock of %s", id).isEqualTo(eu.clock(section, id).get("v"));
            }
        });
    }

    /** The origin field names the last writer in each region (a merge is logged under the change it took in): compare the rest. */
    private static Map<String, String> withoutOrigin(Map<String, String> expected, Map<String, String> actual) {
        Map<String, String> copy = new TreeMap<>(expected);
        if (actual.containsKey("\u0000o")) {
            copy.put("\u0000o", actual.get("\u0000o"));
        }
        return copy;
    }

    private static ObjectNode doc(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<Conflict> conflictsLogged(Region region, String id) {
        List<Conflict> conflicts = new ArrayList<>();
        for (ChangeEvent event : region.log()) {
            if (event.key().id().equals(id) && event.conflicts() != null) {
                conflicts.addAll(event.conflicts());
            }
        }
        return conflicts;
    }

    @Test
    void sameVersionInBothRegions_disjointFieldsBothKept_sameFieldLaterWins_andBothReportIt() throws Exception {
        eu.writer.set("p1", doc("{\"qty\":0,\"price\":10.0,\"note\":\"open\"}")).join();
        awaitConverged("p1");
        Map<String, List<SyncEvent.ConflictResolved>> reported = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Long> countedBefore = new HashMap<>();
        for (Region region : List.of(eu, us)) {
            countedBefore.put(region.name, region.writer.stats().regionConflicts());
            reported.put(region.name, new java.util.concurrent.CopyOnWriteArrayList<>());
            region.writer.addSyncListener(e -> {
                if (e instanceof SyncEvent.ConflictResolved resolved && resolved.key().id().equals("p1")) {
                    reported.get(region.name).add(resolved);
                }
            });
        }

        pauseSinks();
        eu.writer.update("p1", d -> d.put("qty", 5)).join();
        us.writer.update("p1", d -> d.put("price", 11.5)).join();
        eu.writer.update("p1", d -> d.put("note", "eu")).join();
        us.writer.update("p1", d -> d.put("note", "us, later")).join();
        resumeSinks();

        awaitConverged("p1");
        assertThat(eu.writer.get("p1").join().orElseThrow().value())
                .isEqualTo(doc("{\"qty\":5,\"price\":11.5,\"note\":\"us, later\"}"));
        assertThat(eu.hash("p1").get("\u0000v")).isEqualTo("5");
        await("each region's services see the merged document").atMost(CONVERGE).untilAsserted(() ->
                assertThat(us.writer.get("p1").join().orElseThrow().value()).isEqualTo(doc("{\"qty\":5,\"price\":11.5,\"note\":\"us, later\"}")));
        for (Region region : List.of(eu, us)) {
            assertThat(conflictsLogged(region, "p1")).as("conflicts %s reported", region.name)
                    .extracting(Conflict::path, c -> c.kept().region(), c -> c.lost().region())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("/note", "us", "eu"));
            await("the conflict reaches " + region.name + "'s sync listeners").atMost(CONVERGE).untilAsserted(() ->
                    assertThat(reported.get(region.name)).singleElement().satisfies(r ->
                            assertThat(r.conflicts()).extracting(Conflict::path).containsExactly("/note")));
            assertThat(region.writer.stats().regionConflicts()).isEqualTo(countedBefore.get(region.name) + 1);
        }
    }

    @Test
    void deleteAgainstUpdate_deleteWins_andCreateInBoth_laterCreateWins() throws Exception {
        eu.writer.set("p2", doc("{\"qty\":1}")).join();
        awaitConverged("p2");
        pauseSinks();
        eu.writer.delete("p2").join();
        us.writer.update("p2", d -> d.put("qty", 2)).join();
        eu.writer.set("p3", doc("{\"from\":\"eu\"}")).join();
        us.writer.set("p3", doc("{\"from\":\"us\"}")).join();
        resumeSinks();

        awaitConverged("p2", "p3");
        assertThat(eu.writer.get("p2").join()).as("the delete wins over the concurrent update").isEmpty();
        assertThat(us.hash("p3").get("from")).as("the later create").isEqualTo("\"us\"");
    }

    @Test
    void aChangeLostOnItsWay_isRepairedFromTheOtherRegionWithinSeconds_withWritesStopped() throws Exception {
        try (DocumentManager<ObjectNode> orders = eu.writer(ORDERS)) {
            orders.set("p4", doc("{\"qty\":1}")).join();
            awaitConverged(ORDERS, "p4");
            // Stopped, not paused: a paused consumer keeps what an in-flight fetch brings, and would deliver it.
            connect.cluster().stopConnector("sink-us");
            await("sink-us stopped").atMost(Duration.ofSeconds(30)).until(() ->
                    "STOPPED".equals(connect.cluster().connectorStatus("sink-us").connector().state()));
            orders.update("p4", d -> d.put("qty", 2)).join();
            orders.update("p4", d -> d.put("qty", 3)).join();
        }
        String topic = "ddm.eu.trading.orders";
        try (Admin admin = connect.kafka().admin()) {
            // The record of qty=2 disappears from the topic (as if a retention or a broker loss took it).
            Located third = await("eu's changes exported").atMost(CONVERGE).until(() -> locate(topic, 3), java.util.Objects::nonNull);
            admin.deleteRecords(Map.of(third.partition(), RecordsToDelete.beforeOffset(third.offset()))).all().get();
        }
        long answeredBefore = sinkCounter("sink-eu", "RepairsAnswered");
        DocumentManager<ObjectNode> usOrders = us.writer(ORDERS);
        List<RegionNotice> noticed = noticesOf(usOrders);
        long stopped = System.nanoTime();
        resumeSinks();

        awaitConverged(ORDERS, "p4");
        long tookMs = (System.nanoTime() - stopped) / 1_000_000;
        await("us's services hear of the repair request").atMost(CONVERGE).untilAsserted(() -> assertThat(noticed)
                .anySatisfy(n -> assertThat(List.of(n.kind(), n.id(), n.region()))
                        .containsExactly(RegionNotice.Kind.REPAIR_REQUESTED, "p4", "eu")));
        assertThat(SectionStore.open(us.client, "ddm", ORDERS).recentNotices(100).join()).as("and the notice is kept")
                .anySatisfy(n -> assertThat(n.kind()).isEqualTo(RegionNotice.Kind.REPAIR_REQUESTED));
        usOrders.close();
        assertThat(us.hash(ORDERS, "p4").get("qty")).isEqualTo("3");
        assertThat(sinkCounter("sink-us", "RepairsRequested")).as("us's restarted sink asked for the document").isPositive();
        assertThat(sinkCounter("sink-us", "Waited")).as("qty=3 waited for qty=2").isPositive();
        assertThat(sinkCounter("sink-eu", "RepairsAnswered")).as("eu answered").isGreaterThan(answeredBefore);
        assertThat(tookMs).as("repaired within seconds (ms)").isLessThan(30_000);
        System.out.printf("a change lost on its way was repaired in %d ms%n", tookMs);
    }

    @Test
    void aRegionThatLosesItsRedis_getsItsDocumentsBackFromTheOther_andItsNewWritesMerge() throws Exception {
        String[] ids = new String[20];
        for (int i = 0; i < 20; i++) {
            ids[i] = "lost-" + i;
            eu.writer.set(ids[i], doc("{\"n\":" + i + "}")).join();
        }
        awaitConverged(ids);
        us.writer.update("lost-0", d -> d.put("us", true)).join();
        awaitConverged(ids);
        String lineageBefore = String.valueOf(us.redis.call("GET", "ddm:{trading:positions}:lineage"));
        List<RegionNotice> noticedInEu = noticesOf(eu.writer);

        us.writer.close();
        try (RespClient c = us.redis.client()) {
            c.call("FLUSHALL");
        }
        us.writer = us.newWriter();

        // No write anywhere: us's source notices the lost section and asks eu for it.
        awaitConverged(ids);
        assertThat(us.hash("lost-0").get("us")).as("us's own change, which eu had").isEqualTo("true");

        us.writer.update("lost-1", d -> d.put("after", "us")).join();
        eu.writer.update("lost-2", d -> d.put("after", "eu")).join();
        awaitConverged(ids);
        assertThat(eu.hash("lost-1").get("after")).isEqualTo("\"us\"");
        assertThat(String.valueOf(us.redis.call("GET", "ddm:{trading:positions}:lineage"))).as("us writes under a new lineage")
                .isNotEqualTo(lineageBefore);
        String lineageAfter = String.valueOf(us.redis.call("GET", "ddm:{trading:positions}:lineage"));
        assertThat(eu.clock("lost-0").get("v")).as("us's change before the loss, under its old lineage")
                .contains("\"us~" + lineageBefore + "\":1");
        assertThat(eu.clock("lost-1").get("v")).as("us's change after the loss, under its new lineage")
                .contains("\"us~" + lineageAfter + "\":1");
        await("eu's services hear that us started over").atMost(CONVERGE).untilAsserted(() -> assertThat(noticedInEu)
                .anySatisfy(n -> assertThat(List.of(n.kind(), n.region())).containsExactly(RegionNotice.Kind.LINEAGE_CHANGED, "us")));
        assertThat(sinkCounter("sink-eu", "LineageChanges")).isPositive();
    }

    @Test
    void aRedeliveredChange_isNotTakenInTwice_andTheServicesHearOfIt() throws Exception {
        eu.writer.set("rd", doc("{\"n\":1}")).join();
        eu.writer.update("rd", d -> d.put("n", 2)).join();
        awaitConverged("rd");
        List<RegionNotice> noticed = noticesOf(us.writer);
        long duplicatesBefore = sinkCounter("sink-us", "Duplicates");
        ChangeEvent first = eu.log().stream().filter(e -> e.key().id().equals("rd") && e.version() == 1).findFirst().orElseThrow();

        // The same change again, as a producer retry outside a transaction or a replayed topic would bring it.
        Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
        props.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        props.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(props)) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("ddm.eu.trading.positions",
                    first.key().toString(), io.github.ddm.schema.ChangeEventCodec.encode(first))).get(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        await("us's services hear of the redelivery").atMost(CONVERGE).untilAsserted(() -> assertThat(noticed)
                .anySatisfy(n -> assertThat(List.of(n.kind(), n.id(), n.region()))
                        .containsExactly(RegionNotice.Kind.REDELIVERED, "rd", "eu")));
        assertThat(sinkCounter("sink-us", "Duplicates")).isGreaterThan(duplicatesBefore);
        assertThat(us.hash("rd")).as("not taken in again").containsEntry("\u0000v", "2").containsEntry("n", "2");
    }

    /** The region notices {@code manager}'s sync listeners receive from now on. */
    private static List<RegionNotice> noticesOf(DocumentManager<ObjectNode> manager) {
        List<RegionNotice> noticed = new java.util.concurrent.CopyOnWriteArrayList<>();
        manager.addSyncListener(e -> {
            if (e instanceof SyncEvent.RegionNoticed n) {
                noticed.add(n.notice());
            }
        });
        return noticed;
    }

    @Test
    void aSectionWhoseLogHoldsOnlyTheOtherRegionsChanges_stillMovesItsSourceOffset() {
        eu.writer.set("hb", doc("{\"n\":1}")).join();
        awaitConverged("hb");
        String usLogHead = us.store().logHead().join();
        await("us's source commits an offset past eu's change in us's log").atMost(CONVERGE).untilAsserted(() -> {
            var offsets = connect.cluster().connectorOffsets("source-us").offsets();
            assertThat(offsets).anySatisfy(o -> {
                assertThat(String.valueOf(o.partition().get("section"))).isEqualTo("positions");
                String streamId = String.valueOf(o.offset().get("streamId"));
                assertThat(compareStreamIds(streamId, usLogHead)).isGreaterThanOrEqualTo(0);
            });
        });
    }

    private static int compareStreamIds(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }

    /** A counter of a sink task, over JMX (the embedded Connect cluster runs in this JVM). */
    private static long sinkCounter(String connector, String attribute) throws Exception {
        javax.management.ObjectName name = new javax.management.ObjectName(
                "io.github.ddm.connect:type=sink-task,connector=" + javax.management.ObjectName.quote(connector) + ",task=0");
        return (Long) java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(name, attribute);
    }

    /** Where eu's change that set qty to {@code qty} is, read with read_committed; null if it is not (yet). */
    private record Located(TopicPartition partition, long offset) {
    }

    private static Located locate(String topic, int qty) {
        Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        props.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    ChangeEvent event = io.github.ddm.schema.ChangeEventCodec.decode(record.value());
                    if (event.key().id().equals("p4") && event.patch() != null
                            && event.patch().toString().contains("\"value\":" + qty)) {
                        return new Located(new TopicPartition(topic, record.partition()), record.offset());
                    }
                }
            }
        }
        return null;
    }
}
