package io.github.ddm.testkit;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one node of a Redis Cluster says about the cluster: its {@code CLUSTER NODES} reply,
 * parsed. Two nodes agree on the cluster when their {@link #signature()}s are equal.
 */
record ClusterView(List<Node> nodes) {

    ClusterView {
        nodes = List.copyOf(nodes);
    }

    /**
     * One line of {@code CLUSTER NODES}.
     *
     * @param masterId the id of the node this one replicates, or null for a master
     * @param slots the slots it serves; a slot being migrated or imported counts for its owner only
     */
    record Node(String id, int port, Set<String> flags, String masterId, BitSet slots) {

        Node {
            flags = Set.copyOf(flags);
            slots = (BitSet) slots.clone();
        }

        @Override
        public BitSet slots() {
            return (BitSet) slots.clone();
        }

        boolean isMyself() {
            return flags.contains("myself");
        }

        boolean isMaster() {
            return flags.contains("master");
        }

        boolean isReplica() {
            return flags.contains("slave");
        }

        /** Flagged {@code fail} by a majority of masters (not the local {@code fail?} suspicion). */
        boolean isFailed() {
            return flags.contains("fail");
        }

        /** The part of this line every node should report the same once the cluster has settled. */
        String signature() {
            String role = isMaster() ? "master" : isReplica() ? "replica of " + masterId : "no role";
            String state = flags.stream().filter(f -> f.equals("fail") || f.equals("handshake") || f.equals("noaddr"))
                    .sorted().collect(Collectors.joining(","));
            return id + " :" + port + " " + role + (state.isEmpty() ? "" : " " + state) + (slots.isEmpty() ? "" : " " + ranges(slots));
        }
    }

    /**
     * Parses a {@code CLUSTER NODES} reply.
     *
     * @throws IllegalArgumentException if a line does not have the documented fields
     */
    static ClusterView parse(String reply) {
        List<Node> nodes = new ArrayList<>();
        for (String line : reply.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(parseLine(line.trim()));
            }
        }
        return new ClusterView(nodes);
    }

    /** Asks {@code server} for its view. */
    static ClusterView of(RedisServer server) {
        return parse((String) server.call("CLUSTER", "NODES"));
    }

    private static Node parseLine(String line) {
        String[] fields = line.split(" ");
        if (fields.length < 8) {
            throw new IllegalArgumentException("not a CLUSTER NODES line: " + line);
        }
        // ip:port@cport, and since Redis 7 optionally ,hostname after it.
        String address = fields[1];
        int at = address.indexOf('@');
        int colon = address.lastIndexOf(':', at < 0 ? address.length() : at);
        int port = Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at));
        Set<String> flags = Set.of(fields[2].split(","));
        String masterId = fields[3].equals("-") ? null : fields[3];
        BitSet slots = new BitSet(RedisCluster.SLOTS);
        for (int i = 8; i < fields.length; i++) {
            String range = fields[i];
            if (range.startsWith("[")) {
                continue; // [slot->-id] or [slot-<-id]: a migration in progress, seen by its two ends only
            }
            int dash = range.indexOf('-');
            if (dash < 0) {
                slots.set(Integer.parseInt(range));
            } else {
                slots.set(Integer.parseInt(range.substring(0, dash)), Integer.parseInt(range.substring(dash + 1)) + 1);
            }
        }
        return new Node(fields[0], port, flags, masterId, slots);
    }

    /** The line of the node that answered. */
    Node myself() {
        return nodes.stream().filter(Node::isMyself).findFirst()
                .orElseThrow(() -> new IllegalStateException("no myself line in " + this));
    }

    Optional<Node> byPort(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst();
    }

    Optional<Node> byId(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** The master that serves {@code slot}, if any. */
    Optional<Node> ownerOf(int slot) {
        return nodes.stream().filter(n -> n.isMaster() && n.slots.get(slot)).findFirst();
    }

    /** The replicas of {@code master} that are not flagged failed. */
    List<Node> replicasOf(Node master) {
        return nodes.stream().filter(n -> master.id().equals(n.masterId()) && !n.isFailed())
                .collect(Collectors.toUnmodifiableList());
    }

    /** Every slot some master serves. */
    BitSet assignedSlots() {
        BitSet all = new BitSet(RedisCluster.SLOTS);
        nodes.stream().filter(Node::isMaster).forEach(n -> all.or(n.slots));
        return all;
    }

    /** The topology as this node sees it, without what is local to it (myself, fail?, link state, pings). */
    String signature() {
        return nodes.stream().sorted(Comparator.comparing(Node::id)).map(Node::signature)
                .collect(Collectors.joining("; "));
    }

    /** {@code 0-5460 5461 ...}: the set bits as ranges. */
    static String ranges(BitSet slots) {
        StringBuilder text = new StringBuilder();
        for (int start = slots.nextSetBit(0); start >= 0; start = slots.nextSetBit(start)) {
            int end = slots.nextClearBit(start) - 1;
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(start);
            if (end > start) {
                text.append('-').append(end);
            }
            start = end + 1;
        }
        return text.toString();
    }
}
