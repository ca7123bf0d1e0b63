package io.github.ddm.connect.source;

import io.github.ddm.RepairRequest;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.ControlRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the repair requests this region's sinks write (docs/regions.md, "Repair") to the
 * region's control topic, where every other region's sink reads them and answers with snapshots.
 * The source partition is {@code {namespace, stream: repairs}}, the offset the request's stream id.
 * One task of the connector reads them. Confined to the task's poll thread.
 */
final class RepairReader {

    private static final Logger log = LoggerFactory.getLogger(RepairReader.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final RedissonClient redisson;
    private final String namespace;
    private final String controlTopic;
    private final String origin;
    private final Map<String, String> sourcePartition;
    private String position;
    private long exported;

    RepairReader(RedissonClient redisson, String namespace, String region, String controlTopic, String storedOffset) {
        this.redisson = redisson;
        this.namespace = namespace;
        this.controlTopic = controlTopic;
        this.origin = region + "/" + SectionReader.EXPORTER_NODE;
        this.sourcePartition = SourceOffsets.repairsPartition(namespace);
        this.position = storedOffset == null ? SourceOffsets.LOG_START : storedOffset;
    }

    /** Starts reading up to {@code max} requests after the position; {@link #accept} takes them. */
    CompletableFuture<SectionStore.RepairBatch> read(int max) {
        return SectionStore.readRepairRequests(redisson, namespace, position, max);
    }

    /**
     * Adds the requests of a {@link #read} started at the current position to {@code out}.
     *
     * @return whether there may be more right away
     * @throws io.github.ddm.StoreUnavailableException if Redis failed; nothing changed, retry later
     */
    boolean accept(CompletableFuture<SectionStore.RepairBatch> read, List<SourceRecord> out, int max) throws InterruptedException {
        SectionStore.RepairBatch batch = RedisWait.await(read, CALL_TIMEOUT, "read the repair requests of namespace " + namespace);
        for (RepairRequest request : batch.requests()) {
            ControlRecord record = ControlRecord.repair(request.region(), namespace, request.section(), request.id(),
                    request.have() == null ? null : request.have().toJson(), request.time().toEpochMilli());
            ConnectHeaders headers = new ConnectHeaders();
            headers.addString(ControlRecord.HEADER, record.kind().wireName());
            headers.addString(SectionReader.ORIGIN_HEADER, origin);
            out.add(new SourceRecord(sourcePartition, SourceOffsets.offset(request.streamId()), controlTopic, null,
                    ChangeEventData.KEY_SCHEMA, record.key(), ControlRecord.SCHEMA, record.toStruct(), record.time(), headers));
            log.info("exporting repair request for {} ({}) to {}", record.key(), request.have(), controlTopic);
        }
        exported += batch.requests().size();
        boolean more = !batch.lastStreamId().equals(position) && batch.requests().size() >= max;
        position = batch.lastStreamId();
        return more;
    }

    long exported() {
        return exported;
    }
}
