package io.github.ddm.connect;

import io.github.ddm.SectionId;
import io.github.ddm.schema.Names;
import io.github.ddm.schema.RecordDecoder;
import io.github.ddm.schema.WireForm;
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
 * as Connect data it is a Struct of {@link #SCHEMA}. Both follow {@link WireForm.ControlField} and
 * are read by the one decoder of record forms, {@link RecordDecoder}. Immutable.
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
    public static final String HEADER = WireForm.CONTROL_HEADER;

    /** The Connect schema of control records, built from {@link WireForm.ControlField}. */
    public static final Schema SCHEMA = schema();

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

    private static Schema schema() {
        SchemaBuilder builder = SchemaBuilder.struct().name(WireForm.CONTROL_RECORD_NAME).version(WireForm.CONTROL_RECORD_VERSION)
                .doc(WireForm.CONTROL_RECORD_DOC);
        for (WireForm.ControlField field : WireForm.ControlField.values()) {
            builder.field(field.wireName(), ChangeEventData.schemaOf(field.type(), field.optional()));
        }
        return builder.build();
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

    /** As the wire form's owner describes it. */
    RecordDecoder.Control toWire() {
        return new RecordDecoder.Control(kind.wireName(), region, namespace, section.partition(), section.section(), id, clock,
                streamId, time);
    }

    /** As a Struct of {@link #SCHEMA}. */
    public Struct toStruct() {
        RecordDecoder.Control wire = toWire();
        Object[] values = {wire.kind(), wire.region(), wire.namespace(), wire.partition(), wire.section(), wire.id(),
                wire.clock(), wire.streamId(), wire.time()};
        Struct struct = new Struct(SCHEMA);
        for (WireForm.ControlField field : WireForm.ControlField.values()) {
            struct.put(field.wireName(), values[field.ordinal()]);
        }
        return struct;
    }

    /** The JSON form. */
    public byte[] toJson() {
        return toWire().toJson();
    }

    /** Whether a Struct schema is the control schema. */
    public static boolean isControlSchema(Schema schema) {
        return schema != null && SCHEMA.name().equals(schema.name());
    }

    /**
     * The control record in a record value (a Struct of {@link #SCHEMA}, a Map from the schemaless
     * JsonConverter, JSON text or bytes), or null if the value is not one.
     *
     * @throws DataException if it is a control record with a bad field
     */
    public static ControlRecord of(Object value) {
        if (value instanceof Struct struct && !isControlSchema(struct.schema())) {
            return null;
        }
        if (value instanceof Map<?, ?> map && !map.containsKey(WireForm.ControlField.CONTROL.wireName())) {
            return null;
        }
        if (value instanceof String text && !text.contains(CONTROL_MEMBER)) {
            return null;
        }
        if (value instanceof byte[] bytes && !contains(bytes, CONTROL_MEMBER_BYTES)) {
            return null; // no "control" member: not worth a parse
        }
        if (!(value instanceof Struct || value instanceof Map || value instanceof String || value instanceof byte[])) {
            return null;
        }
        RecordDecoder.Decoded decoded;
        try {
            decoded = ChangeEventData.decode(value);
        } catch (DataException notControl) {
            if (value instanceof Struct || value instanceof Map) {
                throw notControl; // it has the control schema or member
            }
            return null; // bytes or text that are not a control record (a change event, or not DDM's at all)
        }
        return decoded instanceof RecordDecoder.Control control ? of(control) : null;
    }

    private static final String CONTROL_MEMBER = "\"" + WireForm.ControlField.CONTROL.wireName() + "\"";
    private static final byte[] CONTROL_MEMBER_BYTES = CONTROL_MEMBER.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static boolean contains(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The control record the wire form describes (as {@link ChangeEventData#read} gives it).
     *
     * @throws DataException if a field is bad
     */
    public static ControlRecord of(RecordDecoder.Control wire) {
        try {
            return new ControlRecord(Kind.of(wire.kind()), wire.region(), wire.namespace(),
                    new SectionId(wire.partition(), wire.section()), wire.id(), wire.clock(), wire.streamId(), wire.time());
        } catch (IllegalArgumentException e) {
            throw new DataException("not a valid DDM control record: " + e.getMessage(), e);
        }
    }
}
