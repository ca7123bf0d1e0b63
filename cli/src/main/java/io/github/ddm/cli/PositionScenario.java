package io.github.ddm.cli;

import io.github.ddm.Versioned;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.VersionVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The seed's second example: a position opened in eu and adjusted in us. One at a time, each
 * position is opened by eu's desk, seen by us's service, adjusted by us's desk, and seen by eu's
 * service; each crossing is timed, which measures the latency both ways. Both regions must end
 * with the same version and clock for every position.
 */
final class PositionScenario {

    static final String TITLE = "A position opened in eu and adjusted in us";
    static final String EU_TO_US = "eu -> us";
    static final String US_TO_EU = "us -> eu";

    private final DemoRun run;
    private final RegionChecks checks;
    private final List<Double> euToUs = new ArrayList<>();
    private final List<Double> usToEu = new ArrayList<>();

    PositionScenario(DemoRun run, RegionChecks checks) {
        this.run = run;
        this.checks = checks;
    }

    static String positionId(int i) {
        return "pos-" + i;
    }

    /** Opens and adjusts {@code count} positions; returns their ids. */
    List<String> run(int count) throws InterruptedException {
        DemoConsole console = run.console();
        DemoRegion eu = run.eu();
        DemoRegion us = run.us();
        List<String> ids = new ArrayList<>();
        RegionChecks.Counts conflictsBefore = checks.counts();
        long started = System.nanoTime();
        String example = null;
        for (int i = 0; i < count; i++) {
            String id = positionId(i);
            Position opened = Position.open("acct-" + (i % 7), "SYM" + (i % 13), 100 + i, 25_000 + i, eu.name);
            long before = System.nanoTime();
            Futures.await(eu.positionDesk.set(id, opened), run.timeout(), "opening " + id + " in " + eu.name);
            if (!arrived(us, id, 1, before, euToUs)) {
                break;
            }
            Optional<Versioned<Position>> seen = us.positionDesk.getCached(id).or(() -> join(us, id));
            console.check(seen.isPresent() && seen.get().value().equals(opened), "%s's desk sees %s as %s, not as opened in %s", us.name, id,
                    seen.map(Versioned::value).orElse(null), eu.name);
            before = System.nanoTime();
            Versioned<Position> adjusted = Futures.await(us.positionDesk.update(id, p -> p.adjust(50, 25_100, us.name)), run.timeout(),
                    "adjusting " + id + " in " + us.name);
            if (!arrived(eu, id, adjusted.version(), before, usToEu)) {
                break;
            }
            ids.add(id);
            if (example == null) {
                example = String.format("%s: opened in %s as %d @ %d, adjusted in %s to %d @ %d (version %d)", id, eu.name, opened.quantity(),
                        opened.averagePrice(), us.name, adjusted.value().quantity(), adjusted.value().averagePrice(), adjusted.version());
            }
        }
        double took = DemoRun.since(started);
        console.detail("%d positions, one at a time: opened by %s's desk, seen by %s's service, adjusted by %s's desk, seen by %s's service "
                + "(%.2f s)", ids.size(), eu.name, us.name, us.name, eu.name, took);
        if (example != null) {
            console.detail("for example %s", example);
        }
        latency(EU_TO_US, euToUs);
        latency(US_TO_EU, usToEu);
        sameIdentity(ids);
        double identical = checks.awaitIdentical(Map.of(DemoRegion.POSITIONS, ids), System.nanoTime());
        if (identical >= 0) {
            console.detail("both regions' copies of every position are identical byte for byte (document and clock)");
        }
        long conflicts = checks.conflicts(TITLE, conflictsBefore);
        console.check(conflicts == 0, "%d conflicts reported between changes that had seen each other", conflicts);
        run.report().timeline(TITLE, List.of(new DemoReport.Phase(ids.size() + " positions opened and adjusted", 0, took),
                new DemoReport.Phase("regions identical", took + Math.max(0, identical), took + Math.max(0, identical))));
        return ids;
    }

    private Optional<Versioned<Position>> join(DemoRegion region, String id) {
        try {
            return Futures.await(region.positionDesk.get(id), run.timeout(), "reading " + id + " in " + region.name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Waits until {@code region}'s service has {@code version} of {@code id}, and records the time since {@code before}. */
    private boolean arrived(DemoRegion region, String id, long version, long before, List<Double> samples) throws InterruptedException {
        try {
            long at = region.positionArrivals.arrival(id, version).get(run.timeout().toMillis(), TimeUnit.MILLISECONDS);
            samples.add((at - before) / 1e6);
            return true;
        } catch (TimeoutException e) {
            run.console().check(false, "version %d of %s did not reach %s's service within %s", version, id, region.name, run.timeout());
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void latency(String direction, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        if (!sorted.isEmpty()) {
            run.console().detail("%s, a write until the other region's service has it: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d writes)",
                    direction, DemoReport.percentile(sorted, 0.5), DemoReport.percentile(sorted, 0.99), sorted.get(sorted.size() - 1),
                    sorted.size());
        }
        run.report().latency(direction, millis);
    }

    /** Every position has the same version (2) and clock in both regions: one change of each, counted once. */
    private void sameIdentity(List<String> ids) throws InterruptedException {
        List<String> wrong = new ArrayList<>();
        VersionVector sample = null;
        for (String id : ids) {
            Optional<ChangeEvent> inEu = Futures.await(run.eu().store(DemoRegion.POSITIONS).snapshot(id), run.timeout(), "reading " + id);
            Optional<ChangeEvent> inUs = Futures.await(run.us().store(DemoRegion.POSITIONS).snapshot(id), run.timeout(), "reading " + id);
            if (inEu.isEmpty() || inUs.isEmpty() || inEu.get().version() != 2 || inUs.get().version() != 2
                    || inEu.get().clock() == null || !inEu.get().clock().equals(inUs.get().clock())) {
                wrong.add(id + ": " + inEu.map(e -> "v" + e.version() + " " + e.clock()).orElse("none") + " in " + run.eu().name + ", "
                        + inUs.map(e -> "v" + e.version() + " " + e.clock()).orElse("none") + " in " + run.us().name);
            } else if (sample == null) {
                sample = inEu.get().clock();
            }
        }
        if (run.console().check(wrong.isEmpty(), "%d positions differ in version or clock: %s", wrong.size(),
                wrong.subList(0, Math.min(3, wrong.size())))) {
            run.console().detail("every position is at version 2 in both regions, with the same clock, such as %s", sample);
        }
    }
}
