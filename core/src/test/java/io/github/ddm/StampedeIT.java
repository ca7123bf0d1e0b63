package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cold key read by many callers at once is loaded from Redis exactly once. */
class StampedeIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private RedisFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void get_manyConcurrentCallersOfAColdKey_causeExactlyOneLoad() throws Exception {
        DocumentManager<Counter> writer = fixture.manager(Counter.class, "writer");
        writer.set("hot", new Counter(42, "hot")).join();
        DocumentManager<Counter> reader = fixture.manager(Counter.class, "reader");
        reader.get("warm-up").join(); // the load script is now in Redis's script cache
        int callers = 64;
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try (RespClient admin = redis.server().client()) {
            admin.call("CONFIG", "RESETSTAT");
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Optional<Versioned<Counter>>>> results = new ArrayList<>();
            List<CompletableFuture<Void>> submitted = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                CompletableFuture<Optional<Versioned<Counter>>> result = new CompletableFuture<>();
                results.add(result);
                submitted.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                        reader.get("hot").whenComplete((v, e) -> {
                            if (e != null) {
                                result.completeExceptionally(e);
                            } else {
                                result.complete(v);
                            }
                        });
                    } catch (InterruptedException e) {
                        result.completeExceptionally(e);
                    }
                }, threads));
            }
            start.countDown();
            CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).join();

            for (CompletableFuture<Optional<Versioned<Counter>>> result : results) {
                assertThat(result.join()).hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(42));
            }
            assertThat(ServerStats.scriptCalls(admin)).as("scripts run by the server for %d concurrent reads", callers).isEqualTo(1);
            assertThat(reader.stats().loads()).isEqualTo(2); // the warm-up and the 64 concurrent reads
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void get_hit_doesNoIo() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "n");
        manager.set("k", new Counter(1, "one")).join();
        try (RespClient admin = redis.server().client()) {
            admin.call("CONFIG", "RESETSTAT");
            for (int i = 0; i < 1_000; i++) {
                assertThat(manager.get("k").join()).isPresent();
            }
            assertThat(ServerStats.scriptCalls(admin)).isZero();
            String calls = admin.info("stats", "total_commands_processed");
            // Only this INFO call and the RESETSTAT (commands counted after the reset) reach the server.
            assertThat(Long.parseLong(calls)).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void getCached_copyOnRead_handsOutPrivateCopies() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "n");
        manager.set("k", new Counter(1, "one")).join();

        Counter first = manager.getCached("k").orElseThrow().value();
        first.count = 1_000; // a caller scribbling on its copy
        Counter second = manager.get("k").join().orElseThrow().value();

        assertThat(second).isNotSameAs(first);
        assertThat(second.count).isEqualTo(1);
    }
}
