package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

/** The connector's Connect schemas and Structs follow the wire form's owner in schemas, and the bridge converts once. */
class WireFormMappingTest {

    /** The value schema as it was written by hand before it was built from WireForm: a change on either side fails here. */
    private static final Schema DATA_KEY = SchemaBuilder.struct().name("io.github.ddm.DataKey")
            .field("partition", Schema.STRING_SCHEMA).field("section", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA)
            .build();
    private static final Schema ORIGIN = SchemaBuilder.struct().name("io.github.ddm.Origin")
            .field("region", Schema.STRING_SCHEMA).field("node", Schema.STRING_SCHEMA).build();
    private static final Schema VALUE_V2 = SchemaBuilder.struct().name("io.github.ddm.ChangeEvent").version(2)
            .doc("A committed change of one DDM document (ChangeEvent v1); patch, state, clock, stamps and conflicts are JSON text.")
            .field("schema", Schema.INT32_SCHEMA).field("eventId", Schema.STRING_SCHEMA).field("op", Schema.STRING_SCHEMA)
            .field("key", DATA_KEY).field("version", Schema.INT64_SCHEMA).field("prevVersion", Schema.INT64_SCHEMA)
            .field("epoch", Schema.STRING_SCHEMA).field("lineage", Schema.OPTIONAL_STRING_SCHEMA)
            .field("clock", Schema.OPTIONAL_STRING_SCHEMA).field("time", Schema.INT64_SCHEMA).field("origin", ORIGIN)
            .field("streamId", Schema.OPTIONAL_STRING_SCHEMA).field("patch", Schema.OPTIONAL_STRING_SCHEMA)
            .field("state", Schema.OPTIONAL_STRING_SCHEMA).field("stamps", Schema.OPTIONAL_STRING_SCHEMA)
            .field("conflicts", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema CONTROL_V1 = SchemaBuilder.struct().name("io.github.ddm.Control").version(1)
            .doc("A DDM control record: a heartbeat of a section's log position, or a repair request.")
            .field("control", Schema.STRING_SCHEMA).field("region", Schema.STRING_SCHEMA).field("namespace", Schema.STRING_SCHEMA)
            .field("partition", Schema.STRING_SCHEMA).field("section", Schema.STRING_SCHEMA).field("id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("clock", Schema.OPTIONAL_STRING_SCHEMA).field("streamId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("time", Schema.INT64_SCHEMA).build();

    private static ChangeEvent richEvent() throws Exception {
        ChangeEvent snapshot = ChangeEvent.snapshot("s-1", io.github.ddm.schema.DataKey.of("p", "s", "zürich"), 5, 0, "ep", 
                java.time.Instant.ofEpochMilli(1_700_000_000_000L), io.github.ddm.schema.Origin.of("eu", "n"),
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"a\":[1,2.5,\"x\"]}"));
        Stamp stamp = Stamp.parse("1700000000000.5.5.eu~L1");
        return snapshot.withClock("L1", VersionVector.of(Map.of("eu~L1", 5L))).withStamps(Map.of("", stamp, "/a", stamp))
                .withConflicts(List.of(new Conflict("/a", stamp, Stamp.parse("1600000000000.4.1.us~L2")))).withStreamId("9-1");
    }

    @Test
    void schemas_areBuiltFromWireForm_andUnchanged() {
        assertThat(ChangeEventData.VALUE_SCHEMA).isEqualTo(VALUE_V2);
        assertThat(ControlRecord.SCHEMA).isEqualTo(CONTROL_V1);
        assertThat(ChangeEventData.VALUE_SCHEMA.fields()).extracting(Field::name)
                .containsExactlyElementsOf(WireForm.FIELDS.stream().map(WireForm.Field::wireName).toList());
        assertThat(ControlRecord.HEADER).isEqualTo(WireForm.CONTROL_HEADER);
    }

    @Test
    void struct_holdsEachJsonFieldAsTheEventsJsonText_andAPlainCopyDecodesStrictly() throws Exception {
        ChangeEvent event = richEvent();
        Struct struct = ChangeEventData.toStruct(event);
        struct.validate();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(ChangeEventCodec.encode(event));
        for (String field : WireForm.JSON_TEXT_FIELDS) {
            assertThat(struct.getString(field)).as(field).isEqualTo(json.has(field) ? json.get(field).toString() : null);
        }
        Struct plain = plainCopy(struct);
        assertThat(plain).isNotInstanceOf(EventStruct.class);
        assertThat(ChangeEventData.toEvent(plain)).isEqualTo(event);
        assertThat(struct).isEqualTo(plain);
    }

    @Test
    void bridge_convertsOnce_theStructCarriesTheEventThroughTheConverterAndToTheSink() throws Exception {
        ChangeEvent event = richEvent();
        ChangeEventConverter converter = new ChangeEventConverter();
        converter.configure(Map.of(), false);

        Struct sourceValue = ChangeEventData.toStruct(event);
        assertThat(ChangeEventData.toEvent(sourceValue)).as("the source's Struct hands its event on").isSameAs(event);
        byte[] bytes = converter.fromConnectData("t", ChangeEventData.VALUE_SCHEMA, sourceValue);
        assertThat(bytes).isEqualTo(ChangeEventCodec.encode(event));

        SchemaAndValue sinkValue = converter.toConnectData("t", bytes);
        ChangeEvent decoded = ChangeEventData.toEvent(sinkValue.value());
        assertThat(decoded).isEqualTo(event);
        assertThat(ChangeEventData.toEvent(sinkValue.value())).as("the sink takes the converter's event").isSameAs(decoded);
    }

    @Test
    void jsonConverter_writesTheSameBytesForTheEventsStructAsForAPlainOne() throws Exception {
        for (boolean schemas : new boolean[] {true, false}) {
            org.apache.kafka.connect.json.JsonConverter json = new org.apache.kafka.connect.json.JsonConverter();
            json.configure(Map.of("schemas.enable", Boolean.toString(schemas)), false);
            Struct lazy = ChangeEventData.toStruct(richEvent());
            Struct plain = plainCopy(ChangeEventData.toStruct(richEvent()));
            assertThat(new String(json.fromConnectData("t", ChangeEventData.VALUE_SCHEMA, lazy), StandardCharsets.UTF_8))
                    .as("schemas.enable=%s", schemas)
                    .isEqualTo(new String(json.fromConnectData("t", ChangeEventData.VALUE_SCHEMA, plain), StandardCharsets.UTF_8))
                    .contains("\"conflicts\":\"[{");
        }
    }

    @Test
    void changedStruct_forgetsItsEvent_andIsReadBackStrictly() throws Exception {
        Struct struct = ChangeEventData.toStruct(richEvent());
        struct.put("epoch", "other");
        assertThat(ChangeEventData.toEvent(struct).epoch()).isEqualTo("other");
        struct.put("state", "[1]");
        assertThatThrownBy(() -> ChangeEventData.toEvent(struct)).isInstanceOf(DataException.class)
                .hasMessageContaining("not a valid DDM change event").hasMessageContaining("state");
    }

    @Test
    void controlRecords_roundTripInEveryForm() {
        ControlRecord repair = ControlRecord.repair("us", "ddm", new SectionId("p", "s"), "zürich", "{\"eu~L\":2}", 42);
        ChangeEventConverter converter = new ChangeEventConverter();
        converter.configure(Map.of(), false);
        byte[] json = converter.fromConnectData("t", ControlRecord.SCHEMA, repair.toStruct());
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"control\":\"repair\",\"region\":\"us\",\"namespace\":\"ddm\","
                + "\"partition\":\"p\",\"section\":\"s\",\"id\":\"zürich\",\"clock\":\"{\\\"eu~L\\\":2}\",\"time\":42}");
        assertThat(ControlRecord.of(converter.toConnectData("t", json).value())).isEqualTo(repair);
        assertThat(ControlRecord.of(json)).isEqualTo(repair);
        assertThat(ControlRecord.of(new String(json, StandardCharsets.UTF_8))).isEqualTo(repair);
        assertThat(ControlRecord.of(ChangeEventData.toStruct(ChangeEvent.delete("d", io.github.ddm.schema.DataKey.of("p", "s", "x"),
                2, 1, "ep", java.time.Instant.EPOCH, io.github.ddm.schema.Origin.of("eu", "n"))))).isNull();
        assertThat(ControlRecord.of("not JSON")).isNull();
        assertThatThrownBy(() -> ChangeEventData.toEvent(json)).isInstanceOf(DataException.class).hasMessageContaining("control record");
    }

    private static Struct plainCopy(Struct struct) {
        Struct copy = new Struct(struct.schema());
        for (Field field : struct.schema().fields()) {
            Object value = struct.get(field);
            copy.put(field, value instanceof Struct nested ? plainCopy(nested) : value);
        }
        return copy;
    }
}
