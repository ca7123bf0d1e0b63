package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.WireForm.ControlField;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The one decoder of the Kafka records DDM writes, in every form they take, strictly. A record key
 * is the data key {@code partition/section/id} as UTF-8 text (StringConverter or
 * {@code ChangeEventConverter}), as a JSON string, or in a JsonConverter envelope. A record value is
 * a change event or a control record ({@link WireForm.ControlField}), as:
 * <ol>
 *   <li>the ChangeEvent v1 JSON itself ({@code ChangeEventConverter}), or a control record's JSON;</li>
 *   <li>the JSON of the flat record form (the connector's Connect Struct), where the JSON-valued
 *       fields ({@link WireForm#JSON_TEXT_FIELDS}) are JSON <em>text</em> (JsonConverter with
 *       {@code schemas.enable=false});</li>
 *   <li>the same inside {@code {"schema": ..., "payload": ...}} (JsonConverter with schemas);</li>
 *   <li>the flat record form as Java values ({@link #value(Map)}): what the JsonConverter hands a
 *       sink without schemas, or a Struct's fields, which the connector maps mechanically.</li>
 * </ol>
 * Whatever the form, an event must satisfy the whole contract ({@link ChangeEventCodec}). A value
 * is a control record exactly when it has a {@code control} member, which no change event has.
 *
 * <p>Stateless and thread-safe. Not instantiable.
 */
public final class RecordDecoder {

    private static final int MAX_MESSAGE = 200;
    private static final String CONTROL = ControlField.CONTROL.wireName();

    private RecordDecoder() {
    }

    /** What a record value holds. */
    public sealed interface Decoded permits Change, Control {
    }

    /**
     * A change event.
     *
     * @param event the event, never null
     */
    public record Change(ChangeEvent event) implements Decoded {
        /** Checks presence. */
        public Change {
            Objects.requireNonNull(event, "event");
        }
    }

    /**
     * A control record, its fields as found ({@link WireForm.ControlField}); the connector checks the names.
     *
     * @param kind one of {@link WireForm#CONTROL_KINDS}
     * @param region the region that sent it
     * @param namespace the DDM namespace
     * @param partition the section's partition
     * @param section the section's name
     * @param id the document, or null for the whole section
     * @param clock the asking region's clock of the document (JSON text), or null
     * @param streamId the log position a heartbeat records, or null
     * @param time when it was sent, epoch milliseconds
     */
    public record Control(String kind, String region, String namespace, String partition, String section, String id,
                          String clock, String streamId, long time) implements Decoded {

        /** Checks presence of the required fields. */
        public Control {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(partition, "partition");
            Objects.requireNonNull(section, "section");
        }

        /** The JSON form: the members in {@link WireForm.ControlField} order, absent optional ones left out. */
        public byte[] toJson() {
            try (ByteArrayBuilder bytes = new ByteArrayBuilder(128)) {
                try (JsonGenerator out = ChangeEventCodec.MAPPER.createGenerator(bytes, JsonEncoding.UTF8)) {
                    out.writeStartObject();
                    String[] values = {kind, region, namespace, partition, section, id, clock, streamId};
                    for (ControlField field : ControlField.values()) {
                        if (field == ControlField.TIME) {
                            out.writeNumberField(field.wireName(), time);
                        } else if (values[field.ordinal()] != null) {
                            out.writeStringField(field.wireName(), values[field.ordinal()]);
                        }
                    }
                    out.writeEndObject();
                }
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException("writing to memory failed", e);
            }
        }
    }

    /**
     * The data key text of a record key, or null if the record has none.
     *
     * @param key the key's bytes, or null
     * @return the key text, or null
     * @throws InvalidRecordException if the key is not UTF-8, or looks like JSON and is not a JSON string
     */
    public static String key(byte[] key) {
        if (key == null) {
            return null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRecordException("the record key is not UTF-8 text");
        }
        // A data key starts with a partition name ([A-Za-z0-9._-]), never with '"' or '{': those are
        // JSON keys written by a JsonConverter.
        if (text.startsWith("\"") || text.startsWith("{")) {
            JsonNode node = parse(text, "the record key");
            if (node.isObject() && node.size() == 2 && node.has("schema") && node.has("payload")) {
                node = node.get("payload");
            }
            if (!node.isTextual()) {
                throw new InvalidRecordException("the record key is JSON but not a string (a DDM key is partition/section/id)");
            }
            return node.textValue();
        }
        return text;
    }

    /**
     * What a record value's bytes hold (forms 1 to 3).
     *
     * @param value the value's bytes, or null (a tombstone, which is rejected)
     * @return the event or control record, never null
     * @throws InvalidRecordException naming what is wrong
     */
    public static Decoded value(byte[] value) {
        if (value == null) {
            throw new InvalidRecordException("the record has no value (a Kafka tombstone); a DDM change event was expected");
        }
        if (value.length == 0) {
            throw new InvalidRecordException("the record value is empty; a DDM change event was expected");
        }
        return tree(parse(value, "the record value"));
    }

    /**
     * What a record value's text holds (forms 1 to 3).
     *
     * @param value the value's text, never null
     * @return the event or control record, never null
     * @throws InvalidRecordException naming what is wrong
     */
    public static Decoded value(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new InvalidRecordException("the record value is empty; a DDM change event was expected");
        }
        return tree(parse(value, "the record value"));
    }

    /**
     * What a record value in the flat record form, as Java values, holds (form 4): member names to
     * strings, numbers, and nested maps for {@code key} and {@code origin}.
     *
     * @param value the fields, never null
     * @return the event or control record, never null
     * @throws InvalidRecordException naming what is wrong
     */
    public static Decoded value(Map<String, ?> value) {
        Objects.requireNonNull(value, "value");
        JsonNode node;
        try {
            node = ChangeEventCodec.MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("the record value cannot be read as JSON: " + clip(e.getMessage()), e);
        }
        return flat((ObjectNode) node);
    }

    /**
     * The change event in a record value's bytes (forms 1 to 3).
     *
     * @param value the value's bytes, or null
     * @return the event, never null
     * @throws InvalidRecordException naming what is wrong, or if the value is a control record
     */
    public static ChangeEvent event(byte[] value) {
        Decoded decoded = value(value);
        if (decoded instanceof Change change) {
            return change.event();
        }
        throw new InvalidRecordException("the record value is a DDM control record (" + ((Control) decoded).kind()
                + "), not a change event");
    }

    private static Decoded tree(JsonNode root) {
        if (!root.isObject()) {
            throw new InvalidRecordException("the record value is a JSON " + root.getNodeType().name().toLowerCase(Locale.ROOT)
                    + ", not an object; a DDM change event was expected");
        }
        return flat(unwrapEnvelope((ObjectNode) root));
    }

    /** An event in the contract's JSON or the flat form, or a control record. */
    private static Decoded flat(ObjectNode node) {
        if (node.has(CONTROL)) {
            return control(node);
        }
        for (String field : WireForm.JSON_TEXT_FIELDS) {
            JsonNode value = node.get(field);
            if (value != null && value.isTextual()) {
                node.set(field, parse(value.textValue(), "the " + field + " text"));
            }
        }
        try {
            return new Change(ChangeEventCodec.decodeOwned(node));
        } catch (InvalidEventException e) {
            throw new InvalidRecordException("not a valid DDM change event: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("not a valid DDM change event: " + e.getMessage(), e);
        }
    }

    private static Control control(JsonNode node) {
        String kind = text(node, ControlField.CONTROL);
        if (!WireForm.CONTROL_KINDS.contains(kind)) {
            throw new InvalidRecordException("unknown control record kind '" + clip(kind) + "'; known: " + WireForm.CONTROL_KINDS);
        }
        return new Control(kind, text(node, ControlField.REGION), text(node, ControlField.NAMESPACE),
                text(node, ControlField.PARTITION), text(node, ControlField.SECTION), optional(node, ControlField.ID),
                optional(node, ControlField.CLOCK), optional(node, ControlField.STREAM_ID), time(node));
    }

    private static long time(JsonNode node) {
        JsonNode value = node.get(ControlField.TIME.wireName());
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidRecordException("a DDM control record needs the integer field '" + ControlField.TIME.wireName()
                    + "' (epoch milliseconds)");
        }
        return value.asLong();
    }

    private static String text(JsonNode node, ControlField field) {
        JsonNode value = node.get(field.wireName());
        if (value == null || !value.isTextual()) {
            throw new InvalidRecordException("a DDM control record needs the text field '" + field.wireName() + "'");
        }
        return value.asText();
    }

    private static String optional(JsonNode node, ControlField field) {
        JsonNode value = node.get(field.wireName());
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRecordException("the field '" + field.wireName() + "' of a DDM control record must be text, got "
                    + value.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return value.asText();
    }

    /** The payload of a JsonConverter envelope; the object itself when it is none. */
    private static ObjectNode unwrapEnvelope(ObjectNode root) {
        JsonNode schema = root.get("schema");
        if (schema == null || !schema.isObject()) {
            // The contract's own "schema" member is an integer: not an envelope.
            return root;
        }
        if (root.size() != 2 || !root.has("payload")) {
            throw new InvalidRecordException("a JsonConverter envelope has exactly the members 'schema' and 'payload', got "
                    + names(root));
        }
        JsonNode type = schema.get("type");
        if (type == null || !"struct".equals(type.asText())) {
            throw new InvalidRecordException("the envelope's schema is of type " + (type == null ? "(none)" : type.toString())
                    + ", not struct");
        }
        JsonNode name = schema.get("name");
        if (name != null && !name.isNull() && !WireForm.EVENT_RECORD_NAME.equals(name.asText())
                && !WireForm.CONTROL_RECORD_NAME.equals(name.asText())) {
            throw new InvalidRecordException("the envelope's schema is " + name + ", not " + WireForm.EVENT_RECORD_NAME);
        }
        JsonNode payload = root.get("payload");
        if (!payload.isObject()) {
            throw new InvalidRecordException("the envelope's payload is " + (payload.isNull() ? "null" : "not an object")
                    + "; a DDM change event was expected");
        }
        return (ObjectNode) payload;
    }

    private static JsonNode parse(Object input, String what) {
        try {
            JsonNode node = input instanceof byte[] bytes ? ChangeEventCodec.MAPPER.readTree(bytes)
                    : ChangeEventCodec.MAPPER.readTree((String) input);
            if (node == null || node.isMissingNode()) {
                throw new InvalidRecordException(what + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException(what + " is not well-formed JSON: " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidRecordException(what + " cannot be read: " + clip(e.getMessage()));
        }
    }

    private static String names(JsonNode node) {
        StringBuilder names = new StringBuilder("[");
        Iterator<String> it = node.fieldNames();
        while (it.hasNext() && names.length() < MAX_MESSAGE) {
            names.append(names.length() > 1 ? ", " : "").append(it.next());
        }
        return names.append(']').toString();
    }

    private static String clip(String message) {
        if (message == null) {
            return "(no detail)";
        }
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
    }
}
