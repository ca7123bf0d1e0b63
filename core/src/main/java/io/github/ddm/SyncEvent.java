package io.github.ddm;

import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.util.List;

/**
 * Something the sync noticed and did about it: the seed's {@code SyncErrorTaken}, in detail.
 * Delivered to {@link SyncListener}s and counted in {@link ManagerStats}.
 */
public sealed interface SyncEvent {

    /** The partition of the section concerned. */
    String partition();

    /** The section concerned. */
    String section();

    /** Why a catch-up from the section log started. */
    enum Trigger {
        /** A change arrived that did not follow the last version delivered for its key. */
        GAP,
        /** The pub/sub connection came back (messages may have been lost meanwhile). */
        RESUBSCRIBED,
        /** The periodic check found log entries this node never received. */
        HEAD_CHECK,
        /** The periodic version check found a cached version behind Redis. */
        VERSION_DRIFT,
        /** The apply queue was full, so live messages were dropped (and are read from the log instead). */
        OVERFLOW
    }

    /** Why cached documents were dropped and will be read again. */
    enum ReloadReason {
        /** The log was trimmed past the last entry this node saw: what was missed cannot be replayed. */
        LOG_TRIMMED,
        /** A key's changes could not be chained even after a catch-up; it was re-read and a snapshot delivered. */
        UNREPAIRABLE_GAP,
        /** The periodic version check found the cached version differs from Redis. */
        VERSION_DRIFT,
        /** The section's epoch changed: Redis lost the section's data. */
        EPOCH_CHANGED
    }

    /**
     * A change did not follow the last version delivered for its key; it was held back and a
     * catch-up was requested.
     */
    record GapDetected(String partition, String section, DataKey key, long deliveredVersion, long prevVersion, long version)
            implements SyncEvent {
    }

    /** A catch-up read the log from {@code fromStreamId} to {@code toStreamId}. */
    record CaughtUp(String partition, String section, Trigger trigger, String fromStreamId, String toStreamId,
                    int entries, Duration took) implements SyncEvent {
    }

    /** Cached documents were dropped (all of the section when {@code key} is null) and will be read again. */
    record Reloaded(String partition, String section, DataKey key, ReloadReason reason) implements SyncEvent {
    }

    /**
     * A change taken in from another region resolved conflicts with changes made concurrently
     * (docs/regions.md): the region committed the merged document as {@code version}, and
     * {@code conflicts} says, place by place, which change was kept and which superseded. Every
     * manager of the region that receives the change reports it once.
     */
    record ConflictResolved(String partition, String section, DataKey key, long version, String fromRegion,
                            List<Conflict> conflicts) implements SyncEvent {
        public ConflictResolved {
            conflicts = List.copyOf(conflicts);
        }
    }

    /**
     * This region's sink reported what it did with another region's changes, besides conflicts:
     * a lineage change, a redelivery, a skipped change or a repair request ({@link RegionNotice};
     * docs/regions.md, "Nothing silent"). Every manager of the section that is subscribed when the
     * sink announces it reports it once.
     */
    record RegionNoticed(String partition, String section, RegionNotice notice) implements SyncEvent {
        public RegionNoticed {
            java.util.Objects.requireNonNull(notice, "notice");
        }
    }

    /** The section's epoch changed from {@code previous} to {@code current} (null: the section has none). */
    record EpochChanged(String partition, String section, String previous, String current) implements SyncEvent {
    }
}
