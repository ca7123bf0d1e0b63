package io.github.ddm.internal.sync;

import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.patch.DocumentCodec;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.StoredDocument;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads documents on a cache miss: one load per key however many callers wait (no stampede),
 * race-free against changes that arrive while it is in flight.
 *
 * <p>The section is subscribed before any load starts. A load registers itself before it reads
 * Redis; change events for the key that arrive meanwhile are buffered (by the key's lane); when the
 * read returns, the lane applies the buffered events newer than the loaded version, in order, and
 * only then caches the result. An event that does not follow leaves the key uncached, so the next
 * read loads again. Thread-safe.
 */
final class Loader<T> {

    private static final Logger log = LoggerFactory.getLogger(Loader.class);
    private static final int MAX_REREADS = 3;

    private final RedisDocumentStore store;
    private final DocumentCache<T> cache;
    private final DocumentCodec<T> codec;
    private final SectionState<T> state;
    private final EventApplier<T> applier;
    private final KeyLanes lanes;
    private final String partition;
    private final String section;
    private final ConcurrentMap<String, Pending<T>> inflight = new ConcurrentHashMap<>();
    private final AtomicLong loads = new AtomicLong();

    Loader(RedisDocumentStore store, DocumentCache<T> cache, DocumentCodec<T> codec, SectionState<T> state,
           EventApplier<T> applier, KeyLanes lanes, String partition, String section) {
        this.store = store;
        this.cache = cache;
        this.codec = codec;
        this.state = state;
        this.applier = applier;
        this.lanes = lanes;
        this.partition = partition;
        this.section = section;
    }

    /** Keys with a load in flight. */
    public int inFlight() {
        return inflight.size();
    }

    /** Loads issued to Redis since start. */
    public long loads() {
        return loads.get();
    }

    /**
     * The key's entry: joins the load in flight, or starts one. The future completes on the key's
     * lane, and fails with the store's exception (nothing is cached then).
     */
    public CompletableFuture<CachedDocument<T>> load(String id) {
        Pending<T> fresh = new Pending<>();
        Pending<T> existing = inflight.putIfAbsent(id, fresh);
        if (existing != null) {
            return existing.result;
        }
        read(id, fresh, 0);
        return fresh.result;
    }

    /**
     * For a read that found the key not cached: like {@link #load}, except that when a load of the
     * key finished between that miss and this call (its entry is cached by now), the entry is
     * returned without reading Redis again. Checked on the key's lane, where loads finish and events
     * are buffered, so no buffered event is dropped.
     */
    public CompletableFuture<CachedDocument<T>> loadMissed(String id) {
        Pending<T> fresh = new Pending<>();
        Pending<T> existing = inflight.putIfAbsent(id, fresh);
        if (existing != null) {
            return existing.result;
        }
        lanes.execute(id, () -> {
            CachedDocument<T> cached = cache.get(id);
            if (cached != null && fresh.buffered.isEmpty()) {
                inflight.remove(id, fresh);
                fresh.result.complete(cached);
            } else {
                read(id, fresh, 0);
            }
        });
        return fresh.result;
    }

    /** Buffers an event for a key whose load is in flight; returns false if none is. Lane only. */
    boolean buffer(ChangeEvent event) {
        Pending<T> pending = inflight.get(event.key().id());
        if (pending == null) {
            return false;
        }
        pending.buffered.add(event);
        return true;
    }

    private void read(String id, Pending<T> pending, int rereads) {
        loads.incrementAndGet();
        String epochAtStart = state.epoch();
        store.load(id).whenComplete((stored, error) ->
                lanes.execute(id, () -> finish(id, pending, stored, error, epochAtStart, rereads)));
    }

    private void finish(String id, Pending<T> pending, StoredDocument stored, Throwable error, String epochAtStart,
                        int rereads) {
        if (error != null) {
            inflight.remove(id, pending);
            pending.result.completeExceptionally(error);
            return;
        }
        boolean outdated = !Objects.equals(stored.epoch(), state.epoch()) && Objects.equals(stored.epoch(), epochAtStart);
        SectionState.Observation seen = outdated ? SectionState.Observation.RETIRED : state.observe(stored.epoch());
        if (seen == SectionState.Observation.RETIRED && rereads < MAX_REREADS) {
            // The read predates an epoch this node learned meanwhile (or comes from before a loss): read again.
            read(id, pending, rereads + 1);
            return;
        }
        CachedDocument<T> entry;
        try {
            entry = entryOf(id, stored);
        } catch (RuntimeException e) {
            inflight.remove(id, pending);
            pending.result.completeExceptionally(e);
            return;
        }
        boolean cacheable = seen != SectionState.Observation.RETIRED;
        for (ChangeEvent event : pending.buffered) {
            EventApplier.Outcome outcome = applier.apply(id, entry, event);
            if (outcome instanceof EventApplier.Applied<?> applied) {
                @SuppressWarnings("unchecked")
                CachedDocument<T> next = (CachedDocument<T>) applied.entry();
                entry = next;
            } else if (outcome instanceof EventApplier.Gap gap) {
                log.debug("{}/{}/{}: buffered event does not follow the load ({}); not caching", partition, section, id, gap.reason());
                cacheable = false;
                break;
            }
        }
        CachedDocument<T> current = cache.get(id);
        if (current != null && current.version() > entry.version() && Objects.equals(current.epoch(), entry.epoch())) {
            // The key was cached meanwhile (a commit here, or changes applied to an entry cached before this read),
            // at a newer version than this read saw: keep it, and answer with it.
            entry = current;
        } else if (cacheable) {
            state.put(id, entry);
        }
        // Only now: a caller arriving between the two steps would find neither the entry nor
        // this load, and read Redis a second time.
        inflight.remove(id, pending);
        pending.result.complete(entry);
    }

    private CachedDocument<T> entryOf(String id, StoredDocument stored) {
        Origin origin = stored.origin();
        if (!stored.exists()) {
            return cache.absent(stored.version(), stored.timeMillis(), origin, stored.epoch());
        }
        String redisKey = store.layout().documentKey(id);
        DataKey key = DataKey.of(partition, section, id);
        return cache.loaded(id, redisKey, stored.version(), stored.timeMillis(), origin, stored.epoch(),
                codec.fromMembers(key, redisKey, stored.members()), jsonSize(stored.members()));
    }

    /** The size of the document's JSON text, from its members' texts (UTF-8 bytes). */
    static long jsonSize(java.util.Map<String, String> members) {
        long size = 2 + Math.max(0, members.size() - 1);
        for (java.util.Map.Entry<String, String> member : members.entrySet()) {
            size += utf8Length(member.getKey()) + 3 + utf8Length(member.getValue());
        }
        return size;
    }

    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** One load in flight. Its buffer is touched only by the key's lane. */
    private static final class Pending<T> {
        final CompletableFuture<CachedDocument<T>> result = new CompletableFuture<>();
        final List<ChangeEvent> buffered = new ArrayList<>(2);
    }
}
