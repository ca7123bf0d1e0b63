package io.github.ddm.schema;

import static io.github.ddm.schema.Fixtures.EPOCH;
import static io.github.ddm.schema.Fixtures.EVENT_ID;
import static io.github.ddm.schema.Fixtures.KEY;
import static io.github.ddm.schema.Fixtures.ORIGIN;
import static io.github.ddm.schema.Fixtures.TIME;
import static io.github.ddm.schema.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangeEventCodecTest {

    private static final String UPDATE_JSON = "{\"schema\":1,\"eventId\":\"01JQ8Z6K4T3M9X2V7B5N0C1D8E\",\"op\":\"u\","
            + "\"key\":{\"partition\":\"orders\",\"section\":\"book\",\"id\":\"BTC-USD\"},\"version\":7,\"prevVersion\":6,"
            + "\"epoch\":\"Xq3v9LmP2sKw\",\"time\":1767225600123,\"origin\":{\"region\":\"eu-west-1\",\"node\":\"ddm-node-1\"},"
            + "\"streamId\":\"1767225600123-1\",\"patch\":[{\"op\":\"replace\",\"path\":\"/bids/0/size\",\"value\":1.25}]}";

    @Test
    void encode_writesCompactJson_inTheContractsFieldOrder() {
        ChangeEvent event = Fixtures.update(7, 6).withStreamId("1767225600123-1");

        assertThat(ChangeEventCodec.encodeToString(event)).isEqualTo(UPDATE_JSON);
        assertThat(ChangeEventCodec.encode(event)).isEqualTo(UPDATE_JSON.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encode_createWithState_putsStateLast_andWritesPrevVersionZero() {
        String text = ChangeEventCodec.encodeToString(Fixtures.create());

        assertThat(text).contains("\"version\":1,\"prevVersion\":0,\"epoch\"")
                .endsWith(",\"state\":{\"symbol\":\"BTC-USD\",\"bids\":[{\"price\":64250.5,\"size\":0.75}],"
                        + "\"asks\":[{\"price\":64251.0,\"size\":1.2}],\"seq\":1}}")
                .doesNotContain("streamId", "patch", " ", "\n");
    }

    @Test
    void encode_snapshotWithUnknownBase_omitsPrevVersion_butKeepsAKnownOne() {
        ChangeEvent unknownBase = ChangeEvent.snapshot(EVENT_ID, KEY, 42, 0, EPOCH, TIME, ORIGIN, Fixtures.state());
        ChangeEvent knownBase = ChangeEvent.snapshot(EVENT_ID, KEY, 42, 41, EPOCH, TIME, ORIGIN, Fixtures.state());

        assertThat(ChangeEventCodec.encodeToString(unknownBase)).doesNotContain("prevVersion");
        assertThat(ChangeEventCodec.encodeToString(knownBase)).contains("\"version\":42,\"prevVersion\":41,");
    }

    @Test
    void encode_deleteCarriesNeitherPatchNorState() {
        ChangeEvent delete = ChangeEvent.delete(EVENT_ID, KEY, 8, 7, EPOCH, TIME, ORIGIN);

        assertThat(ChangeEventCodec.encodeToString(delete))
                .contains("\"op\":\"d\"", "\"prevVersion\":7")
                .doesNotContain("patch", "state");
    }

    @Test
    void encode_writesUnicodeAsUtf8_notEscaped() {
        ChangeEvent event = ChangeEvent.create(EVENT_ID, DataKey.of("places", "city", "Zürich 🚀"), 1, 0, EPOCH, TIME,
                ORIGIN, json("{\"name\":\"東京\"}"));

        byte[] bytes = ChangeEventCodec.encode(event);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"id\":\"Zürich 🚀\"", "\"name\":\"東京\"")
                .isEqualTo(ChangeEventCodec.encodeToString(event));
    }

    /**
     * The writer encodes the event before XADD assigns its stream id, so the log entry has no
     * streamId (325 bytes here). Adding {@code "streamId":"1767225600123-0"} costs 29 bytes
     * more; see the last assertion.
     */
    @Test
    void encode_typicalOneFieldUpdate_asWrittenBeforeXadd_isUnder330Bytes() {
        ChangeEvent event = ChangeEvent.update(EVENT_ID, KEY, 1_234_567, 1_234_566, EPOCH, TIME, ORIGIN,
                json("[{\"op\":\"replace\",\"path\":\"/bids/3/size\",\"value\":0.12345678}]"), null);

        byte[] bytes = ChangeEventCodec.encode(event);

        assertThat(bytes).hasSizeLessThan(330);
        assertThat(ChangeEventCodec.encode(event.withStreamId("1767225600123-0")))
                .hasSize(bytes.length + "\"streamId\":\"1767225600123-0\",".length());
    }

    @Test
    void decode_readsEveryField() {
        ChangeEvent event = ChangeEventCodec.decode(UPDATE_JSON);

        assertThat(event.eventId()).isEqualTo(EVENT_ID);
        assertThat(event.key()).isEqualTo(KEY);
        assertThat(event.op()).isEqualTo(ChangeOp.UPDATE);
        assertThat(event.version()).isEqualTo(7);
        assertThat(event.prevVersion()).isEqualTo(6);
        assertThat(event.epoch()).isEqualTo(EPOCH);
        assertThat(event.time()).isEqualTo(TIME);
        assertThat(event.origin()).isEqualTo(ORIGIN);
        assertThat(event.streamId()).isEqualTo("1767225600123-1");
        assertThat(event.patch()).isEqualTo(Fixtures.onePatch());
        assertThat(event.state()).isNull();
    }

    @Test
    void decode_bytesStringAndTree_agree() {
        assertThat(ChangeEventCodec.decode(UPDATE_JSON.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(ChangeEventCodec.decode(UPDATE_JSON))
                .isEqualTo(ChangeEventCodec.decode(json(UPDATE_JSON)))
                .isEqualTo(Fixtures.update(7, 6).withStreamId("1767225600123-1"));
    }

    @Test
    void decode_tree_doesNotShareTheCallersNodes() {
        ObjectNode tree = (ObjectNode) json(ChangeEventCodec.encodeToString(Fixtures.create()));

        ChangeEvent event = ChangeEventCodec.decode(tree);
        ((ObjectNode) tree.get("state")).put("seq", 99);

        assertThat(event.state().get("seq").intValue()).isEqualTo(1);
    }

    @Test
    void decode_toleratesUnknownMembers_andTreatsNullAsAbsent() {
        ObjectNode tree = (ObjectNode) json(UPDATE_JSON);
        tree.put("futureField", "x");
        tree.putObject("nested").put("a", 1);
        tree.putNull("streamId");
        tree.putNull("state");

        ChangeEvent event = ChangeEventCodec.decode(tree);

        assertThat(event).isEqualTo(Fixtures.update(7, 6));
    }

    @Test
    void decode_snapshotWithoutPrevVersion_defaultsToZero() {
        ObjectNode tree = (ObjectNode) json(ChangeEventCodec.encodeToString(
                ChangeEvent.snapshot(EVENT_ID, KEY, 42, 0, EPOCH, TIME, ORIGIN, Fixtures.state())));
        tree.putNull("prevVersion");

        assertThat(ChangeEventCodec.decode(tree).prevVersion()).isZero();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "''                          | $ | must be a JSON object, got nothing",
        "null                        | $ | must be a JSON object, got null",
        "[1]                         | $ | must be a JSON object, got array",
        "'{\"schema\":1,'            | $ | is not well-formed JSON",
        "'{\"schema\":1} {}'         | $ | is not well-formed JSON",
        "'{\"schema\":1,\"schema\":1}' | $ | Duplicate field 'schema'",
        "'{}'                        | schema | is required (this build knows [1])",
        "'{\"schema\":2}'            | schema | version '2' is not supported; this build knows [1]",
        "'{\"schema\":99999999999999999999}' | schema | is not supported",
        "'{\"schema\":1.0}'          | schema | must be an integer",
    })
    void decode_rejectsBadInput_namingTheField(String input, String field, String messagePart) {
        assertThatThrownBy(() -> ChangeEventCodec.decode(input))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).startsWith(field + " ").contains(messagePart);
                });
    }

    @Test
    void decode_malformedJson_reportsLineAndColumn() {
        assertThatThrownBy(() -> ChangeEventCodec.decode("{\n  \"schema\": 1,\n  \"op\": u\n}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("$ is not well-formed JSON")
                .hasMessageContaining("line 3");
    }

    @Test
    void decode_malformedJson_doesNotEchoLongInput() {
        String garbage = "{\"schema\":1,\"eventId\":" + "x".repeat(10_000) + "}";

        assertThatThrownBy(() -> ChangeEventCodec.decode(garbage))
                .isInstanceOf(InvalidEventException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "eventId    | 17                        | eventId       | must be a string, got number",
        "op         | 1                         | op            | must be a string, got number",
        "op         | '\"update\"'              | op            | must be one of c, u, d, s, got 'update'",
        "key        | '\"orders/book/BTC-USD\"' | key           | must be a JSON object, got string",
        "key        | '{\"partition\":\"orders\",\"section\":\"book\",\"id\":7}' | key.id | must be a string",
        "version    | '\"7\"'                   | version       | must be an integer written without fraction or exponent, got string",
        "version    | 7e0                       | version       | got 7.0",
        "version    | 9223372036854775808       | version       | must fit in a signed 64-bit integer",
        "version    | -3                        | version       | must be >= 1, got -3",
        "prevVersion | 7                        | prevVersion   | must be less than version (7), got 7",
        "epoch      | '\"a.b\"'                 | epoch         | must match [A-Za-z0-9_-]{1,64}, got 'a.b'",
        "time       | -1                        | time          | must be >= 0 (epoch milliseconds), got -1",
        "origin     | '[]'                      | origin        | must be a JSON object, got array",
        "origin     | '{\"region\":\"eu\",\"node\":\"a b\"}' | origin.node | must match [A-Za-z0-9._-]{1,64}, got 'a b'",
        "streamId   | 5                         | streamId      | must be a string, got number",
        "streamId   | '\"5\"'                   | streamId      | must match [0-9]+-[0-9]+, got '5'",
        "patch      | '{}'                      | patch         | must be a JSON array (an RFC 6902 JSON Patch), got object",
        "patch      | '[]'                      | -             | -",
        "state      | '\"x\"'                   | state         | must be a JSON object, got string",
    })
    void decode_checksEachField(String member, String value, String field, String messagePart) {
        ObjectNode tree = (ObjectNode) json(UPDATE_JSON);
        tree.set(member, json(value));

        if (field.equals("-")) {
            assertThat(ChangeEventCodec.decode(tree).op()).isEqualTo(ChangeOp.UPDATE);
            return;
        }
        assertThatThrownBy(() -> ChangeEventCodec.decode(tree))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).startsWith(field + " ").contains(messagePart);
                });
    }

    @Test
    void decode_numberThatOverflowsADouble_isRejectedNotTurnedIntoAString() {
        String text = ChangeEventCodec.encodeToString(Fixtures.create()).replace("\"seq\":1", "\"seq\":1e400");

        assertThatThrownBy(() -> ChangeEventCodec.decode(text))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("state must not hold a non-finite number (Infinity) at '/seq'");
    }

    @Test
    void supportedSchemaVersions_isJustTheCurrentOne_andImmutable() {
        assertThat(ChangeEventCodec.supportedSchemaVersions()).containsExactly(ChangeEventCodec.CURRENT_SCHEMA_VERSION);
        assertThatThrownBy(() -> ChangeEventCodec.supportedSchemaVersions().add(2))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jsonSchemaResource_isOnTheClasspath_withTheDocumentedId() throws IOException {
        try (InputStream in = ChangeEventCodec.class.getClassLoader()
                .getResourceAsStream(ChangeEventCodec.JSON_SCHEMA_RESOURCE)) {
            assertThat(in).isNotNull();
            JsonNode schema = Fixtures.JSON.readTree(in);
            assertThat(schema.get("$id").asText()).isEqualTo(ChangeEventCodec.JSON_SCHEMA_ID);
            assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.get("properties").get("schema").get("const").asInt())
                    .isEqualTo(ChangeEventCodec.CURRENT_SCHEMA_VERSION);
            assertThat(schema.get("additionalProperties").asBoolean()).isTrue();
        }
    }

    @Test
    void nullArguments_failWithNullPointerException() {
        assertThatThrownBy(() -> ChangeEventCodec.encode(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ChangeEventCodec.encodeToString(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ChangeEventCodec.decode((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ChangeEventCodec.decode((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ChangeEventCodec.decode((JsonNode) null)).isInstanceOf(NullPointerException.class);
    }
}
