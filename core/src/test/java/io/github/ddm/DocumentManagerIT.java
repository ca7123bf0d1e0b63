package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DocumentManagerIT {

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
    void setGetUpdateDelete_roundTrip() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");

        assertThat(a.get("c1").join()).isEmpty();
        Versioned<Counter> created = a.set("c1", new Counter(1, "one")).join();
        assertThat(created.version()).isEqualTo(1);
        Versioned<Counter> updated = a.update("c1", Counter::increment).join();
        assertThat(updated.version()).isEqualTo(2);
        assertThat(updated.value().count).isEqualTo(2);
        assertThat(a.get("c1").join()).hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(2));

        assertThat(a.delete("c1").join()).isTrue();
        assertThat(a.get("c1").join()).isEmpty();
        Versioned<Counter> recreated = a.set("c1", new Counter(10, "again")).join();
        assertThat(recreated.version()).as("versions are never reused").isEqualTo(4);
    }

    @Test
    void otherManagersCache_followsChanges() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");
        DocumentManager<Counter> b = fixture.manager(Counter.class, "b");
        a.set("k", new Counter(1, "x")).join();
        assertThat(b.get("k").join()).isPresent();

        a.update("k", Counter::increment).join();

        await().atMost(Duration.ofSeconds(10)).until(() -> b.getCached("k").map(v -> v.version()).orElse(0L) == 2L);
        Optional<Versioned<Counter>> seen = b.getCached("k");
        assertThat(seen).hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(2));
        assertThat(b.stats().loads()).as("b moved by patch, without reloading").isEqualTo(1);
    }

    @Test
    void scriptsFlushedFromRedis_areLoadedAgain() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");
        a.set("k", new Counter(1, "x")).join();
        redis.server().call("SCRIPT", "FLUSH");

        assertThat(a.update("k", Counter::increment).join().version()).isEqualTo(2);
        a.invalidate("k");
        assertThat(a.get("k").join()).hasValueSatisfying(v -> assertThat(v.value().count).isEqualTo(2));
    }

    @Test
    void sharedValues_areHandedOutAsTheSameImmutableInstance() throws Exception {
        DocumentManager<Level> levels = fixture.track(fixture.builder(Level.class, "a").valueSharing(ValueSharing.SHARED).build());
        levels.set("l", new Level(100, java.util.List.of(1L, 2L))).join();

        Versioned<Level> first = levels.get("l").join().orElseThrow();
        Versioned<Level> second = levels.get("l").join().orElseThrow();
        assertThat(second).isSameAs(first);

        Versioned<Level> updated = levels.update("l", l -> new Level(l.price(), java.util.List.of(3L))).join();
        assertThat(updated.value().quantities()).containsExactly(3L);
        assertThat(first.value().quantities()).as("the old shared value is untouched").containsExactly(1L, 2L);
    }

    @Test
    void sharedValues_readFromRedis_commitOnlyWhatChanged() {
        // Long members that fit an int: Redis gives them back as ints, the typed value's tree as longs.
        DocumentManager<Level> writer = fixture.track(fixture.builder(Level.class, "a").valueSharing(ValueSharing.SHARED).build());
        DocumentManager<Level> other = fixture.track(fixture.builder(Level.class, "b").valueSharing(ValueSharing.SHARED).build());
        writer.set("l", new Level(100, java.util.List.of(1L, 2L))).join();

        other.update("l", l -> new Level(l.price(), java.util.List.of(1L, 3L))).join();

        io.github.ddm.schema.ChangeEvent committed = other.bufferedChanges("l").get(other.bufferedChanges("l").size() - 1);
        assertThat(committed.version()).isEqualTo(2);
        assertThat(committed.patch().toString()).as("only the changed element, no rewrite of equal numbers")
                .isEqualTo("[{\"op\":\"replace\",\"path\":\"/quantities/1\",\"value\":3}]");
    }

    /** An immutable document type. */
    public record Level(long price, java.util.List<Long> quantities) {
        public Level {
            quantities = java.util.List.copyOf(quantities);
        }
    }

    @Test
    void close_unsubscribes_andIsIdempotent() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");
        DocumentManager<Counter> b = fixture.manager(Counter.class, "b");
        a.set("k", new Counter(1, "x")).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.stats().received() == 1);

        b.close();
        b.close();
        a.update("k", Counter::increment).join();
        a.update("k", Counter::increment).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().received() == 3);

        assertThat(b.stats().received()).as("a closed manager hears nothing").isEqualTo(1);
        assertThat(Long.parseLong(((String) redis.server().call("PUBSUB", "NUMSUB", "ddm:{test:docs}:ch").toString()
                .replaceAll(".*, (\\d+)\\]", "$1")))).as("subscribers left on the channel").isEqualTo(1);
    }

    @Test
    void close_letsWritesInFlightFinish() {
        DocumentManager<Counter> a = fixture.manager(Counter.class, "a");
        a.set("k", new Counter(0, "x")).join();
        java.util.List<java.util.concurrent.CompletableFuture<Versioned<Counter>>> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            writes.add(a.update("k", Counter::increment));
        }

        a.close();

        assertThat(writes).allSatisfy(w -> assertThat(w).isCompleted());
        assertThat(writes.get(49).join().version()).isEqualTo(51);
        assertThat(redis.server().call("HGET", "ddm:{test:docs}:s:k", "count")).isEqualTo("50");
    }
}
