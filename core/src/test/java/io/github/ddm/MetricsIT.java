package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Micrometer binding publishes what the manager counts, tagged with its section. */
class MetricsIT {

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
    void metrics_followTheManager() {
        DocumentManager<Counter> writer = fixture.manager(Counter.class, "w");
        DocumentManager<Counter> reader = fixture.manager(Counter.class, "r");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DdmMetrics(writer).bindTo(registry);
        new DdmMetrics(reader).bindTo(registry);

        writer.set("k", new Counter(0, "x")).join();
        for (int i = 0; i < 10; i++) {
            writer.update("k", Counter::increment).join();
        }
        reader.get("k").join();
        reader.get("k").join();
        await().atMost(Duration.ofSeconds(10)).until(() -> reader.stats().delivered() == 11);

        assertThat(registry.get("ddm.commits").tag("section", "docs").functionCounters())
                .anySatisfy(c -> assertThat(c.count()).isEqualTo(11));
        assertThat(registry.get("ddm.cache.hits").functionCounters()).anySatisfy(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
        assertThat(registry.get("ddm.cache.misses").functionCounters()).anySatisfy(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
        assertThat(registry.get("ddm.changes.delivered").functionCounters()).allSatisfy(c -> assertThat(c.count()).isEqualTo(11));
        double patch = registry.get("ddm.bytes.published").tag("form", "patch").functionCounters().stream()
                .mapToDouble(c -> c.count()).sum();
        double full = registry.get("ddm.bytes.published").tag("form", "full").functionCounters().stream()
                .mapToDouble(c -> c.count()).sum();
        assertThat(patch).isPositive();
        assertThat(full).isPositive();
        assertThat(registry.get("ddm.apply.lag").timers()).allSatisfy(t -> assertThat(t.count()).isEqualTo(11));
        assertThat(registry.get("ddm.cache.size").gauges()).allSatisfy(g -> assertThat(g.value()).isGreaterThanOrEqualTo(1));
        assertThat(registry.get("ddm.pending").gauges()).isNotEmpty();

        // A notice of this region's sink is counted by kind.
        SectionStore.open(fixture.client(), "ddm", new SectionId("test", "docs")).notice(new RegionNotice(
                RegionNotice.Kind.SKIPPED, new SectionId("test", "docs"), "k", "us", "did not fit", java.time.Instant.now())).join();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(registry.get("ddm.region.notices").tag("kind", "skipped").functionCounters())
                        .hasSize(2).allSatisfy(c -> assertThat(c.count()).isEqualTo(1)));
        assertThat(registry.get("ddm.region.notices").tag("kind", "redelivered").functionCounters())
                .allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(registry.get("ddm.region.conflicts").functionCounters()).hasSize(2);
    }
}
