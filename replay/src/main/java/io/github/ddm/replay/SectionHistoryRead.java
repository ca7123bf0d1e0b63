package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One section lookup of a {@link KafkaHistorySource}: the section's topic from the offset of an
 * instant on ({@code offsetsForTimes}, less the timestamp tolerance), the region's own events
 * committed at or after the instant, each key's chained (its first event as it is; then events
 * that follow, or a whole document as an explicit snapshot; a patch after a hole is left out).
 * Fails with {@link KafkaReplayException} when the topic does not exist, when a partition may have
 * lost records from after the instant to retention, or when more than {@code maxEvents} qualify.
 * Confined to the calling reading thread (it uses that thread's indexing consumer).
 */
final class SectionHistoryRead {

    private static final Logger log = LoggerFactory.getLogger(SectionHistoryRead.class);

    private final KafkaEventReader reader;
    private final KafkaConsumer<Long, byte[]> consumer;
    private final String topic;
    private final SectionId section;
    private final String region;
    private final Duration timestampTolerance;
    private final int maxSectionEvents;
    private final Duration timeout;

    SectionHistoryRead(KafkaEventReader reader, KafkaConsumer<Long, byte[]> consumer, String topic, SectionId section,
                       String region, Duration timestampTolerance, int maxSectionEvents, Duration timeout) {
        this.reader = reader;
        this.consumer = consumer;
        this.topic = topic;
        this.section = section;
        this.region = region;
        this.timestampTolerance = timestampTolerance;
        this.maxSectionEvents = maxSectionEvents;
        this.timeout = timeout;
    }

    /** The section's events since {@code since}, read before {@code deadline} (see the class comment). */
    List<ChangeEvent> read(Instant since, long deadline) {
        long started = System.nanoTime();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, left(deadline));
        if (infos == null || infos.isEmpty()) {
            throw new KafkaReplayException("no Kafka history for section " + section.partition() + "/" + section.section()
                    + ": topic " + topic + " does not exist");
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, left(deadline));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, left(deadline));
        long from = Math.max(0, since.toEpochMilli() - timestampTolerance.toMillis());
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> atTime = consumer.offsetsForTimes(query, left(deadline));
        Map<TopicPartition, Long> starts = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long begin = beginnings.getOrDefault(tp, 0L);
            long end = ends.getOrDefault(tp, 0L);
            OffsetAndTimestamp found = atTime.get(tp);
            long start = found == null ? end : found.offset();
            // Records before the first one kept may have been as recent as the instant: retention
            // deleted them, and the history would have a hole no one could see.
            if (begin > 0 && start <= begin) {
                throw new KafkaReplayException("no Kafka history for section " + section.partition() + "/" + section.section()
                        + " since " + since + ": " + tp + " no longer holds its records from before that instant"
                        + " (its first offset is " + begin + ")");
            }
            starts.put(tp, start);
        }
        long sinceMillis = since.toEpochMilli();
        Map<DataKey, Long> tips = new HashMap<>();
        List<ChangeEvent> events = new ArrayList<>();
        long[] holes = new long[1];
        ReadResult result = reader.read(ReadRequest.of(topic).scope(KeyScope.section(section)).startOffsets(starts)
                .endOffsets(ends).timeout(left(deadline)), new EventHandler() {
                    @Override
                    public void onEvent(ChangeEvent event, RecordPosition position) {
                        if (region != null && !region.equals(event.origin().region()) || committedMillis(event) < sinceMillis) {
                            return;
                        }
                        Long tip = tips.get(event.key());
                        ChangeEvent next;
                        if (tip == null) {
                            next = event; // the key's first change since the instant
                        } else if (event.version() <= tip) {
                            return; // a repeat
                        } else if (event.op() != ChangeOp.SNAPSHOT && event.prevVersion() == tip) {
                            next = event;
                        } else if (event.state() != null) {
                            next = HistoryChain.asSnapshot(event, tip);
                            holes[0]++;
                        } else {
                            return; // a patch after a hole: DDM sends the document's snapshot
                        }
                        if (events.size() >= maxSectionEvents) {
                            throw new KafkaReplayException("no Kafka history for section " + section.partition() + "/"
                                    + section.section() + " since " + since + ": more than " + maxSectionEvents + " changes");
                        }
                        tips.put(event.key(), next.version());
                        events.add(next);
                    }
                });
        if (result.invalid() > 0) {
            log.warn("{} invalid record(s) of section {}/{} in {} left out of its history, e.g. {}", result.invalid(),
                    section.partition(), section.section(), topic, result.errors().get(0));
        }
        log.debug("Kafka history of section {}/{} since {}: {} events of {} keys ({} holes) from {} records of {} in {} ms",
                section.partition(), section.section(), since, events.size(), tips.size(), holes[0], result.recordsRead(), topic,
                (System.nanoTime() - started) / 1_000_000);
        return List.copyOf(events);
    }

    /** When the change was committed: its Redis stream id's time, as the section log orders it; else its time. */
    private static long committedMillis(ChangeEvent event) {
        String streamId = event.streamId();
        if (streamId != null) {
            int dash = streamId.indexOf('-');
            try {
                return Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
            } catch (NumberFormatException e) {
                // fall through to the time
            }
        }
        return event.time().toEpochMilli();
    }

    private Duration left(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new KafkaReplayException("a Kafka history read did not finish within " + timeout);
        }
        Duration api = reader.apiTimeout();
        return left < api.toNanos() ? Duration.ofNanos(left) : api;
    }
}
