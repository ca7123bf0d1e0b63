package io.github.ddm.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.SectionId;
import io.github.ddm.schema.Names;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * A record of a region's control topic ({@code source.control.topic}, docs/regions.md): not a
 * change, but what keeps regions in step.
 *
 * <ul>
 *   <li>{@link Kind#HEARTBEAT}: the source read a section's log up to {@code streamId} without
 *       exporting anything (every entry was another region's change); the record carries the
 *       offset, so a restart does not read those entries again.</li>
 *   <li>{@link Kind#REPAIR}: region {@code region} misses changes of a document ({@code id}) or of a
 *       whole section ({@code id} null): every other region's sink answers with a snapshot of its
 *       copy, which joins with what the asking region has.</li>
 * </ul>
 * Its JSON form is an object with a {@code "control"} member (the kind), which no change event has;
 * as Connect data it is a Struct of {@link #SCHEMA}. Immutable.
 *
 * @param kind what the record is for
 * @param region the region that sent it
 * @param namespace the DDM namespace
 * @param section the section concerned
 * @param id the document concerned, or null for the whole section
 * @param clock the asking region's clock of the document (JSON), or null
 * @param streamId the log position a heartbeat records, or null
 * @param time when it was sent, epoch milliseconds
 */
public record ControlRecord(Kind kind, String region, String namespace, SectionId section, String id, String clock,
                            String streamId, long time) {

    /** Header naming the kind of a control record, so a consumer can tell it from a change without parsing it. */
    public static final String HEADER = "ddm.control";

    /** The Connect schema of control records. */
    public static final Schema SCHEMA = SchemaBuilder.struct().name("io.github.ddm.Control").version(1)
            .doc("A DDM control record: a heartbeat of a section's log position, or a repair request.")
            .field("control", Schema.STRING_SCHEMA)
            .field("region", Schema.STRING_SCHEMA)
            .field("namespace", Schema.STRING_SCHEMA)
            .field("partition", Schema.STRING_SCHEMA)
            .field("section", Schema.STRING_SCHEMA)
            .field("id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("clock", Schema.OPTIONAL_STRING_SCHEMA)
            .field("streamId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("time", Schema.INT64_SCHEMA)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a control record is for. */
    public enum Kind {
        /** A section's log position, for the source's offsets. */
        HEARTBEAT,
        /** A region asks the others for snapshots. */
        REPAIR;

        /** The wire name. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind of(String wireName) {
            for (Kind kind : values()) {
                if (kind.wireName().equals(wireName)) {
                    return kind;
                }
            }
            throw new DataException("unknown control record kind '" + wireName + "'");
        }
    }

    /** Validates the names. */
    public ControlRecord {
        Objects.requireNonNull(kind, "kind");
        Names.requireShortName("region", region);
        Names.requireShortName("namespace", namespace);
        Objects.requireNonNull(section, "section");
    }

    /** A heartbeat of a section's log position. */
    public static ControlRecord heartbeat(String region, String namespace, SectionId section, String streamId, long time) {
        return new ControlRecord(Kind.HEARTBEAT, region, namespace, section, null, null, Objects.requireNonNull(streamId), time);
    }

    /** A repair request for a document, or for a whole section when {@code id} is null. */
    public static ControlRecord repair(String region, String namespace, SectionId section, String id, String clock, long time) {
        return new ControlRecord(Kind.REPAIR, region, namespace, section, id, clock, null, time);
    }

    /** The record key: the document key, or {@code partition/section} for a whole section. */
    public String key() {
        return id == null ? section.partition() + "/" + section.section() : section.partition() + "/" + section.section() + "/" + id;
    }

    /** As a Struct of {@link #SCHEMA}. */
    public Struct toStruct() {
        return new Struct(SCHEMA).put("control", kind.wireName()).put("region", region).put("namespace", namespace)
                .put("partition", section.partition()).put("section", section.section()).put("id", id).put("clock", clock)
                .put("streamId", streamId).put("time", time);
    }

    /** The JSON form. */
    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode().put("control", kind.wireName()).put("region", region)
                .put("namespace", namespace).put("partition", section.partition()).put("section", section.section());
        if (id != null) {
            node.put("id", id);
        }
        if (clock != null) {
            node.put("clock", clock);
        }
        if (streamId != null) {
            node.put("streamId", streamId);
        }
        node.put("time", time);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a Struct schema is the control schema. */
    public static boolean isControlSchema(Schema schema) {
        return schema != null && SCHEMA.name().equals(schema.name());
    }

    /** Whether JSON bytes are a control record (an object with a "control" member). */
    static JsonNode controlJson(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() && node.has("control") ? node : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * The control record in a record value (a Struct of {@link #SCHEMA}, a Map from the schemaless
     * JsonConverter, JSON text or bytes), or null if the value is not one.
     *
     * @throws DataException if it is a control record with a bad field
     */
    public static ControlRecord of(Object value) {
        JsonNode node;
        if (value instanceof Struct struct) {
            if (!isControlSchema(struct.schema())) {
                return null;
            }
            node = JSON.createObjectNode();
            for (org.apache.kafka.connect.data.Field field : struct.schema().fields()) {
                Object v = struct.get(field);
                if (v != null) {
                    ((ObjectNode) node).set(field.name(), JSON.valueToTree(v));
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            if (!map.containsKey("control")) {
                return null;
            }
            node = JSON.valueToTree(map);
        } else if (value instanceof String text) {
            node = controlJson(text.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof byte[] bytes) {
            node = controlJson(bytes);
        } else {
            return null;
        }
        return node == null ? null : fromJson(node);
    }

    static ControlRecord fromJson(JsonNode node) {
        try {
            return new ControlRecord(Kind.of(text(node, "control")), text(node, "region"), text(node, "namespace"),
                    new SectionId(text(node, "partition"), text(node, "section")), optional(node, "id"), optional(node, "clock"),
                    optional(node, "streamId"), node.path("time").asLong());
        } catch (IllegalArgumentException e) {
            throw new DataException("not a valid DDM control record: " + e.getMessage(), e);
        }
    }

    static byte[] jsonOf(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new DataException("a control record failed to serialize", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new DataException("a DDM control record needs the text field '" + field + "'");
        }
        return value.asText();
    }

    private static String optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
