package io.github.ddm.cli;

import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks every scenario ends with, printed as they pass: both regions hold identical documents
 * and clocks, every version counts every change made (none lost), each region's services hold what
 * its Redis holds, and every conflict a region's sink resolved was reported to its services.
 * Stateless apart from the run it checks.
 */
final class RegionChecks {

    /** Examples of conflicts printed per scenario. */
    private static final int EXAMPLES = 4;

    private final DemoRun run;

    RegionChecks(DemoRun run) {
        this.run = run;
    }

    /**
     * The conflict counters of both regions at one moment, to report what a scenario added: what the
     * region's services were told ({@link ConflictLog}), what they counted ({@code ManagerStats}), and
     * what the region's sink counted (JMX).
     */
    record Counts(int euReported, int usReported, long euStats, long usStats, long euSink, long usSink) {
    }

    Counts counts() {
        return new Counts(run.eu().conflicts.count(), run.us().conflicts.count(), run.eu().conflictsCounted(), run.us().conflictsCounted(),
                SinkCounters.total(LocalStack.sinkName(run.eu().name), "Conflicts"),
                SinkCounters.total(LocalStack.sinkName(run.us().name), "Conflicts"));
    }

    /**
     * Waits until both regions hold identical copies (document hashes and clocks) of every document
     * of {@code sections}; returns the seconds since {@code since}, or -1 (a failed check) if they do
     * not within the run's timeout.
     */
    double awaitIdentical(Map<SectionId, List<String>> sections, long since) throws InterruptedException {
        long deadline = System.nanoTime() + run.timeout().toNanos();
        Map<SectionId, List<RegionCopies.Mismatch>> left;
        do {
            left = new LinkedHashMap<>();
            for (Map.Entry<SectionId, List<String>> section : sections.entrySet()) {
                List<RegionCopies.Mismatch> differing = RegionCopies.differences(run.eu(), run.us(), section.getKey(), section.getValue(),
                        run.timeout());
                if (!differing.isEmpty()) {
                    left.put(section.getKey(), differing);
                }
            }
            if (left.isEmpty()) {
                return DemoRun.since(since);
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        left.forEach((section, differing) -> run.console().check(false, "%s: %d documents still differ between %s and %s after %s, e.g. %s",
                section, differing.size(), run.eu().name, run.us().name, run.timeout(), differing.subList(0, Math.min(3, differing.size()))));
        return -1;
    }

    /** Every book's version (the sum of its clock) counts every change made to it in either region. */
    void versionsCountEveryChange() throws InterruptedException {
        List<String> wrong = new ArrayList<>();
        for (String id : run.books().ids()) {
            Optional<ChangeEvent> stored = Futures.await(run.eu().store(DemoRegion.BOOKS).snapshot(id), run.timeout(), "reading " + id);
            long version = stored.map(ChangeEvent::version).orElse(0L);
            if (version != run.books().changes(id)) {
                wrong.add(id + " is at version " + version + " after " + run.books().changes(id) + " changes");
            }
        }
        if (run.console().check(wrong.isEmpty(), "%d books lost changes: %s", wrong.size(), wrong.subList(0, Math.min(3, wrong.size())))) {
            run.console().detail("no change lost: each book's version counts every change made to it in either region (%,d in all)",
                    run.books().totalChanges());
        }
    }

    /** Each region's reader service has, for every document, the version and value its Redis has. */
    void servicesMatchRedis(List<String> positions) throws InterruptedException {
        List<String> wrong = new ArrayList<>();
        boolean inOrder = true;
        for (DemoRegion region : List.of(run.eu(), run.us())) {
            long deadline = System.nanoTime() + run.timeout().toNanos();
            List<RegionCopies.Mismatch> books;
            List<RegionCopies.Mismatch> held;
            do {
                books = RegionCopies.serviceDifferences(region.bookReader, region.store(DemoRegion.BOOKS), OrderBook.class,
                        run.books().ids(), run.timeout());
                held = RegionCopies.serviceDifferences(region.positionReader, region.store(DemoRegion.POSITIONS), Position.class,
                        positions, run.timeout());
                if (books.isEmpty() && held.isEmpty()) {
                    break;
                }
                Thread.sleep(100); // the services' caches follow Redis through pub/sub: give the last changes time to arrive
            } while (System.nanoTime() < deadline);
            books.addAll(held);
            books.stream().limit(3).forEach(m -> wrong.add(region.name + " " + m));
            for (VersionLog seen : List.of(region.bookArrivals, region.positionArrivals)) {
                String disorder = seen.disorder();
                inOrder &= run.console().check(disorder == null, "%s's service saw versions out of order: %s", region.name, disorder);
            }
        }
        if (run.console().check(wrong.isEmpty(), "a service's cache differs from its Redis: %s", wrong) && inOrder) {
            run.console().detail("each region's services hold what its Redis holds (%d books%s, same versions), and saw each document's "
                    + "versions in order, none twice", run.books().ids().size(), positions.isEmpty() ? "" : " and " + positions.size() + " positions");
        }
    }

    /** Whether each region's services were told of, and counted, every conflict its sink resolved since {@code before}. */
    private static boolean told(Counts before, Counts now) {
        long eu = now.euSink() - before.euSink();
        long us = now.usSink() - before.usSink();
        return now.euReported() - before.euReported() == eu && now.euStats() - before.euStats() == eu
                && now.usReported() - before.usReported() == us && now.usStats() - before.usStats() == us;
    }

    /**
     * A few conflicts that both regions resolved (the same two changes at the same place), the same
     * way: some where the first region's change was kept, some where the second's was; else a few of
     * each region's.
     */
    private static List<String> examples(List<ConflictLog.Resolved> first, List<ConflictLog.Resolved> second) {
        java.util.Set<String> inSecond = new java.util.HashSet<>();
        second.forEach(r -> inSecond.add(r.identity()));
        List<ConflictLog.Resolved> both = first.stream().filter(r -> inSecond.contains(r.identity())).toList();
        List<String> shown = new ArrayList<>();
        if (!both.isEmpty()) {
            String region = both.get(0).region();
            List<ConflictLog.Resolved> picked = new ArrayList<>();
            both.stream().filter(r -> r.conflict().kept().region().equals(region)).limit(EXAMPLES / 2).forEach(picked::add);
            both.stream().filter(r -> !r.conflict().kept().region().equals(region)).limit(EXAMPLES - picked.size()).forEach(picked::add);
            both.stream().filter(r -> !picked.contains(r)).limit(EXAMPLES - picked.size()).forEach(picked::add);
            picked.forEach(r -> shown.add(r.describe() + ", in both regions"));
            return shown;
        }
        for (List<ConflictLog.Resolved> region : List.of(first, second)) {
            region.stream().limit(EXAMPLES / 2).forEach(r -> shown.add("in " + r.region() + ": " + r.describe()));
        }
        return shown;
    }

    /**
     * Prints and reports the conflicts resolved since {@code before}, per region, with a few
     * examples; checks that each region's sink counted as many as its services were told of.
     *
     * @return how many conflicts both regions resolved
     */
    long conflicts(String scenario, Counts before) throws InterruptedException {
        DemoRegion eu = run.eu();
        DemoRegion us = run.us();
        // The services hear of a conflict when the resolution's commit reaches them through pub/sub: wait until they have all.
        long deadline = System.nanoTime() + run.timeout().toNanos();
        Counts now = counts();
        while (!told(before, now) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = counts();
        }
        long euResolved = now.euSink() - before.euSink();
        long usResolved = now.usSink() - before.usSink();
        run.console().detail("conflicts resolved: %,d by %s and %,d by %s (each region resolves those of the changes it takes in, the same way)",
                euResolved, eu.name, usResolved, us.name);
        boolean told = run.console().check(told(before, now), "the sinks resolved %d (%s) and %d (%s) conflicts, but the services "
                        + "were told of %d and %d and counted %d and %d", euResolved, eu.name, usResolved, us.name,
                now.euReported() - before.euReported(), now.usReported() - before.usReported(), now.euStats() - before.euStats(),
                now.usStats() - before.usStats());
        if (told && euResolved + usResolved > 0) {
            run.console().detail("  every one counted by the region's sink (JMX Conflicts) and reported to its services (SyncListener, ManagerStats)");
        }
        List<String> shown = examples(eu.conflicts.since(before.euReported()), us.conflicts.since(before.usReported()));
        shown.forEach(line -> run.console().detail("  %s", line));
        Map<String, Long> perRegion = new LinkedHashMap<>();
        perRegion.put(eu.name, euResolved);
        perRegion.put(us.name, usResolved);
        run.report().conflicts(scenario, perRegion, shown);
        return euResolved + usResolved;
    }
}
