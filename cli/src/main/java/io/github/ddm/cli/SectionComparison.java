package io.github.ddm.cli;

import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Compares one section in two Redis servers (two regions), document by document: whether each
 * exists, is deleted, its version and its content. Epochs and stream ids are per region and not
 * compared. Reads 256 documents at a time from each side. Stateless.
 */
final class SectionComparison {

    /** Differences kept for the report; the count covers all of them. */
    static final int MAX_REPORTED = 20;
    private static final int CHUNK = 256;

    /** One document that differs, and how. */
    record Difference(String id, String what) {
    }

    /**
     * @param documents documents found on either side
     * @param differing how many differ
     * @param sample up to {@link #MAX_REPORTED} of them, by id
     */
    record Result(int documents, int differing, List<Difference> sample) {
        boolean equal() {
            return differing == 0;
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
                String what = differ(join(lefts.get(i), timeout, leftName), leftName, join(rights.get(i), timeout, rightName), rightName);
                if (what != null) {
                    differing++;
                    if (sample.size() < MAX_REPORTED) {
                        sample.add(new Difference(chunk.get(i), what));
                    }
                }
            }
        }
        return new Result(all.size(), differing, List.copyOf(sample));
    }

    /** How two snapshots of one document differ, or null if they do not. */
    static String differ(Optional<ChangeEvent> left, String leftName, Optional<ChangeEvent> right, String rightName) {
        if (left.isEmpty() || right.isEmpty()) {
            return left.isEmpty() && right.isEmpty() ? null
                    : "missing in " + (left.isEmpty() ? leftName : rightName) + " (version " + left.or(() -> right).get().version()
                            + " in " + (left.isEmpty() ? rightName : leftName) + ")";
        }
        ChangeEvent l = left.get();
        ChangeEvent r = right.get();
        if (l.version() != r.version()) {
            return "version " + l.version() + " in " + leftName + ", " + r.version() + " in " + rightName;
        }
        boolean leftDeleted = l.op() == ChangeOp.DELETE;
        boolean rightDeleted = r.op() == ChangeOp.DELETE;
        if (leftDeleted != rightDeleted) {
            return "deleted in " + (leftDeleted ? leftName : rightName) + " only, at version " + l.version();
        }
        if (!leftDeleted && !l.state().equals(r.state())) {
            return "same version " + l.version() + ", different content";
        }
        return null;
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
