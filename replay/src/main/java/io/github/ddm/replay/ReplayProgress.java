package io.github.ddm.replay;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How far a {@link KafkaReplay} is. A replay reads its topics twice: {@link Phase#INDEXING} finds
 * each key's newest whole-document event, {@link Phase#APPLYING} applies from there.
 *
 * <p>Immutable and thread-safe.
 *
 * @param phase the current pass, never null
 * @param recordsRead records read in this pass
 * @param events valid events of the scope read in the first pass
 * @param invalid invalid records found in the first pass
 * @param superseded events not applied because a newer whole-document event of their key follows
 * @param applied events written to the target
 * @param duplicates events the target already had (version at or below the stored one)
 * @param gaps patches that do not follow the stored version (skipped; a later whole-document event repairs)
 * @param unappliable events whose patch does not fit the stored document
 * @param inFlight applies running now
 * @param partitions position and end offset of each topic-partition in this pass, never null
 * @param elapsed time since the replay started, never null
 */
public record ReplayProgress(Phase phase, long recordsRead, long events, long invalid, long superseded, long applied,
                             long duplicates, long gaps, long unappliable, int inFlight,
                             List<PartitionPosition> partitions, Duration elapsed) {

    /** The passes of a replay. */
    public enum Phase {
        /** First pass: reading every record, indexing each key's newest whole-document event. */
        INDEXING,
        /** Second pass: applying each key's events from that event on. */
        APPLYING
    }

    /** Copies {@code partitions}. */
    public ReplayProgress {
        Objects.requireNonNull(phase, "phase");
        partitions = List.copyOf(partitions);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Records left to read in this pass. */
    public long remaining() {
        return partitions.stream().mapToLong(PartitionPosition::remaining).sum();
    }
}
