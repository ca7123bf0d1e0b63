package io.github.ddm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster of master nodes (3 by default, no replicas), each a {@link RedisServer}
 * process on a free port whose bus port (port + 10000) is free too, with its own directory.
 *
 * <p>The 16384 slots are split evenly. The nodes are joined with {@code redis-cli --cluster
 * create} when redis-cli is installed, else by {@code CLUSTER MEET} and {@code CLUSTER
 * ADDSLOTSRANGE} sent from Java ({@link Join}). {@link Builder#start()} returns once every node
 * reports {@code cluster_state:ok} and knows every other node.
 *
 * <p>Thread-safe for reads; lifecycle calls are synchronized.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
    private static final int SLOTS = 16_384;

    /** How the nodes are joined into one cluster. */
    public enum Join {
        /** {@code redis-cli --cluster create} when installed, else {@link #CLUSTER_MEET}. */
        AUTO,
        /** Always {@code redis-cli --cluster create}; fails if redis-cli is not installed. */
        REDIS_CLI,
        /** Always {@code CLUSTER MEET} and {@code CLUSTER ADDSLOTSRANGE} from Java. */
        CLUSTER_MEET
    }

    private final List<RedisServer> nodes;
    private final Join joinedWith;

    private RedisCluster(List<RedisServer> nodes, Join joinedWith) {
        this.nodes = List.copyOf(nodes);
        this.joinedWith = joinedWith;
    }

    /** Settings for a new cluster; call {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a 3-master cluster with the default settings. */
    public static RedisCluster start() {
        return builder().start();
    }

    /** The master nodes, in slot order (node 0 owns the first slot range). */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** {@code redis://127.0.0.1:<port>} of every node, the seed list for a cluster client. */
    public List<String> nodeUris() {
        return nodes.stream().map(RedisServer::uri).collect(Collectors.toUnmodifiableList());
    }

    /** The method actually used to join the nodes ({@link Join#REDIS_CLI} or {@link Join#CLUSTER_MEET}). */
    public Join joinedWith() {
        return joinedWith;
    }

    /** The node that owns the hash slot of {@code key}. */
    public RedisServer nodeFor(String key) {
        int slot = slot(key);
        List<?> ranges = (List<?>) nodes.get(0).call("CLUSTER", "SLOTS");
        for (Object entry : ranges) {
            List<?> range = (List<?>) entry;
            if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
                long port = (Long) ((List<?>) range.get(2)).get(1);
                return nodes.stream().filter(n -> n.port() == port).findFirst()
                        .orElseThrow(() -> new IllegalStateException("slot " + slot + " is served by unknown port " + port));
            }
        }
        throw new IllegalStateException("no node serves slot " + slot);
    }

    /** Deletes every key on every node. */
    public void flushAll() {
        for (RedisServer node : nodes) {
            node.flushAll();
        }
    }

    /** Stops every node and deletes their directories. Idempotent. */
    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (RedisServer node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
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

    /** Settings of a {@link RedisCluster}. Not thread-safe. */
    public static final class Builder {
        private int masters = 3;
        private Join join = Join.AUTO;
        private Duration readyTimeout = Duration.ofSeconds(60);
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

        /** How to join the nodes (default {@link Join#AUTO}). */
        public Builder join(Join join) {
            this.join = Objects.requireNonNull(join, "join");
            return this;
        }

        /** Requires this password on every node (also used between nodes). */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** How long to wait for {@code cluster_state:ok} (default 60 s). */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts the nodes, joins them, and waits until the cluster is ready.
         *
         * @throws IllegalStateException if a node does not start or the cluster does not become ready
         */
        public RedisCluster start() {
            List<RedisServer> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < masters; i++) {
                    RedisServer.Builder node = RedisServer.builder().clusterEnabled(true);
                    if (password != null) {
                        node.password(password).config("masterauth", password);
                    }
                    nodes.add(node.start());
                }
                Join used = join;
                if (used == Join.AUTO) {
                    used = RedisBinaries.redisCli().isPresent() ? Join.REDIS_CLI : Join.CLUSTER_MEET;
                }
                if (used == Join.REDIS_CLI) {
                    joinWithRedisCli(nodes);
                } else {
                    joinWithClusterMeet(nodes);
                }
                awaitReady(nodes);
                log.debug("Redis Cluster of {} masters ready (joined with {})", masters, used);
                return new RedisCluster(nodes, used);
            } catch (RuntimeException e) {
                nodes.forEach(RedisServer::close);
                throw e;
            }
        }

        private void joinWithRedisCli(List<RedisServer> nodes) {
            String cli = RedisBinaries.redisCli()
                    .orElseThrow(() -> new IllegalStateException("Join.REDIS_CLI was asked for, but redis-cli is not on PATH"))
                    .toString();
            List<String> command = new ArrayList<>(List.of(cli, "--cluster", "create"));
            nodes.forEach(n -> command.add(n.host() + ":" + n.port()));
            command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            if (password != null) {
                command.addAll(List.of("-a", password, "--no-auth-warning"));
            }
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + cli, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining the cluster", e);
            }
        }

        private static void joinWithClusterMeet(List<RedisServer> nodes) {
            int per = SLOTS / nodes.size();
            for (int i = 0; i < nodes.size(); i++) {
                int first = i * per;
                int last = i == nodes.size() - 1 ? SLOTS - 1 : first + per - 1;
                nodes.get(i).call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
            }
            RedisServer seed = nodes.get(0);
            for (RedisServer other : nodes.subList(1, nodes.size())) {
                other.call("CLUSTER", "MEET", seed.host(), Integer.toString(seed.port()));
            }
        }

        private void awaitReady(List<RedisServer> nodes) {
            long deadline = System.nanoTime() + readyTimeout.toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                boolean ready = true;
                for (RedisServer node : nodes) {
                    try (RespClient client = node.client()) {
                        String state = client.info("cluster", "cluster_enabled");
                        String info = client.callString("CLUSTER", "INFO");
                        if (!"1".equals(state) || !info.contains("cluster_state:ok")
                                || !info.contains("cluster_known_nodes:" + nodes.size())
                                || !info.contains("cluster_slots_ok:" + SLOTS)) {
                            ready = false;
                            last = node + ": " + info.lines().limit(6).collect(Collectors.joining(", "));
                            break;
                        }
                    }
                }
                if (ready) {
                    return;
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            throw new IllegalStateException("the cluster was not ready within " + readyTimeout + "; last state " + last);
        }
    }
}
