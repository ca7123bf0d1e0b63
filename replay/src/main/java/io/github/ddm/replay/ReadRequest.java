package io.github.ddm.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * What one {@link KafkaEventReader#read} reads: every partition of some topics, from the beginning
 * (or given offsets) up to the end offsets observed when the read starts (or given ones), keeping
 * the records of a {@link KeyScope}, within an optional time limit.
 *
 * <pre>{@code
 * ReadRequest.of("ddm.orders.book")
 *         .scope(KeyScope.key(DataKey.of("orders", "book", "BTC-USD")))
 *         .timeout(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code with}-style method returns a new request.
 */
public final class ReadRequest {

    private final List<String> topics;
    private final KeyScope scope;
    private final Map<TopicPartition, Long> startOffsets;
    private final Map<TopicPartition, Long> endOffsets;
    private final Duration timeout;

    private ReadRequest(List<String> topics, KeyScope scope, Map<TopicPartition, Long> startOffsets,
                        Map<TopicPartition, Long> endOffsets, Duration timeout) {
        this.topics = topics;
        this.scope = scope;
        this.startOffsets = startOffsets;
        this.endOffsets = endOffsets;
        this.timeout = timeout;
    }

    /**
     * Every record of {@code topics}, from the beginning to the current end, with no time limit.
     *
     * @throws NullPointerException if {@code topics} or one of them is null
     * @throws IllegalArgumentException if there is no topic, or one is empty
     */
    public static ReadRequest of(Collection<String> topics) {
        Objects.requireNonNull(topics, "topics");
        LinkedHashSet<String> unique = new LinkedHashSet<>();
        for (String topic : topics) {
            Objects.requireNonNull(topic, "topic");
            if (topic.isEmpty()) {
                throw new IllegalArgumentException("a topic name must not be empty");
            }
            unique.add(topic);
        }
        if (unique.isEmpty()) {
            throw new IllegalArgumentException("at least one topic is required");
        }
        return new ReadRequest(List.copyOf(new ArrayList<>(unique)), KeyScope.all(), Map.of(), Map.of(), null);
    }

    /** As {@link #of(Collection)}. */
    public static ReadRequest of(String... topics) {
        return of(List.of(topics));
    }

    /** Keeps only the records of {@code scope} (default: all). */
    public ReadRequest scope(KeyScope scope) {
        return new ReadRequest(topics, Objects.requireNonNull(scope, "scope"), startOffsets, endOffsets, timeout);
    }

    /**
     * Starts these partitions at these offsets (others start at the beginning). An offset below the
     * partition's log start (deleted by retention) starts at the log start.
     *
     * @throws IllegalArgumentException if an offset is negative
     */
    public ReadRequest startOffsets(Map<TopicPartition, Long> offsets) {
        return new ReadRequest(topics, scope, checked("start", offsets), endOffsets, timeout);
    }

    /**
     * Stops these partitions at these offsets (exclusive) instead of the end observed when the read
     * starts; used to read the same range twice. Capped at the current end.
     *
     * @throws IllegalArgumentException if an offset is negative
     */
    public ReadRequest endOffsets(Map<TopicPartition, Long> offsets) {
        return new ReadRequest(topics, scope, startOffsets, checked("end", offsets), timeout);
    }

    /**
     * Fails the read with {@link KafkaReplayException} if it takes longer than {@code timeout}
     * (default: no limit beyond the reader's stall timeout).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public ReadRequest timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return new ReadRequest(topics, scope, startOffsets, endOffsets, timeout);
    }

    /** The topics, without duplicates, never empty. */
    public List<String> topics() {
        return topics;
    }

    /** The documents kept, never null. */
    public KeyScope scope() {
        return scope;
    }

    /** Start offsets given for some partitions (immutable, possibly empty). */
    public Map<TopicPartition, Long> startOffsets() {
        return startOffsets;
    }

    /** End offsets given for some partitions (immutable, possibly empty). */
    public Map<TopicPartition, Long> endOffsets() {
        return endOffsets;
    }

    /** The time limit, or null for none. */
    public Duration timeout() {
        return timeout;
    }

    private static Map<TopicPartition, Long> checked(String what, Map<TopicPartition, Long> offsets) {
        Objects.requireNonNull(offsets, what + "Offsets");
        offsets.forEach((tp, offset) -> {
            Objects.requireNonNull(tp, what + " offset partition");
            if (offset == null || offset < 0) {
                throw new IllegalArgumentException(what + " offset of " + tp + " must be >= 0, got " + offset);
            }
        });
        return Map.copyOf(offsets);
    }

    @Override
    public String toString() {
        return "ReadRequest[topics=" + topics + ", scope=" + scope + (startOffsets.isEmpty() ? "" : ", from=" + startOffsets)
                + (endOffsets.isEmpty() ? "" : ", until=" + endOffsets) + (timeout == null ? "" : ", timeout=" + timeout) + "]";
    }
}
