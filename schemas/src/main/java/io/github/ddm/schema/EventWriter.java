package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.Map;

/**
 * Writes a ChangeEvent with a streaming generator: no whitespace, absent optional fields omitted,
 * fields in the contract's fixed order (schema, eventId, op, key, version, prevVersion, epoch,
 * lineage, clock, time, origin, streamId, patch, state, stamps, conflicts). Member names are
 * pre-encoded once.
 */
final class EventWriter {

    private static final SerializableString SCHEMA = new SerializedString("schema");
    private static final SerializableString EVENT_ID = new SerializedString("eventId");
    private static final SerializableString OP = new SerializedString("op");
    private static final SerializableString KEY = new SerializedString("key");
    private static final SerializableString PARTITION = new SerializedString("partition");
    private static final SerializableString SECTION = new SerializedString("section");
    private static final SerializableString ID = new SerializedString("id");
    private static final SerializableString VERSION = new SerializedString("version");
    private static final SerializableString PREV_VERSION = new SerializedString("prevVersion");
    private static final SerializableString EPOCH = new SerializedString("epoch");
    private static final SerializableString TIME = new SerializedString("time");
    private static final SerializableString ORIGIN = new SerializedString("origin");
    private static final SerializableString REGION = new SerializedString("region");
    private static final SerializableString NODE = new SerializedString("node");
    private static final SerializableString STREAM_ID = new SerializedString("streamId");
    private static final SerializableString PATCH = new SerializedString("patch");
    private static final SerializableString STATE = new SerializedString("state");
    private static final SerializableString LINEAGE = new SerializedString("lineage");
    private static final SerializableString CLOCK = new SerializedString("clock");
    private static final SerializableString STAMPS = new SerializedString("stamps");
    private static final SerializableString CONFLICTS = new SerializedString("conflicts");
    private static final SerializableString PATH = new SerializedString("path");
    private static final SerializableString KEPT = new SerializedString("kept");
    private static final SerializableString LOST = new SerializedString("lost");

    private EventWriter() {
    }

    static void write(ChangeEvent event, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeFieldName(SCHEMA);
        out.writeNumber(ChangeEventCodec.CURRENT_SCHEMA_VERSION);
        out.writeFieldName(EVENT_ID);
        out.writeString(event.eventId());
        out.writeFieldName(OP);
        out.writeString(event.op().wireCode());

        out.writeFieldName(KEY);
        out.writeStartObject();
        out.writeFieldName(PARTITION);
        out.writeString(event.key().partition());
        out.writeFieldName(SECTION);
        out.writeString(event.key().section());
        out.writeFieldName(ID);
        out.writeString(event.key().id());
        out.writeEndObject();

        out.writeFieldName(VERSION);
        out.writeNumber(event.version());
        if (event.op().prevVersionOnWire() || event.prevVersion() != 0) {
            out.writeFieldName(PREV_VERSION);
            out.writeNumber(event.prevVersion());
        }
        out.writeFieldName(EPOCH);
        out.writeString(event.epoch());
        if (event.lineage() != null) {
            out.writeFieldName(LINEAGE);
            out.writeString(event.lineage());
        }
        if (event.clock() != null) {
            out.writeFieldName(CLOCK);
            out.writeStartObject();
            for (Map.Entry<String, Long> count : event.clock().counts().entrySet()) {
                out.writeFieldName(count.getKey());
                out.writeNumber(count.getValue());
            }
            out.writeEndObject();
        }
        out.writeFieldName(TIME);
        out.writeNumber(event.time().toEpochMilli());

        out.writeFieldName(ORIGIN);
        out.writeStartObject();
        out.writeFieldName(REGION);
        out.writeString(event.origin().region());
        out.writeFieldName(NODE);
        out.writeString(event.origin().node());
        out.writeEndObject();

        if (event.streamId() != null) {
            out.writeFieldName(STREAM_ID);
            out.writeString(event.streamId());
        }
        if (event.patch() != null) {
            out.writeFieldName(PATCH);
            out.writeTree(event.patch());
        }
        if (event.state() != null) {
            out.writeFieldName(STATE);
            out.writeTree(event.state());
        }
        if (event.stamps() != null) {
            out.writeFieldName(STAMPS);
            out.writeStartObject();
            for (Map.Entry<String, Stamp> stamp : event.stamps().entrySet()) {
                out.writeFieldName(stamp.getKey());
                out.writeString(stamp.getValue().toString());
            }
            out.writeEndObject();
        }
        if (event.conflicts() != null) {
            out.writeFieldName(CONFLICTS);
            out.writeStartArray();
            for (Conflict conflict : event.conflicts()) {
                out.writeStartObject();
                out.writeFieldName(PATH);
                out.writeString(conflict.path());
                out.writeFieldName(KEPT);
                out.writeString(conflict.kept().toString());
                out.writeFieldName(LOST);
                out.writeString(conflict.lost().toString());
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        out.writeEndObject();
    }
}
