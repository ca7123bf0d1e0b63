package io.github.ddm.cli;

import io.github.ddm.SyncEvent;
import io.github.ddm.SyncListener;
import io.github.ddm.schema.Conflict;
import java.util.ArrayList;
import java.util.List;

/**
 * The conflicts between regions that one region's services were told of
 * ({@link SyncEvent.ConflictResolved}): how many, and each one, in the order they came. Thread-safe:
 * DDM calls {@link #onSyncEvent} on its threads.
 */
final class ConflictLog implements SyncListener {

    /**
     * One conflict, as a region resolved it.
     *
     * @param region the region that resolved it (took in the other's change)
     * @param id the document
     * @param version the version the resolution was committed as
     * @param conflict the place, and the kept and superseded changes
     */
    record Resolved(String region, String id, long version, Conflict conflict) {
        /** The same conflict, whichever region resolved it: the document, the place and both changes' stamps. */
        String identity() {
            return id + " " + conflict.path() + " " + conflict.kept() + " " + conflict.lost();
        }

        /** For example {@code book-7 /lastTrade: kept us's change over eu's (later by 4 ms)}. */
        String describe() {
            long apart = conflict.kept().time() - conflict.lost().time();
            String why = apart > 0 ? "later by " + apart + " ms"
                    : apart == 0 ? "same millisecond: the version, then the region id decide"
                    : "earlier by " + -apart + " ms, kept by the rule for its kind of change";
            return id + " " + (conflict.path().isEmpty() ? "(whole document)" : conflict.path()) + ": kept " + conflict.kept().region()
                    + "'s change over " + conflict.lost().region() + "'s (" + why + ")";
        }
    }

    private final String region;
    private final List<Resolved> resolved = new ArrayList<>();

    ConflictLog(String region) {
        this.region = region;
    }

    @Override
    public void onSyncEvent(SyncEvent event) {
        if (event instanceof SyncEvent.ConflictResolved conflicts) {
            synchronized (resolved) {
                for (Conflict conflict : conflicts.conflicts()) {
                    resolved.add(new Resolved(region, conflicts.key().id(), conflicts.version(), conflict));
                }
            }
        }
    }

    /** How many conflicts were reported so far. */
    int count() {
        synchronized (resolved) {
            return resolved.size();
        }
    }

    /** The conflicts reported from the {@code from}-th on (a {@link #count()} taken earlier). */
    List<Resolved> since(int from) {
        synchronized (resolved) {
            return new ArrayList<>(resolved.subList(Math.min(from, resolved.size()), resolved.size()));
        }
    }
}
