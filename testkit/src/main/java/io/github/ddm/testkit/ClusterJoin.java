package io.github.ddm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How {@link RedisCluster} joins its nodes into one cluster: the masters with redis-cli or from
 * Java ({@link RedisCluster.Join}), then the replicas, always from Java.
 */
final class ClusterJoin {

    private ClusterJoin() {
    }

    /** {@code redis-cli --cluster create} of the masters, without replicas. */
    static void withRedisCli(List<RedisServer> nodes, String password) {
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

    /** {@code CLUSTER ADDSLOTSRANGE} on each master (the slots split evenly), and {@code CLUSTER MEET} between all. */
    static void withClusterMeet(List<RedisServer> nodes) {
        int per = RedisCluster.SLOTS / nodes.size();
        for (int i = 0; i < nodes.size(); i++) {
            int first = i * per;
            int last = i == nodes.size() - 1 ? RedisCluster.SLOTS - 1 : first + per - 1;
            nodes.get(i).call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
        }
        meetEachOther(nodes, nodes);
    }

    /**
     * Each of {@code newcomers} meets each of {@code nodes} directly: a handshake takes
     * milliseconds, where learning of a node through gossip can take seconds.
     */
    private static void meetEachOther(List<RedisServer> newcomers, List<RedisServer> nodes) {
        for (RedisServer newcomer : newcomers) {
            for (RedisServer node : nodes) {
                if (node != newcomer && (!newcomers.contains(node) || newcomers.indexOf(node) < newcomers.indexOf(newcomer))) {
                    newcomer.call("CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
                }
            }
        }
    }

    /**
     * Each replica meets its own master (which it then knows at once) and replicates it
     * ({@code CLUSTER REPLICATE}), then meets every other node, twice.
     */
    static void attachReplicas(List<RedisServer> nodes, Map<RedisServer, RedisServer> masterOf, Duration readyTimeout) {
        if (masterOf.isEmpty()) {
            return;
        }
        Map<RedisServer, String> ids = new LinkedHashMap<>();
        for (RedisServer master : masterOf.values()) {
            ids.computeIfAbsent(master, m -> (String) m.call("CLUSTER", "MYID"));
        }
        masterOf.forEach((replica, master) -> replica.call("CLUSTER", "MEET", master.host(), Integer.toString(master.port())));
        List<RedisServer> pending = new ArrayList<>(masterOf.keySet());
        Waiting.until("replicas attached to their masters", readyTimeout, () -> {
            for (Iterator<RedisServer> it = pending.iterator(); it.hasNext(); ) {
                RedisServer replica = it.next();
                RedisServer master = masterOf.get(replica);
                try {
                    replica.call("CLUSTER", "REPLICATE", ids.get(master));
                } catch (RedisReplyException e) {
                    return replica + " cannot replicate " + master + " yet: " + e.getMessage(); // it does not know it yet
                }
                it.remove();
            }
            return null;
        });
        List<RedisServer> replicas = new ArrayList<>(masterOf.keySet());
        meetEachOther(replicas, nodes);
        // A node that learns of a replica by a handshake knows it is a replica but not whose until
        // the replica's next ping, up to half the node timeout later. A MEET from a node already
        // known carries the replica's master at once, so meet again once everyone knows everyone.
        Waiting.until("every node knows every other", readyTimeout, () -> {
            for (RedisServer node : nodes) {
                ClusterView view = ClusterView.of(node);
                long known = view.nodes().stream().filter(n -> !n.flags().contains("handshake")).count();
                if (known != nodes.size()) {
                    return node + " knows " + known + " of " + nodes.size() + " nodes";
                }
            }
            return null;
        });
        for (RedisServer replica : replicas) {
            for (RedisServer node : nodes) {
                if (node != replica) {
                    replica.call("CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
                }
            }
        }
    }

    /** Null once {@code view} holds all {@code total} nodes, every slot assigned, and each replica replicating its master. */
    static String ready(ClusterView view, int total, Map<RedisServer, RedisServer> masterOf) {
        if (view.nodes().size() != total) {
            return view.nodes().size() + " of " + total + " nodes known";
        }
        int assigned = view.assignedSlots().cardinality();
        if (assigned != RedisCluster.SLOTS) {
            return assigned + " of " + RedisCluster.SLOTS + " slots assigned";
        }
        for (Map.Entry<RedisServer, RedisServer> entry : masterOf.entrySet()) {
            String masterId = view.byPort(entry.getValue().port()).map(ClusterView.Node::id).orElse("?");
            String replicates = view.byPort(entry.getKey().port()).map(ClusterView.Node::masterId).orElse(null);
            if (!masterId.equals(replicates)) {
                return entry.getKey() + " does not replicate " + entry.getValue() + " yet";
            }
        }
        return null;
    }
}
