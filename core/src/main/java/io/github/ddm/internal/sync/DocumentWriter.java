package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.ConflictRejectedException;
import io.github.ddm.ConflictResolver;
import io.github.ddm.DocumentNotFoundException;
import io.github.ddm.DocumentTooLargeException;
import io.github.ddm.VersionConflictException;
import io.github.ddm.Versioned;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.cache.DocumentState;
import io.github.ddm.internal.patch.DocumentCodec;
import io.github.ddm.internal.merge.RegisterDiff;
import io.github.ddm.internal.patch.PatchEngine;
import io.github.ddm.internal.store.CommitRequest;
import io.github.ddm.internal.store.CommitResult;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits changes: {@code update} (read-modify-write), {@code set} (create or replace) and
 * {@code delete}, each as one compare-and-set script call.
 *
 * <p>Writes to one key run one after another on this node (different keys in parallel), and each
 * write's steps run on the key's lane: read the current entry (loading it on a miss), run the
 * mutation, diff, commit, and on success move the cache to the new version. On a version
 * mismatch the key is reloaded and the write is computed again on the newer state, after a
 * jittered backoff, up to a bounded number of attempts; a mismatch that is the write's own commit
 * (the Redis client sent the script call again after the first delivery had run) completes the
 * write with that commit instead. Thread-safe.
 */
public final class DocumentWriter<T> {

    private static final Logger log = LoggerFactory.getLogger(DocumentWriter.class);

    /** Settings the writer needs, validated by the manager's builder. */
    public record Settings(Origin origin, Clock clock, Executor executor, long maxDocumentBytes, int fullStateEvery,
                           int maxAttempts, Duration backoffBase, Duration backoffMax) {
    }

    private final RedisDocumentStore store;
    private final DocumentCache<T> cache;
    private final DocumentCodec<T> codec;
    private final SectionState<T> state;
    private final Loader<T> loader;
    private final KeyLanes lanes;
    private final Settings settings;
    private final ConflictResolver<T> resolver;
    private final String partition;
    private final String section;
    private final String originText;
    private final ConcurrentMap<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();
    private final RecentTrees recentTrees;
    private final OwnCommits<T> ownCommits = new OwnCommits<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();
    private final AtomicLong patchBytes = new AtomicLong();
    private final AtomicLong fullBytes = new AtomicLong();

    public DocumentWriter(RedisDocumentStore store, DocumentCache<T> cache, DocumentCodec<T> codec, SectionState<T> state,
                          Loader<T> loader, KeyLanes lanes, RecentTrees recentTrees, Settings settings,
                          ConflictResolver<T> resolver, String partition, String section) {
        this.recentTrees = recentTrees;
        this.store = store;
        this.cache = cache;
        this.codec = codec;
        this.state = state;
        this.loader = loader;
        this.lanes = lanes;
        this.settings = settings;
        this.resolver = resolver;
        this.partition = partition;
        this.section = section;
        this.originText = RedisDocumentStore.formatOrigin(settings.origin());
    }

    /** Read-modify-write; completes with the committed (or unchanged) version. */
    public CompletableFuture<Versioned<T>> update(String id, UnaryOperator<T> mutation) {
        return serialized(id, () -> new Operation<Versioned<T>>(id, Kind.UPDATE, mutation, null).start());
    }

    /** Create or replace; completes with the committed (or unchanged) version. */
    public CompletableFuture<Versioned<T>> set(String id, T value) {
        return serialized(id, () -> new Operation<Versioned<T>>(id, Kind.SET, null, value).start());
    }

    /** Delete; completes with true if a document was deleted, false if there was none. */
    public CompletableFuture<Boolean> delete(String id) {
        return serialized(id, () -> new Operation<Boolean>(id, Kind.DELETE, null, null).start());
    }

    /** This node's commits whose echo is still to come (for the feed). */
    OwnCommits<T> ownCommits() {
        return ownCommits;
    }

    /** Keys with a write in flight. */
    public int inFlight() {
        return tails.size();
    }

    /** Changes committed since start. */
    public long commits() {
        return commits.get();
    }

    /** Compare-and-set attempts that found a newer version. */
    public long conflicts() {
        return conflicts.get();
    }

    /** Bytes of change events committed by updates (without epoch and stream id), and the bytes the full documents would have taken. */
    public long[] patchAndFullBytes() {
        return new long[] {patchBytes.get(), fullBytes.get()};
    }

    /** Runs writes to one key one after another, without blocking a thread while waiting. */
    private <R> CompletableFuture<R> serialized(String id, java.util.function.Supplier<CompletableFuture<R>> write) {
        CompletableFuture<R> result = new CompletableFuture<>();
        CompletableFuture<Void> done = result.handle((r, e) -> null);
        CompletableFuture<?> previous = tails.put(id, done);
        Runnable run = () -> write.get().whenComplete((r, e) -> {
            if (e != null) {
                result.completeExceptionally(RedisDocumentStore.unwrap(e));
            } else {
                result.complete(r);
            }
        });
        if (previous == null) {
            run.run();
        } else {
            previous.whenComplete((r, e) -> run.run());
        }
        done.whenComplete((r, e) -> tails.remove(id, done));
        return result;
    }

    private enum Kind { UPDATE, SET, DELETE }

    /** One write, through its attempts. Every step after start() runs on the key's lane. */
    private final class Operation<R> {
        private final String id;
        private final DataKey key;
        private final Kind kind;
        private final UnaryOperator<T> mutation;
        private final CompletableFuture<R> result = new CompletableFuture<>();
        private T proposed;
        private int attempts;
        /** The last attempt failed only because its time was before the document's last change time. */
        private boolean timeOnly;

        Operation(String id, Kind kind, UnaryOperator<T> mutation, T proposed) {
            this.id = id;
            this.key = DataKey.of(partition, section, id);
            this.kind = kind;
            this.mutation = mutation;
            this.proposed = proposed;
        }

        CompletableFuture<R> start() {
            // The first attempt runs on the calling thread: computing a change needs no lane (the
            // compare-and-set catches any concurrent change); only cache updates run on the lane.
            attempt(false);
            return result;
        }

        private void attempt(boolean reload) {
            CachedDocument<T> entry = reload ? null : cache.get(id);
            if (entry != null) {
                compute(entry);
                return;
            }
            // The loader completes on this key's lane, so compute() stays on the lane.
            loader.load(id).whenComplete((loaded, error) -> {
                if (error != null) {
                    fail(error);
                } else {
                    compute(loaded);
                }
            });
        }

        private void compute(CachedDocument<T> base) {
            try {
                switch (kind) {
                    case UPDATE:
                        computeUpdate(base);
                        break;
                    case SET:
                        computeSet(base);
                        break;
                    default:
                        computeDelete(base);
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        private void computeUpdate(CachedDocument<T> base) {
            if (!base.exists()) {
                throw new DocumentNotFoundException(key);
            }
            ObjectNode before = treeOf(base);
            T changed = mutation.apply(cache.valueForMutation(id, base));
            commitDiff(base, before, codec.toTree(key, changed), changed);
        }

        private void computeSet(CachedDocument<T> base) {
            ObjectNode after = codec.toTree(key, proposed);
            if (!base.exists()) {
                ChangeEvent event = event(ChangeOp.CREATE, base, base.version() + 1, null, after);
                Map<String, String> writes = new LinkedHashMap<>();
                after.fields().forEachRemaining(member -> writes.put(member.getKey(), codec.memberJson(member.getValue())));
                commit(base, ChangeOp.CREATE, event, after, proposed, writes, List.of());
                return;
            }
            commitDiff(base, treeOf(base), after, proposed);
        }

        private void computeDelete(CachedDocument<T> base) {
            if (!base.exists()) {
                complete(cast(Boolean.FALSE));
                return;
            }
            ChangeEvent event = event(ChangeOp.DELETE, base, base.version() + 1, null, null);
            commit(base, ChangeOp.DELETE, event, null, null, Map.of(), List.of());
        }

        private void commitDiff(CachedDocument<T> base, ObjectNode before, ObjectNode after, T value) {
            JsonNode patch = RegisterDiff.diff(before, after);
            if (patch.isEmpty()) {
                // Nothing changed: nothing is committed, and the current version, with the value the
                // write produced, is the answer.
                complete(cast(cache.written(id, base, value).orElseThrow()));
                return;
            }
            Map<String, String> writes = new LinkedHashMap<>();
            List<String> removals = new ArrayList<>();
            for (String member : PatchEngine.touchedMembers(patch, () -> after.fieldNames())) {
                JsonNode memberValue = after.get(member);
                if (memberValue == null) {
                    removals.add(member);
                } else {
                    writes.put(member, codec.memberJson(memberValue));
                }
            }
            long version = base.version() + 1;
            boolean withState = settings.fullStateEvery() > 0 && version % settings.fullStateEvery() == 0;
            ChangeEvent event = event(ChangeOp.UPDATE, base, version, patch, withState ? after : null);
            commit(base, ChangeOp.UPDATE, event, after, value, writes, removals);
        }

        /**
         * The change's event, built once (its constructor validates and copies the patch and the state),
         * with the placeholders the commit script replaces with the epoch, this region's lineage and the clock.
         */
        private ChangeEvent event(ChangeOp op, CachedDocument<T> base, long version, JsonNode patch, ObjectNode state) {
            return new ChangeEvent(newEventId(), key, op, version, base.version(), EventTemplate.PLACEHOLDER_EPOCH, now(base),
                    settings.origin(), patch, state, null, EventTemplate.PLACEHOLDER_LINEAGE,
                    EventTemplate.placeholderClock(version), null, null);
        }

        /** The base's tree: remembered from this node's last commit of the key, else rebuilt. */
        private ObjectNode treeOf(CachedDocument<T> base) {
            ObjectNode remembered = recentTrees.get(id, base.version(), base.epoch());
            return remembered != null ? remembered : cache.tree(base);
        }

        private void commit(CachedDocument<T> base, ChangeOp op, ChangeEvent event, ObjectNode after, T value,
                            Map<String, String> writes, List<String> removals) {
            DocumentState<T> next = after == null ? null : stateOf(base, op, after, value, writes);
            EventTemplate template = EventTemplate.of(event);
            CommitRequest request = new CommitRequest(id, base.version(), base.version() + 1,
                    base.epoch() != null ? base.epoch() : state.epoch(),
                    event.time().toEpochMilli(), originText, op, template, writes, removals,
                    new CommitRequest.Local(settings.origin().region(), op == ChangeOp.UPDATE ? written(event.patch()) : List.of()));
            int eventBytes = template.head().length() + template.middle().length() + template.tail().length();
            ownCommits.register(new OwnCommits.Own<>(event, template, next));
            store.commit(request, newEpoch()).whenComplete((outcome, error) -> lanes.execute(id, () -> {
                if (error != null) {
                    ownCommits.forget(event.eventId());
                    fail(error);
                } else {
                    onOutcome(base, op, event, next, eventBytes, outcome);
                }
            }));
        }

        /**
         * The new document's state: its tree, the write's own value, and the size the limit is checked
         * against. The whole document is serialized only where its bytes are needed: COPY_ON_READ caches
         * them, and a size without a known bound must be measured.
         *
         * @throws DocumentTooLargeException if the document is over the limit
         */
        private DocumentState<T> stateOf(CachedDocument<T> base, ChangeOp op, ObjectNode after, T value,
                                         Map<String, String> writes) {
            byte[] bytes = null;
            long size;
            long measured;
            if (cache.keepsBytes()) {
                bytes = codec.toBytes(after);
                size = bytes.length;
                measured = size;
            } else {
                size = sizeBound(base, op, writes);
                if (size < 0) {
                    size = codec.toBytes(after).length;
                    measured = size;
                } else {
                    measured = base.measuredSize();
                }
            }
            if (size > settings.maxDocumentBytes()) {
                throw new DocumentTooLargeException(key, size, settings.maxDocumentBytes());
            }
            return new DocumentState<>(after, value, bytes, size, measured);
        }

        /**
         * An upper bound of the new document's JSON size, without serializing it: the old bound plus
         * the changed members' JSON. It only grows, so it is re-measured (-1) once it passes half the
         * limit, or when no bound is known.
         */
        private long sizeBound(CachedDocument<T> base, ChangeOp op, Map<String, String> writes) {
            if (op != ChangeOp.UPDATE || base.size() <= 0) {
                return -1;
            }
            long bound = base.size();
            for (Map.Entry<String, String> write : writes.entrySet()) {
                bound += Loader.utf8Length(write.getKey()) + 4 + Loader.utf8Length(write.getValue());
            }
            return bound <= settings.maxDocumentBytes() / 2 ? bound : -1;
        }

        @SuppressWarnings("unchecked")
        private void onOutcome(CachedDocument<T> base, ChangeOp op, ChangeEvent event, DocumentState<T> after, int eventBytes,
                               CommitResult outcome) {
            try {
                if (outcome instanceof CommitResult.AlreadyCommitted already) {
                    // Redis ran an earlier delivery of this very commit, whose reply was lost; the client sent it
                    // again. Running the mutation again would apply it twice: complete with that commit instead.
                    log.info("commit of {} v{} (event {}) completed from its first delivery: the Redis client sent it again "
                            + "after a response timeout", key, already.version(), event.eventId());
                }
                if (outcome instanceof CommitResult.Done committed) {
                    commits.incrementAndGet();
                    if (op == ChangeOp.UPDATE) {
                        patchBytes.addAndGet(eventBytes);
                        fullBytes.addAndGet(after.measured());
                    }
                    state.observe(committed.epoch());
                    CachedDocument<T> next = op == ChangeOp.DELETE
                            ? cache.absent(committed.version(), event.time().toEpochMilli(), settings.origin(), committed.epoch())
                            : cache.committed(id, committed.version(), event.time().toEpochMilli(), settings.origin(),
                                    committed.epoch(), after);
                    if (after != null) {
                        recentTrees.put(id, committed.version(), next.epoch(), after.tree());
                    }
                    CachedDocument<T> current = cache.get(id);
                    if (current == null || current.version() == base.version()) {
                        state.put(id, next);
                    } else if (current.version() < committed.version()) {
                        cache.invalidate(id); // neither the base nor ours: reload on the next read
                    }
                    complete(op == ChangeOp.DELETE ? (R) Boolean.TRUE : (R) cache.written(id, next, after.value()).orElseThrow());
                } else if (outcome instanceof CommitResult.EpochMismatch mismatch) {
                    ownCommits.forget(event.eventId());
                    state.observe(mismatch.epoch());
                    retry(mismatch.storedVersion());
                } else if (outcome instanceof CommitResult.TimeBehind behind) {
                    // The cached copy's time was behind Redis's: read it again and stamp the change later.
                    // Nothing else changed, so a blind write does not ask its resolver again.
                    ownCommits.forget(event.eventId());
                    timeOnly = true;
                    retry(behind.storedVersion());
                } else {
                    ownCommits.forget(event.eventId());
                    conflicts.incrementAndGet();
                    retry(((CommitResult.VersionMismatch) outcome).storedVersion());
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        private void retry(long storedVersion) {
            attempts++;
            if (attempts >= settings.maxAttempts()) {
                throw new VersionConflictException(key, attempts, storedVersion);
            }
            cache.invalidate(id);
            long cap = Math.min(settings.backoffMax().toNanos(), settings.backoffBase().toNanos() << Math.min(attempts, 20));
            long delay = ThreadLocalRandom.current().nextLong(Math.max(1, cap));
            Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS, settings.executor());
            later.execute(() -> lanes.execute(id, this::reattempt));
        }

        private void reattempt() {
            if (kind != Kind.SET || timeOnly) {
                timeOnly = false;
                attempt(true);
                return;
            }
            loader.load(id).whenComplete((current, error) -> {
                if (error != null) {
                    fail(error);
                    return;
                }
                try {
                    ConflictResolver.Resolution<T> decision = resolver.resolve(cache.read(id, current), proposed);
                    if (decision instanceof ConflictResolver.Resolution.Reject<T> reject) {
                        throw new ConflictRejectedException(key, reject.reason());
                    }
                    proposed = ((ConflictResolver.Resolution.Write<T>) decision).value();
                    compute(current);
                } catch (RuntimeException | Error e) {
                    fail(e);
                }
            });
        }

        private void complete(R value) {
            result.complete(value);
        }

        /** R is Versioned&lt;T&gt; for UPDATE and SET, Boolean for DELETE; the kind decides which. */
        @SuppressWarnings("unchecked")
        private R cast(Object value) {
            return (R) value;
        }

        private void fail(Throwable error) {
            result.completeExceptionally(RedisDocumentStore.unwrap(error));
        }

        /**
         * The change's time: the clock's, but never before the document's last change time, so that a
         * change never orders before a change it has seen (docs/regions.md, "Stamps").
         */
        private Instant now(CachedDocument<T> base) {
            return Instant.ofEpochMilli(Math.max(settings.clock().millis(), base.timeMillis()));
        }
    }


    /** (member, pointer inside it) of every place a register-form patch writes, for the script's stamps. */
    static List<String[]> written(JsonNode patch) {
        List<String[]> written = new ArrayList<>(patch.size());
        for (JsonNode op : patch) {
            String path = op.path("path").asText();
            int end = path.indexOf('/', 1);
            String token = path.substring(1, end < 0 ? path.length() : end);
            String member = token.indexOf('~') < 0 ? token : token.replace("~1", "/").replace("~0", "~");
            written.add(new String[] {member, end < 0 ? "" : path.substring(end)});
        }
        return written;
    }

    /** 96 random bits as 16 base64url characters: unique enough, and short on the wire. */
    private static String newEventId() {
        return randomText(12);
    }

    /** 64 random bits as 11 characters. Only proposed: the script keeps the section's existing epoch. */
    private static String newEpoch() {
        return randomText(8);
    }

    private static String randomText(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
