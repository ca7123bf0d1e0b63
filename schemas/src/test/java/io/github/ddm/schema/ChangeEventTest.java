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
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.ShortNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChangeEventTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static void assertInvalid(ThrowingCallable call, String field, String message) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessage(message);
    }

    private static ChangeEvent withState(JsonNode state) {
        return ChangeEvent.create(EVENT_ID, KEY, 1, 0, EPOCH, TIME, ORIGIN, state);
    }

    @Test
    void factories_setTheOp_andNoStreamId() {
        JsonNode state = Fixtures.state();
        assertThat(ChangeEvent.create(EVENT_ID, KEY, 1, 0, EPOCH, TIME, ORIGIN, state).op()).isEqualTo(ChangeOp.CREATE);
        assertThat(ChangeEvent.update(EVENT_ID, KEY, 2, 1, EPOCH, TIME, ORIGIN, Fixtures.onePatch(), state).op())
                .isEqualTo(ChangeOp.UPDATE);
        assertThat(ChangeEvent.delete(EVENT_ID, KEY, 3, 2, EPOCH, TIME, ORIGIN).op()).isEqualTo(ChangeOp.DELETE);
        ChangeEvent snapshot = ChangeEvent.snapshot(EVENT_ID, KEY, 4, 0, EPOCH, TIME, ORIGIN, state);
        assertThat(snapshot.op()).isEqualTo(ChangeOp.SNAPSHOT);
        assertThat(snapshot.streamId()).isNull();
    }

    @Test
    void withStreamId_changesOnlyTheStreamId() {
        ChangeEvent event = Fixtures.update(7, 6);

        ChangeEvent withId = event.withStreamId("1767225600123-4");

        assertThat(withId.streamId()).isEqualTo("1767225600123-4");
        assertThat(withId.withStreamId(null)).isEqualTo(event);
        assertInvalid(() -> event.withStreamId("1767225600123"), "streamId",
                "streamId must match [0-9]+-[0-9]+, got '1767225600123'");
        assertInvalid(() -> event.withStreamId("1-2-3"), "streamId", "streamId must match [0-9]+-[0-9]+, got '1-2-3'");
    }

    @Test
    void time_isTruncatedToMilliseconds() {
        Instant precise = Instant.parse("2026-01-01T00:00:00.123456789Z");

        ChangeEvent event = ChangeEvent.delete(EVENT_ID, KEY, 2, 1, EPOCH, precise, ORIGIN);

        assertThat(event.time()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123Z"));
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encode(event))).isEqualTo(event);
    }

    @Test
    void time_mustBeAfter1970_andFitInMilliseconds() {
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, EPOCH, Instant.ofEpochMilli(-1), ORIGIN), "time",
                "time must not be before 1970-01-01T00:00:00Z, got 1969-12-31T23:59:59.999Z");
        assertThatThrownBy(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, EPOCH, Instant.MAX, ORIGIN))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.field()).isEqualTo("time"))
                .hasMessageStartingWith("time must fit in 64-bit epoch milliseconds");
        assertThat(ChangeEvent.delete(EVENT_ID, KEY, 2, 1, EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE), ORIGIN)
                .time().toEpochMilli()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void requiredFields_areNamedWhenNull() {
        assertInvalid(() -> ChangeEvent.delete(null, KEY, 2, 1, EPOCH, TIME, ORIGIN), "eventId", "eventId is required");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, null, 2, 1, EPOCH, TIME, ORIGIN), "key", "key is required");
        assertInvalid(() -> new ChangeEvent(EVENT_ID, KEY, null, 2, 1, EPOCH, TIME, ORIGIN, null, null, null), "op",
                "op is required");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, null, TIME, ORIGIN), "epoch", "epoch is required");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, EPOCH, null, ORIGIN), "time", "time is required");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, EPOCH, TIME, null), "origin", "origin is required");
    }

    @Test
    void eventIdAndEpoch_followTheirPatterns() {
        assertInvalid(() -> ChangeEvent.delete("a b", KEY, 2, 1, EPOCH, TIME, ORIGIN), "eventId",
                "eventId must match [A-Za-z0-9._:/+=-]{1,128}, got 'a b'");
        assertInvalid(() -> ChangeEvent.delete("e".repeat(129), KEY, 2, 1, EPOCH, TIME, ORIGIN), "eventId",
                "eventId must match [A-Za-z0-9._:/+=-]{1,128}, got '" + "e".repeat(80) + "'... (129 chars)");
        assertThat(ChangeEvent.delete("urn:ddm/evt+1=a_b.c-d", KEY, 2, 1, EPOCH, TIME, ORIGIN).eventId())
                .isEqualTo("urn:ddm/evt+1=a_b.c-d");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, "", TIME, ORIGIN), "epoch",
                "epoch must match [A-Za-z0-9_-]{1,64}, got ''");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 2, 1, "ep\noch", TIME, ORIGIN), "epoch",
                "epoch must match [A-Za-z0-9_-]{1,64}, got 'ep\\u000Aoch'");
    }

    @Test
    void versions_mustBePositive_andPrevVersionBelowVersion() {
        assertInvalid(() -> Fixtures.update(0, 0), "version", "version must be >= 1, got 0");
        assertInvalid(() -> Fixtures.update(5, 5), "prevVersion", "prevVersion must be less than version (5), got 5");
        assertInvalid(() -> Fixtures.update(5, 9), "prevVersion", "prevVersion must be less than version (5), got 9");
        assertInvalid(() -> ChangeEvent.snapshot(EVENT_ID, KEY, 5, -1, EPOCH, TIME, ORIGIN, Fixtures.state()),
                "prevVersion", "prevVersion must be >= 0 for op s, got -1");
        assertThat(Fixtures.update(Long.MAX_VALUE, Long.MAX_VALUE - 1).version()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void prevVersionZero_meansNoBase_soOnlyCreateAndSnapshotMayUseIt() {
        assertThat(ChangeEvent.create(EVENT_ID, KEY, 1, 0, EPOCH, TIME, ORIGIN, Fixtures.state()).prevVersion()).isZero();
        assertThat(ChangeEvent.snapshot(EVENT_ID, KEY, 9, 0, EPOCH, TIME, ORIGIN, Fixtures.state()).prevVersion())
                .isZero();
        assertInvalid(() -> Fixtures.update(1, 0), "prevVersion", "prevVersion must be >= 1 for op u, got 0");
        assertInvalid(() -> ChangeEvent.delete(EVENT_ID, KEY, 1, 0, EPOCH, TIME, ORIGIN), "prevVersion",
                "prevVersion must be >= 1 for op d, got 0");
    }

    @ParameterizedTest
    @EnumSource(ChangeOp.class)
    void patchAndState_presenceFollowsTheOp(ChangeOp op) {
        String code = op.wireCode();
        JsonNode patch = Fixtures.onePatch();
        JsonNode state = Fixtures.state();
        JsonNode validPatch = op == ChangeOp.UPDATE ? patch : null;
        JsonNode validState = op == ChangeOp.DELETE ? null : state;
        assertThat(event(op, validPatch, validState).op()).isEqualTo(op);

        if (op == ChangeOp.UPDATE) {
            assertInvalid(() -> event(op, null, state), "patch", "patch is required for op u");
            assertThat(event(op, patch, NullNode.getInstance()).state()).isNull();
        } else {
            assertInvalid(() -> event(op, patch, validState), "patch", "patch must be absent for op " + code);
        }
        if (op == ChangeOp.CREATE || op == ChangeOp.SNAPSHOT) {
            assertInvalid(() -> event(op, null, NullNode.getInstance()), "state", "state is required for op " + code);
        } else if (op == ChangeOp.DELETE) {
            assertInvalid(() -> event(op, null, state), "state", "state must be absent for op d");
        }
    }

    private static ChangeEvent event(ChangeOp op, JsonNode patch, JsonNode state) {
        return new ChangeEvent(EVENT_ID, KEY, op, 2, 1, EPOCH, TIME, ORIGIN, patch, state, null);
    }

    @Test
    void nullNodeAndMissingNode_meanAbsent() {
        ChangeEvent event = new ChangeEvent(EVENT_ID, KEY, ChangeOp.UPDATE, 2, 1, EPOCH, TIME, ORIGIN,
                Fixtures.onePatch(), MissingNode.getInstance(), null);

        assertThat(event.state()).isNull();
        assertInvalid(() -> new ChangeEvent(EVENT_ID, KEY, ChangeOp.UPDATE, 2, 1, EPOCH, TIME, ORIGIN,
                NullNode.getInstance(), null, null), "patch", "patch is required for op u");
    }

    @Test
    void state_mustBeAnObject() {
        assertInvalid(() -> withState(json("[1,2]")), "state", "state must be a JSON object, got array");
        assertInvalid(() -> withState(json("\"doc\"")), "state", "state must be a JSON object, got string");
    }

    @Test
    void patchAndState_areCopied_soLaterChangesToTheArgumentsDoNotLeakIn() {
        ObjectNode state = Fixtures.state();
        ArrayNode patch = (ArrayNode) Fixtures.onePatch();
        ChangeEvent event = ChangeEvent.update(EVENT_ID, KEY, 2, 1, EPOCH, TIME, ORIGIN, patch, state);

        state.put("seq", 99);
        ((ObjectNode) state.get("bids").get(0)).put("size", 0);
        patch.removeAll();

        assertThat(event.state()).isEqualTo(Fixtures.state());
        assertThat(event.patch()).isEqualTo(Fixtures.onePatch());
        assertThat(event.state()).isSameAs(event.state()); // accessors return the event's own nodes, no copy per read
    }

    @Test
    void numbers_areHeldAsTheCodecDecodesThem() {
        ObjectNode state = NODES.objectNode();
        state.set("long", LongNode.valueOf(5));
        state.set("bigLong", LongNode.valueOf(5_000_000_000L));
        state.set("short", ShortNode.valueOf((short) 3));
        state.set("smallBig", BigIntegerNode.valueOf(BigInteger.TEN));
        state.set("hugeBig", BigIntegerNode.valueOf(new BigInteger("123456789012345678901234567890")));
        state.set("float", FloatNode.valueOf(0.1f));
        state.set("decimal", DecimalNode.valueOf(new BigDecimal("1.10")));
        state.set("decimalExp", DecimalNode.valueOf(new BigDecimal("1E+3")));
        state.set("decimalInt", DecimalNode.valueOf(new BigDecimal("42")));

        ChangeEvent event = withState(state);

        assertThat(event.state().get("long")).isEqualTo(IntNode.valueOf(5));
        assertThat(event.state().get("bigLong")).isEqualTo(LongNode.valueOf(5_000_000_000L));
        assertThat(event.state().get("short")).isEqualTo(IntNode.valueOf(3));
        assertThat(event.state().get("smallBig")).isEqualTo(IntNode.valueOf(10));
        assertThat(event.state().get("hugeBig")).isInstanceOf(BigIntegerNode.class);
        assertThat(event.state().get("float")).isEqualTo(DoubleNode.valueOf(0.1));
        assertThat(event.state().get("decimal")).isEqualTo(DoubleNode.valueOf(1.1));
        assertThat(event.state().get("decimalExp")).isEqualTo(DoubleNode.valueOf(1000.0));
        assertThat(event.state().get("decimalInt")).isEqualTo(IntNode.valueOf(42));
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encode(event))).isEqualTo(event);
    }

    @Test
    void trees_rejectWhatJsonTextCannotCarry_withThePointer() {
        ObjectNode nan = Fixtures.state();
        ((ObjectNode) nan.get("bids").get(0)).put("price", Double.NaN);
        assertInvalid(() -> withState(nan), "state", "state must not hold a non-finite number (NaN) at '/bids/0/price'");

        ArrayNode infinite = (ArrayNode) json("[{\"op\":\"add\",\"path\":\"/x\",\"value\":0}]");
        ((ObjectNode) infinite.get(0)).put("value", Double.POSITIVE_INFINITY);
        assertInvalid(() -> ChangeEvent.update(EVENT_ID, KEY, 2, 1, EPOCH, TIME, ORIGIN, infinite, null), "patch",
                "patch must not hold a non-finite number (Infinity) at '/0/value'");

        ObjectNode surrogate = NODES.objectNode().put("a/b~c", "x\uD800y");
        assertInvalid(() -> withState(surrogate), "state",
                "state must not hold an unpaired surrogate in a string ('x\\uD800y') at '/a~1b~0c'");

        ObjectNode surrogateName = NODES.objectNode().put("\uDC00", 1);
        assertInvalid(() -> withState(surrogateName), "state",
                "state must not hold an unpaired surrogate in a member name ('\\uDC00') at '/\\uDC00'");

        ObjectNode binary = NODES.objectNode().set("bytes", BinaryNode.valueOf(new byte[] {1, 2}));
        assertInvalid(() -> withState(binary), "state", "state must hold only JSON values, found a BINARY node at '/bytes'");

        ObjectNode pojo = NODES.objectNode().set("pojo", new POJONode(new Object()));
        assertInvalid(() -> withState(pojo), "state", "state must hold only JSON values, found a POJO node at '/pojo'");
    }

    @Test
    void trees_mayNest500LevelsButNotMore() {
        assertThat(withState(nested(500))).isNotNull();
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encode(withState(nested(500)))))
                .isEqualTo(withState(nested(500)));
        assertThatThrownBy(() -> withState(nested(501)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("state must not nest deeper than 500 levels at '/a/0/a/0/a");
    }

    /** An object nesting {@code levels} containers deep (alternating objects and arrays). */
    private static ObjectNode nested(int levels) {
        JsonNode inner = NODES.objectNode();
        for (int level = levels - 1; level >= 1; level--) {
            inner = level % 2 == 0 ? NODES.arrayNode().add(inner) : NODES.objectNode().set("a", inner);
        }
        return (ObjectNode) inner;
    }

    @Test
    void patch_isCheckedAsAnRfc6902Patch() {
        assertInvalid(() -> update("[{\"op\":\"add\",\"path\":\"/x\",\"value\":1},{\"op\":7,\"path\":\"/y\"}]"),
                "patch[1].op", "patch[1].op must be a string, got number");
        assertInvalid(() -> update("[{\"op\":\"replace\",\"path\":5,\"value\":1}]"), "patch[0].path",
                "patch[0].path must be a string, got number");
        assertInvalid(() -> update("[{\"op\":\"add\",\"path\":\"/x~\",\"value\":1}]"), "patch[0].path",
                "patch[0].path must be a JSON Pointer (\"\" or starting with \"/\", '~' only as ~0 or ~1), got '/x~'");
        assertInvalid(() -> update("[{\"op\":\"add\",\"path\":\"/x\",\"from\":\"x\",\"value\":1}]"), "patch[0].from",
                "patch[0].from must be a JSON Pointer (\"\" or starting with \"/\", '~' only as ~0 or ~1), got 'x'");
        assertInvalid(() -> update("[{\"op\":\"test\",\"path\":\"/x\"}]"), "patch[0].value",
                "patch[0].value is required for op test");
        assertInvalid(() -> update("[{\"op\":\"copy\",\"path\":\"/x\"}]"), "patch[0].from",
                "patch[0].from is required for op copy");
        assertInvalid(() -> update("[null]"), "patch[0]", "patch[0] must be a JSON object, got null");

        assertThat(update("[]").patch()).isEmpty();
        assertThat(update("[{\"op\":\"add\",\"path\":\"\",\"value\":null,\"comment\":\"extra members are ignored\"}]")
                .patch()).hasSize(1);
    }

    private static ChangeEvent update(String patch) {
        return ChangeEvent.update(EVENT_ID, KEY, 2, 1, EPOCH, TIME, ORIGIN, json(patch), null);
    }

    @Test
    void equalEvents_haveEqualHashCodes_acrossARoundTrip() {
        ChangeEvent event = ChangeEvent.update(EVENT_ID, KEY, 2, 1, EPOCH, TIME, ORIGIN, Fixtures.onePatch(),
                Fixtures.state());

        ChangeEvent back = ChangeEventCodec.decode(ChangeEventCodec.encode(event));

        assertThat(back).isEqualTo(event).hasSameHashCodeAs(event);
        assertThat(back).isNotEqualTo(event.withStreamId("1-1"));
    }

    @Test
    void toString_summarizes_withoutPatchOrStateContents() {
        ChangeEvent event = ChangeEvent.update(EVENT_ID, KEY, 7, 6, EPOCH, TIME, ORIGIN, Fixtures.onePatch(),
                Fixtures.state()).withStreamId("1767225600123-1");

        assertThat(event.toString()).isEqualTo("ChangeEvent[u orders/book/BTC-USD v7<-6 epoch=Xq3v9LmP2sKw "
                + "time=2026-01-01T00:00:00.123Z origin=eu-west-1/ddm-node-1 id=01JQ8Z6K4T3M9X2V7B5N0C1D8E "
                + "streamId=1767225600123-1 patch=1 ops state=yes]");
    }
}
