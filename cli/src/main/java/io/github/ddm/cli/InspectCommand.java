package io.github.ddm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Shows what Redis holds for a section (its change log, how many documents it has, this region's
 * lineage of it) or for some of its documents (version, time, origin, epoch, clock, lineage and
 * content). Reads only.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Shows a section's change log, document count and lineage, or the stored state of some of its documents: "
                + "version, change time and origin, epoch, clock (identity across regions), lineage, content.",
                "Reads only. Exit code 0 when every document named exists, 1 when one does not, 2 on an error."})
final class InspectCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    SectionTarget target;

    @Parameters(index = "1..*", paramLabel = "ID", description = "Document ids; without any, the section's summary.")
    List<String> ids = List.of();

    @Option(names = "--json", description = "Print each document as a snapshot change event, one JSON object per line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RedissonClient client = target.connect();
        try {
            SectionStore store = target.store(client);
            if (ids.isEmpty()) {
                summary(store, out);
                return 0;
            }
            int missing = 0;
            Optional<String> lineage = json ? Optional.empty() : target.await(store.lineage(), "reading the section's lineage");
            for (String id : ids) {
                Optional<ChangeEvent> stored = target.await(store.snapshot(id), "reading " + id);
                if (stored.isEmpty()) {
                    missing++;
                    spec.commandLine().getErr().println("ddm inspect: no document '" + id + "' in " + target.where());
                } else if (json) {
                    out.println(ChangeEventCodec.encodeToString(stored.get()));
                } else {
                    describe(stored.get(), lineage, out);
                }
            }
            out.flush();
            spec.commandLine().getErr().flush();
            return missing == 0 ? 0 : Ddm.DIFFERENT;
        } finally {
            client.shutdown();
        }
    }

    private void summary(SectionStore store, PrintWriter out) throws Exception {
        SectionStore.LogInfo log = target.await(store.logInfo(), "reading the log");
        int documents = target.await(store.ids(), "listing the documents").size();
        out.printf("section    %s (namespace %s) at %s%n", target.section, target.redis.namespace, target.redis.redacted());
        out.printf("documents  %d%n", documents);
        out.printf("lineage    %s%n", target.await(store.lineage(), "reading the section's lineage")
                .map(l -> l + " (this region's changes to the section count under <region>~" + l + ")")
                .orElse("none (no change made here yet; changes taken in from other regions start none)"));
        out.printf("log        %s%n", store.logKey());
        if (log == null || log.entriesAdded() == 0) {
            out.println("           empty: no change was ever logged");
        } else {
            out.printf("           %d entries kept of %d ever added; first %s, last %s%n", log.length(), log.entriesAdded(),
                    log.firstEntryId() == null ? "-" : log.firstEntryId(), log.lastGeneratedId());
            long trimmed = log.entriesAdded() - log.length();
            out.printf("           %s%n", trimmed == 0 ? "nothing trimmed yet"
                    : trimmed + " older entries trimmed: late subscribers from before the first entry are served by the "
                            + "change buffer, Kafka or a snapshot");
        }
        out.flush();
    }

    private static void describe(ChangeEvent event, Optional<String> sectionLineage, PrintWriter out) throws Exception {
        out.printf("%s%n", event.key());
        out.printf("  version  %d%s%n", event.version(), event.op() == ChangeOp.DELETE ? " (deleted)" : "");
        out.printf("  changed  %s by %s%n", event.time(), event.origin());
        out.printf("  epoch    %s%n", event.epoch());
        VersionVector clock = event.clock();
        out.printf("  clock    %s%n", clock == null ? "none: written before regions support (its history counts as _legacy~0)"
                : clock.toJson());
        Stamp newest = event.stamps() == null ? null : event.stamps().values().stream().max(Stamp::compareTo).orElse(null);
        if (newest != null) {
            out.printf("  lineage  %s made its newest change that still stands (stamp %s)%n", newest.replica(), newest);
        }
        out.printf("  section  lineage here: %s%n", sectionLineage.map(l -> l + replicaOf(l, clock)).orElse("none (no change made here)"));
        if (event.state() != null) {
            out.println(indent(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(event.state())));
        }
    }

    /** The replica of {@code lineage} among the clock's, for example {@code  (replica us~X0b1Ff2A)}, or nothing. */
    private static String replicaOf(String lineage, VersionVector clock) {
        if (clock == null) {
            return "";
        }
        return clock.counts().keySet().stream().filter(r -> r.endsWith("~" + lineage)).findFirst()
                .map(r -> " (replica " + r + ", " + clock.get(r) + " of its changes here)").orElse(" (none of its changes here)");
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }
}
