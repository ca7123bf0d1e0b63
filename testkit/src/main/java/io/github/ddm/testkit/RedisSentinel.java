package io.github.ddm.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-master Redis deployment watched by Redis Sentinel: one master, its replicas (1 by
 * default), each a {@link RedisServer}, and 3 sentinels ({@code redis-server <conf> --sentinel}),
 * every process on a free loopback port with its own directory. The sentinels monitor the master
 * under {@link #masterName()} with quorum 2 and short timeouts (down after 1 s by default), so a
 * killed master is replaced within seconds.
 *
 * <pre>{@code
 * try (RedisSentinel redis = RedisSentinel.builder().replicas(1).start()) {
 *     redis.sentinelUris();                 // redis://127.0.0.1:<port> of each sentinel
 *     redis.masterName();                   // "mymaster"
 *     RedisServer promoted = redis.failover();   // SENTINEL FAILOVER
 *     RedisServer next = redis.killMaster();     // SIGKILL; the sentinels elect a replica
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()}, {@link #failover()} and {@link #killMaster()} return once the
 * deployment has <em>settled</em>: every sentinel names the same master and knows the two other
 * sentinels and every running replica; that master answers {@code role:master}; and every other
 * running data node replicates it with {@code master_link_status:up}. Every wait is bounded by
 * {@link Builder#readyTimeout(Duration)} and fails with an {@link IllegalStateException} that says
 * what was still missing. With a password, every data node requires it ({@code requirepass}),
 * uses it towards its master ({@code masterauth}), and the sentinels use it too
 * ({@code sentinel auth-pass}); the sentinels themselves need none.
 *
 * <p>Works with the Redis 7.0.15 binary shipped in {@code org.signal:embedded-redis}: a sentinel
 * is the same {@code redis-server} binary started with {@code --sentinel}.
 *
 * <p>Thread-safe. Failovers and {@link #close()} are serialized on this object.
 */
public final class RedisSentinel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSentinel.class);
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;

    private final String masterName;
    private final Duration readyTimeout;
    private final List<RedisServer> nodes;
    private final List<SentinelProcess> sentinels;

    private RedisSentinel(String masterName, Duration readyTimeout, List<RedisServer> nodes, List<SentinelProcess> sentinels) {
        this.masterName = masterName;
        this.readyTimeout = readyTimeout;
        this.nodes = List.copyOf(nodes);
        this.sentinels = List.copyOf(sentinels);
    }

    /** Settings for a new deployment; call {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a master, one replica and 3 sentinels with the default settings. */
    public static RedisSentinel start() {
        return builder().start();
    }

    /** The name the sentinels monitor the master under ({@code mymaster} by default). */
    public String masterName() {
        return masterName;
    }

    /** {@code redis://127.0.0.1:<port>} of each sentinel (they need no password). */
    public List<String> sentinelUris() {
        return sentinels.stream().map(s -> "redis://" + s.host() + ":" + s.port()).collect(Collectors.toUnmodifiableList());
    }

    /** The address of each sentinel. */
    public List<InetSocketAddress> sentinelAddresses() {
        return sentinels.stream().map(s -> new InetSocketAddress(s.host(), s.port())).collect(Collectors.toUnmodifiableList());
    }

    /** Every data node, running or not, in a fixed order: the first master, then the replicas as started. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /**
     * The master as the sentinels name it now ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}, asked of
     * the first sentinel that answers).
     *
     * @throws IllegalStateException if no sentinel answers
     */
    public RedisServer master() {
        RuntimeException last = null;
        for (SentinelProcess sentinel : sentinels) {
            try {
                return server(masterPort(sentinel));
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no sentinel answers", last);
    }

    /** The running data nodes other than {@link #master()}, in the order of {@link #nodes()}. */
    public List<RedisServer> replicas() {
        RedisServer master = master();
        return nodes.stream().filter(n -> n != master && n.isRunning()).collect(Collectors.toUnmodifiableList());
    }

    /** Deletes every key ({@code FLUSHALL} on the master; the replicas follow). */
    public void flushAll() {
        master().flushAll();
    }

    /**
     * {@code SENTINEL FAILOVER <name>}: a sentinel promotes a replica without asking the others.
     * Sentinel does not stop the old master's clients first, so writes it accepts meanwhile are lost;
     * and it would turn the old master into a replica only some seconds later, so this method does
     * that at once ({@code REPLICAOF} the new master), as Sentinel would. Returns once settled.
     *
     * @return the new master
     * @throws IllegalStateException if there is no running replica, or the sentinels do not promote
     *     one and settle within the ready timeout
     */
    public synchronized RedisServer failover() {
        RedisServer old = master();
        requireRunningReplica(old);
        Waiting.until("SENTINEL FAILOVER accepted", readyTimeout, () -> {
            // NOGOODSLAVE until the sentinel has looked at the replicas; INPROG while another failover runs.
            sentinels.get(0).call("SENTINEL", "FAILOVER", masterName);
            return null;
        });
        RedisServer promoted = awaitPromotion("a replica of " + old + " promoted by SENTINEL FAILOVER", old);
        if (old.isRunning()) {
            // Before the sentinels switch to the new master, so that when they first look at the old
            // one as a replica (and then only every 10 s), it is one.
            old.call("REPLICAOF", promoted.host(), Integer.toString(promoted.port()));
        }
        promoted = awaitNewMasterSettled("the deployment after the failover from " + old, old);
        log.info("Sentinel failover: {} replaced {}", promoted, old);
        return promoted;
    }

    /**
     * A planned switchover that loses no acknowledged write: pauses the master's writes
     * ({@code CLIENT PAUSE WRITE}), waits until every running replica has replicated all of them,
     * then runs {@link #failover()}; the paused clients are released afterwards, and their writes
     * then fail on the old master (now a replica) and are retried by the clients on the new one.
     * This is the operator's procedure for maintenance; {@link #failover()} alone may lose the
     * writes the old master accepts while Sentinel promotes a replica.
     *
     * @return the new master
     * @throws IllegalStateException as {@link #failover()}, or if the replicas do not catch up
     *     within the ready timeout
     */
    public synchronized RedisServer switchover() {
        RedisServer old = master();
        requireRunningReplica(old);
        old.call("CLIENT", "PAUSE", Long.toString(readyTimeout.toMillis()), "WRITE");
        try {
            long offset = Long.parseLong(info(old, "master_repl_offset"));
            Waiting.until("the replicas of " + old + " at replication offset " + offset, readyTimeout, () -> {
                for (RedisServer replica : replicas()) {
                    if (replica.isRunning() && Long.parseLong(info(replica, "slave_repl_offset")) < offset) {
                        return replica + " is behind";
                    }
                }
                return null;
            });
            return failover();
        } finally {
            if (old.isRunning()) {
                old.call("CLIENT", "UNPAUSE");
            }
        }
    }

    /**
     * Kills the master (SIGKILL, as a crash) and waits until the sentinels agree it is down (after
     * {@link Builder#downAfter(Duration)}), promote a replica, and settle. The killed
     * {@link RedisServer} keeps its port and directory; after {@link RedisServer#resume()} it comes
     * back as a master, and the sentinels turn it into a replica some seconds later.
     *
     * @return the new master
     * @throws IllegalStateException if there is no running replica (nothing is killed then), or the
     *     sentinels do not promote one and settle within the ready timeout
     */
    public synchronized RedisServer killMaster() {
        RedisServer old = master();
        requireRunningReplica(old);
        old.kill();
        RedisServer promoted = awaitNewMasterSettled("the deployment after the sentinels replaced killed " + old, old);
        log.info("Sentinel failover: {} replaced killed {}", promoted, old);
        return promoted;
    }

    /** Stops the sentinels, then the data nodes, and deletes their directories, also if some fail. Idempotent. */
    @Override
    public synchronized void close() {
        closeAll(sentinels, nodes);
    }

    @Override
    public String toString() {
        return "RedisSentinel[" + masterName + ", sentinels " + sentinels.stream().map(SentinelProcess::port)
                .collect(Collectors.toList()) + "]";
    }

    private void requireRunningReplica(RedisServer master) {
        if (nodes.stream().noneMatch(n -> n != master && n.isRunning())) {
            throw new IllegalStateException("no running replica of " + master + " to promote");
        }
    }

    /** Waits until a running data node other than {@code old} says role:master, and returns it. */
    private RedisServer awaitPromotion(String what, RedisServer old) {
        AtomicReference<RedisServer> promoted = new AtomicReference<>();
        Waiting.until(what, readyTimeout, () -> {
            for (RedisServer node : nodes) {
                if (node != old && node.isRunning() && "master".equals(info(node, "role"))) {
                    promoted.set(node);
                    return null;
                }
            }
            return "no replica says role:master yet";
        });
        return promoted.get();
    }

    /**
     * Waits until every running sentinel names one master other than {@code old}, it says
     * role:master, and the deployment has settled around it. The master is looked up again at
     * every poll: when a failover times out, the sentinels may start another one and promote a
     * different replica, which then turns the first into its replica.
     */
    private RedisServer awaitNewMasterSettled(String what, RedisServer old) {
        AtomicReference<RedisServer> promoted = new AtomicReference<>();
        Waiting.until(what, readyTimeout, () -> {
            Integer port = null;
            for (SentinelProcess sentinel : sentinels) {
                int named = masterPort(sentinel);
                if (named == old.port()) {
                    return sentinel + " still names " + old;
                }
                if (port != null && port != named) {
                    return "the sentinels name different masters: ports " + port + " and " + named;
                }
                port = named;
            }
            RedisServer candidate = server(port);
            String role = candidate.isRunning() ? info(candidate, "role") : "not running";
            if (!"master".equals(role)) {
                return candidate + " is named master but says role:" + role;
            }
            promoted.set(candidate);
            return settledMissing(candidate);
        });
        return promoted.get();
    }

    private void awaitSettled(String what, RedisServer master) {
        Waiting.until(what, readyTimeout, () -> settledMissing(master));
    }

    /** Null once the deployment has settled around {@code master} (see the class comment), else what is missing. */
    private String settledMissing(RedisServer master) {
        try (RespClient client = master.client()) {
            String role = client.info("replication", "role");
            if (!"master".equals(role)) {
                return master + " says role:" + role;
            }
        }
        List<RedisServer> replicas = new ArrayList<>();
        for (RedisServer node : nodes) {
            if (node == master || !node.isRunning()) {
                continue;
            }
            replicas.add(node);
            try (RespClient client = node.client()) {
                String replication = client.callString("INFO", "replication");
                String following = RedisText.field(replication, "master_port");
                String link = RedisText.field(replication, "master_link_status");
                if (!Integer.toString(master.port()).equals(following) || !"up".equals(link)) {
                    return node + " replicates port " + following + " with master_link_status:" + link;
                }
            }
        }
        for (SentinelProcess sentinel : sentinels) {
            Map<String, String> state = fields(sentinel.call("SENTINEL", "MASTER", masterName));
            if (!Integer.toString(master.port()).equals(state.get("port")) || !"master".equals(state.get("flags"))) {
                return sentinel + " sees master port " + state.get("port") + " with flags " + state.get("flags");
            }
            if (!Integer.toString(SENTINELS - 1).equals(state.get("num-other-sentinels"))) {
                return sentinel + " knows " + state.get("num-other-sentinels") + " other sentinels";
            }
            List<?> known = (List<?>) sentinel.call("SENTINEL", "REPLICAS", masterName);
            for (RedisServer replica : replicas) {
                boolean good = known.stream().map(RedisSentinel::fields).anyMatch(r ->
                        Integer.toString(replica.port()).equals(r.get("port")) && "slave".equals(r.get("flags"))
                                && "ok".equals(r.get("master-link-status")));
                if (!good) {
                    return sentinel + " does not see " + replica + " as a healthy replica yet";
                }
            }
        }
        return null;
    }

    private int masterPort(SentinelProcess sentinel) {
        List<?> address = (List<?>) sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
        if (address == null) {
            throw new IllegalStateException(sentinel + " monitors no master named " + masterName);
        }
        return Integer.parseInt((String) address.get(1));
    }

    private RedisServer server(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels name port " + port + ", no node of this deployment"));
    }

    private static String info(RedisServer server, String field) {
        try (RespClient client = server.client()) {
            return client.info("replication", field);
        }
    }

    /** A flat {@code [name, value, name, value...]} reply as a map. */
    private static Map<String, String> fields(Object reply) {
        List<?> list = (List<?>) reply;
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            map.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
        }
        return map;
    }

    private static void closeAll(List<? extends AutoCloseable> first, List<? extends AutoCloseable> second) {
        RuntimeException failure = null;
        for (List<? extends AutoCloseable> group : List.of(first, second)) {
            for (AutoCloseable process : group) {
                try {
                    process.close();
                } catch (Exception e) {
                    RuntimeException wrapped = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                    if (failure == null) {
                        failure = wrapped;
                    } else {
                        failure.addSuppressed(wrapped);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Settings of a {@link RedisSentinel}. Not thread-safe; build on one thread. */
    public static final class Builder {
        private String masterName = "mymaster";
        private int replicas = 1;
        private String password;
        private Duration downAfter = Duration.ofSeconds(1);
        private Duration failoverTimeout = Duration.ofSeconds(5);
        private Duration readyTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The name the sentinels monitor the master under (default {@code mymaster}); letters, digits, {@code .-_}. */
        public Builder masterName(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("masterName must be letters, digits, '.', '-' or '_', got '" + name + "'");
            }
            this.masterName = name;
            return this;
        }

        /** Replicas of the master (default 1; 0 gives a deployment that cannot fail over). */
        public Builder replicas(int replicas) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicas must be 0 or more, got " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /** Requires this password on every data node; the sentinels and the replicas use it too. */
        public Builder password(String password) {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("password must not be empty");
            }
            this.password = password;
            return this;
        }

        /** {@code sentinel down-after-milliseconds} (default 1 s): how long a node may not answer before a sentinel counts it as down. */
        public Builder downAfter(Duration downAfter) {
            this.downAfter = requirePositive("downAfter", downAfter);
            return this;
        }

        /** {@code sentinel failover-timeout} (default 5 s); a failed election is retried after twice this. */
        public Builder failoverTimeout(Duration timeout) {
            this.failoverTimeout = requirePositive("failoverTimeout", timeout);
            return this;
        }

        /** How long to wait for the deployment to settle (default 60 s): at start and after a failover. */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = requirePositive("readyTimeout", timeout);
            return this;
        }

        /**
         * Starts the master, the replicas and the sentinels, and waits until the deployment has
         * settled. If anything fails, every process started so far is stopped and its directory deleted.
         *
         * @throws IllegalStateException if a process does not start or the deployment does not settle
         */
        public RedisSentinel start() {
            long began = System.nanoTime();
            List<RedisServer> nodes = new ArrayList<>();
            List<SentinelProcess> sentinels = new ArrayList<>();
            try {
                RedisServer master = dataNode().start();
                nodes.add(master);
                for (int i = 0; i < replicas; i++) {
                    nodes.add(dataNode().config("replicaof", master.host(), Integer.toString(master.port())).start());
                }
                List<String> monitor = monitorLines(master);
                for (int i = 0; i < SENTINELS; i++) {
                    sentinels.add(SentinelProcess.start(monitor, Duration.ofSeconds(30)));
                }
                RedisSentinel deployment = new RedisSentinel(masterName, readyTimeout, nodes, sentinels);
                deployment.awaitSettled("Sentinel deployment start", master);
                log.info("Redis Sentinel deployment ({} replicas, {} sentinels) ready in {} ms", replicas, SENTINELS,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
                return deployment;
            } catch (RuntimeException e) {
                try {
                    closeAll(sentinels, nodes);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private RedisServer.Builder dataNode() {
            // The default diskless-sync delay (5 s) would hold every replica's first sync.
            RedisServer.Builder node = RedisServer.builder().config("repl-diskless-sync-delay", "0");
            if (password != null) {
                node.password(password).config("masterauth", RedisText.quote(password));
            }
            return node;
        }

        private List<String> monitorLines(RedisServer master) {
            List<String> lines = new ArrayList<>();
            lines.add("sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " " + QUORUM);
            lines.add("sentinel down-after-milliseconds " + masterName + " " + downAfter.toMillis());
            lines.add("sentinel failover-timeout " + masterName + " " + failoverTimeout.toMillis());
            lines.add("sentinel parallel-syncs " + masterName + " 1");
            if (password != null) {
                lines.add("sentinel auth-pass " + masterName + " " + RedisText.quote(password));
            }
            return lines;
        }

        private static Duration requirePositive(String what, Duration value) {
            Objects.requireNonNull(value, what);
            if (value.toMillis() < 1) {
                throw new IllegalArgumentException(what + " must be at least 1 ms, got " + value);
            }
            return value;
        }
    }
}
