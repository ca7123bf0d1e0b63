package io.github.ddm.cli;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * DDM's main job, end to end on this machine: two regions, eu and us, that both write, each a real
 * {@code redis-server}, bridged by the DDM source and sink of each region in a real Kafka Connect
 * worker and Kafka broker (docs/regions.md). It runs the seed's examples: an order book updated in
 * both regions at once, a position opened in one region and adjusted in the other (timing each
 * crossing), and a region that loses its data during an outage and recovers by itself. Every step is
 * checked, the measurements go to an HTML report, and the command exits with 1 if a check failed.
 * Everything it starts, it stops.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs DDM active-active on an embedded local stack (two redis-servers as regions eu and us, an in-JVM "
                + "Kafka broker, Kafka Connect with the DDM source and sink of each region): both regions write the same order "
                + "books at once, a position opened in eu is adjusted in us, and us loses its Redis during an outage and recovers. "
                + "Checks every step, writes an HTML report, and stops it all.",
                "Exit code 0 when every check passed, 1 when one failed, 2 on an error."})
final class DemoCommand implements Callable<Integer> {

    private static final String EU = "eu";
    private static final String US = "us";
    private static final int IN_FLIGHT = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--keys", defaultValue = "100", description = "Order books (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--changes", defaultValue = "600",
            description = "Trades each region makes on the books at once (default: ${DEFAULT-VALUE}); a quarter as many during the outage.")
    int changes;

    @Option(names = "--desks", defaultValue = "2", description = "Book-writing services per region, each with its own connection "
            + "(default: ${DEFAULT-VALUE}).")
    int desks;

    @Option(names = {"--positions", "--latency-samples"}, defaultValue = "100",
            description = "Positions opened in eu and adjusted in us, one at a time; each crossing is a latency sample (default: "
                    + "${DEFAULT-VALUE}).")
    int positions;

    @Option(names = "--report", defaultValue = "target/ddm-demo-report.html", paramLabel = "PATH",
            description = "The HTML report to write (default: ${DEFAULT-VALUE}).")
    Path reportFile;

    @Option(names = "--timeout", defaultValue = "PT2M", paramLabel = "DURATION", description = "The longest wait for any one step (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        validate();
        DemoConsole console = new DemoConsole(spec.commandLine().getOut());
        DemoReport report = new DemoReport();
        long started = System.nanoTime();
        console.say("DDM demo: regions %s and %s both write, through Kafka; %d order books, %,d trades per region, %d positions", EU, US,
                keys, changes, positions);
        console.say("[1/6] starting the local stack");
        try (LocalStack stack = LocalStack.start(List.of(EU, US), List.of(DemoRegion.BOOKS, DemoRegion.POSITIONS), console::detail)) {
            console.detail("ready in %.1f s", DemoRun.since(started));
            try (DemoRegion eu = new DemoRegion(EU, stack.redis(EU).uri(), desks);
                 DemoRegion us = new DemoRegion(US, stack.redis(US).uri(), desks)) {
                DemoRun run = new DemoRun(console, report, stack, eu, us, new BookTrading(keys, IN_FLIGHT, timeout), timeout);
                scenarios(run);
            } finally {
                console.say("[6/6] stopping the local stack");
            }
        }
        double took = DemoRun.since(started);
        report.title("DDM demo: regions " + EU + " and " + US + " both write");
        report.fact("run time", String.format("%.1f s", took));
        report.failures(console.failures());
        report.write(reportFile);
        console.detail("report: %s", reportFile.toAbsolutePath());
        if (console.failures().isEmpty()) {
            console.say("DDM demo passed in %.1f s: every check held.", took);
            return 0;
        }
        console.say("DDM demo FAILED: %d check(s) did not hold:", console.failures().size());
        console.failures().forEach(f -> console.say("  - %s", f));
        return Ddm.DIFFERENT;
    }

    private void validate() {
        if (keys < 1 || changes < 0 || desks < 1 || positions < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--keys, --desks and --positions must be at least 1, --changes at least 0 "
                    + "and --timeout positive; got --keys " + keys + " --changes " + changes + " --desks " + desks + " --positions "
                    + positions + " --timeout " + timeout);
        }
    }

    private void scenarios(DemoRun run) throws Exception {
        DemoConsole console = run.console();
        RegionChecks checks = new RegionChecks(run);
        console.say("[2/6] %s", OrderBookScenario.TITLE);
        new OrderBookScenario(run, checks).run(changes, List.of());
        console.say("[3/6] %s", PositionScenario.TITLE);
        List<String> opened = new PositionScenario(run, checks).run(positions);
        console.say("[4/6] %s", OutageScenario.TITLE);
        new OutageScenario(run, checks).run(Math.max(1, changes / 4), opened);
        console.say("[5/6] totals");
        totals(run);
    }

    private void totals(DemoRun run) {
        DemoConsole console = run.console();
        DemoReport report = run.report();
        Map<String, Long> conflicts = new TreeMap<>();
        for (DemoRegion region : List.of(run.eu(), run.us())) {
            conflicts.put(region.name, SinkCounters.total(LocalStack.sinkName(region.name), "Conflicts"));
        }
        long books = run.eu().bookCommits() + run.us().bookCommits();
        console.detail("%,d changes to order books committed in the two regions; %,d conflicts resolved by %s's sink and %,d by %s's, "
                + "each reported to the region's services", books, conflicts.get(EU), EU, conflicts.get(US), US);
        report.fact("changes to order books", String.format("%,d", books));
        report.fact("conflicts resolved", EU + ": " + conflicts.get(EU) + ", " + US + ": " + conflicts.get(US));
        noLoopAndNoDeadLetter(run);
    }

    /**
     * Each region's change topics hold only changes made in that region, and snapshots of its own
     * copies: nothing loops back. No record went to a dead-letter queue.
     */
    private void noLoopAndNoDeadLetter(DemoRun run) {
        DemoConsole console = run.console();
        Map<String, AtomicLong> records = new TreeMap<>();
        List<String> foreign = new ArrayList<>();
        for (String region : List.of(EU, US)) {
            records.put(region, new AtomicLong());
            KafkaRecords.read(run.stack().bootstrapServers(), t -> LocalStack.isChangeTopic(region, t),
                    timeout, r -> {
                        records.get(region).incrementAndGet();
                        ChangeEvent event = ChangeEventCodec.decode(r.value());
                        if (!event.origin().region().equals(region) && foreign.size() < 3) {
                            foreign.add(event + " in " + r.topic());
                        }
                    });
        }
        if (console.check(foreign.isEmpty(), "a region's topics carry another region's changes (a loop): %s", foreign)) {
            console.detail("no loop: %s's topics hold only %s's own changes (%,d records), %s's only %s's (%,d)", EU, EU, records.get(EU).get(),
                    US, US, records.get(US).get());
        }
        List<String> deadLetters = new ArrayList<>();
        KafkaRecords.read(run.stack().bootstrapServers(), t -> t.startsWith("dlq."), timeout, r -> deadLetters.add(r.topic()));
        if (console.check(deadLetters.isEmpty(), "%d records went to a dead-letter queue", deadLetters.size())) {
            console.detail("no dead letters: every record was taken in");
        }
    }
}
