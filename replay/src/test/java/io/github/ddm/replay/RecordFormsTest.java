package io.github.ddm.replay;

import static io.github.ddm.replay.Events.K;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidRecordException;
import io.github.ddm.schema.RecordDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one decoder of record forms ({@link RecordDecoder}) on the forms the connector writes through Kafka's real converters. */
class RecordFormsTest {

    private static final List<ChangeEvent> EVENTS = List.of(Events.create(K, 1, 0), Events.update(K, 2),
            Events.updateWithState(K, 3), Events.delete(K, 4), Events.snapshot(K, 5),
            Events.update(K, 6).withStreamId("1714564800000-3"));

    @ParameterizedTest
    @EnumSource(WireForm.class)
    void value_everyWireFormOfEveryOp_decodesToTheSameEvent(WireForm form) throws Exception {
        for (ChangeEvent event : EVENTS) {
            assertThat(RecordDecoder.event(form.encode(event))).as("%s in %s", event, form).isEqualTo(event);
        }
    }

    @Test
    void value_structJson_isWhatTheJsonConverterWrites() {
        String plain = new String(WireForm.STRUCT_JSON.encode(Events.update(K, 2)), StandardCharsets.UTF_8);
        String envelope = new String(WireForm.STRUCT_JSON_ENVELOPE.encode(Events.update(K, 2)), StandardCharsets.UTF_8);

        assertThat(plain).as("patch is JSON text").contains("\"patch\":\"[{").contains("\"state\":null");
        assertThat(envelope).startsWith("{\"schema\":{\"type\":\"struct\"").contains("\"payload\":{");
    }

    @Test
    void value_rejectsWhatIsNotAnEvent_namingTheReason() {
        String json = ChangeEventCodec.encodeToString(Events.update(K, 2));
        assertRejected(null, "tombstone");
        assertRejected(new byte[0], "empty");
        assertRejected(bytes("{\"schema\":1,"), "not well-formed JSON");
        assertRejected(bytes("[1,2]"), "is a JSON array, not an object");
        assertRejected(bytes(json + " {}"), "not well-formed JSON");
        assertRejected(bytes(json.replace("\"version\":2", "\"version\":0")), "version must be >= 1");
        assertRejected(bytes(json.replace("\"schema\":1", "\"schema\":2")), "schema version '2' is not supported");
        assertRejected(bytes(json.replace("\"op\":\"u\"", "\"op\":\"u\",\"op\":\"c\"")), "Duplicate field 'op'");
        assertRejected(bytes("{\"schema\":{\"type\":\"struct\"},\"payload\":null}"), "payload is null");
        assertRejected(bytes("{\"schema\":{\"type\":\"struct\"},\"payload\":{},\"extra\":1}"), "exactly the members");
        assertRejected(bytes("{\"schema\":{\"type\":\"string\"},\"payload\":{}}"), "not struct");
        assertRejected(WireForm.converter(false).fromConnectData("t", WireForm.VALUE_SCHEMA,
                WireForm.struct(Events.update(K, 2)).put("patch", "[{\"op\":")), "patch text is not well-formed JSON");
        assertRejected(WireForm.converter(false).fromConnectData("t", WireForm.VALUE_SCHEMA,
                WireForm.struct(Events.update(K, 2)).put("state", "[1]")), "state must be a JSON object");
        assertRejected(WireForm.converter(true).fromConnectData("t", Schema.STRING_SCHEMA, "hello"), "not struct");
    }

    @Test
    void key_acceptsTextJsonStringsAndEnvelopes() throws Exception {
        assertThat(RecordDecoder.key(bytes("orders/book/BTC-USD"))).isEqualTo("orders/book/BTC-USD");
        assertThat(RecordDecoder.key(bytes("\"orders/book/BTC-USD\""))).isEqualTo("orders/book/BTC-USD");
        assertThat(RecordDecoder.key(WireForm.converter(true).fromConnectData("t", Schema.STRING_SCHEMA, "orders/book/x")))
                .isEqualTo("orders/book/x");
        assertThat(RecordDecoder.key(null)).isNull();
        assertThatThrownBy(() -> RecordDecoder.key(new byte[] {(byte) 0xC3, (byte) 0x28})).hasMessageContaining("not UTF-8");
        assertThatThrownBy(() -> RecordDecoder.key(bytes("{\"a\":1}"))).hasMessageContaining("not a string");
    }

    private static void assertRejected(byte[] value, String reason) {
        assertThatThrownBy(() -> RecordDecoder.event(value)).as("reason %s", reason)
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining(reason);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
