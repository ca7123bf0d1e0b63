package io.github.ddm.cli;

import io.github.ddm.SectionId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The seed's fourth example: a region outage with automatic recovery. The bridge goes down (both
 * sinks paused) while both regions keep trading on the same books; us's changes still leave the
 * region (its source exports them); then us loses its Redis. When the bridge comes back, nobody
 * writes: us's source notices its lost log and asks eu for the whole sections, eu's sink answers with
 * snapshots, eu takes in us's changes, and the regions end identical. Then both regions write again,
 * us under a new lineage, and their changes merge.
 */
final class OutageScenario {

    static final String TITLE = "A region outage with automatic recovery";

    private final DemoRun run;
    private final RegionChecks checks;

    OutageScenario(DemoRun run, RegionChecks checks) {
        this.run = run;
        this.checks = checks;
    }

    /** @param trades trades each region makes during the outage */
    void run(int trades, List<String> positions) throws InterruptedException {
        DemoConsole console = run.console();
        DemoRegion eu = run.eu();
        DemoRegion us = run.us();
        LocalStack stack = run.stack();
        Map<SectionId, List<String>> all = new LinkedHashMap<>();
        all.put(DemoRegion.BOOKS, run.books().ids());
        all.put(DemoRegion.POSITIONS, positions);
        List<DemoReport.Phase> phases = new ArrayList<>();
        RegionChecks.Counts before = checks.counts();
        long started = System.nanoTime();

        stack.bridge(false, run.timeout());
        double paused = DemoRun.since(started);
        console.detail("the bridge is down: both sinks paused, no change crosses between %s and %s (each region's source still exports "
                + "its own changes to Kafka)", eu.name, us.name);
        run.books().trade(eu, us, trades, false, 3);
        double written = DemoRun.since(started);
        console.detail("both regions keep trading on the same books: %,d trades in each in %.2f s", trades, written - paused);
        phases.add(new DemoReport.Phase("bridge down", paused, paused));
        phases.add(new DemoReport.Phase("trades in both regions", paused, written));

        awaitExported(us, DemoRegion.BOOKS);
        double exported = DemoRun.since(started);
        console.detail("%s's source has exported every change made in %s (%.2f s after the last write): they have left the region",
                us.name, us.name, exported - written);
        phases.add(new DemoReport.Phase(us.name + "'s changes exported", written, exported));
        Optional<String> lineageBefore = Futures.await(us.store(DemoRegion.BOOKS).lineage(), run.timeout(), "reading the lineage");
        int lostDocuments = Futures.await(us.store(DemoRegion.BOOKS).ids(), run.timeout(), "listing the books").size()
                + Futures.await(us.store(DemoRegion.POSITIONS).ids(), run.timeout(), "listing the positions").size();
        stack.redis(us.name).flushAll();
        double flushed = DemoRun.since(started);
        console.detail("%s loses its Redis (FLUSHALL): %d documents gone, with their logs, clocks and the section lineage", us.name,
                lostDocuments);
        phases.add(new DemoReport.Phase(us.name + " loses its Redis", flushed, flushed));

        long answeredBefore = SinkCounters.total(LocalStack.sinkName(eu.name), "RepairsAnswered");
        stack.bridge(true, run.timeout());
        long resumed = System.nanoTime();
        double resumedAt = DemoRun.since(started);
        console.detail("the bridge resumes; nobody writes");
        double back = awaitEveryDocument(us, all, resumed);
        double identical = checks.awaitIdentical(all, resumed);
        long answered = SinkCounters.total(LocalStack.sinkName(eu.name), "RepairsAnswered") - answeredBefore;
        console.detail("%s's source noticed its lost log and asked %s for the whole sections; %s's sink answered with %d snapshots", us.name,
                eu.name, eu.name, answered);
        console.check(answered > 0, "%s's sink answered no repair request of %s", eu.name, us.name);
        if (back >= 0 && identical >= 0) {
            console.detail("recovered with no manual step: %s had every document back %.2f s after the bridge resumed, and both regions "
                    + "were identical (documents and clocks) after %.2f s", us.name, back, identical);
        }
        phases.add(new DemoReport.Phase("bridge resumes, nobody writes", resumedAt, resumedAt));
        phases.add(new DemoReport.Phase(us.name + " gets every document back", resumedAt, resumedAt + Math.max(0, back)));
        phases.add(new DemoReport.Phase("regions identical", resumedAt + Math.max(0, identical), resumedAt + Math.max(0, identical)));
        run.report().fact("recovery after the data loss", String.format("every document back in %.2f s, regions identical in %.2f s", back,
                identical));

        long writing = System.nanoTime();
        double writingAt = DemoRun.since(started);
        run.books().trade(eu, us, 0, true, 4);
        double wroteAt = DemoRun.since(started);
        long stopped = System.nanoTime();
        double again = checks.awaitIdentical(all, stopped);
        if (again >= 0) {
            console.detail("then every desk of both regions trades every book once more: %,d trades in %.2f s, identical again %.2f s "
                    + "after the last one", run.books().ids().size() * (eu.desks.size() + us.desks.size()), DemoRun.since(writing) - again,
                    again);
        }
        phases.add(new DemoReport.Phase("new trades in both regions", writingAt, wroteAt));
        phases.add(new DemoReport.Phase("regions identical again", wroteAt + Math.max(0, again), wroteAt + Math.max(0, again)));
        Optional<String> lineageAfter = Futures.await(us.store(DemoRegion.BOOKS).lineage(), run.timeout(), "reading the lineage");
        if (console.check(lineageAfter.isPresent() && !lineageAfter.equals(lineageBefore), "%s's lineage is %s after its data loss, was %s",
                us.name, lineageAfter.orElse("none"), lineageBefore.orElse("none"))) {
            console.detail("%s writes under a new lineage (%s~%s, was %s~%s): %s merges its changes as a new writer's", us.name, us.name,
                    lineageAfter.get(), us.name, lineageBefore.orElse("?"), eu.name);
        }
        checks.versionsCountEveryChange();
        checks.servicesMatchRedis(positions);
        checks.conflicts(TITLE, before);
        run.report().timeline(TITLE, phases);
    }

    /** Waits until a region's source has committed its export of every entry its section's log holds now. */
    private void awaitExported(DemoRegion region, SectionId section) throws InterruptedException {
        String head = Futures.await(region.store(section).logHead(), run.timeout(), "reading the log of " + section);
        long deadline = System.nanoTime() + run.timeout().toNanos();
        while (compare(run.stack().exportedUpTo(region.name, section), head) < 0) {
            if (System.nanoTime() > deadline) {
                run.console().check(false, "%s's source did not export %s up to %s within %s", region.name, section, head, run.timeout());
                return;
            }
            Thread.sleep(100);
        }
    }

    /** Waits until {@code region} holds every document again; seconds since {@code since}, or -1 (a failed check). */
    private double awaitEveryDocument(DemoRegion region, Map<SectionId, List<String>> sections, long since) throws InterruptedException {
        long deadline = System.nanoTime() + run.timeout().toNanos();
        int expected = sections.values().stream().mapToInt(List::size).sum();
        int held;
        do {
            held = 0;
            for (SectionId section : sections.keySet()) {
                held += Futures.await(region.store(section).ids(), run.timeout(), "listing " + section).size();
            }
            if (held >= expected) {
                return DemoRun.since(since);
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        run.console().check(false, "%s holds %d of %d documents %s after the bridge resumed", region.name, held, expected, run.timeout());
        return -1;
    }

    /** Orders Redis stream ids ({@code ms-seq}). */
    static int compare(String a, String b) {
        String[] x = a.split("-");
        String[] y = b.split("-");
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }
}
