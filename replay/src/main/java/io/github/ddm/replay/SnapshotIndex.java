package io.github.ddm.replay;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The first pass of a replay: for each key, its newest event that carries the document's whole
 * merge state (a snapshot with its stamps and clock, docs/regions.md). Applying from there gives the
 * same result as applying the whole history, since a whole state is joined with whatever is stored,
 * and every change it counts is taken in with it; the older events are superseded. (A create or an
 * update that carries the state is not enough: in a history written in several regions, it says
 * nothing of who wrote which place.) The index also gives each partition the first offset the
 * second pass needs. Confined to one thread.
 */
final class SnapshotIndex {

    /** One key: where it was first seen, and its newest whole-document event. */
    private static final class Entry {
        final TopicPartition firstPartition;
        final long firstOffset;
        long anchorOffset = -1;
        long anchorVersion;
        VersionVector anchorClock;
        boolean spread;
        /** Events seen, and those at or after the anchor (the ones the second pass applies). */
        int total;
        int kept;

        Entry(TopicPartition firstPartition, long firstOffset) {
            this.firstPartition = firstPartition;
            this.firstOffset = firstOffset;
        }
    }

    private final Map<DataKey, Entry> keys = new HashMap<>();
    /** First offsets of keys found in more than one partition (the topic's partitions were increased). */
    private final Map<TopicPartition, Long> spreadFirst = new HashMap<>();
    private final Map<String, TopicPartition> partitions = new HashMap<>();

    /** Records an event of the first pass. */
    void add(ChangeEvent event, RecordPosition position) {
        TopicPartition tp = partitions.computeIfAbsent(position.topic() + "-" + position.partition(), k -> position.topicPartition());
        Entry entry = keys.computeIfAbsent(event.key(), k -> new Entry(tp, position.offset()));
        if (!entry.firstPartition.equals(tp)) {
            if (!entry.spread) {
                entry.spread = true;
                spreadFirst.merge(entry.firstPartition, entry.firstOffset, Math::min);
            }
            spreadFirst.merge(tp, position.offset(), Math::min);
        }
        entry.total++;
        if (carriesWholeDocument(event) && event.version() > entry.anchorVersion) {
            entry.anchorVersion = event.version();
            entry.anchorClock = event.clock();
            entry.anchorOffset = entry.firstPartition.equals(tp) ? position.offset() : -1;
            entry.kept = 1;
        } else if (!covered(entry, event)) {
            entry.kept++;
        }
    }

    /** Whether {@code event} carries the document's whole merge state, so that what it counts need not be replayed. */
    static boolean carriesWholeDocument(ChangeEvent event) {
        return event.stamps() != null && event.clock() != null;
    }

    /** Whether the key's newest whole merge state counts {@code event}, so that it need not be applied. */
    boolean superseded(ChangeEvent event) {
        Entry entry = keys.get(event.key());
        return entry != null && covered(entry, event) && event.version() < entry.anchorVersion;
    }

    private static boolean covered(Entry entry, ChangeEvent event) {
        if (entry.anchorClock == null) {
            return false;
        }
        if (event.stamps() != null && event.clock() != null) {
            return entry.anchorClock.dominates(event.clock());
        }
        Stamp stamp = event.stamp();
        return stamp != null && entry.anchorClock.covers(stamp);
    }

    /** Events of the first pass that a newer whole-document event of their key makes unnecessary. */
    long supersededEvents() {
        long superseded = 0;
        for (Entry entry : keys.values()) {
            superseded += entry.total - entry.kept;
        }
        return superseded;
    }

    /** The keys seen. */
    int keys() {
        return keys.size();
    }

    /** Keys seen in more than one partition of a topic; their order across partitions is not known. */
    long spreadKeys() {
        return keys.values().stream().filter(e -> e.spread).count();
    }

    /**
     * Where the second pass starts in each partition read by the first: the earliest offset any key
     * still needs; the end offset where no key needs anything.
     */
    Map<TopicPartition, Long> startOffsets(List<PartitionPosition> read) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        for (PartitionPosition p : read) {
            starts.put(p.partition(), p.endOffset());
        }
        for (Entry entry : keys.values()) {
            if (!entry.spread) {
                long needed = entry.anchorOffset >= 0 ? entry.anchorOffset : entry.firstOffset;
                starts.merge(entry.firstPartition, needed, Math::min);
            }
        }
        spreadFirst.forEach((tp, offset) -> starts.merge(tp, offset, Math::min));
        return starts;
    }
}
