package io.github.ddm.internal.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.ddm.ValueSharing;
import io.github.ddm.Versioned;
import io.github.ddm.internal.patch.DocumentCodec;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.CanonicalForm;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * The local cache of one section: a Caffeine cache of {@link CachedDocument}s, bounded in size
 * and evicting entries idle for longer than a configured time (measured on the injected clock).
 *
 * <p>The cache itself never decides what is newer: callers (the key's lane) do, and only they
 * write. Reads are lock-free. Thread-safe.
 *
 * @param <T> the document type
 */
public final class DocumentCache<T> {

    private final Cache<String, CachedDocument<T>> cache;
    private final DocumentCodec<T> codec;
    /** Names a document's Redis key in errors. */
    private final RedisLayout layout;
    private final ValueSharing sharing;
    private final String partition;
    private final String section;
    private final Duration idleExpiry;
    private final Clock clock;
    /** Coarse "now" for access stamps, advanced by {@link #cleanUp()}: a hit reads it, rarely writes. */
    private volatile long now;
    /** One shared instance per origin and for the epoch, instead of a copy in every entry. */
    private final java.util.concurrent.ConcurrentMap<Origin, Origin> origins = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String epochInstance;

    public DocumentCache(DocumentCodec<T> codec, RedisLayout layout, ValueSharing sharing, String partition, String section,
                         long maximumSize, Duration idleExpiry, Clock clock) {
        this.codec = codec;
        this.layout = layout;
        this.sharing = sharing;
        this.partition = partition;
        this.section = section;
        this.idleExpiry = idleExpiry;
        this.clock = clock;
        this.now = clock.millis();
        // No expireAfterAccess: it costs a ticker read and an access record on every hit (about
        // ten times a plain lookup). Idle entries are evicted by cleanUp() from coarse stamps instead.
        // Maintenance (the size bound's eviction) runs on the writing thread: by default Caffeine hands it
        // to the common ForkJoinPool after writes, which cost about 18 us of CPU and a thread wake-up per
        // update (UpdateCpuHarness's thread breakdown). The work itself is small and amortized.
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
    }

    /** The cached entry, or null. No I/O, no lock. */
    public CachedDocument<T> get(String id) {
        CachedDocument<T> entry = cache.getIfPresent(id);
        if (entry != null) {
            long stamp = now;
            if (entry.accessedAt != stamp) {
                entry.accessedAt = stamp;
            }
        }
        return entry;
    }

    /** What a read of this entry returns: a shared prebuilt view, or a fresh copy. */
    public Optional<Versioned<T>> read(String id, CachedDocument<T> entry) {
        if (entry.view != null) {
            return entry.view;
        }
        DataKey key = DataKey.of(partition, section, id);
        T value = codec.fromBytes(key, layout.documentKey(id), (byte[]) entry.state);
        return Optional.of(new Versioned<>(key, value, entry.version, Instant.ofEpochMilli(entry.timeMillis), entry.origin));
    }

    /**
     * The document's JSON tree in canonical form ({@link CanonicalForm#normalize}), a fresh copy the
     * caller may change. Only for entries that exist.
     */
    public ObjectNode tree(CachedDocument<T> entry) {
        if (sharing == ValueSharing.SHARED) {
            @SuppressWarnings("unchecked")
            T value = (T) entry.state;
            // A typed value's tree holds a long member as a long even where it fits an int; Redis, events and every
            // diff's other side hold it as an int. Without this, a diff rewrites every such number (and in a region,
            // stamps it as this change's, so concurrent edits of it elsewhere turn into conflicts).
            return codec.treeOf(value);
        }
        return codec.treeOfBytes((byte[]) entry.state);
    }

    /** A value for a mutator: the shared instance (SHARED) or a fresh copy (COPY_ON_READ). */
    public T valueForMutation(String id, CachedDocument<T> entry) {
        if (sharing == ValueSharing.SHARED) {
            @SuppressWarnings("unchecked")
            T value = (T) entry.state;
            return value;
        }
        return codec.fromBytes(DataKey.of(partition, section, id), layout.documentKey(id), (byte[]) entry.state);
    }

    /** True when entries hold JSON bytes (COPY_ON_READ), so a writer must produce them anyway. */
    public boolean keepsBytes() {
        return sharing == ValueSharing.COPY_ON_READ;
    }

    /**
     * The answer of a write that committed (or found nothing to change) with {@code value}, the
     * mutation's own result or the value the caller set: in SHARED mode the entry's shared view, in
     * COPY_ON_READ mode {@code value} as it is (nobody else holds it: the cache keeps bytes), instead
     * of a fresh copy read back from the bytes the write just produced.
     */
    public Optional<Versioned<T>> written(String id, CachedDocument<T> entry, T value) {
        if (entry.view != null) {
            return entry.view;
        }
        return Optional.of(new Versioned<>(DataKey.of(partition, section, id), value, entry.version,
                Instant.ofEpochMilli(entry.timeMillis), entry.origin));
    }

    /**
     * An entry for a live document read from Redis. The tree is mapped to the document type in both
     * modes: in COPY_ON_READ mode only as a proof, because a load is where content from Redis meets the
     * type first, and a document that does not map must fail the load naming its Redis key and stay
     * out of the cache (a later read would fail on the cached bytes instead, without the key).
     *
     * @param size the document's JSON size (an upper bound), or 0 if unknown
     * @throws io.github.ddm.CorruptDocumentException if the tree does not map to the document type
     */
    public CachedDocument<T> loaded(String id, String redisKey, long version, long timeMillis, Origin origin,
                                    String epoch, ObjectNode tree, long size) {
        DataKey key = DataKey.of(partition, section, id);
        T value = codec.fromTree(key, redisKey, tree);
        return entry(key, version, timeMillis, origin, epoch, tree, value, null, size, size);
    }

    /**
     * An entry for a live document that a change event produced (its state, or a patch applied to the
     * cached version). Only read, never kept: in SHARED mode the tree is mapped to the typed value the
     * entry holds; in COPY_ON_READ mode it is only serialized, without a proof that it maps to the type,
     * because every read maps the bytes anyway and fails then, naming the key and the type.
     *
     * @throws io.github.ddm.CorruptDocumentException (SHARED mode) if the tree does not map to the document type
     */
    public CachedDocument<T> applied(String id, String redisKey, long version, long timeMillis, Origin origin,
                                     String epoch, ObjectNode tree) {
        DataKey key = DataKey.of(partition, section, id);
        T value = sharing == ValueSharing.SHARED ? codec.fromTree(key, redisKey, tree) : null;
        return entry(key, version, timeMillis, origin, epoch, tree, value, null, 0, 0);
    }

    /**
     * An entry for what this node just committed, from the write's state: in SHARED mode the caller's
     * own (immutable) value is cached as it is, in COPY_ON_READ mode the bytes the write produced.
     */
    public CachedDocument<T> committed(String id, long version, long timeMillis, Origin origin, String epoch,
                                       DocumentState<T> state) {
        return entry(DataKey.of(partition, section, id), version, timeMillis, origin, epoch, state.tree(), state.value(),
                state.bytes(), state.size(), state.measured());
    }

    private CachedDocument<T> entry(DataKey key, long version, long timeMillis, Origin anOrigin, String anEpoch,
                                    ObjectNode tree, T value, byte[] bytes, long size, long measuredSize) {
        Origin origin = shared(anOrigin);
        String epoch = shared(anEpoch);
        if (sharing == ValueSharing.SHARED) {
            Versioned<T> view = new Versioned<>(key, value, version, Instant.ofEpochMilli(timeMillis), origin);
            return new CachedDocument<>(version, timeMillis, origin, epoch, value, clamp(size), clamp(measuredSize),
                    Optional.of(view));
        }
        byte[] json = bytes != null ? bytes : codec.toBytes(tree);
        return new CachedDocument<>(version, timeMillis, origin, epoch, json, json.length, json.length, null);
    }

    private static int clamp(long size) {
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /** An entry for a key that has no live document at {@code version} (0: never written). */
    public CachedDocument<T> absent(long version, long timeMillis, Origin origin, String epoch) {
        return new CachedDocument<>(version, timeMillis, shared(origin), shared(epoch), null, 0, 0, Optional.empty());
    }

    private Origin shared(Origin origin) {
        if (origin == null) {
            return null;
        }
        Origin known = origins.get(origin);
        if (known != null) {
            return known;
        }
        if (origins.size() >= 4_096) {
            return origin; // a bound against pathological numbers of writers; sharing is only an optimisation
        }
        Origin previous = origins.putIfAbsent(origin, origin);
        return previous != null ? previous : origin;
    }

    private String shared(String epoch) {
        String known = epochInstance;
        if (epoch == null || epoch.equals(known)) {
            return epoch == null ? null : known;
        }
        epochInstance = epoch;
        return epoch;
    }

    /** Stores an entry (a write counts as an access). Only the key's lane calls this. */
    public void put(String id, CachedDocument<T> entry) {
        entry.accessedAt = now;
        cache.put(id, entry);
    }

    /** Drops one entry. */
    public void invalidate(String id) {
        cache.invalidate(id);
    }

    /** Drops every entry (the section's epoch changed). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    /**
     * Periodic maintenance: advances the coarse clock that access stamps use, and evicts entries not
     * read or written for longer than the idle expiry (on the injected clock). Returns how many went.
     */
    public long cleanUp() {
        long current = clock.millis();
        now = current;
        long evicted = 0;
        if (!idleExpiry.isZero()) {
            long cutoff = current - idleExpiry.toMillis();
            for (var entry : cache.asMap().entrySet()) {
                if (entry.getValue().accessedAt < cutoff && cache.asMap().remove(entry.getKey(), entry.getValue())) {
                    evicted++;
                }
            }
        }
        cache.cleanUp();
        return evicted;
    }

    /** Entries currently cached (approximate). */
    public long size() {
        return cache.estimatedSize();
    }

    /** A live view of the entries, for periodic checks. */
    public ConcurrentMap<String, CachedDocument<T>> asMap() {
        return cache.asMap();
    }
}
