package io.github.ddm.replay;

import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a read has gone in one topic-partition: it started at {@code startOffset}, the next
 * record to read is at {@code position}, and it stops at {@code endOffset} (the end offset observed
 * when the read started; records written later are not read).
 *
 * <p>Immutable and thread-safe.
 *
 * @param partition the topic-partition, never null
 * @param startOffset the first offset read
 * @param position the offset of the next record to read ({@code endOffset} once done)
 * @param endOffset the offset the read stops at (exclusive)
 */
public record PartitionPosition(TopicPartition partition, long startOffset, long position, long endOffset) {

    /** @throws NullPointerException if {@code partition} is null */
    public PartitionPosition {
        Objects.requireNonNull(partition, "partition");
    }

    /** Records left to read, at least 0. */
    public long remaining() {
        return Math.max(0, endOffset - position);
    }

    /** Whether the read of this partition is complete. */
    public boolean done() {
        return position >= endOffset;
    }
}
