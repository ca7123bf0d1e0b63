package io.github.ddm.internal.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.ddm.ValueSharing;
import io.github.ddm.Versioned;
import io.github.ddm.internal.patch.DocumentCodec;
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
    private final ValueSharing sharing;
    private final String partition;
    private final String section;

    public DocumentCache(DocumentCodec<T> codec, ValueSharing sharing, String partition, String section,
                         long maximumSize, Duration idleExpiry, Clock clock) {
        this.codec = codec;
        this.sharing = sharing;
        this.partition = partition;
        this.section = section;
        Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maximumSize);
        if (!idleExpiry.isZero()) {
            builder.expireAfterAccess(idleExpiry).ticker(ticker(clock));
        }
        this.cache = builder.build();
    }

    private static Ticker ticker(Clock clock) {
        if (clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone())) {
            return Ticker.systemTicker();
        }
        return () -> clock.millis() * 1_000_000L;
    }

    /** The cached entry, or null. No I/O, no lock. */
    public CachedDocument<T> get(String id) {
        return cache.getIfPresent(id);
    }

    /** What a read of this entry returns: a shared prebuilt view, or a fresh copy. */
    public Optional<Versioned<T>> read(String id, CachedDocument<T> entry) {
        if (entry.view != null) {
            return entry.view;
        }
        DataKey key = DataKey.of(partition, section, id);
        T value = codec.fromBytes(key, (byte[]) entry.state);
        return Optional.of(new Versioned<>(key, value, entry.version, Instant.ofEpochMilli(entry.timeMillis), entry.origin));
    }

    /** The document's JSON tree, a fresh copy the caller may change. Only for entries that exist. */
    public ObjectNode tree(CachedDocument<T> entry) {
        if (sharing == ValueSharing.SHARED) {
            @SuppressWarnings("unchecked")
            T value = (T) entry.state;
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
        return codec.fromBytes(DataKey.of(partition, section, id), (byte[]) entry.state);
    }

    /**
     * An entry for a live document.
     *
     * @param bytes the tree's JSON bytes if the caller has them, else null
     * @throws io.github.ddm.CorruptDocumentException if the tree does not map to the document type
     */
    public CachedDocument<T> present(String id, String redisKey, long version, long timeMillis, Origin origin,
                                     String epoch, ObjectNode tree, byte[] bytes) {
        DataKey key = DataKey.of(partition, section, id);
        T value = codec.fromTree(key, redisKey, tree); // also proves the tree maps to T
        if (sharing == ValueSharing.SHARED) {
            Versioned<T> view = new Versioned<>(key, value, version, Instant.ofEpochMilli(timeMillis), origin);
            return new CachedDocument<>(version, timeMillis, origin, epoch, value, bytes == null ? 0 : bytes.length, Optional.of(view));
        }
        byte[] json = bytes != null ? bytes : codec.toBytes(tree);
        return new CachedDocument<>(version, timeMillis, origin, epoch, json, json.length, null);
    }

    /** An entry for a key that has no live document at {@code version} (0: never written). */
    public CachedDocument<T> absent(long version, long timeMillis, Origin origin, String epoch) {
        return new CachedDocument<>(version, timeMillis, origin, epoch, null, 0, Optional.empty());
    }

    /** Stores an entry. Only the key's lane calls this. */
    public void put(String id, CachedDocument<T> entry) {
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

    /** Entries currently cached (approximate). */
    public long size() {
        return cache.estimatedSize();
    }

    /** A live view of the entries, for periodic checks. */
    public ConcurrentMap<String, CachedDocument<T>> asMap() {
        return cache.asMap();
    }
}
