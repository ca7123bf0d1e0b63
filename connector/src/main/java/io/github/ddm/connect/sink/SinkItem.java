package io.github.ddm.connect.sink;

import io.github.ddm.SectionStore;
import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.schema.ChangeEvent;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One record of a batch on its way to Redis: the event it carries, the section store to apply it
 * with, and then either what the apply did or why it failed (neither when it was not attempted
 * because an earlier event of the same key failed). Written by at most one apply callback, read on
 * the task thread after the batch completes.
 */
final class SinkItem {

    /** Where a record came from, to recognise it when Connect redelivers a batch. */
    record RecordId(String topic, int partition, long offset) {
        static RecordId of(SinkRecord record) {
            try {
                // Where the record was read, even if a transformation renamed its topic (KIP-793, Kafka 3.6).
                Integer partition = record.originalKafkaPartition();
                return new RecordId(record.originalTopic(), partition == null ? -1 : partition, record.originalKafkaOffset());
            } catch (NoSuchMethodError olderWorker) {
                Integer partition = record.kafkaPartition();
                return new RecordId(record.topic(), partition == null ? -1 : partition, record.kafkaOffset());
            }
        }
    }

    final SinkRecord record;
    final RecordId id;
    final ChangeEvent event;
    final SectionStore store;
    private volatile ApplyOutcome outcome;
    private volatile Throwable failure;

    SinkItem(SinkRecord record, RecordId id, ChangeEvent event, SectionStore store) {
        this.record = record;
        this.id = id;
        this.event = event;
        this.store = store;
    }

    void completed(ApplyOutcome outcome, Throwable failure) {
        this.outcome = outcome;
        this.failure = failure;
    }

    /** What the apply did, or null if it failed or was not attempted. */
    ApplyOutcome outcome() {
        return outcome;
    }

    /** Why the apply failed, or null. */
    Throwable failure() {
        return failure;
    }

    /** The record and event, for messages: never the patch or state. */
    String describe() {
        return id.topic() + "-" + id.partition() + "@" + id.offset() + " " + event.key() + " v" + event.prevVersion()
                + "->" + event.version();
    }
}
