package io.github.ddm;

import java.util.List;

/**
 * The health of every section a {@link SyncService} runs. Immutable.
 *
 * @param status the worst status of any section ({@link Status#UP} when there is none)
 * @param sections one entry per open section (a closed manager leaves its service)
 */
public record SyncHealth(Status status, List<Section> sections) {

    public SyncHealth {
        sections = List.copyOf(sections);
    }

    /** How a section is doing. */
    public enum Status {
        /** Subscribed, and the last repair, if any, succeeded. */
        UP,
        /** Subscribed, but a repair failed or the apply queue is more than half full: caches may lag. */
        DEGRADED,
        /** Not subscribed, or the last periodic check could not reach Redis: caches do not follow changes. */
        DOWN
    }

    /**
     * One section.
     *
     * @param partition the partition
     * @param section the section
     * @param status its status
     * @param subscribed whether the change channel subscription is confirmed
     * @param repairing whether a catch-up from the log runs or waits
     * @param lastError the last repair failure, or null
     * @param pendingChanges changes waiting to be applied
     * @param cachedDocuments documents in the local cache
     * @param bufferedChanges changes in the change buffer
     * @param epoch the section's epoch as this node knows it, or null
     * @param lastStreamId the newest change received, or null
     */
    public record Section(String partition, String section, Status status, boolean subscribed, boolean repairing,
                          String lastError, long pendingChanges, long cachedDocuments, long bufferedChanges, String epoch,
                          String lastStreamId) {
    }
}
