package io.github.ddm.testkit;

import static io.github.ddm.testkit.RedisClusterFailoverIT.assertEveryNodeRoutesTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SlotMigrationIT {

    private static final String PASSWORD = "mig pass";

    /** With a password, so MIGRATE must authenticate at the target; with replicas, which must follow. */
    @RegisterExtension
    static final RedisClusterExtension cluster = RedisClusterExtension.create(b -> b.replicasPerMaster(1).password(PASSWORD));

    @Test
    void migrateSlot_movesEveryKeyOfTheSlot_andTheTargetsReplicaFollows() {
        RedisCluster redis = cluster.server();
        int slot = RedisCluster.slot("{all}");
        RedisServer source = redis.nodeFor(slot);
        RedisServer target = otherMaster(redis, source);
        for (int i = 0; i < 250; i++) {
            source.call("SET", "{all}:" + i, "v" + i);
        }

        redis.migrateSlot(slot, target);

        assertThat(redis.nodeFor(slot)).isSameAs(target);
        assertEveryNodeRoutesTo(redis, slot, target);
        assertThat(countKeysInSlot(source, slot)).isZero();
        assertThat(countKeysInSlot(target, slot)).isEqualTo(250);
        assertThat(target.call("GET", "{all}:249")).isEqualTo("v249");
        try (RespClient replica = redis.replicasOf(target).get(0).client()) {
            replica.call("READONLY");
            await().atMost(Duration.ofSeconds(10)).until(() -> "v0".equals(replica.call("GET", "{all}:0")));
        }
    }

    @Test
    void pausedMigration_redirectsWithAsk_andAKeyWrittenMeanwhileEndsOnTheTarget() {
        RedisCluster redis = cluster.server();
        int slot = RedisCluster.slot("{ask}");
        RedisServer source = redis.nodeFor(slot);
        RedisServer target = otherMaster(redis, source);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keys.add("{ask}:" + i);
            source.call("SET", keys.get(i), "v" + i);
        }

        SlotMigration migration = redis.slotMigration(slot, target).start();
        assertThat(migration.state()).isEqualTo(SlotMigration.State.MIGRATING);
        assertThat(migration.moveKeys(2)).isEqualTo(2);
        assertThat(migration.keysLeft()).isEqualTo(3);

        String ask = "ASK " + slot + " 127.0.0.1:" + target.port();
        try (RespClient atSource = source.client(); RespClient atTarget = target.client()) {
            int asked = 0;
            for (int i = 0; i < keys.size(); i++) {
                try {
                    assertThat(atSource.call("GET", keys.get(i))).as("a key not moved yet is served by the source").isEqualTo("v" + i);
                } catch (RedisReplyException e) {
                    assertThat(e.getMessage()).as("a moved key").isEqualTo(ask);
                    asked++;
                }
            }
            assertThat(asked).isEqualTo(2);

            assertThatThrownBy(() -> atSource.call("SET", "{ask}:new", "n"))
                    .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.getMessage()).isEqualTo(ask));
            assertThatThrownBy(() -> atTarget.call("SET", "{ask}:new", "n"))
                    .as("the target serves the slot only after ASKING")
                    .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("MOVED"));
            atTarget.call("ASKING");
            assertThat(atTarget.call("SET", "{ask}:new", "n")).isEqualTo("OK");
        }
        assertThat(redis.nodeFor(slot)).as("the source serves the slot until finish()").isSameAs(source);

        migration.finish();

        assertThat(migration.state()).isEqualTo(SlotMigration.State.FINISHED);
        assertThat(redis.nodeFor(slot)).isSameAs(target);
        assertEveryNodeRoutesTo(redis, slot, target);
        assertThat(target.call("GET", "{ask}:new")).isEqualTo("n");
        for (int i = 0; i < keys.size(); i++) {
            assertThat(target.call("GET", keys.get(i))).isEqualTo("v" + i);
        }
        assertThatThrownBy(() -> source.call("GET", "{ask}:new"))
                .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("MOVED"));
        assertThatThrownBy(migration::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("FINISHED");
    }

    @Test
    void migration_whileAClientWrites_losesNoWrite() throws Exception {
        RedisCluster redis = cluster.server();
        int slot = RedisCluster.slot("{busy}");
        RedisServer source = redis.nodeFor(slot);
        RedisServer target = otherMaster(redis, source);
        for (int i = 0; i < 100; i++) {
            source.call("SET", "{busy}:old:" + i, "old");
        }
        RedirectingWriter writer = new RedirectingWriter(source.port());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Map<String, String>> written = executor.submit(writer::run);
            writer.awaitMoreWrites();

            SlotMigration migration = redis.slotMigration(slot, target).start();
            while (migration.moveKeys(25) > 0) {
                writer.awaitMoreWrites();
            }
            migration.finish();
            writer.awaitMoreWrites();
            writer.stop();
            Map<String, String> expected = written.get(30, TimeUnit.SECONDS);

            assertThat(writer.asks.get()).as("writes redirected by ASK during the migration").isPositive();
            assertThat(writer.moves.get()).as("writes redirected by MOVED after it").isPositive();
            // The slot holds what the writer wrote and the keys from before it never overwrote.
            Map<String, String> inSlot = new java.util.HashMap<>();
            for (int i = 0; i < 100; i++) {
                inSlot.put("{busy}:old:" + i, "old");
            }
            inSlot.putAll(expected);
            assertThat(countKeysInSlot(source, slot)).isZero();
            assertThat(countKeysInSlot(target, slot)).isEqualTo(inSlot.size());
            try (RespClient atTarget = target.client()) {
                inSlot.forEach((key, value) -> assertThat(atTarget.call("GET", key)).as(key).isEqualTo(value));
            }
        } finally {
            writer.stop();
            executor.shutdownNow();
        }
    }

    @Test
    void slotMigration_refusesBadTargetsAndSteps() {
        RedisCluster redis = cluster.server();
        int slot = RedisCluster.slot("{bad}");
        RedisServer owner = redis.nodeFor(slot);

        assertThatThrownBy(() -> redis.slotMigration(slot, owner)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already serves slot " + slot);
        assertThatThrownBy(() -> redis.slotMigration(16_384, owner)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..16383");
        RedisServer replica = redis.replicasOf(otherMaster(redis, owner)).get(0);
        assertThatThrownBy(() -> redis.slotMigration(slot, replica)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a master");
        SlotMigration migration = redis.slotMigration(slot, otherMaster(redis, owner));
        assertThatThrownBy(() -> migration.moveKeys(1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("NEW");
        assertThatThrownBy(() -> migration.moveKeys(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(redis.nodeFor(slot)).isSameAs(owner);
    }

    private static RedisServer otherMaster(RedisCluster redis, RedisServer master) {
        return redis.masters().stream().filter(m -> m != master).findFirst().orElseThrow();
    }

    private static long countKeysInSlot(RedisServer node, int slot) {
        return (Long) node.call("CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot));
    }

    /**
     * Writes keys of slot {busy} from its own thread as a cluster client does: to the node it
     * believes serves the slot, following MOVED (for good) and ASK (for one command, after ASKING).
     * Every third write overwrites one of the keys written before the migration.
     */
    private static final class RedirectingWriter {
        final AtomicInteger asks = new AtomicInteger();
        final AtomicInteger moves = new AtomicInteger();
        private final AtomicInteger writes = new AtomicInteger();
        private final Map<Integer, RespClient> connections = new HashMap<>();
        private volatile boolean stopped;
        private volatile boolean finished;
        private int owner;

        RedirectingWriter(int owner) {
            this.owner = owner;
        }

        Map<String, String> run() {
            Map<String, String> written = new LinkedHashMap<>();
            try {
                for (int i = 0; !stopped; i++) {
                    String key = i % 3 == 0 ? "{busy}:old:" + (i % 100) : "{busy}:new:" + i;
                    String value = "w" + i;
                    set(key, value);
                    written.put(key, value);
                    writes.incrementAndGet();
                }
            } finally {
                finished = true;
                connections.values().forEach(RespClient::close);
            }
            return written;
        }

        private void set(String key, String value) {
            for (int redirects = 0; redirects < 5; redirects++) {
                try {
                    connection(owner).call("SET", key, value);
                    return;
                } catch (RedisReplyException e) {
                    int port = Integer.parseInt(e.getMessage().substring(e.getMessage().lastIndexOf(':') + 1));
                    if (e.code().equals("MOVED")) {
                        moves.incrementAndGet();
                        owner = port;
                    } else if (e.code().equals("ASK")) {
                        asks.incrementAndGet();
                        RespClient target = connection(port);
                        target.call("ASKING");
                        target.call("SET", key, value);
                        return;
                    } else {
                        throw e;
                    }
                }
            }
            throw new IllegalStateException("too many redirects for " + key);
        }

        private RespClient connection(int port) {
            return connections.computeIfAbsent(port, p -> RespClient.connect("127.0.0.1", p, Duration.ofSeconds(5)).auth(null, PASSWORD));
        }

        /**
         * Waits until the writer has written 20 more keys, so that writes land between migration
         * steps, or has failed (its future then says why).
         */
        void awaitMoreWrites() {
            int seen = writes.get();
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> writes.get() >= seen + 20 || finished);
        }

        void stop() {
            stopped = true;
        }
    }
}
