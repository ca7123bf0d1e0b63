package io.github.ddm.cli;

import io.github.ddm.DocumentManager;
import io.github.ddm.ListenerRegistration;
import io.github.ddm.ManagerStats;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.ValueSharing;
import io.github.ddm.schema.ChangeEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * DDM's main job, end to end on this machine: two regions (eu and us), each a real
 * {@code redis-server}, bridged by the DDM connectors in a real Kafka Connect worker and Kafka
 * broker. Services in eu write order books; another eu service's cache follows every change; us's
 * Redis and its service's cache follow through Kafka; a late us subscriber replays a book's history.
 * Every step is checked, and the command exits with 1 if a check fails. Everything it starts, it
 * stops.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs DDM end to end on an embedded local stack (two redis-servers as regions eu and us, an in-JVM "
                + "Kafka broker, Kafka Connect with the DDM plugin), checks every step, and stops it all.",
                "Exit code 0 when every check passed, 1 when one failed, 2 on an error."})
final class DemoCommand implements Callable<Integer> {

    static final SectionId BOOKS = new SectionId("trading", "books");
    private static final String HOME = "eu";
    private static final String AWAY = "us";
    /** Price levels a side: about 3.5 KB of JSON, the size of the benchmarks' order book. */
    private static final int LEVELS = 45;
    private static final int IN_FLIGHT = 16;

    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--keys", defaultValue = "500", description = "Order books to create (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--changes", defaultValue = "5000", description = "Trades to apply after creating them (default: ${DEFAULT-VALUE}).")
    int changes;

    @Option(names = "--writers", defaultValue = "4", description = "Writing services in eu, each with its own connection (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--latency-samples", defaultValue = "200",
            description = "Writes timed one at a time from eu until us's cache has them (default: ${DEFAULT-VALUE}).")
    int latencySamples;

    @Option(names = "--timeout", defaultValue = "PT2M", paramLabel = "DURATION", description = "The longest wait for any one step (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    private PrintWriter out;
    private final List<String> failures = new ArrayList<>();
    private final List<RedissonClient> clients = new ArrayList<>();
    private final List<DocumentManager<OrderBook>> managers = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        validate();
        out = spec.commandLine().getOut();
        long started = System.nanoTime();
        say("DDM demo: %d order books, %d trades from %d services in region %s; region %s follows through Kafka", keys, changes,
                writers, HOME, AWAY);
        say("[1/6] starting the local stack");
        try (LocalStack stack = LocalStack.start(List.of(HOME, AWAY), line -> say("      %s", line))) {
            say("      ready in %.1f s", seconds(started));
            try {
                run(stack);
            } finally {
                closeServices();
                say("[6/6] stopping the local stack");
            }
        }
        if (failures.isEmpty()) {
            say("DDM demo passed in %.1f s: every check held.", seconds(started));
            return 0;
        }
        say("DDM demo FAILED: %d check(s) did not hold:", failures.size());
        failures.forEach(f -> say("  - %s", f));
        return Ddm.DIFFERENT;
    }

    private void validate() {
        if (keys < 1 || changes < 0 || writers < 1 || latencySamples < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--keys, --writers and --latency-samples must be at "
                    + "least 1, --changes at least 0 and --timeout positive; got --keys " + keys + " --changes " + changes
                    + " --writers " + writers + " --latency-samples " + latencySamples + " --timeout " + timeout);
        }
    }

    private void run(LocalStack stack) throws Exception {
        List<DocumentManager<OrderBook>> eu = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            eu.add(service(stack, HOME, "writer-" + w));
        }
        VersionLog inEu = new VersionLog();
        VersionLog inUs = new VersionLog();
        service(stack, HOME, "reader").addListener(inEu::record);
        DocumentManager<OrderBook> usReader = service(stack, AWAY, "reader");
        usReader.addListener(inUs::record);

        say("[2/6] region %s: %d services create %d order books, then apply %d trades to random books", HOME, writers, keys, changes);
        long writeStarted = write(stack, eu);
        long total = keys + (long) changes;
        double writing = seconds(writeStarted);
        Totals bytes = totals(eu);
        say("      %,d changes committed in %.2f s (%,.0f changes/s on this machine, which also runs both regions, Kafka and "
                + "Connect), each one compare-and-set script in Redis; %,d conflicts between services were retried", total, writing,
                total / Math.max(1e-9, writing), bytes.conflicts());
        say("      published %,.0f bytes per change on average, against %,.0f bytes for the whole document (%.1f%% saved)",
                (double) bytes.eventBytes() / Math.max(1, bytes.commits()), (double) bytes.fullDocumentBytes() / Math.max(1, bytes.commits()),
                100.0 * (1 - (double) bytes.eventBytes() / Math.max(1, bytes.fullDocumentBytes())));

        say("[3/6] in-region sync: another %s service's cache follows every change", HOME);
        if (check(inEu.await(total, timeout), "%s's reader saw %d of %d changes within %s", HOME, inEu.count(), total, timeout)
                & check(inEu.gapsOrDisorder() == null, "%s's reader: %s", HOME, inEu.gapsOrDisorder())) {
            say("      %s's reader saw %,d changes, each book's versions in order, none twice", HOME, inEu.count());
        }

        say("[4/6] cross-region: %s -> Kafka (exactly once) -> %s's Redis -> %s's service", HOME, AWAY, AWAY);
        long waiting = System.nanoTime();
        if (check(inUs.await(total, timeout), "%s's reader saw %d of %d changes within %s", AWAY, inUs.count(), total, timeout)) {
            say("      %s's service had every change %.2f s after the last write in %s", AWAY, seconds(waiting), HOME);
        }
        if (check(inUs.gapsOrDisorder() == null, "%s's reader: %s", AWAY, inUs.gapsOrDisorder())) {
            say("      %s's service saw each book's versions in order, none twice", AWAY);
        }
        RedissonClient euClient = client(stack, HOME);
        RedissonClient usClient = client(stack, AWAY);
        SectionComparison.Result same = SectionComparison.compare(SectionStore.open(euClient, "ddm", BOOKS), HOME,
                SectionStore.open(usClient, "ddm", BOOKS), AWAY, timeout);
        if (check(same.equal(), "%d of %d books differ between %s and %s, for example %s", same.differing(), same.documents(), HOME,
                AWAY, same.sample())) {
            say("      %s's Redis equals %s's: %d books, same versions, same content", AWAY, HOME, same.documents());
        }
        noLoop(stack, usReader, inEu);
        say("[5/6] latency: %d single writes in %s, each timed until %s's cache has it", latencySamples, HOME, AWAY);
        long[] micros = latency(eu.get(0), inUs);
        if (micros != null) {
            say("      %s write -> %s cache: p50 %.1f ms, p99 %.1f ms, max %.1f ms", HOME, AWAY, micros[0] / 1e3, micros[1] / 1e3,
                    micros[2] / 1e3);
        }
        lateSubscriber(stack, usClient);
    }

    /**
     * A change made in us must travel to eu, and be the only record us exported: us's source reads
     * its log in order, so once that change (the newest entry) reached eu, every one of eu's changes
     * before it was read by us's source too, and skipped.
     */
    private void noLoop(LocalStack stack, DocumentManager<OrderBook> usService, VersionLog inEu) throws Exception {
        String marker = "book-from-" + AWAY;
        Futures.await(usService.set(marker, OrderBook.opening("US", 2)), timeout, "writing " + marker + " in " + AWAY);
        try {
            inEu.arrival(marker, 1).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            check(false, "%s, written in %s, did not reach %s within %s", marker, AWAY, HOME, timeout);
            return;
        }
        long exported = KafkaRecords.count(stack.bootstrapServers(), "ddm." + AWAY + ".", timeout);
        if (check(exported == 1, "%s exported %d records; only its own change (1) should leave it, a replication loop", AWAY,
                exported)) {
            say("      no loop: %s exported only its own change (%s, which reached %s), none of %s's", AWAY, marker, HOME, HOME);
        }
    }

    /** Creates the books and applies the trades; returns when the bulk of the writes started (System.nanoTime). */
    private long write(LocalStack stack, List<DocumentManager<OrderBook>> eu) throws Exception {
        Futures.await(eu.get(0).set(bookId(0), OrderBook.opening("SYM0", LEVELS)), timeout, "creating " + bookId(0) + " in " + HOME);
        long discovering = System.nanoTime();
        stack.awaitSourceTask(HOME); // the section's first change made it exist: the source discovers it
        say("      %s's source discovered section %s and started exporting it in %.1f s", HOME, BOOKS, seconds(discovering));
        long started = System.nanoTime();
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int k = 1; k < keys; k++) {
            creates.add(eu.get(k % eu.size()).set(bookId(k), OrderBook.opening("SYM" + k, LEVELS)));
        }
        Futures.await(CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)), timeout, "creating the books in " + HOME);
        ExecutorService threads = Executors.newFixedThreadPool(eu.size());
        // Each service keeps up to IN_FLIGHT trades in flight, as a busy service would; DDM orders each key's writes.
        List<CompletableFuture<?>> trades = new ArrayList<>();
        for (int w = 0; w < eu.size(); w++) {
            DocumentManager<OrderBook> writer = eu.get(w);
            Random random = new Random(w);
            int share = changes / eu.size() + (w < changes % eu.size() ? 1 : 0);
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            trades.add(CompletableFuture.runAsync(() -> {
                List<CompletableFuture<?>> mine = new ArrayList<>();
                for (int i = 0; i < share; i++) {
                    inFlight.acquireUninterruptibly();
                    mine.add(writer.update(bookId(random.nextInt(keys)), b -> b.trade(random.nextInt(LEVELS), 1 + random.nextInt(5_000)))
                            .whenComplete((v, e) -> inFlight.release()));
                }
                CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
            }, threads));
        }
        try {
            Futures.await(CompletableFuture.allOf(trades.toArray(CompletableFuture[]::new)), timeout, "applying the trades in " + HOME);
        } finally {
            threads.shutdownNow();
        }
        return started;
    }

    private long[] latency(DocumentManager<OrderBook> writer, VersionLog inUs) throws Exception {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < latencySamples; i++) {
            long before = System.nanoTime();
            long version = Futures.await(writer.update(bookId(0), b -> b.trade(3, 42)), timeout, "updating " + bookId(0)).version();
            try {
                long arrived = inUs.arrival(bookId(0), version).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                nanos.add(arrived - before);
            } catch (TimeoutException e) {
                check(false, "version %d of %s did not reach %s within %s", version, bookId(0), AWAY, timeout);
                return null;
            }
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return new long[] {sorted[sorted.length / 2] / 1_000, sorted[(int) Math.min(sorted.length - 1L, (long) (sorted.length * 0.99))] / 1_000,
                sorted[sorted.length - 1] / 1_000};
    }

    /** A us service that starts now asks for a book's whole history, which us's section log serves. */
    private void lateSubscriber(LocalStack stack, RedissonClient usClient) throws Exception {
        String id = bookId(keys > 1 ? 1 : 0);
        long last = Futures.await(SectionStore.open(usClient, "ddm", BOOKS).snapshot(id), timeout, "reading " + id + " in " + AWAY)
                .map(ChangeEvent::version).orElse(0L);
        say("      a late %s subscriber asks for %s from version 0: the section log in %s replays versions 1..%d", AWAY, id, AWAY, last);
        DocumentManager<OrderBook> late = service(stack, AWAY, "late-subscriber");
        VersionLog history = new VersionLog();
        try (ListenerRegistration ignored = late.changes(id, 0, history::record)) {
            if (check(history.await(last, timeout), "the late subscriber got %d of %d versions of %s", history.count(), last, id)
                    & check(history.gapsOrDisorder() == null, "the late subscriber: %s", history.gapsOrDisorder())) {
                say("      it got all %d, in order, without reloading the document", history.count());
            }
        }
    }

    private DocumentManager<OrderBook> service(LocalStack stack, String region, String node) {
        DocumentManager<OrderBook> manager = DocumentManager.builder(OrderBook.class).redisson(client(stack, region))
                .section(BOOKS.partition(), BOOKS.section()).origin(region, node).valueSharing(ValueSharing.SHARED)
                .maxWriteAttempts(1_000).build();
        managers.add(manager);
        return manager;
    }

    private RedissonClient client(LocalStack stack, String region) {
        RedissonClient client = RedisClients.create(stack.redis(region).uri());
        clients.add(client);
        return client;
    }

    /** Closes every service and client, even if one fails; a failure is logged, never hides the demo's own outcome. */
    private void closeServices() {
        List<Runnable> closing = new ArrayList<>();
        for (int i = managers.size() - 1; i >= 0; i--) {
            closing.add(managers.get(i)::close);
        }
        clients.forEach(client -> closing.add(client::shutdown));
        for (Runnable close : closing) {
            try {
                close.run();
            } catch (RuntimeException e) {
                log.warn("closing a demo service failed", e);
            }
        }
    }

    /** What the writers did: commits, compare-and-set conflicts retried, bytes published, bytes whole documents would take. */
    private record Totals(long commits, long conflicts, long eventBytes, long fullDocumentBytes) {
    }

    private static Totals totals(List<DocumentManager<OrderBook>> services) {
        long commits = 0;
        long conflicts = 0;
        long eventBytes = 0;
        long fullBytes = 0;
        for (DocumentManager<OrderBook> service : services) {
            ManagerStats stats = service.stats();
            commits += stats.commits();
            conflicts += stats.conflicts();
            eventBytes += stats.eventBytes();
            fullBytes += stats.fullDocumentBytes();
        }
        return new Totals(commits, conflicts, eventBytes, fullBytes);
    }

    static String bookId(int k) {
        return "book-" + k;
    }

    /** Records a failure unless {@code holds}; returns {@code holds}. */
    private boolean check(boolean holds, String format, Object... args) {
        if (!holds) {
            String failure = String.format(format, args);
            failures.add(failure);
            say("      CHECK FAILED: %s", failure);
        }
        return holds;
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
