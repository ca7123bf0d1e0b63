package io.github.ddm.replay;

import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a Kafka record is: its topic, partition and offset.
 *
 * <p>Immutable and thread-safe.
 *
 * @param topic the topic, never null or empty
 * @param partition the partition, at least 0
 * @param offset the record's offset, at least 0
 */
public record RecordPosition(String topic, int partition, long offset) {

    /**
     * @throws NullPointerException if {@code topic} is null
     * @throws IllegalArgumentException if {@code topic} is empty or a number is negative
     */
    public RecordPosition {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, got " + partition);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
    }

    /** The topic-partition of the record. */
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    /** {@code topic-partition@offset}, e.g. {@code ddm.orders.book-0@42}. */
    @Override
    public String toString() {
        return topic + '-' + partition + '@' + offset;
    }
}
