package io.github.ddm;

import static io.github.ddm.FailedFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One conversion per hop (issue 11): what a write returns with {@code COPY_ON_READ}, what the
 * receive path caches without mapping it first, and the remembered trees of hot keys across a
 * data loss.
 */
class WritePathIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final String HASH = "ddm:{test:docs}:s:";
    private static final Duration NEVER = Duration.ofHours(1);

    private RedisFixture fixture;

    /** A looser shape of {@link Counter}: {@code count} may hold anything. */
    public static class Loose {
        public Object count;
        public String label;
        public Object tags;
    }

    @BeforeEach
    void setUp() {
        redis.server().flushAll();
        fixture = new RedisFixture(redis.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void update_copyOnRead_returnsTheMutationsOwnValue_whileReadsGetFreshCopies() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "n1");
        manager.set("k", new Counter(1, "a")).join();
        AtomicReference<Counter> produced = new AtomicReference<>();

        Versioned<Counter> updated = manager.update("k", c -> {
            c.count++;
            produced.set(c);
            return c;
        }).join();

        assertThat(updated.version()).isEqualTo(2);
        assertThat(updated.value()).as("the mutation's own result, not a copy read back").isSameAs(produced.get());
        Versioned<Counter> read = manager.getCached("k").orElseThrow();
        assertThat(read.value()).isNotSameAs(updated.value());
        assertThat(read.value().count).isEqualTo(2);
        updated.value().count = 99;
        assertThat(manager.getCached("k").orElseThrow().value().count).as("the cache keeps its own bytes").isEqualTo(2);

        Versioned<Counter> unchanged = manager.update("k", c -> {
            produced.set(c);
            return c;
        }).join();
        assertThat(unchanged.version()).as("nothing changed, nothing committed").isEqualTo(2);
        assertThat(unchanged.value()).isSameAs(produced.get());
    }

    @Test
    void set_copyOnRead_returnsTheValueSet() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "n1");
        Counter created = new Counter(5, "x");
        Counter replaced = new Counter(6, "y");

        assertThat(manager.set("k", created).join().value()).isSameAs(created);
        assertThat(manager.set("k", replaced).join().value()).isSameAs(replaced);
        assertThat(manager.get("k").join()).hasValueSatisfying(v -> {
            assertThat(v.version()).isEqualTo(2);
            assertThat(v.value()).isNotSameAs(replaced);
            assertThat(v.value().count).isEqualTo(6);
        });
    }

    @Test
    void receivedChangeThatDoesNotMapToTheType_copyOnRead_failsReadsNamingKeyAndType_andCommitsNothing() {
        DocumentManager<Counter> reader = fixture.track(fixture.builder(Counter.class, "reader")
                .checkIntervals(NEVER, NEVER, NEVER).build());
        DocumentManager<Loose> other = fixture.track(fixture.builder(Loose.class, "other")
                .checkIntervals(NEVER, NEVER, NEVER).build());
        reader.set("k", new Counter(1, "a")).join();
        assertThat(reader.getCached("k")).isPresent();

        // Another writer, with a looser type, stores what Counter cannot hold. COPY_ON_READ keeps the
        // changed bytes without mapping them first; the first read maps them, and fails.
        other.update("k", l -> {
            l.count = "many";
            return l;
        }).join();

        // Delivered: the echo of the reader's own create, and the other writer's change.
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.stats().delivered() == 2);
        Throwable read = catchThrowable(() -> reader.getCached("k"));
        assertThat(read).isInstanceOf(CorruptDocumentException.class)
                .hasMessageContaining("test/docs/k").hasMessageContaining(HASH + "k").hasMessageContaining(Counter.class.getName());
        assertThat(failure(reader.get("k"))).isInstanceOf(CorruptDocumentException.class);
        assertThat(failure(reader.update("k", Counter::increment))).isInstanceOf(CorruptDocumentException.class);
        assertThat(redis.server().call("HGET", HASH + "k", "\u0000v")).as("nothing committed").isEqualTo("2");
        assertThat(reader.stats().gaps()).isZero();
    }

    @Test
    void hotKeyTreeFromBeforeADataLoss_isNeverTheBaseOfADiff() {
        // The writer remembers the tree of its last commit of k: version 3 of the first epoch.
        DocumentManager<Counter> writer = fixture.track(fixture.builder(Counter.class, "writer")
                .checkIntervals(NEVER, NEVER, NEVER).build());
        writer.set("k", new Counter(1, "a")).join();
        writer.update("k", Counter::increment).join();
        assertThat(writer.update("k", Counter::increment).join().version()).isEqualTo(3);

        // Redis loses the section; another node writes k again, up to version 3 of a new epoch.
        redis.server().flushAll();
        DocumentManager<Counter> other = fixture.track(fixture.builder(Counter.class, "other")
                .checkIntervals(NEVER, NEVER, NEVER).build());
        other.set("k", new Counter(28, "b")).join();
        other.update("k", Counter::increment).join();
        assertThat(other.update("k", Counter::increment).join().version()).isEqualTo(3);
        await("the writer notices the loss").atMost(Duration.ofSeconds(10))
                .until(() -> writer.stats().epochChanges() == 1 && writer.getCached("k").isEmpty());

        // Same version number, other content: diffing against the old tree would commit only /count
        // (which the old tree has as 3) and leave the label at "b" in Redis while caching "a".
        Versioned<Counter> relabelled = writer.update("k", c -> {
            c.label = "a";
            return c;
        }).join();

        assertThat(relabelled.version()).isEqualTo(4);
        assertThat(relabelled.value().count).isEqualTo(30);
        assertThat(redis.server().call("HGET", HASH + "k", "label")).isEqualTo("\"a\"");
        assertThat(redis.server().call("HGET", HASH + "k", "count")).isEqualTo("30");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(other.getCached("k")).hasValueSatisfying(v -> {
            assertThat(v.version()).isEqualTo(4);
            assertThat(v.value().label).isEqualTo("a");
            assertThat(v.value().count).isEqualTo(30);
        }));
    }
}
