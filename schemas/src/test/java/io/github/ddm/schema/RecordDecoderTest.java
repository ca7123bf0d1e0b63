package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private static final ChangeEvent EVENT = Fixtures.update(8, 7).withStreamId("5-0");

    /** The flat record form: the JSON-valued fields as JSON text. */
    private static ObjectNode flat(ChangeEvent event) {
        ObjectNode node = (ObjectNode) Fixtures.json(ChangeEventCodec.encodeToString(event));
        for (String field : WireForm.JSON_TEXT_FIELDS) {
            if (node.has(field)) {
                node.put(field, node.get(field).toString());
            }
        }
        return node;
    }

    @Test
    void value_everyForm_isTheSameEvent() {
        byte[] contract = ChangeEventCodec.encode(EVENT);
        ObjectNode flat = flat(EVENT);
        ObjectNode envelope = Fixtures.JSON.createObjectNode();
        envelope.putObject("schema").put("type", "struct").put("name", WireForm.EVENT_RECORD_NAME);
        envelope.set("payload", flat.deepCopy());
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Fixtures.JSON.convertValue(flat, Map.class);

        assertThat(RecordDecoder.value(contract)).isEqualTo(new RecordDecoder.Change(EVENT));
        assertThat(RecordDecoder.value(new String(contract, StandardCharsets.UTF_8))).isEqualTo(new RecordDecoder.Change(EVENT));
        assertThat(RecordDecoder.value(flat.toString())).isEqualTo(new RecordDecoder.Change(EVENT));
        assertThat(RecordDecoder.value(envelope.toString())).isEqualTo(new RecordDecoder.Change(EVENT));
        assertThat(RecordDecoder.value(map)).isEqualTo(new RecordDecoder.Change(EVENT));
        assertThat(RecordDecoder.event(contract)).isEqualTo(EVENT);
    }

    @Test
    void controlRecords_areToldApartByTheirControlMember_andWrittenInFieldOrder() {
        RecordDecoder.Control heartbeat = new RecordDecoder.Control("heartbeat", "eu", "ddm", "orders", "book", null, null,
                "12-0", 77);
        String json = new String(heartbeat.toJson(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"control\":\"heartbeat\",\"region\":\"eu\",\"namespace\":\"ddm\",\"partition\":\"orders\","
                + "\"section\":\"book\",\"streamId\":\"12-0\",\"time\":77}");
        assertThat(RecordDecoder.value(heartbeat.toJson())).isEqualTo(heartbeat);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("control", "repair");
        map.put("region", "us");
        map.put("namespace", "ddm");
        map.put("partition", "orders");
        map.put("section", "book");
        map.put("id", "zürich");
        map.put("time", 5L);
        assertThat(RecordDecoder.value(map)).isEqualTo(new RecordDecoder.Control("repair", "us", "ddm", "orders", "book",
                "zürich", null, null, 5));
        assertThatThrownBy(() -> RecordDecoder.event(heartbeat.toJson())).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("control record (heartbeat)");
        assertThatThrownBy(() -> RecordDecoder.value("{\"control\":\"reboot\",\"region\":\"eu\"}"))
                .hasMessageContaining("unknown control record kind 'reboot'");
        assertThatThrownBy(() -> RecordDecoder.value("{\"control\":\"repair\",\"region\":\"eu\"}"))
                .hasMessageContaining("needs the text field 'namespace'");
        String heartbeatFields = "\"control\":\"heartbeat\",\"region\":\"eu\",\"namespace\":\"ddm\",\"partition\":\"o\",\"section\":\"b\"";
        assertThatThrownBy(() -> RecordDecoder.value("{" + heartbeatFields + "}"))
                .hasMessageContaining("needs the integer field 'time'");
        assertThatThrownBy(() -> RecordDecoder.value("{" + heartbeatFields + ",\"time\":\"soon\"}"))
                .hasMessageContaining("needs the integer field 'time'");
        assertThatThrownBy(() -> RecordDecoder.value("{" + heartbeatFields + ",\"clock\":{\"eu\":1},\"time\":1}"))
                .hasMessageContaining("'clock' of a DDM control record must be text, got object");
    }

    @Test
    void value_rejectsWhatIsNotAnEvent_namingTheReason() {
        String json = ChangeEventCodec.encodeToString(EVENT);
        assertRejected(null, "tombstone");
        assertRejected(new byte[0], "empty");
        assertRejected(bytes("[1]"), "is a JSON array, not an object");
        assertRejected(bytes(json + " {}"), "not well-formed JSON");
        assertRejected(bytes(json.replace("\"version\":8", "\"version\":0")), "not a valid DDM change event: version must be >= 1");
        assertRejected(bytes(flat(EVENT).put("patch", "[{\"op\":").toString()), "the patch text is not well-formed JSON");
        assertRejected(bytes("{\"schema\":{\"type\":\"struct\",\"name\":\"other\"},\"payload\":{}}"), "not io.github.ddm.ChangeEvent");
        InvalidRecordException e = (InvalidRecordException) org.assertj.core.api.Assertions.catchThrowable(
                () -> RecordDecoder.value(bytes(json.replace("\"op\":\"u\"", "\"op\":\"x\""))));
        assertThat(e.getCause()).isInstanceOf(InvalidEventException.class);
        assertThat(((InvalidEventException) e.getCause()).field()).isEqualTo("op");
    }

    @Test
    void key_acceptsTextJsonStringsAndEnvelopes() {
        assertThat(RecordDecoder.key(bytes("orders/book/BTC-USD"))).isEqualTo("orders/book/BTC-USD");
        assertThat(RecordDecoder.key(bytes("\"orders/book/x\""))).isEqualTo("orders/book/x");
        assertThat(RecordDecoder.key(bytes("{\"schema\":{\"type\":\"string\"},\"payload\":\"orders/book/x\"}")))
                .isEqualTo("orders/book/x");
        assertThat(RecordDecoder.key(null)).isNull();
        assertThatThrownBy(() -> RecordDecoder.key(new byte[] {(byte) 0xC3, (byte) 0x28})).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> RecordDecoder.key(bytes("{\"a\":1}"))).hasMessageContaining("not a string");
    }

    @Test
    void decodedTrees_areCheckedLikeCopiedOnes() {
        String json = ChangeEventCodec.encodeToString(Fixtures.create());
        assertThatThrownBy(() -> RecordDecoder.value(json.replace("{\"symbol\"", "{\"x\":\"\\ud800\",\"symbol\"")))
                .hasMessageContaining("unpaired surrogate");
        assertThatThrownBy(() -> RecordDecoder.value(json.replace("{\"symbol\"", "{\"x\":1e400,\"symbol\"")))
                .hasMessageContaining("non-finite");
    }

    private static void assertRejected(byte[] value, String reason) {
        assertThatThrownBy(() -> RecordDecoder.value(value)).as("reason %s", reason)
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining(reason);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
