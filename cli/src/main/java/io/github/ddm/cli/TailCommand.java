package io.github.ddm.cli;

import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Prints a section's change log, entry by entry, and with {@code --follow} keeps printing new
 * entries as they are committed (a blocking read: no polling delay). Reads only.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Prints the change events in a section's log (Redis stream), oldest first; with --follow, keeps "
                + "printing new ones as they are committed, until Ctrl-C.", "Reads only."})
final class TailCommand implements Callable<Integer> {

    private static final int BATCH = 500;

    @Spec
    CommandSpec spec;

    @Mixin
    SectionTarget target;

    @Option(names = "--from", defaultValue = "earliest", paramLabel = "POSITION",
            description = "earliest (every entry the log still holds), latest (only entries committed from now on) or a "
                    + "stream id (the entries after it). Default: ${DEFAULT-VALUE}.")
    String from;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new entries until interrupted.")
    boolean follow;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "Stop after N entries.")
    Long limit;

    @Option(names = "--id", paramLabel = "ID", description = "Only the events of this document.")
    String id;

    @Option(names = "--json", description = "Print each event as its JSON (the change-event contract), one per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        if (!from.equals("earliest") && !from.equals("latest") && !from.matches("\\d+-\\d+")) {
            throw new ParameterException(spec.commandLine(), "--from must be earliest, latest or a stream id such as "
                    + "1732712345678-0, got '" + from + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        RedissonClient client = target.connect();
        try {
            SectionStore store = target.store(client);
            String after = start(store);
            long printed = 0;
            long malformed = 0;
            while (limit == null || printed < limit) {
                SectionStore.LogBatch batch = target.await(store.readLog(after, BATCH), "reading the log");
                malformed += batch.malformed();
                for (ChangeEvent event : batch.events()) {
                    if ((id == null || id.equals(event.key().id())) && (limit == null || printed < limit)) {
                        out.println(json ? ChangeEventCodec.encodeToString(event) : line(event));
                        printed++;
                    }
                }
                out.flush();
                if (batch.entries() > 0) {
                    after = batch.lastStreamId();
                } else if (!follow) {
                    break;
                } else {
                    Futures.await(store.awaitLog(after, Duration.ofSeconds(5)), target.timeout.plusSeconds(5),
                            "waiting on the log of " + target.where());
                }
            }
            if (malformed > 0) {
                spec.commandLine().getErr().println("ddm tail: skipped " + malformed + " log entries that are not valid change events");
                spec.commandLine().getErr().flush();
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0; // Ctrl-C or the caller stopping a follow: a normal end
        } finally {
            client.shutdown();
        }
    }

    private String start(SectionStore store) throws Exception {
        if (from.equals("earliest")) {
            return "0-0";
        }
        return from.equals("latest") ? target.await(store.logHead(), "reading the log head") : from;
    }

    /** {@code streamId  time  id  vN<-vP  op  region/node  patch or state} */
    static String line(ChangeEvent event) {
        String body = event.patch() != null ? "patch " + event.patch() : event.state() != null ? "state " + event.state() : "";
        return String.format("%s  %s  %s  v%d<-v%d  %s  %s  %s", event.streamId(), event.time(), event.key().id(), event.version(),
                event.prevVersion(), event.op().name().toLowerCase(Locale.ROOT), event.origin(), body).trim();
    }
}
