package io.github.ddm.replay;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How far a read is.
 *
 * <p>Immutable and thread-safe.
 *
 * @param recordsRead records read so far, in and out of scope
 * @param events valid events of the scope handed to the handler
 * @param invalid records reported as invalid
 * @param outOfScope records passed over because their key is outside the scope
 * @param partitions the position of every partition read, never null
 * @param elapsed time since the read started, never null
 */
public record ReadProgress(long recordsRead, long events, long invalid, long outOfScope,
                           List<PartitionPosition> partitions, Duration elapsed) {

    /** Copies {@code partitions}. */
    public ReadProgress {
        partitions = List.copyOf(partitions);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Records left to read in every partition. */
    public long remaining() {
        return partitions.stream().mapToLong(PartitionPosition::remaining).sum();
    }
}
