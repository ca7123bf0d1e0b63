package io.github.ddm;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link DocumentManager}'s counters to Micrometer. Optional: DDM depends on Micrometer
 * only for this class, so applications that want metrics add {@code io.micrometer:micrometer-core}
 * and bind each manager; others never load it.
 *
 * <pre>{@code
 * new DdmMetrics(manager).bindTo(meterRegistry);
 * }</pre>
 *
 * <p>Every meter is tagged {@code partition}, {@code section} and {@code node} (the origin's node). Counters read
 * {@link DocumentManager#stats()} when the registry polls, so they cost nothing on the hot path;
 * {@code ddm.apply.lag} is recorded per delivered change. See docs/operations.md for the list.
 *
 * <p>Thread-safe.
 */
public final class DdmMetrics implements MeterBinder {

    private final DocumentManager<?> manager;
    private final Clock clock;

    /** Metrics of {@code manager}; apply lag is measured with the system clock. */
    public DdmMetrics(DocumentManager<?> manager) {
        this(manager, Clock.systemUTC());
    }

    /** Metrics of {@code manager}, measuring apply lag with {@code clock}. */
    public DdmMetrics(DocumentManager<?> manager, Clock clock) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        manager.countHits();
        Tags tags = Tags.of("partition", manager.partition(), "section", manager.section(), "node", manager.origin().node());
        counter(registry, tags, "ddm.cache.hits", "reads answered by the local cache", ManagerStats::cacheHits);
        counter(registry, tags, "ddm.cache.misses", "reads the local cache could not answer", ManagerStats::cacheMisses);
        counter(registry, tags, "ddm.cache.loads", "documents read from Redis", ManagerStats::loads);
        counter(registry, tags, "ddm.commits", "changes committed by this node", ManagerStats::commits);
        counter(registry, tags, "ddm.conflicts", "compare-and-set attempts that found a newer version (retried)", ManagerStats::conflicts);
        counter(registry, tags, "ddm.changes.received", "change messages received", ManagerStats::received);
        counter(registry, tags, "ddm.changes.delivered", "changes delivered to cache, buffer and listeners", ManagerStats::delivered);
        counter(registry, tags, "ddm.changes.applied", "changes that moved a cached document forward", ManagerStats::applied);
        counter(registry, tags, "ddm.changes.duplicates", "changes dropped as already delivered", ManagerStats::duplicates);
        counter(registry, tags, "ddm.changes.malformed", "messages that were not valid change events", ManagerStats::malformed);
        counter(registry, tags, "ddm.changes.dropped", "live messages dropped because the apply queue was full", ManagerStats::overflowDrops);
        counter(registry, tags, "ddm.gaps", "changes that did not follow the last delivered version", ManagerStats::gaps);
        counter(registry, tags, "ddm.repairs", "catch-ups from the section log", ManagerStats::catchUps);
        counter(registry, tags, "ddm.repairs.entries", "log entries read by catch-ups", ManagerStats::catchUpEntries);
        counter(registry, tags.and("reason", "log_trimmed"), "ddm.reloads", "cached documents dropped to be read again", ManagerStats::sectionReloads);
        counter(registry, tags.and("reason", "unrepairable_gap"), "ddm.reloads", "cached documents dropped to be read again", ManagerStats::resyncs);
        counter(registry, tags.and("reason", "version_drift"), "ddm.reloads", "cached documents dropped to be read again", ManagerStats::driftRepairs);
        counter(registry, tags, "ddm.version.checks", "periodic version checks", ManagerStats::versionChecks);
        counter(registry, tags, "ddm.resubscribes", "times pub/sub came back after a lost connection", ManagerStats::resubscribes);
        counter(registry, tags, "ddm.epoch.changes", "times Redis lost the section's data", ManagerStats::epochChanges);
        counter(registry, tags, "ddm.listener.failures", "listener calls that threw", ManagerStats::listenerFailures);
        counter(registry, tags, "ddm.region.conflicts", "conflicts between regions resolved by the changes received",
                ManagerStats::regionConflicts);
        String notices = "what this region's sink reported doing with other regions' changes";
        counter(registry, tags.and("kind", "lineage_changed"), "ddm.region.notices", notices, ManagerStats::regionLineageChanges);
        counter(registry, tags.and("kind", "redelivered"), "ddm.region.notices", notices, ManagerStats::regionRedeliveries);
        counter(registry, tags.and("kind", "skipped"), "ddm.region.notices", notices, ManagerStats::regionSkipped);
        counter(registry, tags.and("kind", "repair_requested"), "ddm.region.notices", notices, ManagerStats::regionRepairRequests);
        counter(registry, tags.and("form", "patch"), "ddm.bytes.published", "bytes of the change events this node's updates published", ManagerStats::eventBytes);
        counter(registry, tags.and("form", "full"), "ddm.bytes.published", "bytes the same updates would take as full documents", ManagerStats::fullDocumentBytes);

        gauge(registry, tags, "ddm.cache.size", "documents in the local cache", ManagerStats::cachedDocuments);
        gauge(registry, tags, "ddm.buffer.size", "changes in the change buffer", ManagerStats::bufferedChanges);
        Gauge.builder("ddm.pending", manager, m -> m.engine().pendingChanges())
                .description("received changes waiting to be applied").tags(tags).register(registry);

        Timer lag = Timer.builder("ddm.apply.lag")
                .description("from a change's commit (writer's clock) until this node delivered it")
                .tags(tags)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        manager.engine().observeDeliveries(event ->
                lag.record(Duration.ofMillis(Math.max(0, clock.millis() - event.time().toEpochMilli()))));
    }

    private void counter(MeterRegistry registry, Tags tags, String name, String description, ToDoubleFunction<ManagerStats> value) {
        FunctionCounter.builder(name, manager, m -> value.applyAsDouble(m.stats())).description(description).tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, Tags tags, String name, String description, ToDoubleFunction<ManagerStats> value) {
        Gauge.builder(name, manager, m -> value.applyAsDouble(m.stats())).description(description).tags(tags).register(registry);
    }
}
