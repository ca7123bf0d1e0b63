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
    private static final int BACKLOG_ROUNDS = 20;
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
        double rate = bridge("cl", regionA, cluster(), sections);
        System.out.printf("CLUSTER-BRIDGE: 3-master cluster to 3-master cluster, %d sections on %d masters: a backlog of %d changes"
                + " drained at %.0f changes/s through source, Kafka and sink%n", SECTIONS, owners.size(), backlog(), rate);
    }

    /** Both connectors against servers that require client certificates: PEM files for the source, keystores for the sink. */
    @Test
    void mutualTls_sourceAndSinkPresentClientCertificates() throws Exception {
        List<String> sections = List.of("s0", "s1");
        double rate = bridge("mtls", mutualTls(false), mutualTls(true), sections);
        assertThat(rate).isPositive();
    }

    @Test
    void singleToSingle_sameWorkload_forComparison() throws Exception {
        List<String> sections = new ArrayList<>();
        for (int s = 0; s < SECTIONS; s++) {
            sections.add("s" + s);
        }
        double rate = bridge("one", single(), single(), sections);
        System.out.printf("CLUSTER-BRIDGE: single server to single server, %d sections: a backlog of %d changes drained at"
                + " %.0f changes/s through source, Kafka and sink%n", SECTIONS, backlog(), rate);
    }

    private static int backlog() {
        return SECTIONS * KEYS_PER_SECTION * BACKLOG_ROUNDS;
    }

    /**
     * Bridges {@code from} to {@code to} for {@code sections}: the documents are created before the
     * source starts, updated while it runs, and then updated again while it is paused; returns the
     * rate at which the resumed bridge drains that backlog. Checks that B's services saw every
     * version in order, that B equals A, and that Kafka holds every version once.
     */
    private double bridge(String name, Region from, Region to, List<String> sections) throws Exception {
        String partition = PARTITION;
        // Topics and connector names carry the run's name, so that the two tests share one Connect cluster.
        Map<String, DocumentManager<Doc>> writers = new TreeMap<>();
        Map<String, DocumentManager<Doc>> readers = new TreeMap<>();
        Map<String, List<Long>> seenInB = new ConcurrentHashMap<>();
        for (String section : sections) {
            writers.put(section, manager(from, section, "eu", "writer"));
            DocumentManager<Doc> reader = manager(to, section, "us", "reader");
            reader.addListener(e -> seenInB.computeIfAbsent(section + "/" + e.key().id(), k -> new CopyOnWriteArrayList<>())
                    .add(e.version()));
            readers.put(section, reader);
            connect.kafka().createTopic("ddm.eu." + name + "." + partition + "." + section, 3);
        }
        write(writers, 1, true);
        String source = "source-" + name;
        Map<String, String> sourceConfig = RegionConnectors.config("io.github.ddm.connect.source.DdmSourceConnector",
                "eu", "", "source.sections.pattern", partition + ".*",
                "source.discovery.interval.ms", "1000", "source.topic.template", "ddm.eu." + name + ".${partition}.${section}",
                "source.start", "earliest");
        sourceConfig.putAll(from.settings());
        connect.cluster().configureConnector(source, sourceConfig);
        Map<String, String> sinkConfig = RegionConnectors.config("io.github.ddm.connect.sink.DdmSinkConnector",
                "us", "", "topics.regex", "ddm\\.eu\\." + name + "\\." + partition + "\\..*");
        sinkConfig.putAll(to.settings());
        connect.cluster().configureConnector("sink-" + name, sinkConfig);
        RegionConnectors.awaitRunning(connect, source);
        RegionConnectors.awaitRunning(connect, "sink-" + name);
        write(writers, UPDATES_PER_KEY, false);
        awaitSeen(seenInB, sections.size() * KEYS_PER_SECTION * (1 + UPDATES_PER_KEY));

        connect.cluster().pauseConnector(source);
        connect.cluster().assertions().assertConnectorAndExactlyNumTasksArePaused(source, 1, source + " did not pause");
        write(writers, BACKLOG_ROUNDS, false);
        long resumed = System.nanoTime();
        connect.cluster().resumeConnector(source);
        int changes = sections.size() * KEYS_PER_SECTION * (1 + UPDATES_PER_KEY + BACKLOG_ROUNDS);
        awaitSeen(seenInB, changes);
        double seconds = (System.nanoTime() - resumed) / 1e9;
        int last = 1 + UPDATES_PER_KEY + BACKLOG_ROUNDS;
        List<Long> everyVersion = new ArrayList<>();
        for (long v = 1; v <= last; v++) {
            everyVersion.add(v);
        }
        assertThat(seenInB).hasSize(sections.size() * KEYS_PER_SECTION);
        seenInB.forEach((key, versions) -> assertThat(versions).as("versions of %s seen in B, in order", key).isEqualTo(everyVersion));
        for (String section : sections) {
            for (int k = 0; k < KEYS_PER_SECTION; k++) {
                Optional<Versioned<Doc>> inA = writers.get(section).get("doc-" + k).get(10, TimeUnit.SECONDS);
                Optional<Versioned<Doc>> inB = readers.get(section).get("doc-" + k).get(10, TimeUnit.SECONDS);
                assertThat(inB.map(Versioned::value)).as("%s/doc-%d in B", section, k).isEqualTo(inA.map(Versioned::value));
                assertThat(inB.map(Versioned::version)).isEqualTo(Optional.of((long) last));
            }
        }

        // Kafka holds every version of every document exactly once.
        for (String section : sections) {
            Map<String, List<Long>> versions = new TreeMap<>();
            for (ConsumerRecord<String, String> record : readToEnd("ddm.eu." + name + "." + partition + "." + section)) {
                JsonNode event = JSON.readTree(record.value());
                versions.computeIfAbsent(event.get("key").get("id").asText(), k -> new ArrayList<>()).add(event.get("version").asLong());
            }
            assertThat(versions).as("documents of %s in Kafka", section).hasSize(KEYS_PER_SECTION);
            versions.forEach((id, list) -> assertThat(list.stream().sorted().toList())
                    .as("versions of %s/%s in Kafka", section, id).isEqualTo(everyVersion));
        }
        connect.cluster().deleteConnector(source);
        connect.cluster().deleteConnector("sink-" + name);
        return sections.size() * KEYS_PER_SECTION * BACKLOG_ROUNDS / seconds;
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

    /** Every committed record of every partition of {@code topic}, from its start to its current end. */
    private static List<ConsumerRecord<String, String>> readToEnd(String topic) {
        Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-bridge-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await("reading " + topic + " to its end " + end).atMost(Duration.ofSeconds(60))
                    .pollInSameThread().pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                    });
        }
        return records;
    }
}
