package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.RedisCluster;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.RedisClusterExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * Issue #4, Redis Cluster: the guarantees hold against a real 3-master cluster, where every manager
 * has its own cluster client. A section's keys live under one hash tag, so on one master (the test
 * reads the section's raw data from that master alone, and finds nothing on the others), and its
 * broadcast is sharded pub/sub on that master's shard.
 */
class ClusterIT {

    @RegisterExtension
    static final RedisClusterExtension cluster = RedisClusterExtension.create();

    private static final String PARTITION = "clu";

    private ClusterFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new ClusterFixture(cluster.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private DocumentManager<Counter> counterWriter(RedissonClient client, String section, String node) {
        return fixture.track(fixture.builder(client, Counter.class, PARTITION, section, node)
                .maxWriteAttempts(100_000)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .build());
    }

    /** Guarantee 1 on a cluster: four managers, each with its own cluster client, increment one key. */
    @Test
    void update_fourManagersOwnClusterClients_loseNothing() throws Exception {
        String section = "counters";
        int managers = 4;
        int threadsPerManager = 2;
        int incrementsPerThread = 100;
        List<DocumentManager<Counter>> writers = new ArrayList<>();
        for (int m = 0; m < managers; m++) {
            writers.add(counterWriter(fixture.client(), section, "w" + m));
        }
        String id = "counter";
        assertThat(writers.get(0).set(id, new Counter(0, "shared")).join().version()).isEqualTo(1);

        ExecutorService callers = Executors.newFixedThreadPool(managers * threadsPerManager);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Versioned<Counter>>> results = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        try {
            List<Future<?>> submitted = new ArrayList<>();
            for (DocumentManager<Counter> writer : writers) {
                for (int t = 0; t < threadsPerManager; t++) {
                    submitted.add(callers.submit(() -> {
                        go.await();
                        for (int i = 0; i < incrementsPerThread; i++) {
                            results.add(writer.update(id, Counter::increment).whenComplete((v, e) -> {
                                if (e != null) {
                                    failures.computeIfAbsent(RedisDocumentStore.unwrap(e).toString(), k -> new AtomicInteger())
                                            .incrementAndGet();
                                }
                            }));
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> caller : submitted) {
                caller.get(30, TimeUnit.SECONDS);
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(90, TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
        }

        int attempted = managers * threadsPerManager * incrementsPerThread;
        assertThat(failures).as("increments that failed (none may, with unbounded retries)").isEmpty();
        List<Long> versions = results.stream().map(f -> f.join().version()).sorted().collect(Collectors.toList());
        assertThat(versions).doesNotHaveDuplicates().hasSize(attempted);
        assertThat(versions.get(versions.size() - 1)).isEqualTo(attempted + 1L);

        // The section's keys all live on the master that owns its hash tag.
        RedisServer owner = fixture.owner(PARTITION, section);
        RawSection raw = fixture.raw(PARTITION, section);
        assertThat(owner.call("HGET", raw.documentKey(id), "count")).isEqualTo(Integer.toString(attempted));
        assertThat(owner.call("EXISTS", raw.documentKey(id), raw.logKey(), raw.logKey().replace(":log", ":epoch")))
                .as("document, log and epoch on the owning master").isEqualTo(3L);
        for (RedisServer node : cluster.server().nodes()) {
            if (node.port() != owner.port()) {
                assertThat(node.call("DBSIZE")).as("keys on %s, which does not own {%s:%s}", node, PARTITION, section)
                        .isEqualTo(0L);
            }
        }

        // The log, read straight from the owning master, holds versions 1..n+1 once each, in order.
        @SuppressWarnings("unchecked")
        List<Object> direct = (List<Object>) owner.call("XRANGE", raw.logKey(), "-", "+");
        assertThat(direct).hasSize(attempted + 1);
        List<RawSection.LoggedEvent> entries = raw.logById().get(id);
        RawSection.assertContiguous(id, entries);
        List<ObjectNode> states = RawSection.replay(id, entries);
        for (int v = 1; v < states.size(); v++) {
            assertThat(states.get(v).get("count").asLong()).as("count at version %d", v).isEqualTo(v - 1L);
        }
        long conflicts = writers.stream().mapToLong(w -> w.stats().conflicts()).sum();
        assertThat(conflicts).as("the writers really raced").isPositive();

        // A fresh manager on yet another cluster client reads the exact count.
        DocumentManager<Counter> reader = counterWriter(fixture.client(), section, "reader");
        assertThat(reader.get(id).get(10, TimeUnit.SECONDS).orElseThrow().value().count).isEqualTo(attempted);
    }

    /** A deeply immutable document for the storm. */
    public record Tally(long count, List<String> marks) {
        public Tally {
            marks = marks == null ? List.of() : List.copyOf(marks);
        }

        Tally add(String mark) {
            List<String> next = new ArrayList<>(marks.size() + 1);
            next.add(mark);
            next.addAll(marks.subList(0, Math.min(marks.size(), 3)));
            return new Tally(count + 1, next);
        }
    }

    /**
     * Guarantee 4 on a cluster: three sections whose hash tags sit on three different masters, each
     * served by three managers on three cluster clients (one per "service"); all of them write at
     * random to many keys. Afterwards every cache equals what the owning master holds.
     */
    @Test
    void writeStorm_sectionsOnThreeMasters_everyCacheConvergesToRedis() throws Exception {
        List<String> sections = fixture.sectionsOnDistinctMasters(PARTITION, "storm", 3);
        List<RedissonClient> services = List.of(fixture.client(), fixture.client(), fixture.client());
        int keys = 30;
        Map<String, List<DocumentManager<Tally>>> bySection = new HashMap<>();
        for (String section : sections) {
            List<DocumentManager<Tally>> managers = new ArrayList<>();
            for (int s = 0; s < services.size(); s++) {
                managers.add(fixture.track(fixture.builder(services.get(s), Tally.class, PARTITION, section, "svc" + s)
                        .valueSharing(s == 2 ? ValueSharing.SHARED : ValueSharing.COPY_ON_READ)
                        .maxWriteAttempts(100_000)
                        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10))
                        .build()));
            }
            bySection.put(section, managers);
            List<CompletableFuture<?>> creates = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                creates.add(managers.get(k % managers.size()).set(id(k), new Tally(0, List.of("created"))));
            }
            CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (DocumentManager<Tally> manager : managers) {
                for (int k = 0; k < keys; k++) {
                    assertThat(manager.get(id(k)).get(10, TimeUnit.SECONDS)).isPresent();
                }
            }
        }

        int writesPerManager = 300;
        List<Thread> threads = new ArrayList<>();
        List<CompletableFuture<?>> storm = new CopyOnWriteArrayList<>();
        for (String section : sections) {
            List<DocumentManager<Tally>> managers = bySection.get(section);
            for (int m = 0; m < managers.size(); m++) {
                DocumentManager<Tally> writer = managers.get(m);
                Random random = new Random(31L * m + section.hashCode());
                String node = section + "-m" + m;
                threads.add(new Thread(() -> {
                    for (int i = 0; i < writesPerManager; i++) {
                        int k = random.nextInt(4) == 0 ? random.nextInt(keys) : random.nextInt(4);
                        String mark = node + "-" + i;
                        int dice = random.nextInt(100);
                        if (dice < 5) {
                            storm.add(writer.delete(id(k)));
                        } else if (dice < 15) {
                            storm.add(writer.set(id(k), new Tally(random.nextInt(1000), List.of(mark))));
                        } else {
                            storm.add(writer.update(id(k), tally -> tally.add(mark)).exceptionally(e -> {
                                if (RedisDocumentStore.unwrap(e) instanceof DocumentNotFoundException) {
                                    return null;
                                }
                                throw new CompletionException(e);
                            }));
                        }
                    }
                }, "storm-" + node));
            }
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(thread.isAlive()).as("%s finished issuing", thread.getName()).isFalse();
        }
        CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String section : sections) {
                RawSection raw = fixture.raw(PARTITION, section);
                for (DocumentManager<Tally> manager : bySection.get(section)) {
                    List<String> diverged = new ArrayList<>();
                    for (int k = 0; k < keys; k++) {
                        String problem = divergence(manager.getCached(id(k)), raw.document(id(k)).orElseThrow());
                        if (problem != null) {
                            diverged.add(id(k) + ": " + problem);
                        }
                    }
                    assertThat(diverged).as("%s differs from its master (%s)", section, manager.stats()).isEmpty();
                }
            }
        });
        for (String section : sections) {
            RawSection raw = fixture.raw(PARTITION, section);
            for (int k = 0; k < keys; k++) {
                List<RawSection.LoggedEvent> entries = raw.logById().get(id(k));
                RawSection.assertContiguous(id(k), entries);
            }
            for (DocumentManager<Tally> manager : bySection.get(section)) {
                assertThat(manager.stats().gaps()).as("gaps on a fault-free cluster: %s", manager.stats()).isZero();
                assertThat(manager.stats().malformed()).isZero();
            }
        }
        // Each section's data sits on its own master: three sections, three masters, no key elsewhere.
        Map<Integer, Long> keysPerMaster = new HashMap<>();
        for (RedisServer node : cluster.server().nodes()) {
            keysPerMaster.put(node.port(), (Long) node.call("DBSIZE"));
        }
        assertThat(keysPerMaster.values()).as("keys per master %s", keysPerMaster).allSatisfy(n -> assertThat(n).isPositive());
        long conflicts = bySection.values().stream().flatMap(List::stream).mapToLong(m -> m.stats().conflicts()).sum();
        assertThat(conflicts).as("the writers really collided").isPositive();
    }

    /**
     * The broadcast is sharded pub/sub: the owning master lists the managers as shard-channel
     * subscribers ({@code PUBSUB SHARDNUMSUB}), no node has a classic subscriber on the channel, and
     * a change still reaches every manager.
     */
    @Test
    void pubSub_isShardedOnTheOwningMaster() throws Exception {
        String section = "sharded";
        DocumentManager<Counter> a = counterWriter(fixture.client(), section, "a");
        DocumentManager<Counter> b = counterWriter(fixture.client(), section, "b");
        RawSection raw = fixture.raw(PARTITION, section);
        String channel = raw.channel();
        RedisServer owner = fixture.owner(PARTITION, section);
        RedisCluster redis = cluster.server();

        assertThat(owner.call("PUBSUB", "SHARDNUMSUB", channel)).asList().containsExactly(channel, 2L);
        assertThat(owner.call("PUBSUB", "SHARDCHANNELS")).asList().contains(channel);
        for (RedisServer node : redis.nodes()) {
            assertThat(node.call("PUBSUB", "NUMSUB", channel)).as("classic subscribers on %s", node)
                    .asList().containsExactly(channel, 0L);
            assertThat(node.call("PUBSUB", "CHANNELS")).as("classic channels on %s", node).asList().isEmpty();
            if (node.port() != owner.port()) {
                assertThat(node.call("PUBSUB", "SHARDNUMSUB", channel)).as("shard subscribers on %s", node)
                        .asList().containsExactly(channel, 0L);
            }
        }

        List<ChangeEvent> seenByB = new CopyOnWriteArrayList<>();
        b.addListener(seenByB::add);
        a.set("k", new Counter(7, "x")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(seenByB).extracting(ChangeEvent::version).containsExactly(1L));
        assertThat(b.stats().received()).as("b received the change over its shard channel").isPositive();

        a.close();
        b.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(owner.call("PUBSUB", "SHARDNUMSUB", channel)).asList().containsExactly(channel, 0L));
    }

    /** Region notices travel over the section's shard channel on the owning master too. */
    @Test
    void regionNotices_areShardedOnTheOwningMaster() throws Exception {
        String section = "notices";
        DocumentManager<Counter> b = counterWriter(fixture.client(), section, "b");
        List<SyncEvent> seen = new CopyOnWriteArrayList<>();
        b.addSyncListener(seen::add);
        SectionId id = new SectionId(PARTITION, section);
        RedisServer owner = fixture.owner(PARTITION, section);
        String channel = "ddm:{" + PARTITION + ":" + section + "}:notices";
        assertThat(owner.call("PUBSUB", "SHARDNUMSUB", channel)).asList().containsExactly(channel, 1L);

        RegionNotice notice = new RegionNotice(RegionNotice.Kind.REDELIVERED, id, "k", "us", "again",
                java.time.Instant.ofEpochMilli(System.currentTimeMillis()));
        SectionStore.open(fixture.client(), "ddm", id).notice(notice).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(seen).filteredOn(e -> e instanceof SyncEvent.RegionNoticed)
                .extracting(e -> ((SyncEvent.RegionNoticed) e).notice()).containsExactly(notice));
        assertThat(b.stats().regionRedeliveries()).isEqualTo(1);
    }

    /**
     * A late subscriber on a cluster: a manager that starts after 20 versions were written and asks
     * for the key's changes after version 5 gets 6..20 from the section log (as updates, not a
     * snapshot) in order, then the live ones.
     */
    @Test
    void lateSubscriber_isServedFromTheLogOnTheOwningMaster() throws Exception {
        String section = "late";
        DocumentManager<Counter> writer = counterWriter(fixture.client(), section, "writer");
        writer.set("k", new Counter(0, "late")).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 19; i++) {
            writer.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        }
        DocumentManager<Counter> late = counterWriter(fixture.client(), section, "late");
        assertThat(late.bufferedChanges("k")).as("the late manager's buffer knows nothing of k").isEmpty();

        List<ChangeEvent> got = new CopyOnWriteArrayList<>();
        late.changes("k", 5, got::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 15);
        writer.update("k", Counter::increment).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(got).extracting(ChangeEvent::version).containsExactlyElementsOf(range(6, 21)));
        assertThat(got).extracting(ChangeEvent::op).containsOnly(ChangeOp.UPDATE);
        assertThat(got.get(0).prevVersion()).isEqualTo(5);
    }

    /**
     * A section subscriber whose start lies before what the log still holds gets a snapshot of every
     * document first; the documents are found by SCAN, which on a cluster must visit the owning master.
     */
    @Test
    void sectionSubscriber_beyondTheTrimmedLog_getsSnapshotsOfEveryDocument() throws Exception {
        String section = "scan";
        DocumentManager<Counter> writer = counterWriter(fixture.client(), section, "writer");
        for (int k = 0; k < 5; k++) {
            writer.set(id(k), new Counter(k, "scan")).get(10, TimeUnit.SECONDS);
            writer.update(id(k), Counter::increment).get(10, TimeUnit.SECONDS);
        }
        RawSection raw = fixture.raw(PARTITION, section);
        // Keep only the newest entry: the log no longer reaches back to the start of the section.
        fixture.owner(PARTITION, section).call("XTRIM", raw.logKey(), "MAXLEN", "1");

        DocumentManager<Counter> late = counterWriter(fixture.client(), section, "late");
        List<ChangeEvent> got = new CopyOnWriteArrayList<>();
        late.changesSince(Instant.EPOCH, got::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 5);
        assertThat(got).extracting(ChangeEvent::op).containsOnly(ChangeOp.SNAPSHOT);
        assertThat(got).extracting(e -> e.key().id()).containsExactlyInAnyOrder(id(0), id(1), id(2), id(3), id(4));
        assertThat(got).extracting(ChangeEvent::version).containsOnly(2L);

        writer.update(id(3), Counter::increment).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(got).hasSize(6));
        assertThat(got.get(5).version()).isEqualTo(3);
        assertThat(got.get(5).op()).isEqualTo(ChangeOp.UPDATE);
    }

    /**
     * The periodic version check on a cluster: its pipelined batch goes to the section's master. Keys
     * changed behind the managers' back (no log entry, no broadcast) on the owning master are found
     * and reloaded; a key deleted there is reloaded at once.
     */
    @Test
    void versionCheck_findsAndRepairsDriftOnTheOwningMaster() throws Exception {
        String section = "drift";
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        SyncService sync = fixture.track(SyncService.builder().clock(clock).tickInterval(Duration.ZERO).build());
        DocumentManager<Counter> manager = fixture.track(fixture.builder(fixture.client(), Counter.class, PARTITION, section, "m")
                .clock(clock)
                .syncService(sync)
                .checkIntervals(Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofHours(1))
                .build());
        int keys = 12;
        for (int k = 0; k < keys; k++) {
            manager.set(id(k), new Counter(k, "drift")).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (int k = 0; k < keys; k++) {
                assertThat(manager.getCached(id(k))).isPresent();
            }
        });
        RedisServer owner = fixture.owner(PARTITION, section);
        RawSection raw = fixture.raw(PARTITION, section);
        // Drift: three keys move to version 2 on the master without log entry or broadcast; one is deleted.
        for (int k = 0; k < 3; k++) {
            owner.call("HSET", raw.documentKey(id(k)), "count", "1000", "\u0000v", "2");
        }
        owner.call("DEL", raw.documentKey(id(5)));

        assertThat(manager.getCached(id(0))).as("the drift is invisible to the cache by itself")
                .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));

        // Let check periods pass (each tick runs the check that is due) until the cache matches the master.
        long checksBefore = manager.stats().versionChecks();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            clock.advance(Duration.ofSeconds(31));
            sync.tick().get(10, TimeUnit.SECONDS);
            for (int k = 0; k < 3; k++) {
                assertThat(manager.getCached(id(k))).as("%s after the checks", id(k)).hasValueSatisfying(v -> {
                    assertThat(v.version()).isEqualTo(2);
                    assertThat(v.value().count).isEqualTo(1000);
                });
            }
            assertThat(manager.getCached(id(5))).as("%s, deleted on the master", id(5)).isEmpty();
        });
        assertThat(manager.stats().versionChecks()).isGreaterThan(checksBefore);
        assertThat(manager.stats().driftRepairs()).as("keys the check reloaded: %s", manager.stats()).isEqualTo(4);
        for (int k = 3; k < keys; k++) {
            if (k != 5) {
                assertThat(manager.getCached(id(k))).as("%s did not drift and stays cached", id(k))
                        .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));
            }
        }
    }

    /**
     * An ACL user limited to DDM's namespace works on the cluster too: the documented minimal rules
     * plus the commands a Redisson cluster client needs to learn the topology. Two managers that
     * open their own cluster clients as that user, one from a {@link RedisDeployment} seeded with a
     * single node and one from the service config's {@code redis.mode=cluster} keys, pass the
     * start-up permission check (sharded publish/subscribe included), write, and follow each other;
     * no node denied anything.
     */
    @Test
    void aclUserLimitedToTheNamespace_worksOnTheCluster() throws Exception {
        String password = "cluster-App-pw1";
        List<String> rules = new ArrayList<>(List.of("SETUSER", "ddm-app", "reset", "on", ">" + password));
        rules.addAll(List.of(SecureConnectionIT.MINIMAL_RULES));
        rules.addAll(List.of(CLUSTER_CLIENT_RULES));
        for (RedisServer node : cluster.server().nodes()) {
            node.call(prepend("ACL", rules));
            node.call("ACL", "LOG", "RESET");
        }
        try {
            // One manager from a RedisDeployment in code, one from the service config's keys.
            List<DocumentManager<Counter>> managers = new ArrayList<>();
            RedisDeployment deployment = RedisDeployment.cluster(cluster.server().nodeUris().subList(0, 1))
                    .user("ddm-app").password(password).build();
            managers.add(fixture.track(DocumentManager.builder(Counter.class).redis(deployment)
                    .section(PARTITION, "secured").origin("local", "a").build()));
            java.util.Properties file = new java.util.Properties();
            file.setProperty("ddm.redis.mode", "cluster");
            file.setProperty("ddm.redis.uri", String.join(",", cluster.server().nodeUris()));
            file.setProperty("ddm.redis.user", "ddm-app");
            file.setProperty("ddm.redis.password", password);
            file.setProperty("ddm.section", PARTITION + ".secured");
            file.setProperty("ddm.origin.region", "local");
            file.setProperty("ddm.origin.node", "b");
            managers.add(fixture.track(DocumentManager.builder(Counter.class).properties(file, "ddm.").build()));
            managers.get(0).set("k", new Counter(1, "acl")).get(10, TimeUnit.SECONDS);
            managers.get(1).update("k", Counter::increment).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(managers.get(0).getCached("k"))
                    .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(2)));
            for (RedisServer node : cluster.server().nodes()) {
                assertThat(SecureConnectionIT.aclDenials(node)).as("ACL denials on %s", node).isEmpty();
            }
        } finally {
            for (RedisServer node : cluster.server().nodes()) {
                node.call("ACL", "DELUSER", "ddm-app");
            }
        }
    }

    /** What a Redisson cluster client runs besides DDM's own commands (docs/operations.md, "Secure connections"). */
    static final String[] CLUSTER_CLIENT_RULES = {
        "+cluster|nodes", "+pubsub|numpat", "+pubsub|shardnumsub",
    };

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private final AtomicLong millis;

        MutableClock(Instant start) {
            this.millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration duration) {
            millis.addAndGet(duration.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public long millis() {
            return millis.get();
        }
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        List<Long> values = new ArrayList<>();
        for (long v = fromInclusive; v <= toInclusive; v++) {
            values.add(v);
        }
        return values;
    }

    private static String divergence(Optional<Versioned<Tally>> cached, RawSection.RawDocument stored) {
        if (stored.deleted()) {
            return cached.isPresent() ? "cached v" + cached.get().version() + " but deleted at v" + stored.version() : null;
        }
        if (cached.isEmpty()) {
            return "not cached, Redis has v" + stored.version();
        }
        Versioned<Tally> entry = cached.get();
        if (entry.version() != stored.version()) {
            return "cached v" + entry.version() + ", Redis v" + stored.version();
        }
        if (!RawSection.treeOf(entry.value()).equals(RawSection.normalize(stored.members()))) {
            return "at v" + stored.version() + " cached " + entry.value() + ", Redis " + stored.members();
        }
        String origin = entry.origin().region() + "/" + entry.origin().node();
        if (!origin.equals(stored.origin()) || entry.changeTime().toEpochMilli() != stored.timeMillis()) {
            return "at v" + stored.version() + " origin/time differ";
        }
        return null;
    }

    private static String id(int k) {
        return "key-" + k;
    }
}
