package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.ValueSharing;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.RespClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Two regions, each with its own redis-server, bridged through Kafka by the two connectors:
 * region A's changes reach region B's Redis and B's services, in per-key order, and nothing loops
 * back. Also measures the end-to-end latency (a write in A until B's cache has it) and the bridge's
 * throughput on this machine; the figures are printed, never asserted.
 */
class CrossRegionIT {

    /** A small immutable document. */
    public record Book(long sequence, List<Long> levels, String symbol) {
        public Book {
            levels = List.copyOf(levels);
        }

        Book next(long level) {
            List<Long> changed = new ArrayList<>(levels);
            changed.set((int) (sequence % changed.size()), level);
            return new Book(sequence + 1, changed, symbol);
        }
    }

    private static final SectionId BOOKS = new SectionId("trading", "books");
    private static final int KEYS = 1_000;
    private static final int UPDATES = 10_000;
    private static final int WRITERS = 4;
    private static final int BACKLOG = 10_000;

    private static RedisServer regionA;
    private static RedisServer regionB;
    private static ConnectCluster connect;
    private static final List<RedissonClient> clients = new ArrayList<>();
    private static final List<AutoCloseable> managers = new ArrayList<>();

    @BeforeAll
    static void start() {
        regionA = RedisServer.start();
        regionB = RedisServer.start();
        connect = ConnectCluster.builder().name("ddm-bridge").workerProperty("exactly.once.source.support", "enabled").start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = managers.size() - 1; i >= 0; i--) {
            managers.get(i).close();
        }
        clients.forEach(RedissonClient::shutdown);
        if (connect != null) {
            connect.close();
        }
        if (regionA != null) {
            regionA.close();
        }
        if (regionB != null) {
            regionB.close();
        }
    }

    private static RedissonClient client(RedisServer server) {
        Config config = new Config();
        config.useSingleServer().setAddress(server.uri()).setConnectionMinimumIdleSize(4).setConnectionPoolSize(16);
        RedissonClient client = Redisson.create(config);
        clients.add(client);
        return client;
    }

    private static DocumentManager<Book> manager(RedisServer server, String region, String node) {
        DocumentManager<Book> manager = DocumentManager.builder(Book.class).redisson(client(server))
                .section(BOOKS.partition(), BOOKS.section()).origin(region, node).valueSharing(ValueSharing.SHARED)
                .maxWriteAttempts(1_000).logMaxLength(0).build();
        managers.add(manager);
        return manager;
    }

    private static long[] percentiles(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return new long[] {sorted[sorted.length / 2] / 1_000, sorted[(int) (sorted.length * 0.99)] / 1_000};
    }

    @Test
    void regionA_reachesRegionB_inOrder_andNothingLoopsBack() throws Exception {
        connect.kafka().createTopic("ddm.eu.trading.books", 3);
        connect.kafka().createTopic("ddm.us.trading.books", 3);
        // A -> B: A's source exports A's own changes; B's sink applies them.
        connect.cluster().configureConnector("source-eu", RegionConnectors.config("io.github.ddm.connect.source.DdmSourceConnector",
                "eu", regionA.uri(), "source.sections", "trading.books", "source.topic.template", "ddm.eu.${partition}.${section}",
                "source.start", "earliest"));
        connect.cluster().configureConnector("sink-us", RegionConnectors.config("io.github.ddm.connect.sink.DdmSinkConnector",
                "us", regionB.uri(), "topics", "ddm.eu.trading.books"));
        // B -> A, to prove there is no loop: B's source exports only changes made in B (none here).
        connect.cluster().configureConnector("source-us", RegionConnectors.config("io.github.ddm.connect.source.DdmSourceConnector",
                "us", regionB.uri(), "source.sections", "trading.books", "source.topic.template", "ddm.us.${partition}.${section}",
                "source.start", "earliest"));
        connect.cluster().configureConnector("sink-eu", RegionConnectors.config("io.github.ddm.connect.sink.DdmSinkConnector",
                "eu", regionA.uri(), "topics", "ddm.us.trading.books"));
        for (String name : List.of("source-eu", "sink-us", "source-us", "sink-eu")) {
            connect.cluster().assertions().assertConnectorAndAtLeastNumTasksAreRunning(name, 1, name + " did not start");
        }

        List<DocumentManager<Book>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(manager(regionA, "eu", "writer-" + w));
        }
        DocumentManager<Book> readerB = manager(regionB, "us", "reader");
        Map<String, List<Long>> seenInB = new ConcurrentHashMap<>();
        Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        readerB.addListener(e -> {
            seenInB.computeIfAbsent(e.key().id(), k -> new CopyOnWriteArrayList<>()).add(e.version());
            arrivedAt.put(e.key().id() + "@" + e.version(), System.nanoTime());
        });

        long t0 = System.nanoTime();
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            creates.add(writers.get(k % WRITERS).set("book-" + k, new Book(0, Arrays.asList(1L, 2L, 3L, 4L), "S" + k)));
        }
        CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS);
        List<CompletableFuture<Void>> storm = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            DocumentManager<Book> writer = writers.get(w);
            Random random = new Random(w);
            storm.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < UPDATES / WRITERS; i++) {
                    writer.update("book-" + random.nextInt(KEYS), b -> b.next(random.nextInt(1_000))).join();
                }
            }, threads));
        }
        CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        threads.shutdown();
        long written = System.nanoTime();

        Map<String, String> expected = versions(regionA);
        assertThat(expected).hasSize(KEYS);
        assertThat(expected.values().stream().mapToLong(Long::parseLong).sum()).isEqualTo(KEYS + UPDATES);
        await("region B's Redis equals region A's").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> versions(regionB).equals(expected));
        long replicated = System.nanoTime();
        assertThat(documents(regionB)).as("documents in B equal A's").isEqualTo(documents(regionA));

        await("B's services saw every change").atMost(Duration.ofMinutes(1))
                .until(() -> seenInB.values().stream().mapToInt(List::size).sum() == KEYS + UPDATES);
        for (Map.Entry<String, List<Long>> key : seenInB.entrySet()) {
            long last = Long.parseLong(expected.get(key.getKey()));
            List<Long> all = new ArrayList<>();
            for (long v = 1; v <= last; v++) {
                all.add(v);
            }
            assertThat(key.getValue()).as("versions of %s seen in B", key.getKey()).isEqualTo(all);
        }
        assertThat(readerB.get("book-7").join()).hasValueSatisfying(v -> assertThat(v.origin().region()).isEqualTo("eu"));

        // Nothing looped back: B exported nothing, and A's log holds only A's own writes.
        assertThat(SectionStore.open(client(regionA), "ddm", BOOKS).readLog("0-0", KEYS + UPDATES + 10).join().entries())
                .isEqualTo(KEYS + UPDATES);
        assertThat(RegionConnectors.readToEnd(connect, "ddm.eu.trading.books", 3)).as("records A exported, all partitions").hasSize(KEYS + UPDATES);
        assertThat(RegionConnectors.readToEnd(connect, "ddm.us.trading.books", 3)).as("records B exported back, all partitions").isEmpty();

        // Latency: one key updated one at a time, from A's update until B's cache has the version.
        DocumentManager<Book> probe = writers.get(0);
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long before = System.nanoTime();
            long version = probe.update("book-0", b -> b.next(7)).join().version();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> arrivedAt.containsKey("book-0@" + version));
            latencies.add(arrivedAt.get("book-0@" + version) - before);
        }
        long[] p = percentiles(latencies);
        assertThat(latencies).hasSize(300);

        // Bridge throughput: with A's source paused, a backlog builds up in A's log; resumed, the bridge drains it.
        connect.cluster().pauseConnector("source-eu");
        connect.cluster().assertions().assertConnectorAndExactlyNumTasksArePaused("source-eu", 1, "source-eu did not pause");
        List<CompletableFuture<?>> backlog = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            backlog.add(writers.get(i % WRITERS).update("book-" + (i % KEYS), b -> b.next(3)));
            if (backlog.size() == 256) {
                CompletableFuture.allOf(backlog.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                backlog.clear();
            }
        }
        CompletableFuture.allOf(backlog.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Map<String, String> afterBacklog = versions(regionA);
        long resumed = System.nanoTime();
        connect.cluster().resumeConnector("source-eu");
        await("region B applied the backlog").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(50))
                .until(() -> versions(regionB).equals(afterBacklog));
        double drained = (System.nanoTime() - resumed) / 1e9;
        assertThat(documents(regionB)).as("documents in B equal A's after the backlog").isEqualTo(documents(regionA));

        double seconds = (replicated - t0) / 1e9;
        System.out.printf("CROSS-REGION: %d changes over %d keys written in %.1f s, in region B after %.1f s (%.0f changes/s end to end);"
                        + " A->B latency (write in A until B's cache has it, %d samples): p50 %d us, p99 %d us;"
                        + " a backlog of %d changes drained in %.1f s (%.0f changes/s through source, Kafka and sink)%n",
                KEYS + UPDATES, KEYS, (written - t0) / 1e9, seconds, (KEYS + UPDATES) / seconds, latencies.size(), p[0], p[1],
                BACKLOG, drained, BACKLOG / drained);
    }

    private static Map<String, String> versions(RedisServer server) {
        Map<String, String> versions = new HashMap<>();
        try (RespClient client = server.client()) {
            for (int k = 0; k < KEYS; k++) {
                Object version = client.call("HGET", "ddm:{trading:books}:s:book-" + k, "\u0000v");
                if (version != null) {
                    versions.put("book-" + k, (String) version);
                }
            }
        }
        return versions;
    }

    private static Map<String, Object> documents(RedisServer server) {
        Map<String, Object> documents = new HashMap<>();
        try (RespClient client = server.client()) {
            for (int k = 0; k < KEYS; k++) {
                String key = "ddm:{trading:books}:s:book-" + k;
                documents.put(key, List.of(client.call("HGET", key, "sequence"), client.call("HGET", key, "levels"),
                        client.call("HGET", key, "symbol"), client.call("HGET", key, "\u0000o")));
            }
        }
        return documents;
    }
}
