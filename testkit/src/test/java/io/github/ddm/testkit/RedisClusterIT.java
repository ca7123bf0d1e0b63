package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.testkit.junit.RedisClusterExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisClusterIT {

    private static final String TWO_KEY_SCRIPT =
            "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return redis.call('MGET', KEYS[1], KEYS[2])";

    @RegisterExtension
    static final RedisClusterExtension cluster = RedisClusterExtension.create();

    @Test
    void cluster_hasThreeMastersCoveringEverySlot() {
        RedisCluster redis = cluster.server();
        assertThat(redis.nodes()).hasSize(3);
        for (RedisServer node : redis.nodes()) {
            try (RespClient client = node.client()) {
                String info = client.callString("CLUSTER", "INFO");
                assertThat(info).contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:3", "cluster_size:3");
            }
        }
        assertThat(redis.nodeUris()).allMatch(uri -> uri.startsWith("redis://127.0.0.1:"));
    }

    @Test
    void slot_matchesClusterKeyslot() {
        RedisServer node = cluster.server().nodes().get(0);
        for (String key : List.of("a", "ddm:{orders:book}:s:BTC", "{user1000}.following", "foo{}{bar}", "{}x", "ü-key")) {
            assertThat((long) RedisCluster.slot(key)).as(key).isEqualTo(node.call("CLUSTER", "KEYSLOT", key));
        }
    }

    @Test
    void multiKeyCommand_acrossSlots_failsWithCrossslot() {
        String a = "ddm:{orders:book}:log";
        String b = "ddm:{orders:trades}:log";
        assertThat(RedisCluster.slot(a)).isNotEqualTo(RedisCluster.slot(b));
        RedisServer owner = cluster.server().nodeFor(a);

        assertThatThrownBy(() -> owner.call("EVAL", TWO_KEY_SCRIPT, "2", a, b, "v"))
                .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("CROSSSLOT"));
        assertThatThrownBy(() -> owner.call("MSET", a, "1", b, "2"))
                .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("CROSSSLOT"));
    }

    @Test
    void multiKeyScript_underOneHashTag_succeedsOnTheOwningNode() {
        String a = "ddm:{orders:book}:s:BTC-USD";
        String b = "ddm:{orders:book}:log";
        RedisServer owner = cluster.server().nodeFor(a);

        assertThat(owner.call("EVAL", TWO_KEY_SCRIPT, "2", a, b, "v")).isEqualTo(List.of("v", "v"));

        RedisServer other = cluster.server().nodes().stream().filter(n -> n != owner).findFirst().orElseThrow();
        assertThatThrownBy(() -> other.call("GET", a))
                .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("MOVED"));
    }

    @Test
    void flushBetweenTests_leavesEveryNodeEmpty() {
        // The extension flushed every node before this test, whatever earlier tests wrote.
        for (RedisServer node : cluster.server().nodes()) {
            assertThat(node.call("DBSIZE")).isEqualTo(0L);
        }
    }

    @Test
    void javaJoin_formsAWorkingClusterWithoutRedisCli() {
        try (RedisCluster meet = RedisCluster.builder().join(RedisCluster.Join.CLUSTER_MEET).start()) {
            assertThat(meet.joinedWith()).isEqualTo(RedisCluster.Join.CLUSTER_MEET);
            String key = "ddm:{p:s}:epoch";
            RedisServer owner = meet.nodeFor(key);
            assertThat(owner.call("SET", key, "e1")).isEqualTo("OK");
            assertThat(owner.call("GET", key)).isEqualTo("e1");
        }
    }

    @Test
    void autoJoin_usesRedisCliWhereInstalled() {
        RedisCluster.Join expected = RedisBinaries.redisCli().isPresent() ? RedisCluster.Join.REDIS_CLI : RedisCluster.Join.CLUSTER_MEET;
        assertThat(cluster.server().joinedWith()).isEqualTo(expected);
    }

    @Test
    void builder_rejectsFewerThanThreeMasters() {
        assertThatThrownBy(() -> RedisCluster.builder().masters(2)).hasMessageContaining("at least 3 masters");
    }
}
