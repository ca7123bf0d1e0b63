package io.github.ddm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The seed's first example: an order book updated in both regions at once. eu's desks move bids,
 * us's desks move asks, and both set the last trade, with the bridge live; the regions merge each
 * other's changes, resolve the conflicts on {@code lastTrade} the same way, and end identical.
 */
final class OrderBookScenario {

    static final String TITLE = "An order book updated in both regions at once";

    private final DemoRun run;
    private final RegionChecks checks;

    OrderBookScenario(DemoRun run, RegionChecks checks) {
        this.run = run;
        this.checks = checks;
    }

    /** @param trades trades each region makes */
    void run(int trades, List<String> positions) throws InterruptedException {
        DemoConsole console = run.console();
        DemoRegion eu = run.eu();
        DemoRegion us = run.us();
        BookTrading books = run.books();
        List<String> ids = books.ids();
        long started = System.nanoTime();
        books.create(eu);
        double created = DemoRun.since(started);
        List<CompletableFuture<Long>> arrived = new ArrayList<>();
        ids.forEach(id -> arrived.add(us.bookArrivals.arrival(id, 1)));
        Futures.await(CompletableFuture.allOf(arrived.toArray(CompletableFuture[]::new)), run.timeout(), "waiting for the books in " + us.name);
        double followed = DemoRun.since(started);
        console.detail("%s creates %d order books of 3.5 KB; %s's service has every one %.2f s later", eu.name, ids.size(), us.name,
                followed - created);

        RegionChecks.Counts before = checks.counts();
        long trading = System.nanoTime();
        books.trade(eu, us, trades, false, 1);
        double traded = DemoRun.since(trading);
        long stopped = System.nanoTime();
        console.detail("%d desks in %s move bids while %d desks in %s move asks, and every trade sets lastTrade: %,d trades on %d books "
                        + "in %.2f s (%,.0f changes/s, with both regions, Kafka and Connect on this machine)", eu.desks.size(), eu.name,
                us.desks.size(), us.name, 2L * trades, ids.size(), traded, 2 * trades / Math.max(1e-9, traded));
        long eventBytes = 0;
        for (DemoRegion region : List.of(eu, us)) {
            eventBytes += region.desks.stream().mapToLong(desk -> desk.stats().eventBytes()).sum();
        }
        console.detail("each trade published %,.0f bytes on average (its patch, clock and lineage, in one event), for a book of 3.5 KB",
                (double) eventBytes / Math.max(1, 2L * trades));
        double identical = checks.awaitIdentical(Map.of(DemoRegion.BOOKS, ids), stopped);
        if (identical >= 0) {
            console.detail("the regions were identical %.2f s after the last trade: %d books, byte for byte (document and clock)", identical,
                    ids.size());
        }
        checks.versionsCountEveryChange();
        checks.servicesMatchRedis(positions);
        checks.conflicts(TITLE, before);
        double total = DemoRun.since(started);
        run.report().timeline(TITLE, List.of(
                new DemoReport.Phase("eu creates the books", 0, created),
                new DemoReport.Phase("us's service has them", created, followed),
                new DemoReport.Phase("trades in both regions", followed, followed + traded),
                new DemoReport.Phase("writes stop", followed + traded, followed + traded),
                new DemoReport.Phase("the bridge drains", followed + traded, identical >= 0 ? followed + traded + identical : total),
                new DemoReport.Phase(identical >= 0 ? "regions identical" : "regions NOT identical",
                        identical >= 0 ? followed + traded + identical : total, identical >= 0 ? followed + traded + identical : total)));
    }
}
