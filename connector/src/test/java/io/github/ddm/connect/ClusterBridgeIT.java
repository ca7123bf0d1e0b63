package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.DocumentManager;
import io.github.ddm.RedisDeployment;
import io.github.ddm.Versioned;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisCluster;
import io.github.ddm.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge between two regions that each run a 3-master Redis Cluster: region A's source finds
 * sections on every master (by pattern) and reads each section's log on the master that holds it;
 * region B's sink writes into B's cluster, and B's services follow. Every version reaches Kafka
 * once, and B converges to A. The same bridge between single servers gives the figure to compare
 * with (printed, never asserted), and between servers that require client certificates proves
 * mutual TLS end to end (PEM files for the source, keystores for the sink).
 */
class ClusterBridgeIT {

    /** A small document. */
    public record Doc(long n, String by) {
    }

    private static final String PARTITION = "trading";
    private static final int SECTIONS = 6;
    private static final int KEYS_PER_SECTION = 40;
    private static final int UPDATES_PER_KEY = 4;
    private static final int BACKLOG_ROUNDS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One region's Redis, and how the connectors (their redis.* settings) and the managers reach it. */
    private record Region(Map<String, String> settings, RedisDeployment deployment, AutoCloseable servers) {
    }

    private static ConnectCluster connect;
    private static final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void start() {
        connect = ConnectCluster.builder().name("ddm-cluster-bridge").workerProperty("exactly.once.source.support", "enabled").start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (connect != null) {
            connect.close();
        }
    }

    private static Region cluster() {
        RedisCluster cluster = RedisCluster.start();
        resources.add(cluster);
        return new Region(Map.of("redis.mode", "cluster", "redis.uri", String.join(",", cluster.nodeUris())),
                RedisDeployment.cluster(cluster.nodeUris()).build(), cluster);
    }

    private static Region single() {
        RedisServer server = RedisServer.start();
        resources.add(server);
        return new Region(Map.of("redis.uri", server.uri()), RedisDeployment.single(server.uri()).build(), server);
    }

    /**
     * A server that requires client certificates; the connector presents its certificate from PEM
     * files or, with {@code keystore}, from a PKCS12 keystore.
     */
    private static Region mutualTls(boolean keystore) {
        RedisServer server = RedisServer.builder().requireClientCertificates(true).start();
        resources.add(server);
        Map<String, String> settings = new HashMap<>();
        settings.put("redis.uri", server.tlsUri());
        if (keystore) {
            settings.put("redis.tls.truststore.path", server.tlsTruststore().toString());
            settings.put("redis.tls.truststore.password", server.tlsTruststorePassword());
            settings.put("redis.tls.keystore.path", server.tlsClientKeystore().toString());
            settings.put("redis.tls.keystore.password", server.tlsTruststorePassword());
        } else {
            settings.put("redis.tls.certificates", server.tlsCertificate().toString());
            settings.put("redis.tls.client.certificate", server.tlsClientCertificate().toString());
            settings.put("redis.tls.client.key", server.tlsClientKey().toString());
        }
        return new Region(settings, RedisDeployment.single(server.tlsUri()).trustPem(server.tlsCertificate())
                .clientCertificatePem(server.tlsClientCertificate(), server.tlsClientKey()).build(), server);
    }

    private DocumentManager<Doc> manager(Region region, String section, String name, String node) {
        DocumentManager<Doc> manager = DocumentManager.builder(Doc.class).redis(region.deployment())
                .section(PARTITION, section).origin(name, node).logMaxLength(0).build();
        managers.add(manager);
        return manager;
    }

    private final List<AutoCloseable> managers = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void closeManagers() throws Exception {
        for (int i = managers.size() - 1; i >= 0; i--) {
            managers.get(i).close();
        }
        managers.clear();
    }

    @Test
    void clusterToCluster_everyVersionReachesKafkaOnce_andRegionBConverges() throws Exception {
        Region regionA = cluster();
        RedisCluster a = (RedisCluster) regionA.servers();
        List<String> sections = new ArrayList<>();
        Set<RedisServer> owners = new HashSet<>();
        for (int s = 0; sections.size() < SECTIONS; s++) {
            RedisServer owner = a.nodeFor("ddm:{" + PARTITION + ":s" + s + "}:log");
            if (owners.add(owner) || owners.size() == a.nodes().size()) {
                sections.add("s" + s); // one section on each master first, then any
            }
        }
        assertThat(owners).as("masters of region A holding a section").hasSize(a.nodes().size());
        double[] rates = throughput("cl", regionA, cluster(), sections);
        System.out.printf("CLUSTER-BRIDGE: 3-master cluster to 3-master cluster, %d sections on %d masters, a backlog of %d changes:"
                + " source %.0f changes/s (Redis to Kafka), sink %.0f changes/s (Kafka to B's services)%n", SECTIONS, owners.size(),
                backlog(), rates[0], rates[1]);
    }

    /**
     * Region A's cluster changes under the running bridge: the slot of one section moves to another
     * master, and the master of another section fails over to its replica, while a writer keeps
     * updating every section. Every acknowledged version reaches Kafka once and B's services in
     * order, and B converges to A.
     */
    @Test
    void slotMigrationAndMasterFailover_whileTheBridgeRuns_loseNoVersion() throws Exception {
        RedisCluster a = RedisCluster.builder().replicasPerMaster(1).join(RedisCluster.Join.CLUSTER_MEET)
                .nodeTimeout(Duration.ofSeconds(2)).start();
        resources.add(a);
        Region regionA = new Region(Map.of("redis.mode", "cluster", "redis.uri", String.join(",", a.nodeUris())),
                RedisDeployment.cluster(a.nodeUris()).build(), a);
        List<String> sections = List.of("s0", "s1", "s2");
        Bridge bridge = new Bridge("ha", regionA, cluster(), sections);
        bridge.start();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> bridge.writeUntil(writing::get));
        await("writes under way").atMost(Duration.ofSeconds(30)).until(() -> bridge.written() > 200);

        int movedSlot = RedisCluster.slot("ddm:{" + PARTITION + ":s0}:log");
        RedisServer from = a.nodeFor(movedSlot);
        RedisServer to = a.masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
        a.migrateSlot(movedSlot, to);
        assertThat(a.nodeFor(movedSlot)).isEqualTo(to);
        long afterMove = bridge.written();
        await("writes after the slot move").atMost(Duration.ofSeconds(30)).until(() -> bridge.written() > afterMove + 200);

        RedisServer failing = a.nodeFor("ddm:{" + PARTITION + ":s1}:log");
        RedisServer promoted = a.failover(failing);
        assertThat(a.nodeFor("ddm:{" + PARTITION + ":s1}:log")).isEqualTo(promoted);
        long afterFailover = bridge.written();
        await("writes after the failover").atMost(Duration.ofSeconds(60)).until(() -> bridge.written() > afterFailover + 200);
        writing.set(false);
        writer.get(60, TimeUnit.SECONDS);

        bridge.verify();
        System.out.printf("CLUSTER-BRIDGE: %d changes bridged through a slot move and a master failover in region A%n",
                bridge.written());
    }

    /**
     * A master watched by Redis Sentinel as region A; it is switched over to its replica (writes
     * paused until the replica has them all, the operator's planned procedure) while the bridge
     * runs and the writer writes. A plain SENTINEL FAILOVER does not pause the old master, which
     * then loses the writes it accepts meanwhile; such a lost version may already be in Kafka, and
     * the version that replaces it is exported too (docs/operations.md, "Redis Sentinel").
     */
    @Test
    void sentinelFailover_whileTheBridgeRuns_loseNoVersion() throws Exception {
        io.github.ddm.testkit.RedisSentinel sentinel = io.github.ddm.testkit.RedisSentinel.builder().masterName("orders")
                .downAfter(Duration.ofSeconds(5)).start(); // no false "down" while the machine is busy: only the switchover fails over
        resources.add(sentinel);
        Region regionA = new Region(Map.of("redis.mode", "sentinel", "redis.sentinel.master", "orders",
                "redis.uri", String.join(",", sentinel.sentinelUris())),
                RedisDeployment.sentinel("orders", sentinel.sentinelUris()).build(), sentinel);
        Bridge bridge = new Bridge("sentinel", regionA, single(), List.of("s0", "s1"));
        bridge.start();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> bridge.writeUntil(writing::get));
        await("writes under way").atMost(Duration.ofSeconds(30)).until(() -> bridge.written() > 200);
        RedisServer old = sentinel.master();
        RedisServer promoted = sentinel.switchover();
        assertThat(promoted).isNotEqualTo(old);
        long afterFailover = bridge.written();
        await("writes after the failover").atMost(Duration.ofSeconds(60)).until(() -> bridge.written() > afterFailover + 200);
        writing.set(false);
        writer.get(60, TimeUnit.SECONDS);
        bridge.verify();
    }

    /** Both connectors against servers that require client certificates: PEM files for the source, keystores for the sink. */
    @Test
    void mutualTls_sourceAndSinkPresentClientCertificates() throws Exception {
        Bridge bridge = new Bridge("mtls", mutualTls(false), mutualTls(true), List.of("s0", "s1"));
        bridge.start();
        bridge.write(UPDATES_PER_KEY);
        bridge.verify();
    }

    @Test
    void singleToSingle_sameWorkload_forComparison() throws Exception {
        List<String> sections = new ArrayList<>();
        for (int s = 0; s < SECTIONS; s++) {
            sections.add("s" + s);
        }
        double[] rates = throughput("one", single(), single(), sections);
        System.out.printf("CLUSTER-BRIDGE: single server to single server, %d sections, a backlog of %d changes:"
                + " source %.0f changes/s (Redis to Kafka), sink %.0f changes/s (Kafka to B's services)%n", SECTIONS, backlog(),
                rates[0], rates[1]);
    }

    private static int backlog() {
        return SECTIONS * KEYS_PER_SECTION * BACKLOG_ROUNDS;
    }

    /**
     * Bridges {@code from} to {@code to} for {@code sections}, then measures each half on a backlog:
     * with both connectors paused, every document is updated {@value #BACKLOG_ROUNDS} times; the
     * source alone is resumed (timed until Kafka holds the backlog), then the sink (timed until B's
     * services saw it). Checks everything {@link Bridge#verify()} checks. Returns the source's and
     * the sink's changes per second.
     */
    private double[] throughput(String name, Region from, Region to, List<String> sections) throws Exception {
        Bridge bridge = new Bridge(name, from, to, sections);
        bridge.start();
        bridge.write(UPDATES_PER_KEY);
        bridge.awaitSeenInB();
        for (String connector : List.of(bridge.sink(), bridge.source())) {
            connect.cluster().pauseConnector(connector);
            connect.cluster().assertions().assertConnectorAndExactlyNumTasksArePaused(connector, 1, connector + " did not pause");
        }
        bridge.write(BACKLOG_ROUNDS);
        int backlog = sections.size() * KEYS_PER_SECTION * BACKLOG_ROUNDS;
        // Each half is timed from the first backlog change it delivers to the last, so that the time
        // Connect takes to resume a task is not counted.
        double sourceSeconds;
        long sourceFirst;
        long sourceLast;
        try (RecordCounter exported = new RecordCounter(bridge.topics())) {
            exported.awaitAtLeast(bridge.written() - backlog);
            connect.cluster().resumeConnector(bridge.source());
            sourceFirst = exported.awaitAtLeast(bridge.written() - backlog + 1);
            sourceLast = exported.awaitAtLeast(bridge.written());
            sourceSeconds = (sourceLast - sourceFirst) / 1e9;
        }
        bridge.markSeenInB();
        connect.cluster().resumeConnector(bridge.sink());
        bridge.awaitSeenInB();
        double sinkSeconds = bridge.secondsSinceMark();
        // When each half ran, to match a profile (JFR) of the run to the drains.
        System.out.printf("CLUSTER-BRIDGE-WINDOWS: %s: source drain %s to %s, sink drain %s to %s%n", name,
                instantOf(sourceFirst), instantOf(sourceLast), instantOf(bridge.firstAfterMark), instantOf(bridge.lastSeen));
        bridge.verify();
        return new double[] {(backlog - 1) / sourceSeconds, (backlog - 1) / sinkSeconds};
    }

    /** The wall-clock time of a {@link System#nanoTime()} reading. */
    private static java.time.Instant instantOf(long nanos) {
        return java.time.Instant.now().minusNanos(System.nanoTime() - nanos);
    }

    /** {@code rounds} rounds, each of which creates or updates every document of every section once. */
    private static void write(Map<String, DocumentManager<Doc>> writers, int rounds, boolean create) throws Exception {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (DocumentManager<Doc> writer : writers.values()) {
                for (int k = 0; k < KEYS_PER_SECTION; k++) {
                    String id = "doc-" + k;
                    writes.add(create ? writer.set(id, new Doc(0, "eu")) : writer.update(id, d -> new Doc(d.n() + 1, "eu")));
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            writes.clear();
        }
    }

    private static void awaitSeen(Map<String, List<Long>> seen, int changes) {
        await("region B's services saw " + changes + " changes").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20))
                .until(() -> seen.values().stream().mapToInt(List::size).sum() >= changes);
    }

    /**
     * A running bridge from one region to another over some sections, with a writer in A that
     * retries what a topology change interrupts, and the checks that nothing was lost.
     */
    private final class Bridge {
        private final String name;
        private final Region from;
        private final Region to;
        private final List<String> sections;
        private final Map<String, DocumentManager<Doc>> writers = new TreeMap<>();
        private final Map<String, List<Long>> seenInB = new ConcurrentHashMap<>();
        private final Map<String, DocumentManager<Doc>> readers = new TreeMap<>();
        private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
        private volatile long mark = -1;
        private volatile long firstAfterMark;
        private volatile long lastSeen;

        Bridge(String name, Region from, Region to, List<String> sections) {
            this.name = name;
            this.from = from;
            this.to = to;
            this.sections = sections;
        }

        void start() throws Exception {
            for (String section : sections) {
                writers.put(section, manager(from, section, "eu", "writer"));
                DocumentManager<Doc> reader = manager(to, section, "us", "reader");
                reader.addListener(e -> {
                    seenInB.computeIfAbsent(section + "/" + e.key().id(), k -> new CopyOnWriteArrayList<>()).add(e.version());
                    if (seen.incrementAndGet() == mark + 1) {
                        firstAfterMark = System.nanoTime();
                    }
                    lastSeen = System.nanoTime();
                });
                readers.put(section, reader);
                connect.kafka().createTopic("ddm.eu." + name + "." + PARTITION + "." + section, 3);
            }
            ClusterBridgeIT.write(writers, 1, true);
            written.addAndGet((long) sections.size() * KEYS_PER_SECTION);
            Map<String, String> sourceConfig = RegionConnectors.config("io.github.ddm.connect.source.DdmSourceConnector",
                    "eu", "", "source.sections.pattern", PARTITION + ".*", "source.discovery.interval.ms", "1000",
                    "source.topic.template", "ddm.eu." + name + ".${partition}.${section}", "source.start", "earliest",
                    "redis.retry.max.attempts", "120");
            sourceConfig.putAll(from.settings());
            connect.cluster().configureConnector("source-" + name, sourceConfig);
            Map<String, String> sinkConfig = RegionConnectors.config("io.github.ddm.connect.sink.DdmSinkConnector",
                    "us", "", "topics.regex", "ddm\\.eu\\." + name + "\\." + PARTITION + "\\..*");
            sinkConfig.putAll(to.settings());
            connect.cluster().configureConnector("sink-" + name, sinkConfig);
            RegionConnectors.awaitRunning(connect, "source-" + name);
            RegionConnectors.awaitRunning(connect, "sink-" + name);
        }

        /** Updates the documents round-robin until told to stop, retrying an update that failed; returns how many it made. */
        int writeUntil(java.util.function.BooleanSupplier go) {
            int made = 0;
            for (long i = 0; go.getAsBoolean(); i++) {
                String section = sections.get((int) (i % sections.size()));
                String id = "doc-" + (i / sections.size()) % KEYS_PER_SECTION;
                while (go.getAsBoolean()) {
                    try {
                        writers.get(section).update(id, d -> new Doc(d.n() + 1, "eu")).get(30, TimeUnit.SECONDS);
                        break;
                    } catch (Exception interrupted) {
                        // a topology change in progress: the update either failed or committed; retrying is safe either way
                        // (a committed one makes this a further version, which the checks below count from Redis)
                    }
                }
                made++;
                written.incrementAndGet(); // counts attempts too; verify() reads the versions A holds
            }
            return made;
        }

        long written() {
            return written.get();
        }

        String source() {
            return "source-" + name;
        }

        String sink() {
            return "sink-" + name;
        }

        List<String> topics() {
            return sections.stream().map(section -> "ddm.eu." + name + "." + PARTITION + "." + section).toList();
        }

        /** {@code rounds} updates of every document, in parallel per round. */
        void write(int rounds) throws Exception {
            ClusterBridgeIT.write(writers, rounds, false);
            written.addAndGet((long) rounds * sections.size() * KEYS_PER_SECTION);
        }

        /** Waits until B's services saw as many changes as were written. */
        void awaitSeenInB() {
            awaitSeen(seenInB, (int) written.get());
        }

        /** From now on, the next change B's services see starts the clock of {@link #secondsSinceMark()}. */
        void markSeenInB() {
            mark = seen.get();
        }

        /** Seconds from the first change B's services saw after {@link #markSeenInB()} to the last they saw. */
        double secondsSinceMark() {
            return (lastSeen - firstAfterMark) / 1e9;
        }

        /** B's services saw every version of every document in order, B equals A, and Kafka holds every version once. */
        void verify() throws Exception {
            Map<String, Long> last = new TreeMap<>();
            for (String section : sections) {
                for (int k = 0; k < KEYS_PER_SECTION; k++) {
                    Optional<Versioned<Doc>> inA = writers.get(section).get("doc-" + k).get(10, TimeUnit.SECONDS);
                    last.put(section + "/doc-" + k, inA.orElseThrow().version());
                }
            }
            long total = last.values().stream().mapToLong(Long::longValue).sum();
            awaitSeen(seenInB, (int) total);
            assertThat(seenInB.keySet()).isEqualTo(last.keySet());
            seenInB.forEach((key, versions) -> assertThat(versions).as("versions of %s seen in B, in order", key)
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, last.get(key)).boxed().toList()));
            for (String section : sections) {
                for (int k = 0; k < KEYS_PER_SECTION; k++) {
                    Optional<Versioned<Doc>> inA = writers.get(section).get("doc-" + k).get(10, TimeUnit.SECONDS);
                    Optional<Versioned<Doc>> inB = readers.get(section).get("doc-" + k).get(10, TimeUnit.SECONDS);
                    assertThat(inB.map(Versioned::value)).as("%s/doc-%d in B", section, k).isEqualTo(inA.map(Versioned::value));
                }
                Map<String, List<Long>> versions = new TreeMap<>();
                Set<String> eventIds = new HashSet<>();
                for (ConsumerRecord<String, String> record : RegionConnectors.readToEnd(connect, "ddm.eu." + name + "." + PARTITION + "." + section, 3)) {
                    JsonNode event = JSON.readTree(record.value());
                    assertThat(eventIds.add(event.get("eventId").asText())).as("event %s exported once", event.get("eventId")).isTrue();
                    versions.computeIfAbsent(section + "/" + event.get("key").get("id").asText(), x -> new ArrayList<>())
                            .add(event.get("version").asLong());
                }
                versions.forEach((key, list) -> assertThat(list.stream().sorted().toList()).as("versions of %s in Kafka", key)
                        .isEqualTo(java.util.stream.LongStream.rangeClosed(1, last.get(key)).boxed().toList()));
            }
            connect.cluster().deleteConnector("source-" + name);
            connect.cluster().deleteConnector("sink-" + name);
        }
    }

    /** Counts the committed records of some topics, from their start, with one consumer. */
    private static final class RecordCounter implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private long count;

        RecordCounter(List<String> topics) {
            Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-bridge-count-" + UUID.randomUUID());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Waits until the topics hold {@code records} records; returns when (System.nanoTime) it saw that many. */
        long awaitAtLeast(long records) {
            await("Kafka holds " + records + " records").atMost(Duration.ofMinutes(3)).pollInSameThread()
                    .pollInterval(Duration.ofMillis(1)).until(() -> {
                        count += consumer.poll(Duration.ofMillis(5)).count();
                        return count >= records;
                    });
            return System.nanoTime();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

}
