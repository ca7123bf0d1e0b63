package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A blind set that meets a newer version: last writer wins by default; a resolver can merge or reject. */
class ConflictResolverIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final String HASH = "ddm:{test:docs}:s:k";

    private RedisFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** Moves the stored document to version 2 behind the managers' backs (no broadcast), as a missed message would. */
    private void changeBehindTheCache() {
        redis.server().call("HSET", HASH, "\u0000v", "2", "count", "100", "label", "\"theirs\"");
    }

    @Test
    void set_lastWriterWinsByDefault() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "n");
        manager.set("k", new Counter(1, "first")).join();
        changeBehindTheCache();

        Versioned<Counter> written = manager.set("k", new Counter(5, "mine")).join();

        assertThat(written.version()).isEqualTo(3);
        assertThat(written.value().label).isEqualTo("mine");
        assertThat(manager.stats().conflicts()).isEqualTo(1);
        assertThat(redis.server().call("HGET", HASH, "label")).isEqualTo("\"mine\"");
    }

    @Test
    void set_resolverCanMerge() {
        DocumentManager<Counter> manager = fixture.track(fixture.builder(Counter.class, "n")
                .conflictResolver((current, proposed) -> {
                    Counter merged = new Counter(current.orElseThrow().value().count + proposed.count, proposed.label);
                    return ConflictResolver.Resolution.write(merged);
                })
                .build());
        manager.set("k", new Counter(1, "first")).join();
        changeBehindTheCache();

        Versioned<Counter> written = manager.set("k", new Counter(5, "mine")).join();

        assertThat(written.value().count).isEqualTo(105);
        assertThat(written.version()).isEqualTo(3);
    }

    @Test
    void set_resolverCanReject_andNothingIsWritten() {
        DocumentManager<Counter> manager = fixture.track(fixture.builder(Counter.class, "n")
                .conflictResolver((current, proposed) -> ConflictResolver.Resolution.reject("stale price"))
                .build());
        manager.set("k", new Counter(1, "first")).join();
        changeBehindTheCache();

        Throwable error = null;
        try {
            manager.set("k", new Counter(5, "mine")).join();
        } catch (CompletionException e) {
            error = e.getCause();
        }

        assertThat(error).isInstanceOf(ConflictRejectedException.class).hasMessageContaining("stale price");
        assertThat(redis.server().call("HGET", HASH, "\u0000v")).isEqualTo("2");
        assertThat(manager.get("k").join()).hasValueSatisfying(v -> assertThat(v.value().label).isEqualTo("theirs"));
    }

    @Test
    void update_afterAMissedChange_reRunsTheMutationOnTheNewerValue() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "n");
        manager.set("k", new Counter(1, "first")).join();
        changeBehindTheCache();

        Versioned<Counter> updated = manager.update("k", Counter::increment).join();

        assertThat(updated.value().count).as("the increment applied to 100, not to the stale 1").isEqualTo(101);
        assertThat(updated.version()).isEqualTo(3);
    }

    @Test
    void update_givesUpAfterMaxAttempts_withAVersionConflict() {
        DocumentManager<Counter> manager = fixture.track(fixture.builder(Counter.class, "n").maxWriteAttempts(3).build());
        manager.set("k", new Counter(1, "first")).join();
        long[] bump = {10};
        Throwable error = null;
        try {
            // Every run of the mutator moves the stored version first: no attempt can win.
            manager.update("k", c -> {
                redis.server().call("HSET", HASH, "\u0000v", Long.toString(bump[0]++));
                return c.increment();
            }).join();
        } catch (CompletionException e) {
            error = e.getCause();
        }
        assertThat(error).isInstanceOf(VersionConflictException.class).hasMessageContaining("3 attempts");
        assertThat(((VersionConflictException) error).attempts()).isEqualTo(3);
    }
}
