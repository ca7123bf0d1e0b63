package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The compact Redis form of a change event (docs/schema.md, "The compact Redis form"): one JSON
 * array of positional slots, without the key's partition and section (the reader's
 * {@link SectionContext}), with {@code prevVersion = version - 1} and a clock that is just
 * {@code {origin's replica: version}} written as defaults. Writes with the codec's own generator,
 * so strings and trees are escaped exactly as in the contract form.
 */
final class CompactForm {

    /** Slots, in order. */
    static final int SCHEMA = 0;
    static final int EVENT_ID = 1;
    static final int OP = 2;
    static final int ID = 3;
    static final int VERSION = 4;
    static final int EPOCH = 5;
    static final int LINEAGE = 6;
    static final int CLOCK = 7;
    static final int TIME = 8;
    static final int REGION = 9;
    static final int NODE = 10;
    static final int STREAM_ID = 11;
    static final int PATCH = 12;
    static final int STATE = 13;
    static final int STAMPS = 14;
    static final int CONFLICTS = 15;
    /** Slots 0 to 11 are always written; later ones only up to the last present. */
    static final int FIXED_SLOTS = 12;

    /** The message of the error on a compact message decoded without its section. */
    static final String NEEDS_CONTEXT = "must be a JSON object, got array: an array is an event in the compact Redis form, "
            + "which leaves out the key's partition and section; decode it with ChangeEventCodec.decode(text, SectionContext) "
            + "and the section of the channel or log it was read from";

    private CompactForm() {
    }

    /** Where {@link #write} flushed: the ends of the version slot, the clock slot, the node slot and the stream id slot. */
    record Marks(int version, int clock, int node, int streamId) {
    }

    static String encode(ChangeEvent event) {
        StringWriter text = new StringWriter(256);
        write(event, text, false);
        return text.toString();
    }

    /** Writes the event; with {@code mark}, returns where its parts end (the generator flushed there). */
    static Marks write(ChangeEvent event, StringWriter text, boolean mark) {
        try (JsonGenerator out = ChangeEventCodec.MAPPER.createGenerator(text)) {
            out.writeStartArray();
            out.writeNumber(ChangeEventCodec.CURRENT_SCHEMA_VERSION);
            out.writeString(event.eventId());
            out.writeString(event.op().wireCode());
            out.writeString(event.key().id());
            if (event.prevVersion() == event.version() - 1) {
                out.writeNumber(event.version());
            } else {
                out.writeStartArray();
                out.writeNumber(event.version());
                out.writeNumber(event.prevVersion());
                out.writeEndArray();
            }
            int version = mark(out, text, mark);
            out.writeString(event.epoch());
            if (event.lineage() == null) {
                out.writeNull();
            } else {
                out.writeString(event.lineage());
            }
            if (event.clock() == null) {
                out.writeNull();
            } else if (isDerivedClock(event)) {
                out.writeNumber(0);
            } else {
                out.writeStartObject();
                for (Map.Entry<String, Long> count : event.clock().counts().entrySet()) {
                    out.writeFieldName(count.getKey());
                    out.writeNumber(count.getValue());
                }
                out.writeEndObject();
            }
            int clock = mark(out, text, mark);
            out.writeNumber(event.time().toEpochMilli());
            out.writeString(event.origin().region());
            out.writeString(event.origin().node());
            int node = mark(out, text, mark);
            if (event.streamId() == null) {
                out.writeNumber(0);
            } else {
                out.writeString(event.streamId());
            }
            int streamId = mark(out, text, mark);
            int last = event.conflicts() != null ? CONFLICTS : event.stamps() != null ? STAMPS
                    : event.state() != null ? STATE : event.patch() != null ? PATCH : STREAM_ID;
            for (int slot = PATCH; slot <= last; slot++) {
                writeTail(event, slot, out);
            }
            out.writeEndArray();
            return mark ? new Marks(version, clock, node, streamId) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
    }

    private static void writeTail(ChangeEvent event, int slot, JsonGenerator out) throws IOException {
        switch (slot) {
            case PATCH -> writeTree(event.patch(), out);
            case STATE -> writeTree(event.state(), out);
            case STAMPS -> {
                if (event.stamps() == null) {
                    out.writeNull();
                } else {
                    EventWriter.writeStamps(event, out);
                }
            }
            default -> {
                if (event.conflicts() == null) {
                    out.writeNull();
                } else {
                    EventWriter.writeConflicts(event, out);
                }
            }
        }
    }

    private static void writeTree(JsonNode tree, JsonGenerator out) throws IOException {
        if (tree == null) {
            out.writeNull();
        } else {
            out.writeTree(tree);
        }
    }

    private static int mark(JsonGenerator out, StringWriter text, boolean mark) throws IOException {
        if (!mark) {
            return -1;
        }
        out.flush();
        return text.getBuffer().length();
    }

    /** Whether the event's clock is {@code {origin.region~lineage: version}}, which the form writes as {@code 0}. */
    static boolean isDerivedClock(ChangeEvent event) {
        if (event.lineage() == null || event.clock() == null || event.clock().counts().size() != 1) {
            return false;
        }
        Long count = event.clock().counts().get(VersionVector.replica(event.origin().region(), event.lineage()));
        return count != null && count == event.version();
    }

    /** The clock a {@code 0} in the clock slot stands for, as JSON text. */
    static String derivedClockJson(String region, String lineage, long version) {
        return "{\"" + VersionVector.replica(region, lineage) + "\":" + version + "}";
    }

    // ---- Reading -------------------------------------------------------------------------------

    /**
     * @param owned whether the caller parsed {@code root} itself and holds it nowhere else: then its
     *     patch and state are kept, not copied
     */
    static ChangeEvent read(JsonNode root, SectionContext section, boolean owned) {
        if (root.size() < FIXED_SLOTS) {
            throw new InvalidEventException(ChangeEventCodec.ROOT_FIELD, "has " + root.size()
                    + " slots; an event in the compact Redis form has at least " + FIXED_SLOTS);
        }
        EventReader.checkSchemaVersion(root.get(SCHEMA));
        String eventId = text(root, EVENT_ID, "eventId");
        ChangeOp op = ChangeOp.fromWireCode(text(root, OP, "op"));
        String id = text(root, ID, "key.id");
        EventReader.check("key.id", Rules.idProblem(id));
        DataKey key = section.key(id);
        long version;
        long prevVersion;
        JsonNode versions = root.get(VERSION);
        if (versions.isArray()) {
            if (versions.size() != 2) {
                throw new InvalidEventException("version", "must be an integer or [version, prevVersion], got an array of "
                        + versions.size());
            }
            version = integer(versions.get(0), "version");
            prevVersion = integer(versions.get(1), "prevVersion");
        } else {
            version = integer(versions, "version");
            prevVersion = version - 1;
        }
        String epoch = text(root, EPOCH, "epoch");
        String lineage = EventReader.textOrNull(root.get(LINEAGE), "lineage");
        long time = integer(root.get(TIME), "time");
        if (time < 0) {
            throw new InvalidEventException("time", "must be >= 0 (epoch milliseconds), got " + time);
        }
        String region = text(root, REGION, "origin.region");
        EventReader.check("origin.region", Rules.shortNameProblem(region));
        String node = text(root, NODE, "origin.node");
        EventReader.check("origin.node", Rules.shortNameProblem(node));
        VersionVector clock;
        JsonNode clockSlot = root.get(CLOCK);
        if (clockSlot.isIntegralNumber() && clockSlot.asLong() == 0 && clockSlot.canConvertToLong()) {
            if (lineage == null) {
                throw new InvalidEventException("clock", "is 0 (the origin's replica made every version), which needs a lineage");
            }
            EventReader.check("lineage", Rules.lineageProblem(lineage));
            clock = VersionVector.of(Map.of(VersionVector.replica(region, lineage), version));
        } else {
            clock = EventReader.clock(clockSlot);
        }
        JsonNode streamSlot = root.get(STREAM_ID);
        String streamId = streamSlot.isIntegralNumber() && streamSlot.asLong() == 0 ? null
                : EventReader.textOrNull(streamSlot, "streamId");
        return new ChangeEvent(eventId, key, op, version, prevVersion, epoch, Instant.ofEpochMilli(time),
                new Origin(region, node), tree(root, PATCH, "patch", owned), tree(root, STATE, "state", owned), streamId,
                lineage, clock, EventReader.stamps(root.get(STAMPS)), EventReader.conflicts(root.get(CONFLICTS)));
    }

    private static JsonNode tree(JsonNode root, int slot, String field, boolean owned) {
        JsonNode node = root.get(slot);
        if (node == null || node.isNull()) {
            return null;
        }
        return owned && node.isContainerNode() ? CanonicalJson.adopt(field, node) : node;
    }

    private static String text(JsonNode root, int slot, String field) {
        String value = EventReader.textOrNull(root.get(slot), field);
        if (value == null) {
            throw new InvalidEventException(field, "is required");
        }
        return value;
    }

    private static long integer(JsonNode node, String field) {
        Long value = EventReader.integerOrNull(node, field);
        if (value == null) {
            throw new InvalidEventException(field, "is required");
        }
        return value;
    }
}
