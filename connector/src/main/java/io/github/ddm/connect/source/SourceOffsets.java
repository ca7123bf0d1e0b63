package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The shape of the source's positions in Connect's offset store. A section is the source partition
 * {@code {namespace, partition, section}}; its offset is {@code {streamId}}, the id of the last
 * section-log entry whose change is in Kafka (or was deliberately not exported). Stateless.
 */
final class SourceOffsets {

    static final String NAMESPACE = "namespace";
    static final String PARTITION = "partition";
    static final String SECTION = "section";
    static final String STREAM_ID = "streamId";
    static final String EPOCH = "epoch";
    static final String STREAM = "stream";
    static final String REPAIRS = "repairs";

    /** The id before every log entry. */
    static final String LOG_START = "0-0";

    private static final Pattern STREAM_ID_PATTERN = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

    private SourceOffsets() {
    }

    /**
     * The source partition of a section. Connect looks offsets up by the serialized partition, so its
     * iteration order must be the same in every JVM and equal to that of the {@code HashMap} Connect
     * itself deserializes partitions into (its REST offsets API re-serializes those): a
     * {@code HashMap}, never {@code Map.of}, whose order is randomized per JVM.
     */
    static Map<String, String> partition(String namespace, SectionId section) {
        Map<String, String> partition = new HashMap<>();
        partition.put(NAMESPACE, namespace);
        partition.put(PARTITION, section.partition());
        partition.put(SECTION, section.section());
        return Collections.unmodifiableMap(partition);
    }

    static Map<String, String> offset(String streamId) {
        return Collections.singletonMap(STREAM_ID, streamId);
    }

    /**
     * A section's offset: the stream id, and the section epoch of the entries read up to it (so that
     * a restarted task notices that the section's data was lost meanwhile); null epoch for none.
     */
    static Map<String, String> offset(String streamId, String epoch) {
        if (epoch == null) {
            return offset(streamId);
        }
        Map<String, String> offset = new HashMap<>();
        offset.put(STREAM_ID, streamId);
        offset.put(EPOCH, epoch);
        return Collections.unmodifiableMap(offset);
    }

    /** A stored section offset: where the log was read to, and in which epoch (null if not recorded). */
    record Position(String streamId, String epoch) {
    }

    /**
     * The stored offset of a section, or null for none.
     *
     * @throws IllegalArgumentException if the offset is not one this connector wrote
     */
    static Position position(Map<String, ?> offset) {
        if (offset == null) {
            return null;
        }
        Object epoch = offset.get(EPOCH);
        if (epoch != null && !(epoch instanceof String)) {
            throw new IllegalArgumentException("a DDM source offset's epoch is text, got " + offset);
        }
        Map<String, Object> withoutEpoch = new HashMap<>(offset);
        withoutEpoch.remove(EPOCH);
        return new Position(streamId(withoutEpoch), (String) epoch);
    }

    /** The source partition of a namespace's repair requests. */
    static Map<String, String> repairsPartition(String namespace) {
        Map<String, String> partition = new HashMap<>();
        partition.put(NAMESPACE, namespace);
        partition.put(STREAM, REPAIRS);
        return Collections.unmodifiableMap(partition);
    }

    /**
     * The stream id of a stored offset, or null for none.
     *
     * @throws IllegalArgumentException if the offset is not {@code {streamId: "<ms>-<seq>"}}
     */
    static String streamId(Map<String, ?> offset) {
        if (offset == null) {
            return null;
        }
        Object id = offset.get(STREAM_ID);
        if (!(id instanceof String text) || !isStreamId(text) || offset.size() != 1) {
            throw new IllegalArgumentException("a DDM source offset is {\"" + STREAM_ID + "\": \"<ms>-<seq>\"}, got " + offset);
        }
        return text;
    }

    /** Checks a source partition's shape. @throws IllegalArgumentException if it is not one of ours */
    static SectionId section(Map<String, ?> partition) {
        if (partition == null || partition.size() != 3 || !(partition.get(NAMESPACE) instanceof String)
                || !(partition.get(PARTITION) instanceof String p) || !(partition.get(SECTION) instanceof String s)) {
            throw new IllegalArgumentException("a DDM source partition is {\"" + NAMESPACE + "\", \"" + PARTITION + "\", \""
                    + SECTION + "\"}, got " + partition);
        }
        return new SectionId(p, s);
    }

    static boolean isStreamId(String id) {
        return STREAM_ID_PATTERN.matcher(id).matches();
    }

    /** Orders stream ids ({@code ms-seq}, both unsigned 64-bit). */
    static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int c = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, dashA)), Long.parseUnsignedLong(b.substring(0, dashB)));
        return c != 0 ? c : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(dashA + 1)),
                Long.parseUnsignedLong(b.substring(dashB + 1)));
    }

    /** The millisecond part of a stream id: when the entry was added. */
    static long millis(String streamId) {
        return Long.parseUnsignedLong(streamId.substring(0, streamId.indexOf('-')));
    }
}
