package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ChangeEventDataTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("eu.orders", "book", "BTC-USD/1");
    private static final Origin ORIGIN = Origin.of("eu-west", "node-1");
    private static final Instant TIME = Instant.parse("2024-05-06T07:08:09.123Z");

    static Stream<ChangeEvent> events() throws Exception {
        JsonNode state = JSON.readTree("{\"bid\":1.5,\"venues\":[\"a\",\"b\"],\"n\":12345678901234,\"nested\":{\"x\":null}}");
        JsonNode patch = JSON.readTree("[{\"op\":\"replace\",\"path\":\"/bid\",\"value\":1.75},{\"op\":\"remove\",\"path\":\"/n\"}]");
        return Stream.of(
                ChangeEvent.create("e-1", KEY, 1, 0, "ep1", TIME, ORIGIN, state),
                ChangeEvent.update("e-2", KEY, 2, 1, "ep1", TIME, ORIGIN, patch, null).withStreamId("1715000000000-3"),
                ChangeEvent.update("e-3", KEY, 3, 2, "ep1", TIME, ORIGIN, patch, state),
                ChangeEvent.delete("e-4", KEY, 4, 3, "ep1", TIME, ORIGIN).withStreamId("1715000000001-0"),
                ChangeEvent.snapshot("snapshot-ep1-9", KEY, 9, 0, "ep1", TIME, ORIGIN, state));
    }

    @ParameterizedTest
    @MethodSource("events")
    void toStruct_toEvent_roundTrips(ChangeEvent event) {
        Struct struct = ChangeEventData.toStruct(event);
        struct.validate();

        assertThat(ChangeEventData.toEvent(struct)).isEqualTo(event);
        assertThat(struct.getString("op")).isEqualTo(event.op().wireCode());
        assertThat(struct.getInt64("version")).isEqualTo(event.version());
        assertThat(ChangeEventData.key(event)).isEqualTo("eu.orders/book/BTC-USD/1");
    }

    @ParameterizedTest
    @MethodSource("events")
    void converter_writesExactlyTheCodecBytes_andReadsThemBack(ChangeEvent event) {
        ChangeEventConverter converter = new ChangeEventConverter();
        converter.configure(Map.of(), false);

        byte[] bytes = converter.fromConnectData("t", ChangeEventData.VALUE_SCHEMA, ChangeEventData.toStruct(event));

        assertThat(bytes).isEqualTo(ChangeEventCodec.encode(event));
        SchemaAndValue back = converter.toConnectData("t", bytes);
        assertThat(back.schema()).isEqualTo(ChangeEventData.VALUE_SCHEMA);
        assertThat(ChangeEventData.toEvent(back.value())).isEqualTo(event);
    }

    @Test
    void keyConverter_isUtf8Text() {
        ChangeEventConverter converter = new ChangeEventConverter();
        converter.configure(Map.of(), true);
        String key = ChangeEventData.key(ChangeEvent.delete("e", DataKey.of("p", "s", "zürich"), 2, 1, "ep", TIME, ORIGIN));

        byte[] bytes = converter.fromConnectData("t", ChangeEventData.KEY_SCHEMA, key);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("p/s/zürich");
        assertThat(converter.toConnectData("t", bytes).value()).isEqualTo(key);
        assertThat(converter.fromConnectData("t", null, null)).isNull();
    }

    @ParameterizedTest
    @MethodSource("events")
    void jsonConverter_withAndWithoutSchemas_roundTrips(ChangeEvent event) {
        for (boolean schemas : List.of(true, false)) {
            JsonConverter json = new JsonConverter();
            json.configure(Map.of("schemas.enable", Boolean.toString(schemas)), false);

            byte[] bytes = json.fromConnectData("t", ChangeEventData.VALUE_SCHEMA, ChangeEventData.toStruct(event));
            Object value = json.toConnectData("t", bytes).value();

            assertThat(value).isInstanceOf(schemas ? Struct.class : Map.class);
            assertThat(ChangeEventData.toEvent(value)).as("schemas.enable=%s", schemas).isEqualTo(event);
        }
    }

    @Test
    void toEvent_textAndBytes_areDecodedStrictly() throws Exception {
        ChangeEvent event = events().findFirst().orElseThrow();
        assertThat(ChangeEventData.toEvent(ChangeEventCodec.encodeToString(event))).isEqualTo(event);
        assertThat(ChangeEventData.toEvent(ChangeEventCodec.encode(event))).isEqualTo(event);

        assertThatThrownBy(() -> ChangeEventData.toEvent(null)).isInstanceOf(DataException.class).hasMessageContaining("no value");
        assertThatThrownBy(() -> ChangeEventData.toEvent("{\"schema\":1}")).isInstanceOf(DataException.class)
                .hasMessageContaining("not a valid DDM change event");
        assertThatThrownBy(() -> ChangeEventData.toEvent(42)).isInstanceOf(DataException.class)
                .hasMessageContaining("java.lang.Integer");
    }
}
