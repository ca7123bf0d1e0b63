package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.DocumentManager;
import io.github.ddm.DocumentNotFoundException;
import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.Conflict;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Guarantees 12 and 13 under random faults: three regions in a full mesh (three redis-servers, one
 * Kafka, one Connect cluster running each region's source and sink), two services per region
 * writing a few hot keys concurrently (single-field updates, element edits, array appends, member
 * removals, whole-document sets, deletes, re-creates), while faults hit at random: connectors paused
 * and resumed, a sink's Redis connection cut (through a TCP proxy), tasks restarted, and one region's
 * Redis flushed. Then writes stop, everything heals, and the bridge drains. Checked:
 * <ul>
 *   <li>every region's Redis holds the identical document (bytes), version and clock for every key,
 *       and every live cache equals its Redis;</li>
 *   <li>no committed change was lost: every place each exported change wrote holds what it wrote,
 *       or a change that had not seen it (or that came after it) wrote that place, a place inside it
 *       or around it; every change a service committed was exported (except, in the flushed region,
 *       those the flush took before they left);</li>
 *   <li>every write that lost to a concurrent one was reported as a conflict by some region, and no
 *       region reported one twice.</li>
 * </ul>
 * The seed of each run is printed first; {@code -Dddm.convergence.seeds=<n>} runs more seeds and
 * {@code -Dddm.convergence.seconds=<s>} writes longer (a soak).
 */
class RegionsConvergenceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REGIONS = List.of("eu", "us", "ap");
    private static final int KEYS = 6;
    private static final Duration CONVERGE = Duration.ofMinutes(3);

    private static ConnectCluster connect;
    private static final Map<String, Region> regions = new TreeMap<>();

    /** One region: Redis, the proxy its sink goes through, a client for checks, two writing services. */
    private static final class Region implements AutoCloseable {
        final String name;
        final RedisServer redis;
        final TcpProxy sinkProxy;
        final RedissonClient client;
        final List<RedissonClient> writerClients = new ArrayList<>();
        final List<DocumentManager<ObjectNode>> writers = new ArrayList<>();

        Region(String name) {
            this.name = name;
            this.redis = RedisServer.start();
            this.sinkProxy = TcpProxy.to(redis);
            this.client = client();
        }

        RedissonClient client() {
            Config config = new Config();
            config.useSingleServer().setAddress(redis.uri()).setConnectionMinimumIdleSize(2).setConnectionPoolSize(8)
                    .setRetryAttempts(2);
            return Redisson.create(config);
        }

        void startWriters(SectionId section) {
            closeWriters();
            for (int i = 0; i < 2; i++) {
                RedissonClient c = client();
                writerClients.add(c);
                writers.add(DocumentManager.builder(ObjectNode.class).redisson(c).section(section.partition(), section.section())
                        .origin(name, "w" + i).maxWriteAttempts(200).build());
            }
        }

        void closeWriters() {
            writers.forEach(DocumentManager::close);
            writers.clear();
            writerClients.forEach(RedissonClient::shutdown);
            writerClients.clear();
        }

        Map<String, String> hash(String key) {
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

        @Override
        public void close() {
            closeWriters();
            client.shutdown();
            sinkProxy.close();
            redis.close();
        }
    }

    @BeforeAll
    static void start() {
        for (String name : REGIONS) {
            regions.put(name, new Region(name));
        }
        connect = ConnectCluster.builder().name("ddm-mesh").workerProperty("exactly.once.source.support", "enabled")
                .workerProperty("offset.flush.interval.ms", "1000").start();
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.close();
        }
        regions.values().forEach(Region::close);
    }

    @Test
    void threeRegionsWritingHotKeysUnderFaults_convergeWithNothingSilentlyLost() throws Exception {
        int seeds = Integer.getInteger("ddm.convergence.seeds", 2);
        int seconds = Integer.getInteger("ddm.convergence.seconds", 12);
        long first = Long.getLong("ddm.convergence.seed", System.nanoTime() % 100_000);
        for (int i = 0; i < seeds; i++) {
            run(first + i, seconds);
        }
    }

    private void run(long seed, int seconds) throws Exception {
        System.out.printf("RegionsConvergenceIT: seed %d (-Dddm.convergence.seed=%d to repeat), %d s of writes%n", seed, seed, seconds);
        Random random = new Random(seed);
        SectionId section = new SectionId("conv" + seed, "docs");
        startBridge(section);
        for (Region region : regions.values()) {
            region.startWriters(section);
        }

        List<Write> writes = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(REGIONS.size() * 2);
        List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
        int w = 0;
        for (Region region : regions.values()) {
            for (DocumentManager<ObjectNode> writer : region.writers) {
                long writerSeed = seed * 31 + w++;
                writers.add(pool.submit(() -> write(region.name, writer, new Random(writerSeed), writing, writes)));
            }
        }
        Set<String> flushed = new HashSet<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        boolean flushDone = false;
        while (System.nanoTime() < end) {
            int fault = random.nextInt(3);
            Region region = regions.get(REGIONS.get(random.nextInt(REGIONS.size())));
            if (!flushDone && System.nanoTime() > end - TimeUnit.SECONDS.toNanos(seconds) / 2) {
                // One region loses its Redis, once per run, half way.
                flushDone = true;
                flushed.add(region.name);
                try (RespClient c = region.redis.client()) {
                    c.call("FLUSHALL");
                }
                System.out.printf("  fault: %s's Redis flushed%n", region.name);
                pauseFor(random, writes);
            } else if (fault == 0) {
                String connector = (random.nextBoolean() ? "sink-" : "source-") + region.name;
                connect.cluster().pauseConnector(connector);
                pauseFor(random, writes);
                connect.cluster().resumeConnector(connector);
                System.out.printf("  fault: %s paused and resumed%n", connector);
            } else if (fault == 1) {
                region.sinkProxy.pause();
                region.sinkProxy.cut();
                pauseFor(random, writes);
                region.sinkProxy.resume();
                System.out.printf("  fault: sink-%s's Redis connection cut%n", region.name);
            } else {
                String connector = (random.nextBoolean() ? "sink-" : "source-") + region.name;
                connect.cluster().restartConnectorAndTasks(connector, false, true, false);
                System.out.printf("  fault: %s's tasks restarted%n", connector);
                pauseFor(random, writes);
            }
        }
        writing.set(false);
        for (java.util.concurrent.Future<?> f : writers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        // A last round of changes none of the regions sees the others make: the same places of every key in
        // every region (and one key deleted in one region while the others change it). How they merge decides
        // the final documents, so a rule applied differently in two regions shows as a difference.
        finalConcurrentRound(writes);

        // Heal: every connector running, every proxy open.
        for (Region region : regions.values()) {
            region.sinkProxy.resume();
            for (String kind : List.of("source-", "sink-")) {
                connect.cluster().resumeConnector(kind + region.name);
            }
        }
        System.out.printf("  %d writes committed; draining%n", writes.size());

        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add(documentKey(section, "k" + k));
        }
        long drainStarted = System.nanoTime();
        await("the three regions converge (seed " + seed + ")").atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertConverged(section, keys));
        System.out.printf("  converged %d ms after the writes stopped%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStarted));
        await("every live cache equals its Redis (seed " + seed + ")").atMost(CONVERGE).untilAsserted(() -> assertCachesEqualRedis(section));

        List<ChangeEvent> exported = exportedChanges(section);
        assertEveryCommittedWriteExported(writes, exported, flushed);
        assertNothingSilentlyLost(section, exported);
        for (Region region : regions.values()) {
            region.closeWriters();
        }
        for (String name : REGIONS) {
            connect.cluster().deleteConnector("source-" + name);
            connect.cluster().deleteConnector("sink-" + name);
        }
    }

    private static void finalConcurrentRound(List<Write> writes) throws Exception {
        for (String name : REGIONS) {
            connect.cluster().pauseConnector("sink-" + name);
        }
        await("sinks paused").atMost(Duration.ofSeconds(60)).until(() -> REGIONS.stream().allMatch(name -> {
            var status = connect.cluster().connectorStatus("sink-" + name);
            return status.tasks().stream().allMatch(t -> "PAUSED".equals(t.state()));
        }));
        for (Region region : regions.values()) {
            DocumentManager<ObjectNode> writer = region.writers.get(0);
            for (int k = 0; k < KEYS; k++) {
                String id = "k" + k;
                String token = region.name + "-w0-final" + k;
                try {
                    if (k == 0 && region.name.equals("us")) {
                        writer.delete(id).get(20, TimeUnit.SECONDS);
                        continue;
                    }
                    var v = writer.update(id, d -> {
                        d.put("a", token);
                        objectOf(d, "nested").put("x", token);
                        return d;
                    }).get(20, TimeUnit.SECONDS);
                    writes.add(new Write(region.name, id, v.version(), token));
                } catch (java.util.concurrent.ExecutionException e) {
                    // absent in this region (deleted, or lost with a flush): nothing to change
                }
            }
        }
    }

    /** A fault lasts until the services have committed a few more writes (they go on writing through it). */
    private static void pauseFor(Random random, List<Write> writes) {
        int until = writes.size() + 5 + random.nextInt(20);
        await("writes during the fault").atMost(Duration.ofSeconds(20)).until(() -> writes.size() >= until);
    }

    // ---- the bridge ----

    private static void startBridge(SectionId section) {
        for (String name : REGIONS) {
            connect.kafka().createTopic("ddm." + name + "." + section.partition() + "." + section.section(), 2);
            connect.kafka().createTopic("ddm." + name + ".control." + section.partition(), 1);
        }
        for (Region region : regions.values()) {
            List<String> others = REGIONS.stream().filter(r -> !r.equals(region.name)).toList();
            connect.cluster().configureConnector("source-" + region.name, RegionConnectors.config("io.github.ddm.connect.source.DdmSourceConnector",
                    region.name, region.redis.uri(), "source.sections", section.partition() + "." + section.section(),
                    "source.control.topic", "ddm.${region}.control." + section.partition(),
                    "exactly.once.support", "required", "source.heartbeat.interval.ms", "1000"));
            connect.cluster().configureConnector("sink-" + region.name, RegionConnectors.config("io.github.ddm.connect.sink.DdmSinkConnector",
                    region.name, region.sinkProxy.redisUri(),
                    "topics.regex", "ddm\\.(" + String.join("|", others) + ")\\..*" + section.partition() + ".*",
                    "sink.repair.after.ms", "1000", "redis.retry.backoff.ms", "200", "redis.retry.max.attempts", "1000",
                    "sink.apply.timeout.ms", "5000", "consumer.override.isolation.level", "read_committed",
                    "errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq." + region.name + "." + section.partition(),
                    "errors.deadletterqueue.topic.replication.factor", "1", "errors.deadletterqueue.context.headers.enable", "true"));
        }
        for (String name : REGIONS) {
            RegionConnectors.awaitRunning(connect, "source-" + name);
            RegionConnectors.awaitRunning(connect, "sink-" + name);
        }
    }

    // ---- the writers ----

    /** A change a service committed, with the unique text it wrote (null for a delete). */
    private record Write(String region, String key, long version, String token) {
    }

    private static void write(String region, DocumentManager<ObjectNode> writer, Random random, AtomicBoolean writing, List<Write> writes) {
        int n = 0;
        while (writing.get()) {
            String id = "k" + random.nextInt(KEYS);
            String token = region + "-" + writer.origin().node() + "-" + (n++);
            int op = random.nextInt(20);
            try {
                if (op == 0) {
                    if (writer.delete(id).get(20, TimeUnit.SECONDS)) {
                        writes.add(new Write(region, id, -1, null));
                    }
                } else if (op == 1) {
                    var v = writer.set(id, document(token)).get(20, TimeUnit.SECONDS);
                    writes.add(new Write(region, id, v.version(), token));
                } else {
                    var v = writer.update(id, d -> mutate(d, random, token)).get(20, TimeUnit.SECONDS);
                    writes.add(new Write(region, id, v.version(), token));
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof DocumentNotFoundException) {
                    try {
                        var v = writer.set(id, document(token)).get(20, TimeUnit.SECONDS);
                        writes.add(new Write(region, id, v.version(), token));
                    } catch (Exception ignored) {
                        // the region is recovering from a flush: the next write tries again
                    }
                }
                // Other failures (a version kept moving, Redis flushed under the write) leave nothing committed.
            } catch (Exception e) {
                // a timeout: nothing is known to be committed; the checks use what the topics hold
            }
        }
    }

    private static ObjectNode document(String token) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("a", token).put("b", token);
        doc.putObject("nested").put("x", token).put("y", token);
        doc.putArray("list").add(token).add(token);
        return doc;
    }

    private static ObjectNode mutate(ObjectNode doc, Random random, String token) {
        switch (random.nextInt(8)) {
            case 0 -> doc.put("a", token);
            case 1 -> doc.put("b", token);
            case 2 -> objectOf(doc, "nested").put("x", token);
            case 3 -> objectOf(doc, "nested").put("y", token);
            case 4 -> {
                ArrayNode list = arrayOf(doc, "list");
                if (list.isEmpty()) {
                    list.add(token);
                } else {
                    list.set(random.nextInt(list.size()), JSON.getNodeFactory().textNode(token));
                }
            }
            case 5 -> arrayOf(doc, "list").add(token);
            case 6 -> {
                if (doc.has("b")) {
                    doc.remove("b");
                    objectOf(doc, "nested").put("z", token); // every change writes its token somewhere
                } else {
                    doc.put("b", token);
                }
            }
            default -> {
                doc.put("a", token);
                objectOf(doc, "nested").put("z", token);
            }
        }
        return doc;
    }

    private static ObjectNode objectOf(ObjectNode doc, String name) {
        JsonNode node = doc.get(name);
        return node != null && node.isObject() ? (ObjectNode) node : doc.putObject(name);
    }

    private static ArrayNode arrayOf(ObjectNode doc, String name) {
        JsonNode node = doc.get(name);
        return node != null && node.isArray() ? (ArrayNode) node : doc.putArray(name);
    }

    // ---- the checks ----

    private static String documentKey(SectionId section, String id) {
        return "ddm:{" + section.partition() + ":" + section.section() + "}:s:" + id;
    }

    private static String clockKey(SectionId section, String id) {
        return "ddm:{" + section.partition() + ":" + section.section() + "}:c:" + id;
    }

    private static void assertConverged(SectionId section, List<String> keys) {
        Region reference = regions.get("eu");
        for (int k = 0; k < KEYS; k++) {
            String id = "k" + k;
            Map<String, String> expected = withoutOrigin(reference.hash(documentKey(section, id)));
            String expectedClock = reference.hash(clockKey(section, id)).get("v");
            for (Region region : regions.values()) {
                assertThat(withoutOrigin(region.hash(documentKey(section, id)))).as("%s in %s", id, region.name).isEqualTo(expected);
                assertThat(region.hash(clockKey(section, id)).get("v")).as("clock of %s in %s", id, region.name)
                        .isEqualTo(expectedClock);
            }
        }
    }

    /** The origin field names the last writer in each region (a merge is logged under the change it took in). */
    private static Map<String, String> withoutOrigin(Map<String, String> hash) {
        Map<String, String> copy = new TreeMap<>(hash);
        copy.remove("\u0000o");
        return copy;
    }

    private static void assertCachesEqualRedis(SectionId section) throws Exception {
        for (Region region : regions.values()) {
            for (DocumentManager<ObjectNode> writer : region.writers) {
                for (int k = 0; k < KEYS; k++) {
                    String id = "k" + k;
                    Map<String, String> stored = region.hash(documentKey(section, id));
                    var cached = writer.get(id).get(10, TimeUnit.SECONDS);
                    boolean live = !stored.isEmpty() && !stored.containsKey("\u0000x");
                    assertThat(cached.isPresent()).as("%s's %s cached present", region.name, id).isEqualTo(live);
                    if (live) {
                        assertThat(cached.get().version()).as("%s's cached version of %s", region.name, id)
                                .isEqualTo(Long.parseLong(stored.get("\u0000v")));
                        ObjectNode fromRedis = JSON.createObjectNode();
                        stored.forEach((field, json) -> {
                            if (!field.startsWith("\u0000")) {
                                fromRedis.set(field, read(json));
                            }
                        });
                        assertThat(cached.get().value()).as("%s's cached %s", region.name, id).isEqualTo(fromRedis);
                    }
                }
            }
        }
    }

    /** Every change exported to the regions' change topics, read with read_committed. */
    private static List<ChangeEvent> exportedChanges(SectionId section) {
        Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
        props.put("isolation.level", "read_committed");
        props.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName());
        props.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        List<ChangeEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String name : REGIONS) {
                String topic = "ddm." + name + "." + section.partition() + "." + section.section();
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> events.add(ChangeEventCodec.decode(r.value())));
            }
        }
        return events;
    }

    /** Every write a service committed reached its region's topic, unless the flush took it first. */
    private static void assertEveryCommittedWriteExported(List<Write> writes, List<ChangeEvent> exported, Set<String> flushed) {
        Set<String> exportedTokens = new HashSet<>();
        for (ChangeEvent event : exported) {
            String text = event.patch() != null ? event.patch().toString() : event.state() != null ? event.state().toString() : "";
            int at = 0;
            for (String region : REGIONS) {
                while ((at = text.indexOf(region + "-w", at)) >= 0) {
                    int endAt = text.indexOf('"', at);
                    exportedTokens.add(event.origin().region() + ":" + event.key().id() + ":" + text.substring(at, endAt));
                    at = endAt;
                }
                at = 0;
            }
        }
        List<Write> missing = new ArrayList<>();
        for (Write write : writes) {
            if (write.token() != null && !flushed.contains(write.region())
                    && !exportedTokens.contains(write.region() + ":" + write.key() + ":" + write.token())) {
                missing.add(write);
            }
        }
        assertThat(missing).as("committed writes of regions that kept their data, not in their topic").isEmpty();
    }

    /**
     * Each place each exported change wrote holds what it wrote, or another change that had not
     * seen it (or came after it) wrote there, inside or around it; each such write that lost to a
     * concurrent change is reported as a conflict by some region, never twice by one.
     */
    private static void assertNothingSilentlyLost(SectionId section, List<ChangeEvent> exported) {
        Map<String, List<ChangeEvent>> byKey = new HashMap<>();
        for (ChangeEvent event : exported) {
            if (event.stamp() != null && event.stamps() == null) {
                byKey.computeIfAbsent(event.key().id(), k -> new ArrayList<>()).add(event);
            }
        }
        Map<String, Set<String>> reportedLost = new HashMap<>();
        for (Region region : regions.values()) {
            Set<String> seen = new HashSet<>();
            for (ChangeEvent event : log(region, section)) {
                if (event.conflicts() == null) {
                    continue;
                }
                for (Conflict c : event.conflicts()) {
                    String id = event.key().id() + " " + c.path() + " " + c.lost();
                    assertThat(seen.add(id)).as("%s reported %s twice", region.name, id).isTrue();
                    reportedLost.computeIfAbsent(event.key().id(), k -> new HashSet<>()).add(c.lost().toString());
                }
            }
        }
        Region reference = regions.get("eu");
        List<String> silentlyLost = new ArrayList<>();
        List<String> unreported = new ArrayList<>();
        for (Map.Entry<String, List<ChangeEvent>> entry : byKey.entrySet()) {
            String id = entry.getKey();
            Map<String, String> stored = reference.hash(documentKey(section, id));
            ObjectNode finalDoc = stored.isEmpty() || stored.containsKey("\u0000x") ? null : JSON.createObjectNode();
            if (finalDoc != null) {
                stored.forEach((field, json) -> {
                    if (!field.startsWith("\u0000")) {
                        finalDoc.set(field, read(json));
                    }
                });
            }
            for (ChangeEvent change : entry.getValue()) {
                for (Written w : writes(change)) {
                    JsonNode now = finalDoc == null ? null : w.path().isEmpty() ? finalDoc : finalDoc.at(w.path());
                    boolean holds = w.value() == null ? (now == null || now.isMissingNode()) : w.value().equals(now);
                    if (holds) {
                        continue;
                    }
                    List<ChangeEvent> overlapping = entry.getValue().stream().filter(other -> other != change
                            && !change.clock().covers(other.stamp()) && writes(other).stream().anyMatch(o -> overlaps(o.path(), w.path())))
                            .toList();
                    if (overlapping.isEmpty()) {
                        silentlyLost.add(id + " " + w.path() + " written by " + change);
                    } else if (overlapping.stream().noneMatch(other -> other.clock().covers(change.stamp()))
                            && !reportedLost.getOrDefault(id, Set.of()).contains(change.stamp().toString())) {
                        unreported.add(id + " " + w.path() + " of " + change.stamp() + " lost to " + overlapping.get(0).stamp());
                    }
                }
            }
        }
        assertThat(silentlyLost).as("writes that neither survive nor were superseded").isEmpty();
        assertThat(unreported).as("writes that lost to concurrent ones without any region reporting it").isEmpty();
    }

    private record Written(String path, JsonNode value) {
    }

    private static List<Written> writes(ChangeEvent event) {
        List<Written> written = new ArrayList<>();
        if (event.op() == ChangeOp.CREATE) {
            written.add(new Written("", event.state()));
        } else if (event.op() == ChangeOp.DELETE) {
            written.add(new Written("", null));
        } else if (event.patch() != null) {
            for (JsonNode op : event.patch()) {
                String name = op.path("op").asText();
                if (!name.equals("test")) {
                    written.add(new Written(op.path("path").asText(), name.equals("remove") ? null : op.get("value")));
                }
            }
        }
        return written;
    }

    private static boolean overlaps(String a, String b) {
        return a.equals(b) || a.isEmpty() || b.isEmpty() || a.startsWith(b + "/") || b.startsWith(a + "/");
    }

    private static List<ChangeEvent> log(Region region, SectionId section) {
        List<ChangeEvent> events = new ArrayList<>();
        String after = "0-0";
        while (true) {
            var batch = io.github.ddm.SectionStore.open(region.client, "ddm", section).readLog(after, 1_000).join();
            events.addAll(batch.events());
            if (batch.entries() < 1_000) {
                return events;
            }
            after = batch.lastStreamId();
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
