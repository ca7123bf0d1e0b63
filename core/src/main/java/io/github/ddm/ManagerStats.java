package io.github.ddm;

/**
 * Counters of one {@link DocumentManager} since it started. A snapshot: immutable.
 *
 * @param cachedDocuments entries in the local cache (approximate; includes keys known to be absent)
 * @param bufferedChanges changes held in the change buffer (approximate)
 * @param cacheHits reads answered by the local cache; counted only once a {@link DdmMetrics} is bound
 *     (counting costs about as much as a hit), 0 before
 * @param cacheMisses reads the local cache could not answer
 * @param loads reads of whole documents from Redis (cache misses, reloads)
 * @param commits changes committed by this manager
 * @param conflicts compare-and-set attempts that found a newer version (each one is retried)
 * @param received change messages received from the section's channel
 * @param delivered changes delivered (to cache, buffer and listeners), live or from the log
 * @param applied changes that moved a cached document forward
 * @param duplicates changes dropped as already delivered
 * @param malformed messages that were not valid change events for this section
 * @param gaps changes held back because they did not follow the last delivered version of their key
 * @param catchUps catch-ups from the section log that completed
 * @param catchUpEntries log entries those catch-ups read
 * @param sectionReloads times the whole section cache was dropped because the log was trimmed past what this node saw
 * @param resyncs keys re-read and delivered as a snapshot because their gap could not be repaired from the log
 * @param versionChecks periodic version checks completed
 * @param driftRepairs keys the version check found out of date and reloaded
 * @param overflowDrops live messages dropped because the apply queue was full (read from the log instead)
 * @param resubscribes times the pub/sub subscription came back after a lost connection
 * @param epochChanges times the section's epoch changed (Redis lost data)
 * @param listenerFailures listener calls that threw
 * @param eventBytes bytes of the change events this manager's updates published (without epoch and stream id)
 * @param fullDocumentBytes bytes those updated documents have in full, for comparison
 * @param regionConflicts conflicts between regions that the changes this manager received had
 *     resolved (docs/regions.md); each is also a {@link SyncEvent.ConflictResolved}
 * @param regionLineageChanges {@link RegionNotice}s received: another region started a new lineage (it lost its data)
 * @param regionRedeliveries notices received: a change from another region arrived again and was not re-applied
 * @param regionSkipped notices received: a change from another region could not be taken in (the sink's dead-letter queue)
 * @param regionRepairRequests notices received: the sink asked the other regions for a document it misses changes of
 */
public record ManagerStats(long cachedDocuments, long bufferedChanges, long cacheHits, long cacheMisses, long loads, long commits, long conflicts,
                           long received, long delivered, long applied, long duplicates, long malformed, long gaps,
                           long catchUps, long catchUpEntries, long sectionReloads, long resyncs, long versionChecks,
                           long driftRepairs, long overflowDrops, long resubscribes, long epochChanges,
                           long listenerFailures, long eventBytes, long fullDocumentBytes, long regionConflicts,
                           long regionLineageChanges, long regionRedeliveries, long regionSkipped, long regionRepairRequests) {
}
