package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Listeners get one event per committed version, local or remote, in per-key order; a failing one is isolated. */
class ListenerIT {

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
    void listeners_seeEveryVersionOfEveryKey_inOrder_once_localAndRemote() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");
        DocumentManager<Counter> b = fixture.manager(Counter.class, "b");
        Map<String, List<Long>> seenByA = new ConcurrentHashMap<>();
        Map<String, List<Long>> seenByB = new ConcurrentHashMap<>();
        List<ChangeEvent> eventsOnA = new CopyOnWriteArrayList<>();
        a.addListener(e -> {
            eventsOnA.add(e);
            seenByA.computeIfAbsent(e.key().id(), k -> new CopyOnWriteArrayList<>()).add(e.version());
        });
        b.addListener(e -> seenByB.computeIfAbsent(e.key().id(), k -> new CopyOnWriteArrayList<>()).add(e.version()));
        // A failing listener registered between the others must not disturb them.
        a.addListener(e -> {
            throw new IllegalStateException("listener bug");
        });

        int keys = 10;
        int updatesPerWriter = 20;
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String id = "k" + k;
            a.set(id, new Counter(0, id)).join();
            for (int i = 0; i < updatesPerWriter; i++) {
                writes.add(a.update(id, Counter::increment));
                writes.add(b.update(id, Counter::increment));
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        long lastVersion = 1 + 2L * updatesPerWriter;

        await().atMost(Duration.ofSeconds(30)).until(() -> seenByA.values().stream().mapToInt(List::size).sum() == keys * lastVersion
                && seenByB.values().stream().mapToInt(List::size).sum() == keys * lastVersion);
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= lastVersion; v++) {
            expected.add(v);
        }
        for (int k = 0; k < keys; k++) {
            assertThat(seenByA.get("k" + k)).as("versions of k%d seen by a", k).isEqualTo(expected);
            assertThat(seenByB.get("k" + k)).as("versions of k%d seen by b", k).isEqualTo(expected);
        }
        assertThat(eventsOnA).filteredOn(e -> e.version() == 1).allSatisfy(e -> assertThat(e.op()).isEqualTo(ChangeOp.CREATE));
        assertThat(eventsOnA).filteredOn(e -> e.version() > 1).allSatisfy(e -> {
            assertThat(e.op()).isEqualTo(ChangeOp.UPDATE);
            assertThat(e.prevVersion()).isEqualTo(e.version() - 1);
            assertThat(e.patch()).isNotNull();
            assertThat(e.streamId()).isNotNull();
        });
        assertThat(eventsOnA).extracting(e -> e.origin().node()).contains("a", "b");
        assertThat(a.stats().listenerFailures()).isEqualTo(keys * lastVersion);
    }

    @Test
    void closedRegistration_getsNothingMore() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");
        List<Long> seen = new CopyOnWriteArrayList<>();
        List<Long> control = new CopyOnWriteArrayList<>();
        ListenerRegistration registration = a.addListener(e -> seen.add(e.version()));
        a.addListener(e -> control.add(e.version()));
        a.set("k", new Counter(0, "k")).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);

        registration.close();
        a.update("k", Counter::increment).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> control.size() == 2);

        assertThat(seen).containsExactly(1L);
    }
}
