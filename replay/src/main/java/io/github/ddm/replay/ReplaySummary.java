package io.github.ddm.replay;

import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link KafkaReplay} did. Every valid event of the scope is counted exactly once:
 * {@code events == superseded + applied + duplicates + gaps + unappliable}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param scope the documents replayed, never null
 * @param topics the topics read, never null
 * @param recordsRead records read in the first pass, in and out of scope
 * @param events valid events of the scope
 * @param keys distinct documents among them
 * @param invalid records that are not valid DDM change events (see {@code invalidRecords})
 * @param superseded events skipped because a newer whole-document event of their key follows
 * @param applied events written to the target
 * @param duplicates events the target already had
 * @param gaps changes whose earlier changes (the ones they build on: the previous version, or
 *     another region's changes they had seen) never arrived in the topics, so they were skipped
 * @param unappliable events whose patch did not fit the stored document (see {@code unappliableRecords})
 * @param keysBehind documents whose newest event was a gap or unappliable: the target is behind
 *     the topic for them (their history in Kafka is incomplete: retention, or a missing snapshot)
 * @param keysBehindSample up to 100 of those documents, never null
 * @param invalidRecords the first 100 invalid records, never null
 * @param unappliableRecords the first 100 unappliable events, never null
 * @param partitions the range read in each topic-partition, never null
 * @param elapsed how long the replay took, never null
 */
public record ReplaySummary(KeyScope scope, List<String> topics, long recordsRead, long events, long keys, long invalid,
                            long superseded, long applied, long duplicates, long gaps, long unappliable, long keysBehind,
                            List<DataKey> keysBehindSample, List<RecordError> invalidRecords,
                            List<RecordError> unappliableRecords, List<PartitionPosition> partitions, Duration elapsed) {

    /** How many examples the lists keep. */
    public static final int MAX_SAMPLES = 100;

    /** Copies the lists. */
    public ReplaySummary {
        Objects.requireNonNull(scope, "scope");
        topics = List.copyOf(topics);
        keysBehindSample = List.copyOf(keysBehindSample);
        invalidRecords = List.copyOf(invalidRecords);
        unappliableRecords = List.copyOf(unappliableRecords);
        partitions = List.copyOf(partitions);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Whether every record was valid and the target holds every document at its newest version in the topics. */
    public boolean complete() {
        return invalid == 0 && unappliable == 0 && keysBehind == 0;
    }

    /** One line for logs. */
    @Override
    public String toString() {
        return "ReplaySummary[" + scope + " from " + topics + ": " + recordsRead + " records, " + events + " events of "
                + keys + " keys; applied " + applied + ", duplicates " + duplicates + ", superseded " + superseded
                + ", gaps " + gaps + ", unappliable " + unappliable + ", invalid " + invalid + ", keys behind " + keysBehind
                + " in " + elapsed.toMillis() + " ms]";
    }
}
