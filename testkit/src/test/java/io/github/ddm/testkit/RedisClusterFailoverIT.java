package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RedisClusterFailoverIT {

    private static final String KEY = "ddm:{orders:book}:log";

    /** Failovers within a second or two, and the fast join. */
    private static RedisCluster.Builder fastCluster() {
        return RedisCluster.builder().replicasPerMaster(1).join(RedisCluster.Join.CLUSTER_MEET).nodeTimeout(Duration.ofSeconds(1));
    }

    @Test
    void replicas_areInSyncAndReplicateAWrite() {
        try (RedisCluster cluster = RedisCluster.builder().replicasPerMaster(1).start()) {
            assertThat(cluster.nodes()).hasSize(6);
            assertThat(cluster.masters()).containsExactlyElementsOf(cluster.nodes().subList(0, 3));
            for (RedisServer master : cluster.masters()) {
                List<RedisServer> replicas = cluster.replicasOf(master);
                assertThat(replicas).hasSize(1);
                try (RespClient replica = replicas.get(0).client()) {
                    assertThat(replica.info("replication", "role")).isEqualTo("slave");
                    assertThat(replica.info("replication", "master_port")).isEqualTo(Integer.toString(master.port()));
                    assertThat(replica.info("replication", "master_link_status")).isEqualTo("up");
                }
            }

            RedisServer master = cluster.nodeFor(KEY);
            master.call("SET", KEY, "v1");

            try (RespClient replica = cluster.replicasOf(master).get(0).client()) {
                replica.call("READONLY");
                await().atMost(Duration.ofSeconds(10)).until(() -> "v1".equals(replica.call("GET", KEY)));
            }
        }
    }

    @Test
    void failover_graceful_promotesTheReplicaWithTheData_andCanBeRepeatedAtOnce() {
        try (RedisCluster cluster = fastCluster().start()) {
            RedisServer old = cluster.nodeFor(KEY);
            RedisServer replica = cluster.replicasOf(old).get(0);
            old.call("SET", KEY, "before failover");

            RedisServer promoted = cluster.failover(old);

            assertThat(promoted).isSameAs(replica);
            assertThat(cluster.nodeFor(KEY)).isSameAs(promoted);
            assertThat(promoted.call("GET", KEY)).isEqualTo("before failover");
            assertThat(cluster.masters()).contains(promoted).doesNotContain(old).hasSize(3);
            assertThat(cluster.replicasOf(promoted)).containsExactly(old);
            assertThat(infoField(old, "master_link_status")).isEqualTo("up");
            assertThatThrownBy(() -> old.call("GET", KEY))
                    .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("MOVED"));
            assertEveryNodeRoutesTo(cluster, RedisCluster.slot(KEY), promoted);

            RedisServer back = cluster.failover(promoted);

            assertThat(back).isSameAs(old);
            assertThat(back.call("GET", KEY)).isEqualTo("before failover");

            // The replica now won an election a moment ago; Redis 7.0 would reuse its votes (and
            // stay down) if its master failed this soon, so killMaster first waits that out.
            assertThat(cluster.killMaster(back)).isSameAs(promoted);
            assertThat(promoted.call("GET", KEY)).isEqualTo("before failover");
            assertEveryNodeRoutesTo(cluster, RedisCluster.slot(KEY), promoted);
        }
    }

    @Test
    void killMaster_promotesTheReplicaWithTheData_andTheOldMasterRejoinsAsReplica() {
        try (RedisCluster cluster = fastCluster().start()) {
            RedisServer old = cluster.nodeFor(KEY);
            RedisServer replica = cluster.replicasOf(old).get(0);
            old.call("SET", KEY, "acknowledged by the replica");
            assertThat(old.call("WAIT", "1", "5000")).isEqualTo(1L);

            RedisServer promoted = cluster.killMaster(old);

            assertThat(promoted).isSameAs(replica);
            assertThat(old.isRunning()).isFalse();
            assertThat(cluster.nodeFor(KEY)).isSameAs(promoted);
            assertThat(promoted.call("GET", KEY)).isEqualTo("acknowledged by the replica");
            assertThat(cluster.masters()).doesNotContain(old).hasSize(3);
            assertEveryNodeRoutesTo(cluster, RedisCluster.slot(KEY), promoted);

            old.resume();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.replicasOf(promoted).contains(old) && "up".equals(infoField(old, "master_link_status")));
            assertThat(cluster.nodeFor(KEY)).isSameAs(promoted);
        }
    }

    @Test
    void failover_takeover_afterTheMasterWasKilled() {
        try (RedisCluster cluster = fastCluster().start()) {
            RedisServer old = cluster.nodeFor(KEY);
            old.call("SET", KEY, "v");
            assertThat(old.call("WAIT", "1", "5000")).isEqualTo(1L);
            old.kill();

            assertThatThrownBy(() -> cluster.failover(old)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("GRACEFUL");
            RedisServer promoted = cluster.failover(old, RedisCluster.FailoverMode.TAKEOVER);

            assertThat(promoted.call("GET", KEY)).isEqualTo("v");
            assertThat(cluster.nodeFor(KEY)).isSameAs(promoted);
            assertEveryNodeRoutesTo(cluster, RedisCluster.slot(KEY), promoted);
        }
    }

    @Test
    void failover_withoutReplicaOrOfAStranger_failsAndKillsNothing() {
        try (RedisCluster cluster = RedisCluster.builder().start(); RedisServer stranger = RedisServer.start()) {
            RedisServer master = cluster.masters().get(0);

            assertThatThrownBy(() -> cluster.failover(master)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no running replica");
            assertThatThrownBy(() -> cluster.killMaster(master)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no running replica");
            assertThat(master.isRunning()).isTrue();
            assertThatThrownBy(() -> cluster.replicasOf(stranger))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a node of this cluster");
        }
    }

    @Test
    void startFailure_stopsEveryNodeStartedSoFar() {
        Set<Long> before = redisChildren();

        assertThatThrownBy(() -> RedisCluster.builder().replicasPerMaster(1).readyTimeout(Duration.ofMillis(1)).start())
                .isInstanceOf(IllegalStateException.class);

        assertThat(redisChildren()).isSubsetOf(before);
    }

    @Test
    void builder_rejectsBadSettingsByName() {
        assertThatThrownBy(() -> RedisCluster.builder().replicasPerMaster(-1)).hasMessageContaining("replicasPerMaster");
        assertThatThrownBy(() -> RedisCluster.builder().nodeTimeout(Duration.ZERO)).hasMessageContaining("nodeTimeout");
    }

    /** Every running node's CLUSTER SLOTS names {@code owner} first for {@code slot}. */
    static void assertEveryNodeRoutesTo(RedisCluster cluster, int slot, RedisServer owner) {
        for (RedisServer node : cluster.nodes()) {
            if (!node.isRunning()) {
                continue;
            }
            List<?> ranges = (List<?>) node.call("CLUSTER", "SLOTS");
            List<Long> ports = ranges.stream().map(r -> (List<?>) r)
                    .filter(r -> (Long) r.get(0) <= slot && slot <= (Long) r.get(1))
                    .map(r -> (Long) ((List<?>) r.get(2)).get(1))
                    .collect(Collectors.toList());
            assertThat(ports).as("master of slot %s according to %s", slot, node).containsExactly((long) owner.port());
        }
    }

    static String infoField(RedisServer server, String field) {
        try (RespClient client = server.client()) {
            return client.info("replication", field);
        }
    }

    /** The pids of this JVM's live child processes that run Redis. */
    static Set<Long> redisChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("redis")).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
