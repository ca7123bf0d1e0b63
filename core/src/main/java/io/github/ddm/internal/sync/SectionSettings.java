package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.ConflictResolver;
import io.github.ddm.HistorySource;
import io.github.ddm.ValueSharing;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Every setting one section's engine needs, built once by the public builder (which validates the
 * values and names a bad one) and immutable. The settings come in small groups, one per concern,
 * each of its own type, so that a call site names what it passes and two groups cannot be swapped.
 *
 * @param <T> the document type
 */
public record SectionSettings<T>(Identity identity, Documents<T> documents, Cache cache, Buffer changeBuffer,
                                 Sync sync, Intervals intervals, Threads threads, DocumentWriter.Settings writer) {

    public SectionSettings {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(documents, "documents");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(changeBuffer, "changeBuffer");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(intervals, "intervals");
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(writer, "writer");
    }

    /** Which section, under which namespace, and whether its channel is sharded pub/sub. */
    public record Identity(String namespace, String partition, String section, boolean sharded) {
    }

    /** The document type, how it maps to JSON, how values are shared, and who settles a blind set's conflict. */
    public record Documents<T>(Class<T> type, ObjectMapper mapper, ValueSharing valueSharing, ConflictResolver<T> resolver) {
    }

    /** The local cache's bounds. */
    public record Cache(long maximumSize, Duration idleExpiry) {
    }

    /** The change buffer's bounds: changes kept per key, for how long, and in all. */
    public record Buffer(int size, Duration ttl, long maxEvents) {
    }

    /**
     * The sync's bounds: the section log's length, the received changes that may wait (more are
     * dropped and caught up from the log), the catch-up's page, and where older history comes from
     * (null: none).
     */
    public record Sync(long logMaxLength, long maxPendingChanges, int catchUpBatchSize, HistorySource history) {
    }

    /** How often the periodic work runs: the head check, the version check, the buffer trim. */
    public record Intervals(Duration headCheck, Duration versionCheck, Duration bufferTrim) {
    }

    /** The clock of the periodic work and the executor of every callback. */
    public record Threads(Clock clock, Executor executor) {
    }

    String partition() {
        return identity.partition();
    }

    String section() {
        return identity.section();
    }
}
