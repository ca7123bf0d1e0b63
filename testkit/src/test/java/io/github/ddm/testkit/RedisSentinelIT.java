package io.github.ddm.testkit;

import static io.github.ddm.testkit.RedisClusterFailoverIT.infoField;
import static io.github.ddm.testkit.RedisClusterFailoverIT.redisChildren;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RedisSentinelIT {

    @Test
    void start_replicaInSync_andEverySentinelNamesTheMaster() {
        try (RedisSentinel redis = RedisSentinel.start()) {
            RedisServer master = redis.master();
            assertThat(master).isSameAs(redis.nodes().get(0));
            assertThat(redis.replicas()).containsExactly(redis.nodes().get(1));
            assertThat(redis.masterName()).isEqualTo("mymaster");
            assertThat(redis.sentinelUris()).hasSize(3).allMatch(uri -> uri.matches("redis://127\\.0\\.0\\.1:\\d+"));
            assertThat(redis.sentinelAddresses()).extracting(InetSocketAddress::getPort).doesNotHaveDuplicates();
            for (InetSocketAddress sentinel : redis.sentinelAddresses()) {
                assertThat(masterAddress(sentinel, "mymaster")).isEqualTo(master.port());
                Map<String, String> state = sentinelMaster(sentinel, "mymaster");
                assertThat(state).containsEntry("quorum", "2").containsEntry("num-other-sentinels", "2")
                        .containsEntry("num-slaves", "1").containsEntry("down-after-milliseconds", "1000");
            }
            RedisServer replica = redis.replicas().get(0);
            assertThat(infoField(replica, "master_port")).isEqualTo(Integer.toString(master.port()));
            assertThat(infoField(replica, "master_link_status")).isEqualTo("up");

            master.call("SET", "k", "v");
            assertThat(master.call("WAIT", "1", "5000")).isEqualTo(1L);
            assertThat(replica.call("GET", "k")).isEqualTo("v");
        }
    }

    @Test
    void failover_graceful_withPassword_everySentinelNamesTheNewMaster() {
        try (RedisSentinel redis = RedisSentinel.builder().masterName("orders").password("s3n tinel").start()) {
            RedisServer old = redis.master();
            RedisServer replica = redis.replicas().get(0);
            old.call("SET", "k", "before failover");
            assertThat(old.call("WAIT", "1", "5000")).isEqualTo(1L);

            RedisServer promoted = redis.failover();

            assertThat(promoted).isSameAs(replica);
            assertThat(redis.master()).isSameAs(promoted);
            for (InetSocketAddress sentinel : redis.sentinelAddresses()) {
                assertThat(masterAddress(sentinel, "orders")).isEqualTo(promoted.port());
            }
            assertThat(infoField(promoted, "role")).isEqualTo("master");
            assertThat(promoted.call("GET", "k")).isEqualTo("before failover");
            assertThat(infoField(old, "role")).isEqualTo("slave");
            assertThat(infoField(old, "master_port")).isEqualTo(Integer.toString(promoted.port()));
            assertThat(infoField(old, "master_link_status")).isEqualTo("up");
            assertThat(redis.replicas()).containsExactly(old);

            promoted.call("SET", "k", "after failover");
            RedisServer back = redis.failover();

            assertThat(back).isSameAs(old);
            assertThat(back.call("GET", "k")).isEqualTo("after failover");
        }
    }

    /** A writer writes throughout a switchover: every write the old master acknowledged is on the new one. */
    @Test
    void switchover_losesNoAcknowledgedWrite() throws Exception {
        try (RedisSentinel redis = RedisSentinel.start()) {
            RedisServer old = redis.master();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong acknowledged = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (RespClient client = old.client()) {
                    while (writing.get()) {
                        client.call("INCR", "n");
                        acknowledged.incrementAndGet();
                    }
                } catch (RuntimeException refused) {
                    // READONLY once the old master is a replica: the writer stops there
                }
            });
            writer.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.get() > 100);
            RedisServer promoted = redis.switchover();
            writing.set(false);
            writer.join(10_000);
            assertThat(promoted).isNotSameAs(old);
            assertThat(Long.parseLong(String.valueOf(promoted.call("GET", "n")))).isEqualTo(acknowledged.get());
        }
    }

    @Test
    void killMaster_sentinelsPromoteAReplica_andRepointTheOther() {
        try (RedisSentinel redis = RedisSentinel.builder().replicas(2).start()) {
            RedisServer old = redis.master();
            old.call("SET", "k", "acknowledged by both replicas");
            assertThat(old.call("WAIT", "2", "5000")).isEqualTo(2L);

            RedisServer promoted = redis.killMaster();

            assertThat(old.isRunning()).isFalse();
            assertThat(promoted).isNotSameAs(old).isIn(redis.nodes());
            for (InetSocketAddress sentinel : redis.sentinelAddresses()) {
                assertThat(masterAddress(sentinel, "mymaster")).isEqualTo(promoted.port());
            }
            assertThat(infoField(promoted, "role")).isEqualTo("master");
            assertThat(promoted.call("GET", "k")).isEqualTo("acknowledged by both replicas");
            List<RedisServer> replicas = redis.replicas();
            assertThat(replicas).hasSize(1).doesNotContain(old, promoted);
            assertThat(infoField(replicas.get(0), "master_port")).isEqualTo(Integer.toString(promoted.port()));
            assertThat(infoField(replicas.get(0), "master_link_status")).isEqualTo("up");
        }
    }

    @Test
    void embeddedBinary_runsTheSentinelsAndFailsOver() {
        try (SystemProperty embedded = SystemProperty.set(RedisBinaries.EMBEDDED_PROPERTY, "true")) {
            Path binary = RedisBinaries.redisServer();
            assertThat(RedisBinaries.isEmbedded(binary)).isTrue();
            try (RedisSentinel redis = RedisSentinel.start()) {
                assertThat(redis.master().version()).isEqualTo("7.0.15");
                InetSocketAddress sentinel = redis.sentinelAddresses().get(0);
                try (RespClient client = RespClient.connect(sentinel.getHostString(), sentinel.getPort(), Duration.ofSeconds(5))) {
                    assertThat(client.info("server", "redis_mode")).isEqualTo("sentinel");
                    assertThat(client.info("server", "executable")).isEqualTo(binary.toString());
                }

                RedisServer promoted = redis.failover();

                assertThat(masterAddress(sentinel, "mymaster")).isEqualTo(promoted.port());
            }
        }
    }

    @Test
    void failover_withoutReplica_failsAndKillsNothing() {
        try (RedisSentinel redis = RedisSentinel.builder().replicas(0).start()) {
            RedisServer master = redis.master();

            assertThatThrownBy(redis::failover).isInstanceOf(IllegalStateException.class).hasMessageContaining("no running replica");
            assertThatThrownBy(redis::killMaster).isInstanceOf(IllegalStateException.class).hasMessageContaining("no running replica");
            assertThat(master.isRunning()).isTrue();
        }
    }

    @Test
    void startFailure_stopsEveryProcessStartedSoFar() {
        Set<Long> before = redisChildren();

        assertThatThrownBy(() -> RedisSentinel.builder().readyTimeout(Duration.ofMillis(1)).start())
                .isInstanceOf(IllegalStateException.class);

        assertThat(redisChildren()).isSubsetOf(before);
    }

    @Test
    void builder_rejectsBadSettingsByName() {
        assertThatThrownBy(() -> RedisSentinel.builder().masterName("my master")).hasMessageContaining("masterName");
        assertThatThrownBy(() -> RedisSentinel.builder().replicas(-1)).hasMessageContaining("replicas");
        assertThatThrownBy(() -> RedisSentinel.builder().password("")).hasMessageContaining("password");
        assertThatThrownBy(() -> RedisSentinel.builder().downAfter(Duration.ZERO)).hasMessageContaining("downAfter");
    }

    private static int masterAddress(InetSocketAddress sentinel, String name) {
        try (RespClient client = RespClient.connect(sentinel.getHostString(), sentinel.getPort(), Duration.ofSeconds(5))) {
            List<?> address = (List<?>) client.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name);
            assertThat(address.get(0)).isEqualTo("127.0.0.1");
            return Integer.parseInt((String) address.get(1));
        }
    }

    private static Map<String, String> sentinelMaster(InetSocketAddress sentinel, String name) {
        try (RespClient client = RespClient.connect(sentinel.getHostString(), sentinel.getPort(), Duration.ofSeconds(5))) {
            List<?> fields = (List<?>) client.call("SENTINEL", "MASTER", name);
            Map<String, String> map = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                map.put((String) fields.get(i), (String) fields.get(i + 1));
            }
            return map;
        }
    }
}
