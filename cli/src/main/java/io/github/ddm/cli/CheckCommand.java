package io.github.ddm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ddm.CorruptDocumentException;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Checks that a section's stored documents agree with its change log: each document's version
 * and content must be what replaying its logged changes gives (the commit script writes both in
 * one step, so they can only disagree if something else wrote to Redis, or lost data). A region's
 * log also holds its merges of other regions' changes and its snapshots answering their repair
 * requests; {@link LogFold} replays those too. Reads only.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks that a section's stored documents agree with its change log: replays each document's "
                + "logged changes (independently of DDM's own patch code) and compares version and content with what Redis "
                + "stores. Where the log was trimmed, what it still holds is checked (the version), the rest is counted.",
                "Reads only. Exit code 0 when every checked document agrees, 1 when one does not, 2 on an error."})
final class CheckCommand implements Callable<Integer> {

    private static final int BATCH = 1_000;
    private static final int SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    SectionTarget target;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RedissonClient client = target.connect();
        try {
            SectionStore store = target.store(client);
            SectionStore.LogInfo before = target.await(store.logInfo(), "describing the log");
            LogFold fold = new LogFold();
            String last = "0-0";
            long entries = 0;
            long malformed = 0;
            while (true) {
                SectionStore.LogBatch batch = target.await(store.readLog(last, BATCH), "reading the log");
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
            SectionStore.LogInfo after = target.await(store.logInfo(), "describing the log");
            TreeSet<String> ids = new TreeSet<>(target.await(store.ids(), "listing the documents"));
            ids.addAll(fold.documents().keySet());
            if (ids.isEmpty() && entries == 0) {
                throw new IllegalStateException("no document and no log in " + target.where() + ": is the section, the "
                        + "namespace or the server wrong?");
            }
            // Never trimmed: every change since the section began is in the log, so each document must be explained by it.
            boolean complete = after.entriesAdded() == after.length() && "0-0".equals(after.maxDeletedEntryId());
            // Trimmed while this read it page by page: a history may have lost entries in the middle.
            boolean trimmedDuringRead = after.entriesAdded() - after.length() > before.entriesAdded() - before.length();
            Tally tally = new Tally(complete, trimmedDuringRead);
            for (String id : ids) {
                try {
                    tally.record(id, fold.documents().get(id), target.await(store.snapshot(id), "reading " + id));
                } catch (IllegalStateException e) {
                    if (!(e.getCause() instanceof CorruptDocumentException corrupt)) {
                        throw e;
                    }
                    tally.differ(id, "Redis holds what is not a valid document: " + corrupt.getMessage());
                }
            }
            // Documents written while this ran may differ only because of that: leave them out.
            Set<String> changed = new HashSet<>();
            SectionStore.LogBatch since;
            do {
                since = target.await(store.readLog(last, BATCH), "reading the log");
                since.events().forEach(e -> changed.add(e.key().id()));
                last = since.entries() > 0 ? since.lastStreamId() : last;
            } while (since.entries() == BATCH);
            tally.discard(changed);
            report(out, ids.size(), entries, malformed, changed.size(), tally, fold);
            return tally.differing.isEmpty() && malformed == 0 ? 0 : Ddm.DIFFERENT;
        } finally {
            client.shutdown();
        }
    }

    private void report(PrintWriter out, int documents, long entries, long malformed, int changed, Tally tally, LogFold fold) {
        out.printf("%s: %d documents, %d log entries%n", target.section, documents, entries);
        if (fold.merges() > 0 || fold.snapshots() > 0) {
            out.printf("  of which %s other regions' changes (resolving %s) and %s their repair requests%n",
                    count(fold.merges(), "merges", "merge"), count(fold.conflicts(), "conflict", "conflicts"),
                    count(fold.snapshots(), "snapshot answers", "snapshots answer"));
        }
        out.printf("  %d agree with their logged history%n", tally.count(Outcome.AGREE));
        if (tally.count(Outcome.VERSION_ONLY) > 0) {
            out.printf("  %d agree with the newest version the log holds (the start of their history was trimmed, so the "
                    + "content is not checked)%n", tally.count(Outcome.VERSION_ONLY));
        }
        out.printf("  %d cannot be checked: the log no longer holds their history (trimmed)%n", tally.count(Outcome.UNKNOWN));
        if (changed > 0) {
            out.printf("  %d changed while checking, not checked%n", changed);
        }
        if (malformed > 0) {
            out.printf("  %d log entries are not valid change events%n", malformed);
        }
        out.printf("  %d differ%n", tally.differing.size());
        tally.differing.stream().limit(SHOWN).forEach(d -> out.printf("    %s%n", d));
        if (tally.differing.size() > SHOWN) {
            out.printf("    ... and %d more%n", tally.differing.size() - SHOWN);
        }
        out.flush();
    }

    /** {@code n} and the singular or plural form, for example {@code 1 merges} (a verb) or {@code 2 conflicts}. */
    private static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private enum Outcome { AGREE, VERSION_ONLY, UNKNOWN }

    /** What was found for each document; differences keep their text. */
    private static final class Tally {
        private final boolean complete;
        private final boolean trimmedDuringRead;
        private final Map<String, Outcome> outcomes = new HashMap<>();
        final List<String> differing = new ArrayList<>();
        private final List<String> differingIds = new ArrayList<>();

        Tally(boolean complete, boolean trimmedDuringRead) {
            this.complete = complete;
            this.trimmedDuringRead = trimmedDuringRead;
        }

        void record(String id, LogFold.Folded logged, Optional<ChangeEvent> stored) {
            if (logged == null) {
                if (!complete) {
                    outcomes.put(id, Outcome.UNKNOWN);
                } else {
                    differ(id, "Redis holds version " + stored.map(ChangeEvent::version).orElse(0L) + ", but the log, never trimmed, "
                            + "has no change of it (written behind DDM's back?)");
                }
                return;
            }
            if (logged.problem() != null) {
                if (trimmedDuringRead) {
                    outcomes.put(id, Outcome.UNKNOWN); // entries of its history were trimmed while this read them
                } else {
                    differ(id, logged.problem());
                }
                return;
            }
            if (stored.isEmpty()) {
                differ(id, "the log has version " + logged.version() + ", Redis has no such document");
                return;
            }
            ChangeEvent s = stored.get();
            boolean deleted = s.op() == ChangeOp.DELETE;
            if (s.version() != logged.version() || deleted != logged.deleted()) {
                differ(id, "the log ends at version " + logged.version() + (logged.deleted() ? " (deleted)" : "") + ", Redis holds "
                        + "version " + s.version() + (deleted ? " (deleted)" : ""));
                return;
            }
            if (logged.unknownBase()) {
                if (complete) {
                    differ(id, "the log, never trimmed, lacks the start of its history");
                } else {
                    outcomes.put(id, Outcome.VERSION_ONLY);
                }
                return;
            }
            String content = deleted ? null : contentDifference(s.state(), logged.state());
            if (content != null) {
                differ(id, "at version " + s.version() + " " + content);
            } else {
                outcomes.put(id, Outcome.AGREE);
            }
        }

        void differ(String id, String what) {
            differing.add(id + ": " + what);
            differingIds.add(id);
        }

        int count(Outcome outcome) {
            return (int) outcomes.values().stream().filter(o -> o == outcome).count();
        }

        void discard(Set<String> ids) {
            outcomes.keySet().removeAll(ids);
            for (int i = differingIds.size() - 1; i >= 0; i--) {
                if (ids.contains(differingIds.get(i))) {
                    differingIds.remove(i);
                    differing.remove(i);
                }
            }
        }

        /** Null if equal; else the first member that differs, with both values (shortened). */
        private static String contentDifference(JsonNode stored, JsonNode logged) {
            if (stored.equals(logged)) {
                return null;
            }
            TreeSet<String> members = new TreeSet<>();
            stored.fieldNames().forEachRemaining(members::add);
            logged.fieldNames().forEachRemaining(members::add);
            for (Iterator<String> it = members.iterator(); it.hasNext(); ) {
                String member = it.next();
                JsonNode a = stored.get(member);
                JsonNode b = logged.get(member);
                if (a == null || !a.equals(b)) {
                    return "member '" + member + "' differs: Redis holds " + shorten(a) + ", the log gives " + shorten(b);
                }
            }
            return "the content differs";
        }

        private static String shorten(JsonNode node) {
            if (node == null) {
                return "nothing";
            }
            String text = node.toString();
            return text.length() <= 120 ? text : text.substring(0, 117) + "...";
        }
    }
}
