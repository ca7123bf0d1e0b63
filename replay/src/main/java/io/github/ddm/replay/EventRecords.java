package io.github.ddm.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidEventException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Decodes the records the DDM source connector writes, strictly. A key is the data key
 * {@code partition/section/id} as UTF-8 text (StringConverter), as a JSON string, or in a
 * JsonConverter envelope. A value is one of:
 * <ol>
 *   <li>the ChangeEvent v1 JSON itself ({@code ChangeEventConverter});</li>
 *   <li>the JSON of the connector's Connect Struct, where the nested fields ({@code patch}, {@code state},
 *       {@code clock}...: {@link ChangeEventCodec#NESTED_FIELDS}) are JSON
 *       <em>text</em> (JsonConverter with {@code schemas.enable=false});</li>
 *   <li>the same inside {@code {"schema": ..., "payload": ...}} (JsonConverter with schemas).</li>
 * </ol>
 * Whatever the form, the event must satisfy the whole contract ({@link ChangeEventCodec}). Stateless
 * and thread-safe.
 */
final class EventRecords {

    /** The Connect schema name of the connector's value Struct. */
    static final String STRUCT_NAME = "io.github.ddm.ChangeEvent";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final int MAX_MESSAGE = 200;

    private EventRecords() {
    }

    /** Why a record is not a DDM change event. The message never holds the payload beyond a parser excerpt. */
    static final class InvalidRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidRecordException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The data key text of a record key, or null if the record has none.
     *
     * @throws InvalidRecordException if the key is not UTF-8 or not a JSON string where it looks like JSON
     */
    static String key(byte[] key) throws InvalidRecordException {
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
            return jsonKey(text);
        }
        return text;
    }

    private static String jsonKey(String text) throws InvalidRecordException {
        JsonNode node = parse(text, "the record key");
        if (node.isObject() && node.size() == 2 && node.has("schema") && node.has("payload")) {
            node = node.get("payload");
        }
        if (!node.isTextual()) {
            throw new InvalidRecordException("the record key is JSON but not a string (a DDM key is partition/section/id)");
        }
        return node.textValue();
    }

    /**
     * The event in a record value.
     *
     * @throws InvalidRecordException naming what is wrong
     */
    static ChangeEvent value(byte[] value) throws InvalidRecordException {
        if (value == null) {
            throw new InvalidRecordException("the record has no value (a Kafka tombstone); a DDM change event was expected");
        }
        if (value.length == 0) {
            throw new InvalidRecordException("the record value is empty; a DDM change event was expected");
        }
        JsonNode root = parse(value, "the record value");
        if (!root.isObject()) {
            throw new InvalidRecordException("the record value is a JSON " + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not an object; a DDM change event was expected");
        }
        ObjectNode event = (ObjectNode) unwrapEnvelope((ObjectNode) root);
        for (String field : ChangeEventCodec.NESTED_FIELDS) {
            expandJsonText(event, field);
        }
        try {
            return ChangeEventCodec.decode(event);
        } catch (InvalidEventException e) {
            throw new InvalidRecordException("not a valid DDM change event: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("not a valid DDM change event: " + e.getMessage());
        }
    }

    /** The payload of a JsonConverter envelope; the object itself when it is none. */
    private static JsonNode unwrapEnvelope(ObjectNode root) throws InvalidRecordException {
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
        if (name != null && !name.isNull() && !STRUCT_NAME.equals(name.asText())) {
            throw new InvalidRecordException("the envelope's schema is " + name + ", not " + STRUCT_NAME);
        }
        JsonNode payload = root.get("payload");
        if (!payload.isObject()) {
            throw new InvalidRecordException("the envelope's payload is " + (payload.isNull() ? "null" : "not an object")
                    + "; a DDM change event was expected");
        }
        return payload;
    }

    /** In the Struct form the nested fields are JSON text; the contract wants the JSON itself. */
    private static void expandJsonText(ObjectNode event, String field) throws InvalidRecordException {
        JsonNode value = event.get(field);
        if (value != null && value.isTextual()) {
            event.set(field, parse(value.textValue(), "the " + field + " text"));
        }
    }

    private static JsonNode parse(Object input, String what) throws InvalidRecordException {
        try {
            JsonNode node = input instanceof byte[] bytes ? JSON.readTree(bytes) : JSON.readTree((String) input);
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
