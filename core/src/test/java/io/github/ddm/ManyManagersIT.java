package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's scale in a small form: many managers on one {@link SyncService} share its client and
 * its threads, and every one of them still receives every change. Asserts counts and delivery,
 * never speed (the benchmarks module measures that).
 */
class ManyManagersIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** A small document. */
    public record Counter(long n) {
    }

    /**
     * 150 managers, each on its own section, on one service: two channels each (changes and
     * notices) make 300 subscriptions, more than Redisson's default pub/sub pool holds (50
     * connections of 5); DDM's own threads stay those of one pool.
     */
    @Test
    void manyManagers_onOneService_shareOneClientAndOnePool_andEachReceivesItsSection() {
        int managers = 150;
        Set<Thread> before = ddmThreads();
        try (SyncService sync = SyncService.builder().redis(deployment()).build();
             SyncService writers = SyncService.builder().redis(deployment()).build()) {
            List<DocumentManager<Counter>> readers = new ArrayList<>();
            List<AtomicInteger> received = new ArrayList<>();
            for (int i = 0; i < managers; i++) {
                DocumentManager<Counter> reader = DocumentManager.builder(Counter.class).syncService(sync)
                        .section("scale", "s" + i).origin("local", "reader").build();
                AtomicInteger count = new AtomicInteger();
                reader.addListener(event -> count.incrementAndGet());
                reader.get("k").join(); // cached (absent) so that the change is applied, not only announced
                readers.add(reader);
                received.add(count);
                if (i == 0) {
                    assertThat(newDdmThreads(before)).as("threads after the first manager").isLessThanOrEqualTo(poolSize() + 1);
                }
            }
            assertThat(newDdmThreads(before)).as("DDM's threads with %d managers on one service", managers)
                    .isLessThanOrEqualTo(poolSize() + 1);

            for (int i = 0; i < managers; i++) {
                DocumentManager<Counter> writer = DocumentManager.builder(Counter.class).syncService(writers)
                        .section("scale", "s" + i).origin("local", "writer").build();
                writer.set("k", new Counter(i)).join();
            }
            await("every manager received its section's change").atMost(Duration.ofSeconds(30))
                    .until(() -> received.stream().allMatch(count -> count.get() == 1));
            for (int i = 0; i < managers; i++) {
                int n = i;
                assertThat(readers.get(i).getCached("k")).as("s%d cached", i)
                        .hasValueSatisfying(v -> assertThat(v.value().n()).isEqualTo(n));
            }
            assertThat(newDdmThreads(before)).as("DDM's threads with %d readers and %d writers on two services", managers, managers)
                    .isLessThanOrEqualTo(2 * (poolSize() + 1));
            assertThat(sync.managers()).hasSize(managers);
        }
        assertThat(newDdmThreads(before)).as("every DDM thread stopped with its service").isZero();
    }

    /** 100 managers of one section on one client: one channel, every manager's cache follows every change. */
    @Test
    void hundredManagers_onOneChannel_allFollowEveryChange() {
        int managers = 100;
        try (SyncService sync = SyncService.builder().redis(deployment()).build();
             DocumentManager<Counter> writer = DocumentManager.builder(Counter.class).redisUri(redis.server().uri())
                     .section("scale", "shared").origin("local", "writer").build()) {
            List<DocumentManager<Counter>> readers = new ArrayList<>();
            for (int i = 0; i < managers; i++) {
                DocumentManager<Counter> reader = DocumentManager.builder(Counter.class).syncService(sync)
                        .section("scale", "shared").origin("local", "reader-" + i).build();
                reader.get("k").join(); // cached (absent) so that changes are applied, not only invalidated
                readers.add(reader);
            }
            for (long n = 1; n <= 20; n++) {
                writer.set("k", new Counter(n)).join();
            }
            await("every manager's cache at v20").atMost(Duration.ofSeconds(30)).until(() -> readers.stream()
                    .allMatch(reader -> reader.getCached("k").map(Versioned::version).orElse(0L) == 20L));
            assertThat(readers).allSatisfy(reader -> assertThat(reader.getCached("k").orElseThrow().value().n()).isEqualTo(20));
        }
    }

    @Test
    void aManagerWithoutClient_needsAServiceWithOne() {
        try (SyncService bare = SyncService.builder().build()) {
            assertThatThrownBy(() -> DocumentManager.builder(Counter.class).syncService(bare)
                    .section("scale", "x").origin("local", "n").build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("set exactly one of redisson(...), redis(...) and redisUri(...)")
                    .hasMessageContaining("syncService(...) built with a Redis client");
        }
    }

    private static RedisDeployment deployment() {
        return RedisDeployment.single(redis.server().uri()).build();
    }

    private static int poolSize() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private static Set<Thread> ddmThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("ddm-"))
                .collect(Collectors.toSet());
    }

    /** DDM's threads alive now that were not alive at {@code before} (other tests' leftovers do not count). */
    private static long newDdmThreads(Set<Thread> before) {
        return ddmThreads().stream().filter(thread -> !before.contains(thread)).count();
    }
}
