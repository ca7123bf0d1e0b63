package io.github.ddm;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a late subscriber's history comes from when neither the change buffer nor the Redis
 * section log reaches back far enough: typically the Kafka topics the DDM source connector
 * writes, read by {@code io.github.ddm.replay.KafkaHistorySource} in the {@code ddm-replay}
 * module. Optional: without one, such a subscriber gets an explicit snapshot of the current
 * state instead.
 *
 * <p>Implementations must be thread-safe; the future may complete on any thread.
 */
@FunctionalInterface
public interface HistorySource {

    /**
     * The changes of {@code key} after {@code fromVersion}, in version order (they may include
     * snapshots, and may stop short of the newest version; DDM continues from the Redis log).
     *
     * @return the events found, possibly none; a failed future means "no history"
     */
    CompletableFuture<List<ChangeEvent>> changes(DataKey key, long fromVersion);

    /**
     * The changes of the whole section committed at or after {@code since} (a section subscriber's
     * {@code changesSince} when the Redis log does not reach back that far): every change the
     * source holds from that instant on, each key's in version order, each key's next change
     * following the one before ({@code prevVersion}) or carrying the whole document as a snapshot.
     * The list may stop short of now, and may lack changes the source does not carry (another
     * region's, merged here): DDM continues from the Redis log, checks that each key's versions
     * follow each other, and sends a snapshot of each document whose history has a hole or ends
     * below its current version.
     *
     * <p>A failed future means "no history from that instant" (for example the source no longer
     * reaches back that far): the subscriber then gets a snapshot of every document first, as
     * without a history source. The default has none.
     *
     * @return the events, in the order they were committed within each key
     */
    default CompletableFuture<List<ChangeEvent>> sectionChanges(SectionId section, Instant since) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("no section history"));
    }
}
