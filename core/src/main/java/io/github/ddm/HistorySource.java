package io.github.ddm;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
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
}
