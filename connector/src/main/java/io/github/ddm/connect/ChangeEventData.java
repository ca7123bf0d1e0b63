package io.github.ddm.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * The change event in Kafka Connect's data model, both ways. A record's value is a {@link Struct}
 * with schema {@link #VALUE_SCHEMA} ({@code io.github.ddm.ChangeEvent}, version 1): the fields of
 * the ChangeEvent v1 contract, with {@code patch} and {@code state} as JSON text (Connect schemas
 * cannot describe arbitrary JSON). Its key is the data key as a string, {@code partition/section/id}.
 *
 * <p>With {@link ChangeEventConverter} the topic holds exactly the contract's JSON; with Kafka's
 * {@code JsonConverter} it holds this Struct as JSON (patch and state as strings), with or without
 * the schema envelope. {@link #toEvent} reads all of these back, strictly. Stateless, thread-safe.
 */
public final class ChangeEventData {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final Schema KEY_SCHEMA = Schema.STRING_SCHEMA;

    private static final Schema DATA_KEY_SCHEMA = SchemaBuilder.struct().name("io.github.ddm.DataKey")
            .field("partition", Schema.STRING_SCHEMA).field("section", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA)
            .build();
    private static final Schema ORIGIN_SCHEMA = SchemaBuilder.struct().name("io.github.ddm.Origin")
            .field("region", Schema.STRING_SCHEMA).field("node", Schema.STRING_SCHEMA).build();

    /** The value schema of the change topics. */
    public static final Schema VALUE_SCHEMA = SchemaBuilder.struct().name("io.github.ddm.ChangeEvent").version(2)
            .doc("A committed change of one DDM document (ChangeEvent v1); patch, state, clock, stamps and conflicts are JSON text.")
            .field("schema", Schema.INT32_SCHEMA)
            .field("eventId", Schema.STRING_SCHEMA)
            .field("op", Schema.STRING_SCHEMA)
            .field("key", DATA_KEY_SCHEMA)
            .field("version", Schema.INT64_SCHEMA)
            .field("prevVersion", Schema.INT64_SCHEMA)
            .field("epoch", Schema.STRING_SCHEMA)
            .field("lineage", Schema.OPTIONAL_STRING_SCHEMA)
            .field("clock", Schema.OPTIONAL_STRING_SCHEMA)
            .field("time", Schema.INT64_SCHEMA)
            .field("origin", ORIGIN_SCHEMA)
            .field("streamId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("patch", Schema.OPTIONAL_STRING_SCHEMA)
            .field("state", Schema.OPTIONAL_STRING_SCHEMA)
            .field("stamps", Schema.OPTIONAL_STRING_SCHEMA)
            .field("conflicts", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    private ChangeEventData() {
    }

    /** The record key of an event. */
    public static String key(ChangeEvent event) {
        return event.key().toString();
    }

    /** The event as a Struct of {@link #VALUE_SCHEMA}. */
    public static Struct toStruct(ChangeEvent event) {
        return new Struct(VALUE_SCHEMA)
                .put("schema", ChangeEventCodec.CURRENT_SCHEMA_VERSION)
                .put("eventId", event.eventId())
                .put("op", event.op().wireCode())
                .put("key", new Struct(DATA_KEY_SCHEMA).put("partition", event.key().partition())
                        .put("section", event.key().section()).put("id", event.key().id()))
                .put("version", event.version())
                .put("prevVersion", event.prevVersion())
                .put("epoch", event.epoch())
                .put("lineage", event.lineage())
                .put("clock", event.clock() == null ? null : event.clock().toJson())
                .put("time", event.time().toEpochMilli())
                .put("origin", new Struct(ORIGIN_SCHEMA).put("region", event.origin().region()).put("node", event.origin().node()))
                .put("streamId", event.streamId())
                .put("patch", event.patch() == null ? null : event.patch().toString())
                .put("state", event.state() == null ? null : event.state().toString())
                .put("stamps", event.stamps() == null ? null : jsonField(ChangeEventCodec.encodeToString(event), "stamps"))
                .put("conflicts", event.conflicts() == null ? null : jsonField(ChangeEventCodec.encodeToString(event), "conflicts"));
    }

    /** A field of the event's JSON form, as JSON text (the codec owns its wire form). */
    private static String jsonField(String eventJson, String field) {
        try {
            return JSON.readTree(eventJson).get(field).toString();
        } catch (JsonProcessingException e) {
            throw new DataException("an event failed to serialize", e);
        }
    }

    /**
     * The event in a record value: a Struct (from this class, or the JsonConverter with schemas), a
     * Map (JsonConverter without schemas), JSON text, or JSON bytes; in each case the contract's
     * rules apply.
     *
     * @throws DataException naming what is wrong: a null value, an unknown shape, or the field the
     *     contract rejects
     */
    public static ChangeEvent toEvent(Object value) {
        if (value == null) {
            throw new DataException("the record has no value; a DDM change event was expected");
        }
        try {
            if (value instanceof Struct struct) {
                return ChangeEventCodec.decode(fromStruct(struct));
            }
            if (value instanceof String text) {
                return ChangeEventCodec.decode(text);
            }
            if (value instanceof byte[] bytes) {
                return ChangeEventCodec.decode(bytes);
            }
            if (value instanceof Map<?, ?> map) {
                ObjectNode node = JSON.valueToTree(map);
                expandJsonTexts(node);
                return ChangeEventCodec.decode(node);
            }
        } catch (InvalidEventException e) {
            throw new DataException("not a valid DDM change event: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new DataException("not a valid DDM change event: " + e.getMessage(), e);
        }
        throw new DataException("a DDM change event was expected, got a " + value.getClass().getName());
    }

    private static ObjectNode fromStruct(Struct struct) {
        ObjectNode node = JSON.createObjectNode();
        for (org.apache.kafka.connect.data.Field field : struct.schema().fields()) {
            Object value = struct.get(field);
            if (value == null) {
                continue;
            }
            if (value instanceof Struct nested) {
                node.set(field.name(), fromStruct(nested));
            } else {
                node.set(field.name(), JSON.valueToTree(value));
            }
        }
        expandJsonTexts(node);
        return node;
    }

    /** The fields that travel as JSON text in Connect data. */
    private static void expandJsonTexts(ObjectNode node) {
        for (String field : ChangeEventCodec.NESTED_FIELDS) {
            expandJsonText(node, field);
        }
    }

    /** patch, state and the region fields travel as JSON text in Connect data; the contract wants the JSON itself. */
    private static void expandJsonText(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && value.isTextual()) {
            try {
                node.set(field, JSON.readTree(value.asText()));
            } catch (JsonProcessingException e) {
                throw new InvalidEventException(field, "is not JSON text: " + e.getOriginalMessage(), e);
            }
        }
    }

    /** The UTF-8 bytes of a string key. */
    static byte[] keyBytes(Object key) {
        return key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8);
    }
}
