package io.github.ddm.connect;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidRecordException;
import io.github.ddm.schema.RecordDecoder;
import io.github.ddm.schema.WireForm;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * The change event in Kafka Connect's data model, both ways. A record's value is a {@link Struct}
 * with schema {@link #VALUE_SCHEMA} ({@code io.github.ddm.ChangeEvent}, version 2): the fields of
 * the ChangeEvent v1 contract, with the JSON-valued ones ({@code patch}, {@code state}, {@code clock},
 * {@code stamps}, {@code conflicts}) as JSON text (Connect schemas cannot describe arbitrary JSON).
 * Its key is the data key as a string, {@code partition/section/id}.
 *
 * <p>The schema is built mechanically from the wire form's owner, {@link WireForm#FIELDS} (names,
 * order, types, optionality), and so is every Struct; reading one back goes through the one decoder
 * of record forms, {@link RecordDecoder}. With {@link ChangeEventConverter} the topic holds exactly
 * the contract's JSON; with Kafka's {@code JsonConverter} it holds this Struct as JSON, with or
 * without the schema envelope. {@link #toEvent} reads all of these back, strictly. Stateless,
 * thread-safe.
 */
public final class ChangeEventData {

    private static final String INVALID = "not a valid DDM change event: ";

    /** The key schema of the change topics. */
    public static final Schema KEY_SCHEMA = Schema.STRING_SCHEMA;

    private static final Schema DATA_KEY_SCHEMA = textStruct(WireForm.KEY_RECORD_NAME, WireForm.KEY_FIELDS);
    private static final Schema ORIGIN_SCHEMA = textStruct(WireForm.ORIGIN_RECORD_NAME, WireForm.ORIGIN_FIELDS);

    /** The value schema of the change topics, built from {@link WireForm#FIELDS}. */
    public static final Schema VALUE_SCHEMA = valueSchema();

    private ChangeEventData() {
    }

    private static Schema valueSchema() {
        SchemaBuilder builder = SchemaBuilder.struct().name(WireForm.EVENT_RECORD_NAME).version(WireForm.EVENT_RECORD_VERSION)
                .doc(WireForm.EVENT_RECORD_DOC);
        for (WireForm.Field field : WireForm.FIELDS) {
            builder.field(field.wireName(), schemaOf(field.type(), field.optional()));
        }
        return builder.build();
    }

    /** The Connect schema of a wire type (shared with {@link ControlRecord}). */
    static Schema schemaOf(WireForm.Type type, boolean optional) {
        switch (type) {
            case INT32:
                return optional ? Schema.OPTIONAL_INT32_SCHEMA : Schema.INT32_SCHEMA;
            case INT64:
                return optional ? Schema.OPTIONAL_INT64_SCHEMA : Schema.INT64_SCHEMA;
            case TEXT:
            case JSON:
                return optional ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA;
            case KEY:
                return DATA_KEY_SCHEMA;
            case ORIGIN:
                return ORIGIN_SCHEMA;
            default:
                throw new IllegalStateException("no Connect schema for " + type);
        }
    }

    private static Schema textStruct(String name, java.util.List<String> fields) {
        SchemaBuilder builder = SchemaBuilder.struct().name(name);
        fields.forEach(field -> builder.field(field, Schema.STRING_SCHEMA));
        return builder.build();
    }

    /** The record key of an event. */
    public static String key(ChangeEvent event) {
        return event.key().toString();
    }

    /**
     * The event as a Struct of {@link #VALUE_SCHEMA}. The Struct remembers the event, so the
     * converter and the sink take it as it is rather than reading the Struct back, and writes its
     * JSON-text fields only when they are read.
     */
    public static Struct toStruct(ChangeEvent event) {
        return new EventStruct(event);
    }

    /**
     * Puts the fields of {@code event} into {@code struct}, in {@link WireForm#FIELDS} order: all of
     * them, or all but the JSON-text ones (which {@link EventStruct} writes when they are read).
     */
    static void fill(Struct struct, ChangeEvent event, boolean jsonTexts) {
        for (WireForm.Field field : WireForm.FIELDS) {
            if (jsonTexts || field.type() != WireForm.Type.JSON) {
                struct.put(field.wireName(), value(event, field));
            }
        }
    }

    private static Object value(ChangeEvent event, WireForm.Field field) {
        switch (field) {
            case SCHEMA:
                return ChangeEventCodec.CURRENT_SCHEMA_VERSION;
            case EVENT_ID:
                return event.eventId();
            case OP:
                return event.op().wireCode();
            case KEY:
                return new Struct(DATA_KEY_SCHEMA).put(WireForm.KEY_FIELDS.get(0), event.key().partition())
                        .put(WireForm.KEY_FIELDS.get(1), event.key().section()).put(WireForm.KEY_FIELDS.get(2), event.key().id());
            case VERSION:
                return event.version();
            case PREV_VERSION:
                return event.prevVersion();
            case EPOCH:
                return event.epoch();
            case LINEAGE:
                return event.lineage();
            case TIME:
                return event.time().toEpochMilli();
            case ORIGIN:
                return new Struct(ORIGIN_SCHEMA).put(WireForm.ORIGIN_FIELDS.get(0), event.origin().region())
                        .put(WireForm.ORIGIN_FIELDS.get(1), event.origin().node());
            case STREAM_ID:
                return event.streamId();
            default:
                return ChangeEventCodec.jsonText(event, field); // the JSON-valued fields
        }
    }

    /**
     * The event in a record value: a Struct (from this class, or the JsonConverter with schemas), a
     * Map (JsonConverter without schemas), JSON text, or JSON bytes; in each case the contract's
     * rules apply. A Struct this class built, unchanged since, gives its event back as it is.
     *
     * @throws DataException naming what is wrong: a null value, an unknown shape, a control record,
     *     or the field the contract rejects
     */
    public static ChangeEvent toEvent(Object value) {
        RecordDecoder.Decoded decoded = read(value);
        if (decoded instanceof RecordDecoder.Change change) {
            return change.event();
        }
        throw new DataException("a DDM change event was expected, got a control record ("
                + ((RecordDecoder.Control) decoded).kind() + ")");
    }

    /**
     * What a record value holds, decoded once: a change event or a control record. A Struct this
     * class built, unchanged since, gives its event back as it is.
     *
     * @throws DataException naming what is wrong: a null value, an unknown shape, or the field the
     *     contract rejects (of an event or of a control record)
     */
    public static RecordDecoder.Decoded read(Object value) {
        if (value == null) {
            throw new DataException("the record has no value; a DDM change event was expected");
        }
        if (value instanceof EventStruct struct && struct.event() != null) {
            return new RecordDecoder.Change(struct.event());
        }
        return decode(value);
    }

    /**
     * What a record value holds, through the one decoder of record forms.
     *
     * @throws DataException if it is neither an event nor a control record, naming why
     */
    static RecordDecoder.Decoded decode(Object value) {
        try {
            if (value instanceof Struct struct) {
                return RecordDecoder.value(fields(struct));
            }
            if (value instanceof String text) {
                return RecordDecoder.value(text);
            }
            if (value instanceof byte[] bytes) {
                return RecordDecoder.value(bytes);
            }
            if (value instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, ?> fields = (Map<String, ?>) map;
                return RecordDecoder.value(fields);
            }
        } catch (InvalidRecordException e) {
            String message = e.getMessage();
            throw new DataException(message.startsWith(INVALID) || message.contains("control record") ? message
                    : INVALID + message, e);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new DataException(INVALID + e.getMessage(), e);
        }
        throw new DataException("a DDM change event was expected, got a " + value.getClass().getName());
    }

    /** A Struct's fields as the flat record form's Java values, mechanically: nested Structs become maps. */
    static Map<String, Object> fields(Struct struct) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Field field : struct.schema().fields()) {
            Object value = struct.get(field);
            if (value != null) {
                fields.put(field.name(), value instanceof Struct nested ? fields(nested) : value);
            }
        }
        return fields;
    }

    /** The UTF-8 bytes of a string key. */
    static byte[] keyBytes(Object key) {
        return key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8);
    }
}
