package io.github.ddm;

/**
 * Counters of one {@link DocumentManager} since it started. A snapshot: immutable.
 *
 * @param cachedDocuments entries in the local cache (approximate; includes keys known to be absent)
 * @param loads reads of whole documents from Redis (cache misses, reloads after conflicts)
 * @param commits changes committed by this manager
 * @param conflicts compare-and-set attempts that found a newer version (each one is retried)
 * @param received change messages received from the section's channel
 * @param applied changes that moved a cached document forward
 * @param duplicates messages dropped as already handled
 * @param malformed messages that were not valid change events for this section
 * @param gaps changes that did not follow the cached version (the key was evicted and reloads)
 * @param epochChanges times the section's epoch changed (Redis lost data)
 * @param listenerFailures listener calls that threw
 * @param eventBytes bytes of the change events this manager's updates published (without epoch and stream id)
 * @param fullDocumentBytes bytes those updated documents have in full, for comparison
 */
public record ManagerStats(long cachedDocuments, long loads, long commits, long conflicts, long received, long applied,
                           long duplicates, long malformed, long gaps, long epochChanges, long listenerFailures,
                           long eventBytes, long fullDocumentBytes) {
}
