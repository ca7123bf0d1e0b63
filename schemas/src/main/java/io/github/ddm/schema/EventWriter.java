package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.github.ddm.schema.WireForm.Field;
import java.io.IOException;
import java.util.Map;

/**
 * Writes a ChangeEvent with a streaming generator: no whitespace, absent optional fields omitted,
 * fields in the contract's fixed order, {@link WireForm#FIELDS} (a test holds the two together).
 * Member names, from {@link WireForm}, are pre-encoded once.
 */
final class EventWriter {

    private static final SerializableString SCHEMA = name(Field.SCHEMA);
    private static final SerializableString EVENT_ID = name(Field.EVENT_ID);
    private static final SerializableString OP = name(Field.OP);
    private static final SerializableString KEY = name(Field.KEY);
    private static final SerializableString PARTITION = new SerializedString(WireForm.KEY_FIELDS.get(0));
    private static final SerializableString SECTION = new SerializedString(WireForm.KEY_FIELDS.get(1));
    private static final SerializableString ID = new SerializedString(WireForm.KEY_FIELDS.get(2));
    private static final SerializableString VERSION = name(Field.VERSION);
    private static final SerializableString PREV_VERSION = name(Field.PREV_VERSION);
    private static final SerializableString EPOCH = name(Field.EPOCH);
    private static final SerializableString TIME = name(Field.TIME);
    private static final SerializableString ORIGIN = name(Field.ORIGIN);
    private static final SerializableString REGION = new SerializedString(WireForm.ORIGIN_FIELDS.get(0));
    private static final SerializableString NODE = new SerializedString(WireForm.ORIGIN_FIELDS.get(1));
    private static final SerializableString STREAM_ID = name(Field.STREAM_ID);
    private static final SerializableString PATCH = name(Field.PATCH);
    private static final SerializableString STATE = name(Field.STATE);
    private static final SerializableString LINEAGE = name(Field.LINEAGE);
    private static final SerializableString CLOCK = name(Field.CLOCK);
    private static final SerializableString STAMPS = name(Field.STAMPS);
    private static final SerializableString CONFLICTS = name(Field.CONFLICTS);
    private static final SerializableString PATH = new SerializedString("path");
    private static final SerializableString KEPT = new SerializedString("kept");
    private static final SerializableString LOST = new SerializedString("lost");

    private EventWriter() {
    }

    private static SerializableString name(Field field) {
        return new SerializedString(field.wireName());
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
            writeStamps(event, out);
        }
        if (event.conflicts() != null) {
            out.writeFieldName(CONFLICTS);
            writeConflicts(event, out);
        }
        out.writeEndObject();
    }

    static void writeStamps(ChangeEvent event, JsonGenerator out) throws IOException {
        out.writeStartObject();
        for (Map.Entry<String, Stamp> stamp : event.stamps().entrySet()) {
            out.writeFieldName(stamp.getKey());
            out.writeString(stamp.getValue().toString());
        }
        out.writeEndObject();
    }

    static void writeConflicts(ChangeEvent event, JsonGenerator out) throws IOException {
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
}
