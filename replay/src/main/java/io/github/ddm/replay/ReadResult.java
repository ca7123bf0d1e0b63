package io.github.ddm.replay;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * What a completed {@link KafkaEventReader#read} found.
 *
 * <p>Immutable and thread-safe.
 *
 * @param recordsRead records read, in and out of scope
 * @param events valid events of the scope handed to the handler
 * @param invalid records reported as invalid (see {@code errors})
 * @param outOfScope records passed over because their key is outside the scope
 * @param errors the first {@value KafkaEventReader#MAX_ERRORS_KEPT} invalid records, in the order
 *     read; {@code invalid} counts them all
 * @param partitions where each partition started and ended, never null
 * @param missingTopics requested topics that do not exist, never null
 * @param stoppedEarly whether the handler ended the read before the end offsets
 * @param elapsed how long the read took, never null
 */
public record ReadResult(long recordsRead, long events, long invalid, long outOfScope, List<RecordError> errors,
                         List<PartitionPosition> partitions, List<String> missingTopics, boolean stoppedEarly,
                         Duration elapsed) {

    /** Copies the lists. */
    public ReadResult {
        errors = List.copyOf(errors);
        partitions = List.copyOf(partitions);
        missingTopics = List.copyOf(missingTopics);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** The end offset of each partition read: pass it to {@link ReadRequest#endOffsets} to read the same range again. */
    public Map<TopicPartition, Long> endOffsets() {
        Map<TopicPartition, Long> ends = new HashMap<>();
        partitions.forEach(p -> ends.put(p.partition(), p.endOffset()));
        return Map.copyOf(ends);
    }
}
