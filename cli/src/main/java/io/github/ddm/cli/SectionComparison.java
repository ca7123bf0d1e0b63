package io.github.ddm.cli;

import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.VersionVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Compares one section in two Redis servers (two regions), document by document: whether each
 * exists, is deleted, its version, its content, and its identity: the clock of its merge state
 * (docs/regions.md, "Identity"), with the stamps. Two copies with the same clock hold the same
 * document, so equal content under different clocks (histories that will merge differently) and
 * different content under one clock (a copy changed behind DDM's back) are both differences, named
 * as such. Epochs, stream ids and lineages are per region and not compared. Reads through
 * {@link SectionStore#snapshot}, 256 documents at a time from each side. Stateless.
 */
final class SectionComparison {

    /** Differences kept for the report; the count covers all of them. */
    static final int MAX_REPORTED = 20;
    private static final int CHUNK = 256;

    /** How a document's two copies differ. */
    enum Kind {
        /** It exists on one side only. */
        MISSING,
        /** It is deleted on one side only. */
        DELETED,
        /** Different versions: one side has taken in changes the other has not (yet). */
        VERSION,
        /** Same version and identity (clock), different content: a copy was changed behind DDM's back. */
        CONTENT,
        /** Same version and content, different identity: different histories, which merge differently from now on. */
        IDENTITY,
        /** Same version, different content and identity. */
        CONTENT_AND_IDENTITY
    }

    /** One document that differs, and how. */
    record Difference(String id, Kind kind, String what) {
    }

    /**
     * @param documents documents found on either side
     * @param differing how many differ
     * @param sample up to {@link #MAX_REPORTED} of them, by id
     * @param kinds how many differ in each way
     */
    record Result(int documents, int differing, List<Difference> sample, Map<Kind, Integer> kinds) {
        Result {
            sample = List.copyOf(sample);
            kinds = Map.copyOf(kinds);
        }

        boolean equal() {
            return differing == 0;
        }

        int count(Kind kind) {
            return kinds.getOrDefault(kind, 0);
        }
    }

    private SectionComparison() {
    }

    /**
     * @throws IllegalStateException if a side cannot be read within {@code timeout} per chunk
     */
    static Result compare(SectionStore left, String leftName, SectionStore right, String rightName, Duration timeout) {
        TreeSet<String> ids = new TreeSet<>(join(left.ids(), timeout, leftName));
        ids.addAll(join(right.ids(), timeout, rightName));
        List<String> all = new ArrayList<>(ids);
        List<Difference> sample = new ArrayList<>();
        Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
        int differing = 0;
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            List<CompletableFuture<Optional<ChangeEvent>>> lefts = new ArrayList<>();
            List<CompletableFuture<Optional<ChangeEvent>>> rights = new ArrayList<>();
            for (String id : chunk) {
                lefts.add(left.snapshot(id));
                rights.add(right.snapshot(id));
            }
            for (int i = 0; i < chunk.size(); i++) {
                Difference difference = differ(chunk.get(i), join(lefts.get(i), timeout, leftName), leftName,
                        join(rights.get(i), timeout, rightName), rightName);
                if (difference != null) {
                    differing++;
                    kinds.merge(difference.kind(), 1, Integer::sum);
                    if (sample.size() < MAX_REPORTED) {
                        sample.add(difference);
                    }
                }
            }
        }
        return new Result(all.size(), differing, sample, kinds);
    }

    /** How two snapshots of one document differ, or null if they do not. */
    static Difference differ(String id, Optional<ChangeEvent> left, String leftName, Optional<ChangeEvent> right, String rightName) {
        if (left.isEmpty() || right.isEmpty()) {
            return left.isEmpty() && right.isEmpty() ? null
                    : new Difference(id, Kind.MISSING, "missing in " + (left.isEmpty() ? leftName : rightName) + " (version "
                            + left.or(() -> right).get().version() + " in " + (left.isEmpty() ? rightName : leftName) + ")");
        }
        ChangeEvent l = left.get();
        ChangeEvent r = right.get();
        String clocks = "clock " + clock(l) + " in " + leftName + ", " + clock(r) + " in " + rightName;
        boolean sameIdentity = Objects.equals(l.clock(), r.clock());
        if (l.version() != r.version()) {
            return new Difference(id, Kind.VERSION, "version " + l.version() + " in " + leftName + ", " + r.version() + " in " + rightName
                    + (l.clock() == null && r.clock() == null ? "" : ": " + clocks));
        }
        boolean leftDeleted = l.op() == ChangeOp.DELETE;
        boolean rightDeleted = r.op() == ChangeOp.DELETE;
        if (leftDeleted != rightDeleted) {
            return new Difference(id, Kind.DELETED, "deleted in " + (leftDeleted ? leftName : rightName) + " only, at version " + l.version());
        }
        boolean sameContent = leftDeleted || l.state().equals(r.state());
        if (!sameContent && sameIdentity) {
            return new Difference(id, Kind.CONTENT, "same version " + l.version() + (l.clock() == null ? ""
                    : " and identity (clock " + clock(l) + ")") + ", different content" + (l.clock() == null ? ""
                    : ": one copy was changed behind DDM's back"));
        }
        if (!sameContent) {
            return new Difference(id, Kind.CONTENT_AND_IDENTITY, "same version " + l.version() + ", different content and identity: "
                    + clocks);
        }
        if (!sameIdentity) {
            return new Difference(id, Kind.IDENTITY, "same version " + l.version() + " and content" + (leftDeleted ? " (deleted)" : "")
                    + ", different identity: " + clocks);
        }
        if (!Objects.equals(l.stamps(), r.stamps())) {
            return new Difference(id, Kind.IDENTITY, "same version " + l.version() + ", content and clock, different stamps "
                    + "(merge state): later concurrent changes would merge differently");
        }
        return null;
    }

    private static String clock(ChangeEvent event) {
        VersionVector clock = event.clock();
        return clock == null ? "none (written before regions support)" : clock.toJson();
    }

    private static <T> T join(CompletableFuture<T> future, Duration timeout, String side) {
        try {
            return Futures.await(future, timeout, "reading " + side);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + side, e);
        }
    }
}
