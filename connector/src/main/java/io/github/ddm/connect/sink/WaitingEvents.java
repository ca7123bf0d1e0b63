package io.github.ddm.connect.sink;

import io.github.ddm.schema.DataKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The events a sink task keeps waiting for changes they depend on (docs/regions.md, "Order"): per
 * document, in arrival order, each with when it started waiting. They are tried again when their
 * document changes, and the offsets committed for their partitions stay before the first of them,
 * so none is lost if the task stops. Bounded by the caller. Used by the task thread only.
 */
final class WaitingEvents {

    /** One waiting event and since when (nanos). */
    record Waiting(SinkItem item, long since) {
    }

    private final Map<DataKey, List<Waiting>> byKey = new LinkedHashMap<>();
    private final Map<DataKey, Long> lastRepairRequest = new HashMap<>();
    private int size;

    void add(SinkItem item, long since) {
        byKey.computeIfAbsent(item.event.key(), k -> new ArrayList<>(2)).add(new Waiting(item, since));
        size++;
    }

    /** Removes and returns every waiting event of the keys, in arrival order per key. */
    List<Waiting> take(Collection<DataKey> keys) {
        List<Waiting> taken = new ArrayList<>();
        for (DataKey key : keys) {
            List<Waiting> waiting = byKey.remove(key);
            if (waiting != null) {
                taken.addAll(waiting);
                size -= waiting.size();
            }
        }
        return taken;
    }

    /** Removes and returns every waiting event. */
    /** The sections that have events waiting. */
    java.util.Set<io.github.ddm.SectionId> sections() {
        java.util.Set<io.github.ddm.SectionId> sections = new java.util.LinkedHashSet<>();
        for (DataKey key : byKey.keySet()) {
            sections.add(new io.github.ddm.SectionId(key.partition(), key.section()));
        }
        return sections;
    }

    List<Waiting> takeAll() {
        return take(new ArrayList<>(byKey.keySet()));
    }

    /** Puts back events that still wait, keeping their start times. */
    void putBack(List<Waiting> waiting) {
        for (Waiting w : waiting) {
            byKey.computeIfAbsent(w.item().event.key(), k -> new ArrayList<>(2)).add(w);
            size++;
        }
    }

    /** Removes the event that has waited longest, or returns null. */
    Waiting evictOldest() {
        Waiting oldest = null;
        DataKey oldestKey = null;
        for (Map.Entry<DataKey, List<Waiting>> e : byKey.entrySet()) {
            Waiting first = e.getValue().get(0);
            if (oldest == null || first.since() < oldest.since()) {
                oldest = first;
                oldestKey = e.getKey();
            }
        }
        if (oldest != null) {
            List<Waiting> list = byKey.get(oldestKey);
            list.remove(0);
            if (list.isEmpty()) {
                byKey.remove(oldestKey);
            }
            size--;
        }
        return oldest;
    }

    /**
     * The keys whose first event has waited at least {@code after} and whose last repair request is
     * at least {@code after} old; their request time is set to {@code now}.
     */
    List<Waiting> dueForRepair(long now, long after) {
        List<Waiting> due = new ArrayList<>();
        for (Map.Entry<DataKey, List<Waiting>> e : byKey.entrySet()) {
            Waiting first = e.getValue().get(0);
            Long asked = lastRepairRequest.get(e.getKey());
            if (now - first.since() >= after && (asked == null || now - asked >= after)) {
                lastRepairRequest.put(e.getKey(), now);
                due.add(first);
            }
        }
        lastRepairRequest.keySet().retainAll(byKey.keySet());
        return due;
    }

    /** For each partition with a waiting event, the offset of its earliest one: where a restart must resume. */
    Map<TopicPartition, Long> earliestOffsets() {
        Map<TopicPartition, Long> earliest = new HashMap<>();
        for (List<Waiting> waiting : byKey.values()) {
            for (Waiting w : waiting) {
                SinkItem.RecordId id = w.item().id;
                earliest.merge(new TopicPartition(id.topic(), id.partition()), id.offset(), Math::min);
            }
        }
        return earliest;
    }

    /** Forgets the events of revoked partitions: they are delivered again from the committed offset. */
    void drop(Collection<TopicPartition> partitions) {
        for (Iterator<Map.Entry<DataKey, List<Waiting>>> it = byKey.entrySet().iterator(); it.hasNext(); ) {
            List<Waiting> waiting = it.next().getValue();
            int before = waiting.size();
            waiting.removeIf(w -> partitions.contains(new TopicPartition(w.item().id.topic(), w.item().id.partition())));
            size -= before - waiting.size();
            if (waiting.isEmpty()) {
                it.remove();
            }
        }
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
