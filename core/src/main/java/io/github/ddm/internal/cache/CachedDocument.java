package io.github.ddm.internal.cache;

import io.github.ddm.Versioned;
import io.github.ddm.schema.Origin;
import java.util.Optional;

/**
 * What the cache holds for one key: the version and metadata, and either the typed value
 * ({@code SHARED}) or its JSON bytes ({@code COPY_ON_READ}), never both. A key known to be
 * absent (never written, or deleted) is cached too, with its version, so that a re-create after a
 * delete continues the version sequence.
 *
 * <p>Immutable.
 */
public final class CachedDocument<T> {

    final long version;
    final long timeMillis;
    final Origin origin;
    final String epoch;
    final Object state;
    /** An upper bound of the document's JSON size in bytes, 0 when unknown. */
    final int size;
    /** The document's JSON size the last time it was measured exactly (0 when never). */
    final int measuredSize;
    /** Prebuilt answer of a read in SHARED mode (and for absent keys); null in COPY_ON_READ mode. */
    final Optional<Versioned<T>> view;
    /** Coarse time of the last read or write; racy on purpose (a stale stamp only evicts early). */
    long accessedAt;

    CachedDocument(long version, long timeMillis, Origin origin, String epoch, Object state, int size, int measuredSize,
                   Optional<Versioned<T>> view) {
        this.version = version;
        this.timeMillis = timeMillis;
        this.origin = origin;
        this.epoch = epoch;
        this.state = state;
        this.size = size;
        this.measuredSize = measuredSize;
        this.view = view;
    }

    /** The version; 0 when the key was never written. */
    public long version() {
        return version;
    }

    /** True when a live document is cached (not absent, not deleted). */
    public boolean exists() {
        return state != null;
    }

    /** The section epoch this entry was read or written under (null if the section had none). */
    public String epoch() {
        return epoch;
    }

    /** Change time of {@link #version()}, epoch milliseconds. */
    public long timeMillis() {
        return timeMillis;
    }

    /** Writer of {@link #version()}, or null for a never-written key. */
    public Origin origin() {
        return origin;
    }

    /** An upper bound of the document's size in bytes of JSON (0 when absent or unknown). */
    public int size() {
        return size;
    }

    /** The document's size in bytes of JSON when it was last measured exactly (0 when never). */
    public int measuredSize() {
        return measuredSize;
    }
}
