package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Encodes {@link ChangeEvent}s to their JSON wire form (UTF-8) and decodes them back, following
 * the ChangeEvent v1 contract, whose normative JSON Schema is the classpath resource
 * {@value #JSON_SCHEMA_RESOURCE}.
 *
 * <p><b>Encoding</b> writes compact JSON (no whitespace), omits absent optional fields and writes
 * the fields in a fixed order, {@link WireForm#FIELDS}. For a given event the output is always the
 * same bytes. Record forms other than this JSON (a Kafka Connect Struct, the JsonConverter's
 * envelope) are read by {@link RecordDecoder}.
 *
 * <p><b>Decoding</b> checks {@code schema} first and rejects versions not in
 * {@link #supportedSchemaVersions()}; then it checks every other rule of the contract. Unknown
 * members are ignored (forward compatibility) and a JSON {@code null} counts as an absent field.
 * Integers must be written as JSON integers (no fraction or exponent) that fit in a Java long.
 * Malformed JSON, duplicate member names, trailing content after the object, and a JSON value
 * that is not an object are reported with field {@value #ROOT_FIELD}. Every rejection is an
 * {@link InvalidEventException} whose {@link InvalidEventException#field() field()} names the
 * offending wire field.
 *
 * <p>Stateless and thread-safe: all methods are static and share one Jackson mapper, which is
 * never reconfigured after class initialization. Not instantiable.
 */
public final class ChangeEventCodec {

    /** The schema version this build writes. */
    public static final int CURRENT_SCHEMA_VERSION = 1;

    /** The classpath resource name of the normative JSON Schema (draft 2020-12) of version 1. */
    public static final String JSON_SCHEMA_RESOURCE = "io/github/ddm/schema/change-event-v1.schema.json";

    /** The stable {@code $id} of the version 1 JSON Schema. */
    public static final String JSON_SCHEMA_ID = "https://ddm.github.io/schema/change-event-v1.schema.json";

    /**
     * The fields whose values are JSON objects or arrays (other than {@code key} and {@code origin}):
     * flat record forms (a Kafka Connect Struct) carry them as JSON text, and readers of such forms
     * parse exactly these back. In wire order.
     */
    public static final List<String> NESTED_FIELDS = WireForm.JSON_TEXT_FIELDS;

    /** The field name of errors about the input as a whole (malformed JSON, not an object). */
    public static final String ROOT_FIELD = "$";

    private static final Set<Integer> SUPPORTED_SCHEMA_VERSIONS = Set.of(CURRENT_SCHEMA_VERSION);

    /**
     * Shared by the codec and {@link CanonicalJson}; strict about duplicates and trailing tokens, and
     * writing characters outside the BMP as 4 UTF-8 bytes rather than two 6-byte escapes, so that
     * {@link #encode} and {@link #encodeToString} produce the same text.
     */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /** Longest parser message echoed in an error. */
    private static final int MAX_PARSER_MESSAGE = 200;

    private ChangeEventCodec() {
    }

    /**
     * Returns the schema versions this build decodes.
     *
     * @return an immutable set, currently {@code [1]}
     */
    public static Set<Integer> supportedSchemaVersions() {
        return SUPPORTED_SCHEMA_VERSIONS;
    }

    /**
     * Encodes an event as compact UTF-8 JSON.
     *
     * @param event the event, never null
     * @return a new array holding the JSON
     * @throws NullPointerException if {@code event} is null
     */
    public static byte[] encode(ChangeEvent event) {
        Objects.requireNonNull(event, "event");
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(256)) {
            try (JsonGenerator out = MAPPER.createGenerator(bytes, JsonEncoding.UTF8)) {
                EventWriter.write(event, out);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e); // not expected: events are valid JSON
        }
    }

    /**
     * Encodes an event as compact JSON text, the same text {@link #encode(ChangeEvent)} writes as UTF-8.
     *
     * @param event the event, never null
     * @return the JSON text
     * @throws NullPointerException if {@code event} is null
     */
    public static String encodeToString(ChangeEvent event) {
        Objects.requireNonNull(event, "event");
        StringWriter text = new StringWriter(256);
        try (JsonGenerator out = MAPPER.createGenerator(text)) {
            EventWriter.write(event, out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return text.toString();
    }

    /**
     * Encodes an event in the compact Redis form (docs/schema.md, "The compact Redis form"): the
     * text DDM stores in a section's log and publishes on its channel. It leaves out the key's
     * partition and section, which its reader passes to {@link #decode(String, SectionContext)}, and
     * writes {@code prevVersion = version - 1} and a clock of only the origin's replica as defaults;
     * everything else the event carries is written. For a given event the output is always the same
     * text.
     *
     * @param event the event, never null
     * @return the compact text
     * @throws NullPointerException if {@code event} is null
     */
    public static String encodeCompact(ChangeEvent event) {
        Objects.requireNonNull(event, "event");
        return CompactForm.encode(event);
    }

    /**
     * The JSON text of one of an event's JSON-valued fields ({@link WireForm#JSON_TEXT_FIELDS}), as
     * flat record forms carry it: the same JSON the event's encoding holds for that field.
     *
     * @param event the event, never null
     * @param field a field of type {@link WireForm.Type#JSON}
     * @return the JSON text, or null if the event has no such field
     * @throws IllegalArgumentException if {@code field} is not JSON-valued
     */
    public static String jsonText(ChangeEvent event, WireForm.Field field) {
        Objects.requireNonNull(event, "event");
        switch (field) {
            case CLOCK:
                return event.clock() == null ? null : event.clock().toJson();
            case PATCH:
                return event.patch() == null ? null : event.patch().toString();
            case STATE:
                return event.state() == null ? null : event.state().toString();
            case STAMPS:
            case CONFLICTS:
                if (field == WireForm.Field.STAMPS ? event.stamps() == null : event.conflicts() == null) {
                    return null;
                }
                StringWriter text = new StringWriter(128);
                try (JsonGenerator out = MAPPER.createGenerator(text)) {
                    if (field == WireForm.Field.STAMPS) {
                        EventWriter.writeStamps(event, out);
                    } else {
                        EventWriter.writeConflicts(event, out);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("writing to memory failed", e);
                }
                return text.toString();
            default:
                throw new IllegalArgumentException(field.wireName() + " is not a JSON-valued field");
        }
    }

    /**
     * Decodes an event from UTF-8 JSON.
     *
     * @param json the encoded event, never null
     * @return the event, never null
     * @throws InvalidEventException if the input is not valid JSON ({@value #ROOT_FIELD}) or breaks the
     *     contract (the field it names)
     * @throws NullPointerException if {@code json} is null
     */
    public static ChangeEvent decode(byte[] json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw malformed(e);
        }
        return EventReader.read(root, true);
    }

    /**
     * Decodes an event from JSON text.
     *
     * @param json the encoded event, never null
     * @return the event, never null
     * @throws InvalidEventException if the input is not valid JSON ({@value #ROOT_FIELD}) or breaks the
     *     contract (the field it names)
     * @throws NullPointerException if {@code json} is null
     */
    public static ChangeEvent decode(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw malformed(e);
        }
        return EventReader.read(root, true);
    }

    /**
     * Decodes an event read from a section's channel or log, in either form: the contract form (a
     * JSON object, whose own key is used) or the compact Redis form (a JSON array, whose key takes its
     * partition and section from {@code section}).
     *
     * @param text the message or log entry, never null
     * @param section the section of the channel or log it was read from, never null
     * @return the event, never null
     * @throws InvalidEventException if the input is not valid JSON ({@value #ROOT_FIELD}) or breaks the
     *     contract (the field it names, as the contract form names it)
     * @throws NullPointerException if an argument is null
     */
    public static ChangeEvent decode(String text, SectionContext section) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(section, "section");
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw malformed(e);
        }
        return root != null && root.isArray() ? CompactForm.read(root, section, true) : EventReader.read(root, true);
    }

    /**
     * Decodes an event from an already parsed JSON tree. The event copies what it keeps, so the
     * caller may reuse or modify {@code json} afterwards.
     *
     * @param json the event as a JSON object, never null
     * @return the event, never null
     * @throws InvalidEventException if {@code json} is not an object ({@value #ROOT_FIELD}) or breaks the
     *     contract (the field it names)
     * @throws NullPointerException if {@code json} is null
     */
    public static ChangeEvent decode(JsonNode json) {
        Objects.requireNonNull(json, "json");
        return EventReader.read(json);
    }

    /** Decodes a tree the caller has just parsed and holds nowhere else: its patch and state are kept, not copied. */
    static ChangeEvent decodeOwned(JsonNode json) {
        return EventReader.read(json, true);
    }

    private static InvalidEventException malformed(IOException e) {
        String message = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        if (message != null && message.length() > MAX_PARSER_MESSAGE) {
            message = message.substring(0, MAX_PARSER_MESSAGE) + "...";
        }
        StringBuilder detail = new StringBuilder("is not well-formed JSON: ").append(message);
        JsonLocation at = e instanceof JsonProcessingException p ? p.getLocation() : null;
        if (at != null && at.getLineNr() > 0) {
            detail.append(" (line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(')');
        }
        return new InvalidEventException(ROOT_FIELD, detail.toString(), e);
    }
}
