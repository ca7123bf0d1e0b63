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
    final int size;
    /** Prebuilt answer of a read in SHARED mode (and for absent keys); null in COPY_ON_READ mode. */
    final Optional<Versioned<T>> view;

    CachedDocument(long version, long timeMillis, Origin origin, String epoch, Object state, int size,
                   Optional<Versioned<T>> view) {
        this.version = version;
        this.timeMillis = timeMillis;
        this.origin = origin;
        this.epoch = epoch;
        this.state = state;
        this.size = size;
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

    /** The document's size in bytes of JSON (0 when absent). */
    public int size() {
        return size;
    }
}
