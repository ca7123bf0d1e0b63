package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.internal.merge.MergeState;
import io.github.ddm.internal.merge.RegionMerge;
import io.github.ddm.internal.merge.RegisterDiff;
import io.github.ddm.internal.merge.StateJoin;
import io.github.ddm.internal.patch.PatchEngine;
import io.github.ddm.internal.store.CommitRequest;
import io.github.ddm.internal.store.CommitResult;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.StoredDocument;
import io.github.ddm.internal.store.StoredMergeState;
import io.github.ddm.schema.CanonicalForm;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.VersionVector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Takes a change event from elsewhere (another region, a replay) into a section in Redis, through
 * the same commit script as local writes, under the merge rules of docs/regions.md:
 *
 * <ul>
 *   <li>a change already taken in (its replica's count in the document's clock) is a duplicate;</li>
 *   <li>a change whose dependencies (the clock it was made on) are not all taken in waits: nothing
 *       is written, and the caller gets {@link Outcome.Missing};</li>
 *   <li>an event that carries a whole merge state (stamps) is joined with the stored copy;</li>
 *   <li>otherwise the change is merged ({@link RegionMerge}) and the result committed as the next
 *       version, with the conflicts it resolved.</li>
 * </ul>
 * The committed event keeps the change's id, time, origin and lineage; the section's epoch, the
 * document's clock and the stream id are this region's. If the stored version moves while the result
 * is computed, it is computed again. {@link #apply} takes one event in (a read and a commit);
 * {@link ReplicationRounds} takes many in with pipelined reads and commits, through {@link #step}.
 * Thread-safe.
 */
public final class Replicator {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ATTEMPTS = 16;

    private final RedisDocumentStore store;

    public Replicator(RedisDocumentStore store) {
        this.store = store;
    }

    /** The store this replicator writes. */
    public RedisDocumentStore store() {
        return store;
    }

    /** What taking an event in did; the public API maps it to its own type. */
    public sealed interface Outcome {

        /** Committed as {@code version} at {@code streamId}; {@code merged} when not applied as made. */
        record Applied(long version, String streamId, List<Conflict> conflicts, boolean merged) implements Outcome {
        }

        /** Already taken in: nothing written. */
        record Duplicate(long storedVersion) implements Outcome {
        }

        /** Changes the event depends on are not taken in here yet: nothing written. */
        record Missing(VersionVector needs, VersionVector have) implements Outcome {
        }

        /** The event cannot be taken in: nothing written. */
        record Unappliable(long storedVersion, String reason) implements Outcome {
        }
    }

    /**
     * A document as a merge starts from: as read from Redis, or as the previous commit of a round left
     * it (then nothing needs to be read before the next event of the same key).
     *
     * @param epoch the section's epoch, or null when it has none
     * @param version the stored version, 0 when never written
     * @param tree the live document, or null (never written, or deleted); never modified
     * @param state its merge state
     */
    record Base(String epoch, long version, ObjectNode tree, MergeState state) {
    }

    /** What merging one event onto a base decided, before any write. */
    sealed interface Step {

        /** Nothing to write: the event's outcome is known. */
        record Final(Outcome outcome) implements Step {
        }

        /** The merge's result, to commit; {@code after} is the base the next event starts from once committed. */
        record Commit(CommitRequest request, RegionMerge.Outcome.Merged merged, Base after) implements Step {
        }
    }

    /** Takes the event in; the future fails only when Redis cannot be reached (or a stored copy cannot be read). */
    public CompletableFuture<Outcome> apply(ChangeEvent event) {
        return attempt(event, 1);
    }

    private CompletableFuture<Outcome> attempt(ChangeEvent event, int attempt) {
        return store.loadForMerge(event.key().id()).thenCompose(load -> {
            Base base;
            try {
                base = base(load);
            } catch (IOException e) {
                return done(unreadable(load.document().version(), e));
            }
            Step step = step(base, event);
            if (step instanceof Step.Final done) {
                return done(done.outcome());
            }
            Step.Commit commit = (Step.Commit) step;
            return store.commit(commit.request(), randomEpoch()).thenCompose(result -> {
                // Done also when an earlier delivery of this commit ran and the Redis client sent it again: the
                // change is taken in, by this apply (a fresh attempt would only find it a duplicate).
                if (result instanceof CommitResult.Done committed) {
                    return done(applied(committed, commit.merged()));
                }
                if (attempt >= MAX_ATTEMPTS) {
                    return CompletableFuture.<Outcome>failedFuture(keptMoving(event, attempt));
                }
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(pause(attempt), TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> attempt(event, attempt + 1));
            });
        });
    }

    /** The base of a read document. @throws IOException if a stored member is not JSON */
    static Base base(RedisDocumentStore.MergeLoad load) throws IOException {
        StoredDocument stored = load.document();
        return new Base(stored.epoch(), stored.version(), stored.exists() ? tree(stored) : null, load.state());
    }

    static Outcome unreadable(long storedVersion, IOException e) {
        return new Outcome.Unappliable(storedVersion, "the stored document is not JSON: " + e.getMessage());
    }

    static Outcome applied(CommitResult.Done committed, RegionMerge.Outcome.Merged merged) {
        return new Outcome.Applied(committed.version(), committed.streamId(), merged.conflicts(), !merged.fastForward());
    }

    /** Not the event's fault: the caller retries it later (the sink as it retries an unreachable Redis). */
    static StoreUnavailableException keptMoving(ChangeEvent event, int attempts) {
        return new StoreUnavailableException("the version of " + event.key() + " kept moving under local writes during "
                + attempts + " attempts to take in " + event.eventId(), null);
    }

    /** A random pause before attempt {@code attempt + 1}, in ms. */
    static long pause(int attempt) {
        return ThreadLocalRandom.current().nextLong(1, 1L << Math.min(attempt, 5));
    }

    /** Merges {@code event} onto {@code base}, without I/O. */
    static Step step(Base base, ChangeEvent event) {
        RegionMerge.Outcome outcome = merge(base.tree(), base.state(), event);
        if (outcome instanceof RegionMerge.Outcome.Duplicate) {
            return new Step.Final(new Outcome.Duplicate(base.version()));
        }
        if (outcome instanceof RegionMerge.Outcome.Missing missing) {
            return new Step.Final(new Outcome.Missing(missing.needs(), missing.have()));
        }
        if (outcome instanceof RegionMerge.Outcome.Unmergeable unmergeable) {
            return new Step.Final(new Outcome.Unappliable(base.version(), unmergeable.reason()));
        }
        RegionMerge.Outcome.Merged merged = (RegionMerge.Outcome.Merged) outcome;
        long version = merged.state().clock().sum();
        if (version <= base.version()) {
            return new Step.Final(new Outcome.Unappliable(base.version(), "the stored document (version " + base.version()
                    + ") has no clock that counts its history (written before regions support?): rebuild the section before"
                    + " taking in other regions' changes"));
        }
        CommitRequest request = commitOf(event, base, merged);
        ObjectNode after = merged.tree() == null ? null : CanonicalForm.normalize(merged.tree());
        return new Step.Commit(request, merged, new Base(null, version, after, merged.state()));
    }

    private static RegionMerge.Outcome merge(ObjectNode tree, MergeState local, ChangeEvent event) {
        boolean wholeState = event.stamps() != null || (event.op() == ChangeOp.SNAPSHOT && event.clock() != null);
        if (!wholeState) {
            return RegionMerge.apply(tree, local, event);
        }
        if (event.clock() == null) {
            return new RegionMerge.Outcome.Unmergeable("the event carries stamps but no clock");
        }
        ObjectNode remote = event.state() == null ? null : (ObjectNode) event.state();
        return StateJoin.join(tree, local, remote, new MergeState(event.clock(),
                event.stamps() == null ? new TreeMap<>() : event.stamps()));
    }

    private static CompletableFuture<Outcome> done(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    /** The commit of a merge's result, with the event this region logs and publishes for it. */
    private static CommitRequest commitOf(ChangeEvent event, Base stored, RegionMerge.Outcome.Merged merged) {
        ObjectNode tree = stored.tree();
        MergeState before = stored.state();
        ObjectNode after = merged.tree();
        MergeState state = merged.state();
        long version = state.clock().sum();
        long prev = stored.version();
        Map<String, String> writes = new LinkedHashMap<>();
        List<String> removals = new ArrayList<>();
        ChangeOp op;
        JsonNode patch = null;
        JsonNode full = null;
        if (after == null) {
            op = ChangeOp.DELETE;
            // A deleted document never seen here arrives as a tombstone; a delete event needs a base.
            prev = prev >= 1 ? prev : version - 1;
        } else if (tree == null) {
            op = ChangeOp.CREATE;
            full = after;
            after.fields().forEachRemaining(member -> writes.put(member.getKey(), CanonicalForm.text(member.getValue())));
        } else {
            op = ChangeOp.UPDATE;
            patch = merged.fastForward() && event.op() == ChangeOp.UPDATE && event.stamps() == null
                    ? event.patch() : RegisterDiff.diff(tree, after);
            for (String member : PatchEngine.touchedMembers(patch, after::fieldNames)) {
                JsonNode value = after.get(member);
                if (value == null) {
                    removals.add(member);
                } else {
                    writes.put(member, CanonicalForm.text(value));
                }
            }
        }
        ChangeEvent logged = new ChangeEvent(event.eventId(), event.key(), op, version, prev, EventTemplate.PLACEHOLDER_EPOCH,
                event.time(), event.origin(), op == ChangeOp.UPDATE ? patch : null, op == ChangeOp.CREATE ? full : null, null,
                EventTemplate.PLACEHOLDER_LINEAGE, EventTemplate.placeholderClock(version), null,
                merged.conflicts().isEmpty() ? null : merged.conflicts());
        boolean reset = !Objects.equals(before.root(), state.root());
        Map<String, String> fields = StoredMergeState.changes(before, state, reset);
        return new CommitRequest(event.key().id(), stored.version(), version, stored.epoch(), event.time().toEpochMilli(),
                RedisDocumentStore.formatOrigin(event.origin()), op, EventTemplate.of(logged), writes, removals,
                // Only a change applied as it was made is logged under its lineage: a merge's or a join's result is
                // not that replica's change (its stamp would be another), so nothing may take it for one.
                new CommitRequest.Applied(merged.fastForward() && event.stamps() == null && event.op() != ChangeOp.SNAPSHOT
                        && event.lineage() != null ? event.lineage() : "", state.clock().toJson(), fields, reset));
    }

    private static ObjectNode tree(StoredDocument stored) throws IOException {
        ObjectNode tree = JSON.createObjectNode();
        for (Map.Entry<String, String> member : stored.members().entrySet()) {
            tree.set(member.getKey(), JSON.readTree(member.getValue()));
        }
        return CanonicalForm.normalize(tree);
    }

    static String randomEpoch() {
        byte[] bytes = new byte[8];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
