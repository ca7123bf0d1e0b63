package io.github.ddm.testkit;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster: 3 masters by default, optionally with replicas, each a {@link RedisServer}
 * process on a free port whose bus port (port + 10000) is free too, with its own directory.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.builder().replicasPerMaster(1).nodeTimeout(Duration.ofSeconds(1)).start()) {
 *     RedisServer master = cluster.nodeFor("ddm:{orders:book}:log");
 *     RedisServer promoted = cluster.failover(master);        // CLUSTER FAILOVER on its replica
 *     RedisServer next = cluster.killMaster(promoted);        // SIGKILL, automatic failover
 *     cluster.migrateSlot(RedisCluster.slot("k"), cluster.masters().get(0));
 * }
 * }</pre>
 *
 * <p>The 16384 slots are split evenly among the masters. They are joined with {@code redis-cli
 * --cluster create} when redis-cli is installed, else by {@code CLUSTER MEET} and {@code CLUSTER
 * ADDSLOTSRANGE} sent from Java ({@link Join}). Replicas are always attached from Java
 * ({@code CLUSTER MEET}, then {@code CLUSTER REPLICATE}). {@link Builder#start()} returns once the
 * cluster has <em>settled</em>: every running node reports {@code cluster_state:ok} and the same
 * topology in {@code CLUSTER NODES} (roles, masters, slots, failed nodes), and every replica whose
 * master is up reports {@code master_link_status:up}. {@link #failover}, {@link #killMaster} and
 * {@link SlotMigration#finish()} return once it has settled again.
 *
 * <p>Topology accessors ({@link #masters()}, {@link #replicasOf}, {@link #nodeFor(String)}) ask a
 * running node, so they follow failovers and migrations.
 *
 * <p>Failovers follow Redis's own timing, which {@link Builder#nodeTimeout(Duration)} sets: 1 s
 * makes a killed master replaced in 2 to 3 s. Redis 7.0 keeps a replica's election votes for 4
 * node timeouts (at least 4 s): a replica whose master fails within that time of an election it
 * took part in "wins" again with its old votes and an old epoch, which the other nodes reject,
 * and the cluster stays down. So {@link #failover} and {@link #killMaster} first wait out that
 * time for a replica this class saw in an election. Replicas run with
 * {@code cluster-replica-validity-factor 0}: however long their master has been gone, they try to
 * replace it. Every wait is bounded by
 * {@link Builder#readyTimeout(Duration)} and fails with an {@link IllegalStateException} that says
 * what was still missing.
 *
 * <p>Thread-safe. Topology changes (failover, slot migration, close) are serialized on this object;
 * reads and the processes' own commands are not.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    static final int SLOTS = 16_384;
    private static final Duration MIN_AUTH_TIMEOUT = Duration.ofSeconds(2);

    /** How the masters are joined into one cluster. */
    public enum Join {
        /** {@code redis-cli --cluster create} when installed, else {@link #CLUSTER_MEET}. */
        AUTO,
        /** Always {@code redis-cli --cluster create}; fails if redis-cli is not installed. */
        REDIS_CLI,
        /** Always {@code CLUSTER MEET} and {@code CLUSTER ADDSLOTSRANGE} from Java. */
        CLUSTER_MEET
    }

    /** How {@link #failover(RedisServer, FailoverMode)} asks a replica to take over its master. */
    public enum FailoverMode {
        /**
         * {@code CLUSTER FAILOVER}: the master, which must be running, holds its clients until the
         * replica has caught up, so no acknowledged write is lost; it then becomes a replica of the
         * new master.
         */
        GRACEFUL,
        /** {@code CLUSTER FAILOVER FORCE}: no handshake with the master (it may be down), but a majority of masters votes. */
        FORCE,
        /** {@code CLUSTER FAILOVER TAKEOVER}: the replica takes the slots on its own authority, with no vote. */
        TAKEOVER
    }

    private final List<RedisServer> nodes;
    private final Join joinedWith;
    private final String password;
    private final Duration timeout;
    private final Duration electionRetry;
    /** When each node last took part in a failover election, as far as this class saw (System.nanoTime()). */
    private final Map<RedisServer, Long> lastElection = new HashMap<>();

    private RedisCluster(List<RedisServer> nodes, Join joinedWith, String password, Duration timeout, Duration nodeTimeout) {
        this.nodes = List.copyOf(nodes);
        this.joinedWith = joinedWith;
        this.password = password;
        this.timeout = timeout;
        // Redis's failover_auth_time retry: twice the election timeout, which is twice the node timeout, at least 2 s.
        Duration authTimeout = nodeTimeout.multipliedBy(2).compareTo(MIN_AUTH_TIMEOUT) < 0 ? MIN_AUTH_TIMEOUT : nodeTimeout.multipliedBy(2);
        this.electionRetry = authTimeout.multipliedBy(2);
    }

    /** Settings for a new cluster; call {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a 3-master cluster with the default settings. */
    public static RedisCluster start() {
        return builder().start();
    }

    /**
     * Every node this cluster started, running or not, in a fixed order: the masters as started (in
     * slot order), then their replicas (those of the first master first). Without replicas these are
     * the masters; after a failover some roles differ (see {@link #masters()}).
     */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** {@code redis://127.0.0.1:<port>} of every node in {@link #nodes()}, the seed list for a cluster client. */
    public List<String> nodeUris() {
        return nodes.stream().map(RedisServer::uri).collect(Collectors.toUnmodifiableList());
    }

    /** The method actually used to join the masters ({@link Join#REDIS_CLI} or {@link Join#CLUSTER_MEET}). */
    public Join joinedWith() {
        return joinedWith;
    }

    /**
     * The masters now, as a running node sees them, in slot order (masters without slots last):
     * after a failover the promoted replica is one, and a killed master stays one until the cluster
     * flags it failed.
     *
     * @throws IllegalStateException if no node is running
     */
    public List<RedisServer> masters() {
        ClusterView view = view();
        return view.nodes().stream().filter(n -> n.isMaster() && !n.isFailed())
                .sorted(Comparator.comparingInt((ClusterView.Node n) -> firstSlot(n)).thenComparingInt(ClusterView.Node::port))
                .map(n -> server(n.port()))
                .collect(Collectors.toUnmodifiableList());
    }

    /**
     * The replicas of {@code master} now, as a running node sees them (those flagged failed left
     * out), in the order of {@link #nodes()}.
     *
     * @throws IllegalArgumentException if {@code master} is not a master of this cluster
     * @throws IllegalStateException if no node is running
     */
    public List<RedisServer> replicasOf(RedisServer master) {
        ClusterView view = view();
        return replicasOf(view, requireMaster(view, master));
    }

    /**
     * The master that serves the hash slot of {@code key}.
     *
     * @throws IllegalStateException if no running node knows a master for it
     */
    public RedisServer nodeFor(String key) {
        return nodeFor(slot(key));
    }

    /**
     * The master that serves {@code slot}; during a {@link SlotMigration}, its source until
     * {@link SlotMigration#finish()}.
     *
     * @throws IllegalArgumentException if {@code slot} is not 0..16383
     * @throws IllegalStateException if no running node knows a master for it
     */
    public RedisServer nodeFor(int slot) {
        requireSlot(slot);
        return view().ownerOf(slot).map(n -> server(n.port()))
                .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot));
    }

    /** Deletes every key ({@code FLUSHALL} on every running master; replicas follow). */
    public void flushAll() {
        for (RedisServer master : masters()) {
            if (master.isRunning()) {
                master.flushAll();
            }
        }
    }

    /** {@link #failover(RedisServer, FailoverMode)} with {@link FailoverMode#GRACEFUL}. */
    public RedisServer failover(RedisServer master) {
        return failover(master, FailoverMode.GRACEFUL);
    }

    /**
     * Promotes the first running replica of {@code master} ({@code CLUSTER FAILOVER [FORCE|TAKEOVER]}
     * sent to it) and waits until the cluster has settled with it serving every slot {@code master}
     * served. With {@link FailoverMode#GRACEFUL} the old master then replicates the new one, in sync.
     * To fail over a master that is down, {@link RedisServer#kill()} it and use {@code FORCE} or
     * {@code TAKEOVER}, or use {@link #killMaster(RedisServer)}. Waits first if the replica took
     * part in an election too recently (see the class comment).
     *
     * @return the new master
     * @throws IllegalArgumentException if {@code master} is not a master of this cluster
     * @throws IllegalStateException if it has no running replica, if {@code GRACEFUL} is asked for a
     *     master that is not running, or if the cluster does not settle within the ready timeout
     */
    public synchronized RedisServer failover(RedisServer master, FailoverMode mode) {
        Objects.requireNonNull(mode, "mode");
        ClusterView view = view();
        ClusterView.Node old = requireMaster(view, master);
        if (mode == FailoverMode.GRACEFUL && !master.isRunning()) {
            throw new IllegalStateException(master + " is not running; a GRACEFUL failover needs it (use FORCE or TAKEOVER)");
        }
        RedisServer replica = replicasOf(view, old).stream().filter(RedisServer::isRunning).findFirst()
                .orElseThrow(() -> new IllegalStateException(master + " has no running replica to promote"));
        awaitElectionRetry(List.of(replica));
        if (mode == FailoverMode.GRACEFUL) {
            replica.call("CLUSTER", "FAILOVER");
        } else {
            replica.call("CLUSTER", "FAILOVER", mode.name());
        }
        BitSet slots = old.slots();
        awaitSettled(mode + " failover of " + master + " to " + replica, settled -> servesAll(settled, replica, slots));
        if (mode != FailoverMode.TAKEOVER) {
            lastElection.put(replica, System.nanoTime()); // TAKEOVER holds no election
        }
        log.info("{} failover: {} took over slots {} from {}", mode, replica, ClusterView.ranges(slots), master);
        return replica;
    }

    /**
     * Kills {@code master} (SIGKILL, as a crash) and waits until the cluster has noticed (after
     * {@link Builder#nodeTimeout(Duration)}), elected one of its replicas, and settled with that
     * replica serving the master's slots. The killed {@link RedisServer} keeps its port and
     * directory: {@link RedisServer#resume()} brings it back, and it rejoins as a replica. Waits
     * first if one of its replicas took part in an election too recently (see the class comment).
     *
     * @return the new master
     * @throws IllegalArgumentException if {@code master} is not a master of this cluster
     * @throws IllegalStateException if it serves no slot or has no running replica (the kill would
     *     leave the cluster down for good; nothing is killed then), or if the cluster does not
     *     settle within the ready timeout
     */
    public synchronized RedisServer killMaster(RedisServer master) {
        ClusterView view = view();
        ClusterView.Node old = requireMaster(view, master);
        BitSet slots = old.slots();
        if (slots.isEmpty()) {
            throw new IllegalStateException(master + " serves no slot; the cluster does not fail over a master without slots");
        }
        List<RedisServer> candidates = replicasOf(view, old).stream().filter(RedisServer::isRunning)
                .collect(Collectors.toUnmodifiableList());
        if (candidates.isEmpty()) {
            throw new IllegalStateException(master + " has no running replica to take over");
        }
        awaitElectionRetry(candidates);
        master.kill();
        AtomicReference<RedisServer> promoted = new AtomicReference<>();
        awaitSettled("automatic failover of killed " + master, settled -> {
            Optional<RedisServer> winner = settled.ownerOf(slots.nextSetBit(0)).map(n -> server(n.port()))
                    .filter(candidates::contains);
            if (winner.isEmpty()) {
                return "no replica of " + master + " serves its slots yet";
            }
            promoted.set(winner.get());
            return servesAll(settled, winner.get(), slots);
        });
        long now = System.nanoTime();
        candidates.forEach(candidate -> lastElection.put(candidate, now)); // every replica of a failed master runs one
        log.info("automatic failover: {} took over slots {} from killed {}", promoted.get(), ClusterView.ranges(slots), master);
        return promoted.get();
    }

    /**
     * A migration of {@code slot} to {@code target}, not started yet: see {@link SlotMigration} for
     * the steps a test can stop between.
     *
     * @throws IllegalArgumentException if {@code slot} is not 0..16383, {@code target} is not a master
     *     of this cluster, or it already serves the slot
     * @throws IllegalStateException if the slot's current master or {@code target} is not running
     */
    public synchronized SlotMigration slotMigration(int slot, RedisServer target) {
        requireSlot(slot);
        ClusterView view = view();
        ClusterView.Node to = requireMaster(view, target);
        ClusterView.Node from = view.ownerOf(slot)
                .orElseThrow(() -> new IllegalStateException("no master serves slot " + slot));
        if (from.id().equals(to.id())) {
            throw new IllegalArgumentException(target + " already serves slot " + slot);
        }
        RedisServer source = server(from.port());
        for (RedisServer end : List.of(source, target)) {
            if (!end.isRunning()) {
                throw new IllegalStateException(end + " is not running; slot " + slot + " cannot move");
            }
        }
        return new SlotMigration(this, slot, source, from.id(), target, to.id());
    }

    /**
     * Moves {@code slot} and its keys to {@code target} in one go ({@link #slotMigration} started and
     * finished), safe while clients write.
     *
     * @throws IllegalArgumentException as {@link #slotMigration}
     * @throws IllegalStateException as {@link #slotMigration} and {@link SlotMigration#finish()}
     */
    public void migrateSlot(int slot, RedisServer target) {
        slotMigration(slot, target).start().finish();
    }

    /** Stops every node and deletes their directories. Idempotent. */
    @Override
    public synchronized void close() {
        closeAll(nodes);
    }

    /**
     * The Redis Cluster hash slot of a key (CRC16/XMODEM mod 16384), honouring {@code {hash tags}}.
     */
    public static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        int end = bytes.length;
        int open = indexOf(bytes, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(bytes, (byte) '}', open + 1);
            if (close > open + 1) {
                start = open + 1;
                end = close;
            }
        }
        int crc = 0;
        for (int i = start; i < end; i++) {
            crc ^= (bytes[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc % SLOTS;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The password every node requires, or null. */
    String password() {
        return password;
    }

    /** What the first running node that answers says about the cluster. */
    ClusterView view() {
        RuntimeException last = null;
        for (RedisServer node : nodes) {
            if (node.isRunning()) {
                try {
                    return ClusterView.of(node);
                } catch (UncheckedIOException e) {
                    last = e;
                }
            }
        }
        throw new IllegalStateException("no node of the cluster answers", last);
    }

    /** The node of this cluster listening on {@code port}. */
    RedisServer server(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("port " + port + " is no node of this cluster"));
    }

    /**
     * Waits until every running node says {@code cluster_state:ok} and the same topology, every
     * replica whose master is up is in sync, and {@code expectation} (given the agreed view) returns
     * null instead of what is still missing.
     */
    void awaitSettled(String what, Function<ClusterView, String> expectation) {
        Waiting.until(what, timeout, () -> {
            ClusterView agreed = null;
            RedisServer first = null;
            for (RedisServer node : nodes) {
                if (!node.isRunning()) {
                    continue;
                }
                try (RespClient client = node.client()) {
                    String state = RedisText.field(client.callString("CLUSTER", "INFO"), "cluster_state");
                    if (!"ok".equals(state)) {
                        return node + " says cluster_state:" + state;
                    }
                    ClusterView view = ClusterView.parse(client.callString("CLUSTER", "NODES"));
                    if (agreed == null) {
                        agreed = view;
                        first = node;
                    } else if (!agreed.signature().equals(view.signature())) {
                        return node + " sees [" + view.signature() + "] but " + first + " sees [" + agreed.signature() + "]";
                    }
                    ClusterView.Node me = view.myself();
                    if (me.isReplica() && masterIsUp(view, me)) {
                        String link = client.info("replication", "master_link_status");
                        if (!"up".equals(link)) {
                            return "replica " + node + " has master_link_status:" + link;
                        }
                    }
                }
            }
            return agreed == null ? "no node is running" : expectation.apply(agreed);
        });
    }

    private boolean masterIsUp(ClusterView view, ClusterView.Node replica) {
        return view.byId(replica.masterId())
                .filter(m -> !m.isFailed() && nodes.stream().anyMatch(n -> n.port() == m.port() && n.isRunning()))
                .isPresent();
    }

    /**
     * Waits until none of {@code replicas} has taken part in a failover election for the election
     * retry time. Redis 7.0 keeps a replica's votes for that long: a replica whose master fails
     * sooner, or that is asked to fail over again sooner, "wins" with its old votes and old epoch,
     * which the other nodes reject, and the cluster stays down.
     */
    private void awaitElectionRetry(List<RedisServer> replicas) {
        OptionalLong last = replicas.stream().map(lastElection::get).filter(Objects::nonNull).mapToLong(Long::longValue).max();
        if (last.isEmpty()) {
            return;
        }
        long readyAt = last.getAsLong() + electionRetry.toNanos();
        long wait = readyAt - System.nanoTime();
        if (wait > 0) {
            log.info("waiting {} ms before the next failover election of {}: a replica's votes stay valid for {} ms",
                    TimeUnit.NANOSECONDS.toMillis(wait), replicas, electionRetry.toMillis());
            Waiting.until("the election retry time of " + replicas, timeout.plusNanos(wait),
                    () -> System.nanoTime() - readyAt >= 0 ? null : "waiting");
        }
    }

    private static String servesAll(ClusterView view, RedisServer server, BitSet slots) {
        Optional<ClusterView.Node> node = view.byPort(server.port());
        if (node.isEmpty() || !node.get().isMaster()) {
            return server + " is not a master yet";
        }
        BitSet missing = (BitSet) slots.clone();
        missing.andNot(node.get().slots());
        return missing.isEmpty() ? null : server + " does not serve slots " + ClusterView.ranges(missing) + " yet";
    }

    private ClusterView.Node requireMaster(ClusterView view, RedisServer master) {
        Objects.requireNonNull(master, "master");
        ClusterView.Node node = nodes.contains(master) ? view.byPort(master.port()).orElse(null) : null;
        if (node == null) {
            throw new IllegalArgumentException(master + " is not a node of this cluster");
        }
        if (!node.isMaster() || node.isFailed()) {
            throw new IllegalArgumentException(master + " is not a master now (flags " + node.flags() + ")");
        }
        return node;
    }

    private List<RedisServer> replicasOf(ClusterView view, ClusterView.Node master) {
        List<RedisServer> replicas = view.replicasOf(master).stream().map(n -> server(n.port()))
                .collect(Collectors.toList());
        replicas.sort(Comparator.comparingInt(nodes::indexOf));
        return List.copyOf(replicas);
    }

    private static int firstSlot(ClusterView.Node node) {
        int first = node.slots().nextSetBit(0);
        return first < 0 ? Integer.MAX_VALUE : first;
    }

    private static void requireSlot(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IllegalArgumentException("a hash slot is 0..16383, got " + slot);
        }
    }

    private static void closeAll(List<RedisServer> servers) {
        RuntimeException first = null;
        for (RedisServer server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Settings of a {@link RedisCluster}. Not thread-safe. */
    public static final class Builder {
        private int masters = 3;
        private int replicasPerMaster;
        private Join join = Join.AUTO;
        private Duration readyTimeout = Duration.ofSeconds(60);
        private Duration nodeTimeout = Duration.ofSeconds(5);
        private String password;

        private Builder() {
        }

        /** Number of master nodes, at least 3 (the Redis minimum). */
        public Builder masters(int masters) {
            if (masters < 3) {
                throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, got " + masters);
            }
            this.masters = masters;
            return this;
        }

        /** Replicas started for each master (default 0), each in sync before {@link #start()} returns. */
        public Builder replicasPerMaster(int replicas) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicasPerMaster must be 0 or more, got " + replicas);
            }
            this.replicasPerMaster = replicas;
            return this;
        }

        /** How to join the masters (default {@link Join#AUTO}). */
        public Builder join(Join join) {
            this.join = Objects.requireNonNull(join, "join");
            return this;
        }

        /** Requires this password on every node (also used between nodes). */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * {@code cluster-node-timeout} (default 5 s): how long a node may not answer before the
         * cluster counts it as failed, so how long {@link RedisCluster#killMaster} takes. About 1 s
         * suits failover tests; much less risks false failures on a busy machine.
         */
        public Builder nodeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("nodeTimeout must be at least 1 ms, got " + timeout);
            }
            this.nodeTimeout = timeout;
            return this;
        }

        /**
         * How long to wait for the cluster to settle (default 60 s): at start, and after a failover or
         * a slot migration.
         */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts the nodes, joins them, and waits until the cluster has settled. If anything fails,
         * every node started so far is stopped and its directory deleted.
         *
         * @throws IllegalStateException if a node does not start or the cluster does not settle
         */
        public RedisCluster start() {
            long began = System.nanoTime();
            List<RedisServer> started = new ArrayList<>();
            try {
                int total = masters * (1 + replicasPerMaster);
                for (int i = 0; i < total; i++) {
                    started.add(node().start());
                }
                List<RedisServer> masterNodes = started.subList(0, masters);
                Join used = join;
                if (used == Join.AUTO) {
                    used = RedisBinaries.redisCli().isPresent() ? Join.REDIS_CLI : Join.CLUSTER_MEET;
                }
                if (used == Join.REDIS_CLI) {
                    ClusterJoin.withRedisCli(masterNodes, password);
                } else {
                    ClusterJoin.withClusterMeet(masterNodes);
                }
                RedisCluster cluster = new RedisCluster(started, used, password, readyTimeout, nodeTimeout);
                Map<RedisServer, RedisServer> masterOf = new LinkedHashMap<>();
                for (int i = 0; i < masters; i++) {
                    for (int j = 0; j < replicasPerMaster; j++) {
                        masterOf.put(started.get(masters + i * replicasPerMaster + j), started.get(i));
                    }
                }
                ClusterJoin.attachReplicas(started, masterOf, readyTimeout);
                cluster.awaitSettled("Redis Cluster start", view -> ClusterJoin.ready(view, total, masterOf));
                log.info("Redis Cluster of {} masters and {} replicas ready in {} ms (masters joined with {})",
                        masters, masters * replicasPerMaster, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), used);
                return cluster;
            } catch (RuntimeException e) {
                try {
                    closeAll(started);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private RedisServer.Builder node() {
            // The default diskless-sync delay (5 s) would hold every replica's first sync; and a
            // replica refuses to fail over after its master was gone for ~10 node timeouts, which a
            // retried election (see awaitElectionRetry) can reach.
            RedisServer.Builder node = RedisServer.builder().clusterEnabled(true).clusterNodeTimeout(nodeTimeout)
                    .config("repl-diskless-sync-delay", "0")
                    .config("cluster-replica-validity-factor", "0");
            if (password != null) {
                node.password(password).config("masterauth", RedisText.quote(password));
            }
            return node;
        }
    }
}
