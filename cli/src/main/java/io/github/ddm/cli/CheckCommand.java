package io.github.ddm.cli;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Checks that a section's stored documents agree with its change log: each document's version
 * and content must be what replaying its logged changes gives (the commit script writes both in
 * one step, so they can only disagree if something else wrote to Redis, or lost data). Reads only.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks that a section's stored documents agree with its change log: replays each document's "
                + "logged changes (independently of DDM's own patch code) and compares version and content with what Redis "
                + "stores. Documents whose history the log no longer holds are counted, not checked.",
                "Reads only. Exit code 0 when every checked document agrees, 1 when one does not, 2 on an error."})
final class CheckCommand implements Callable<Integer> {

    private static final int BATCH = 1_000;

    @Spec
    CommandSpec spec;

    @Mixin
    RedisOptions redis;

    @Parameters(index = "0", paramLabel = "SECTION", description = "partition.section, or partition/section when a name has a dot.")
    SectionId section;

    @Option(names = "--timeout", defaultValue = "PT30S", description = "How long to wait for each read (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RedissonClient client = redis.connect();
        try {
            SectionStore store = redis.section(client, section);
            String where = "section " + section + " at " + redis.redacted();
            LogFold fold = new LogFold();
            String last = "0-0";
            long entries = 0;
            long malformed = 0;
            while (true) {
                SectionStore.LogBatch batch = Futures.await(store.readLog(last, BATCH), timeout, "reading the log of " + where);
                batch.events().forEach(fold::add);
                entries += batch.entries();
                malformed += batch.malformed();
                if (batch.entries() > 0) {
                    last = batch.lastStreamId();
                }
                if (batch.entries() < BATCH) {
                    break;
                }
            }
            TreeSet<String> ids = new TreeSet<>(Futures.await(store.ids(), timeout, "listing the documents of " + where));
            ids.addAll(fold.documents().keySet());
            Tally tally = new Tally();
            for (String id : ids) {
                Optional<ChangeEvent> stored = Futures.await(store.snapshot(id), timeout, "reading " + id + " of " + where);
                tally.record(id, fold.documents().get(id), stored);
            }
            // Documents written while this ran may differ only because of that: leave them out.
            Set<String> changed = new HashSet<>();
            SectionStore.LogBatch since;
            do {
                since = Futures.await(store.readLog(last, BATCH), timeout, "reading the log of " + where);
                since.events().forEach(e -> changed.add(e.key().id()));
                last = since.entries() > 0 ? since.lastStreamId() : last;
            } while (since.entries() == BATCH);
            tally.discard(changed);

            out.printf("%s: %d documents, %d log entries%n", section, ids.size(), entries);
            out.printf("  %d agree with their logged history%n", tally.agreeing);
            out.printf("  %d cannot be checked: the log no longer holds their history (trimmed)%n", tally.unverifiable);
            if (!changed.isEmpty()) {
                out.printf("  %d changed while checking, not checked%n", changed.size());
            }
            if (malformed > 0) {
                out.printf("  %d log entries are not valid change events%n", malformed);
            }
            out.printf("  %d differ%n", tally.differing.size());
            tally.differing.stream().limit(20).forEach(d -> out.printf("    %s%n", d));
            if (tally.differing.size() > 20) {
                out.printf("    ... and %d more%n", tally.differing.size() - 20);
            }
            out.flush();
            return tally.differing.isEmpty() && malformed == 0 ? 0 : Ddm.DIFFERENT;
        } finally {
            client.shutdown();
        }
    }

    /** Counts per outcome; keeps the differences, keyed by document for {@link #discard}. */
    private static final class Tally {
        int agreeing;
        int unverifiable;
        final List<String> differing = new ArrayList<>();
        private final List<String> differingIds = new ArrayList<>();
        private final List<String> agreeingIds = new ArrayList<>();
        private final List<String> unverifiableIds = new ArrayList<>();

        void record(String id, LogFold.Folded logged, Optional<ChangeEvent> stored) {
            String problem = problem(logged, stored);
            if (problem == null) {
                agreeing++;
                agreeingIds.add(id);
            } else if (problem.isEmpty()) {
                unverifiable++;
                unverifiableIds.add(id);
            } else {
                differing.add(id + ": " + problem);
                differingIds.add(id);
            }
        }

        /** Null if they agree, "" if the log cannot tell, else what differs. */
        private static String problem(LogFold.Folded logged, Optional<ChangeEvent> stored) {
            if (logged == null || logged.unknownBase()) {
                return "";
            }
            if (logged.problem() != null) {
                return logged.problem();
            }
            if (stored.isEmpty()) {
                return "the log has version " + logged.version() + ", Redis has no such document";
            }
            ChangeEvent s = stored.get();
            boolean deleted = s.op() == ChangeOp.DELETE;
            if (s.version() != logged.version() || deleted != logged.deleted()) {
                return "the log ends at version " + logged.version() + (logged.deleted() ? " (deleted)" : "") + ", Redis holds version "
                        + s.version() + (deleted ? " (deleted)" : "");
            }
            if (!deleted && !s.state().equals(logged.state())) {
                return "at version " + s.version() + " Redis holds " + s.state() + ", the log gives " + logged.state();
            }
            return null;
        }

        void discard(Set<String> ids) {
            for (int i = differingIds.size() - 1; i >= 0; i--) {
                if (ids.contains(differingIds.get(i))) {
                    differingIds.remove(i);
                    differing.remove(i);
                }
            }
            agreeing -= (int) agreeingIds.stream().filter(ids::contains).count();
            unverifiable -= (int) unverifiableIds.stream().filter(ids::contains).count();
        }
    }
}
