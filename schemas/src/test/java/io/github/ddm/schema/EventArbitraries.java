package io.github.ddm.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of valid change events: every op, unicode ids up to the length limit, nested states
 * and patches built from every Jackson number node type (which the event canonicalizes), strings
 * with any code point including control characters, and pointers full of '~' and '/'.
 */
final class EventArbitraries {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private EventArbitraries() {
    }

    private record Envelope(String eventId, DataKey key, String epoch, Instant time, Origin origin, String streamId) {
    }

    static Arbitrary<ChangeEvent> events() {
        Arbitrary<Envelope> envelopes = Combinators.combine(words("._:/+=-", 128), keys(), words("_-", 64), times(),
                origins(), streamIds()).as(Envelope::new);
        return Arbitraries.of(ChangeOp.class).flatMap(op -> Combinators
                .combine(envelopes, versions(op), patches(op), states(op))
                .as((env, versions, patch, state) -> new ChangeEvent(env.eventId(), env.key(), op, versions.get1(),
                        versions.get2(), env.epoch(), env.time(), env.origin(), patch, state, env.streamId())));
    }

    static Arbitrary<DataKey> keys() {
        return Combinators.combine(shortNames(), shortNames(), ids()).as(DataKey::new);
    }

    static Arbitrary<String> shortNames() {
        return words("._-", 64);
    }

    /** Non-empty ids of up to 512 code points: printable ASCII, BMP and supplementary characters. */
    static Arbitrary<String> ids() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.integers().between(0xA0, 0xFFFD)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)))
                .filter(cp -> !Character.isISOControl(cp) && !isSurrogate(cp));
        return codePoint.list().ofMinSize(1).ofMaxSize(DataKey.MAX_ID_LENGTH).map(EventArbitraries::text);
    }

    private static Arbitrary<String> words(String extra, int maxLength) {
        return Arbitraries.strings().withChars(ALNUM + extra).ofMinLength(1).ofMaxLength(maxLength);
    }

    private static Arbitrary<Origin> origins() {
        return Combinators.combine(shortNames(), shortNames()).as(Origin::new);
    }

    /** Any instant from 1970 whose milliseconds fit in a long, with sub-millisecond parts to truncate. */
    private static Arbitrary<Instant> times() {
        return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.integers().between(0, 999_999)).as((ms, nanos) -> Instant.ofEpochMilli(ms).plusNanos(nanos));
    }

    private static Arbitrary<String> streamIds() {
        Arbitrary<Long> part = Arbitraries.longs().between(0, Long.MAX_VALUE);
        return Combinators.combine(part, part).as((ms, seq) -> ms + "-" + seq).injectNull(0.3);
    }

    /** (version, prevVersion) with {@code op}'s lower bound on prevVersion and prevVersion < version. */
    private static Arbitrary<Tuple.Tuple2<Long, Long>> versions(ChangeOp op) {
        long minPrev = op == ChangeOp.UPDATE || op == ChangeOp.DELETE ? 1 : 0;
        return Arbitraries.longs().between(minPrev + 1, Long.MAX_VALUE).flatMap(version -> Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(minPrev, version - 1)),
                Tuple.of(1, Arbitraries.just(version - 1)),
                Tuple.of(1, Arbitraries.just(minPrev)))
                .map(prev -> Tuple.of(version, prev)));
    }

    private static Arbitrary<JsonNode> patches(ChangeOp op) {
        if (op != ChangeOp.UPDATE) {
            return Arbitraries.just(null);
        }
        return patchOperations().list().ofMaxSize(6).map(ops -> NODES.arrayNode().addAll(ops));
    }

    private static Arbitrary<JsonNode> states(ChangeOp op) {
        return switch (op) {
            case CREATE, SNAPSHOT -> objects(json(3), 0);
            case UPDATE -> objects(json(3), 1).injectNull(0.5);
            case DELETE -> Arbitraries.just(null);
        };
    }

    private static Arbitrary<JsonNode> patchOperations() {
        return Combinators.combine(Arbitraries.of("add", "remove", "replace", "move", "copy", "test"), pointers(),
                pointers(), json(2), Arbitraries.of(true, false)).as((op, path, from, value, extras) -> {
                    ObjectNode operation = NODES.objectNode().put("op", op).put("path", path);
                    if (op.equals("move") || op.equals("copy") || extras) {
                        operation.put("from", from);
                    }
                    if (op.equals("add") || op.equals("replace") || op.equals("test") || extras) {
                        operation.set("value", value);
                    }
                    if (extras) {
                        operation.put("x-comment", "ignored by RFC 6902");
                    }
                    return operation;
                });
    }

    /** "" or up to 4 reference tokens, escaped per RFC 6901; tokens are rich in '~' and '/'. */
    private static Arbitrary<String> pointers() {
        Arbitrary<String> token = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().withChars("ab~/0-1").ofMaxLength(6)),
                Tuple.of(1, strings()),
                Tuple.of(1, Arbitraries.integers().between(0, 20).map(String::valueOf)));
        return token.list().ofMaxSize(4).map(tokens -> {
            StringBuilder pointer = new StringBuilder();
            tokens.forEach(t -> pointer.append('/').append(t.replace("~", "~0").replace("/", "~1")));
            return pointer.toString();
        });
    }

    static Arbitrary<JsonNode> json(int depth) {
        if (depth == 0) {
            return leaves();
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> json(depth - 1));
        return Arbitraries.frequencyOf(Tuple.of(2, leaves()), Tuple.of(1, arrays(child)), Tuple.of(1, objects(child, 0)));
    }

    private static Arbitrary<JsonNode> arrays(Arbitrary<JsonNode> child) {
        return child.list().ofMaxSize(5).map(items -> NODES.arrayNode().addAll(items));
    }

    private static Arbitrary<JsonNode> objects(Arbitrary<JsonNode> child, int minSize) {
        return Arbitraries.maps(strings(), child).ofMinSize(minSize).ofMaxSize(6).map(members -> {
            ObjectNode object = NODES.objectNode();
            members.forEach(object::set);
            return object;
        });
    }

    /** Every JSON leaf, through every Jackson number node type. */
    private static Arbitrary<JsonNode> leaves() {
        List<Arbitrary<? extends JsonNode>> leaves = List.of(
                Arbitraries.integers().map(IntNode::valueOf),
                Arbitraries.longs().map(LongNode::valueOf),
                Arbitraries.shorts().map(ShortNode::valueOf),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(BigIntegerNode::valueOf),
                Arbitraries.doubles().filter(Double::isFinite).map(DoubleNode::valueOf),
                Arbitraries.floats().filter(Float::isFinite).map(FloatNode::valueOf),
                Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(-30, 30))
                        .as((unscaled, scale) -> DecimalNode.valueOf(BigDecimal.valueOf(unscaled, scale))),
                strings().map(TextNode::valueOf),
                Arbitraries.of(true, false).map(BooleanNode::valueOf),
                Arbitraries.just(NullNode.getInstance()));
        return Arbitraries.oneOf(leaves);
    }

    /** Strings of any code points (control characters included), never with unpaired surrogates. */
    static Arbitrary<String> strings() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x00, 0x7F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xFFFF)),
                Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)))
                .filter(cp -> !isSurrogate(cp));
        return codePoint.list().ofMaxSize(12).map(EventArbitraries::text);
    }

    private static boolean isSurrogate(int codePoint) {
        return codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE;
    }

    private static String text(List<Integer> codePoints) {
        StringBuilder out = new StringBuilder();
        codePoints.forEach(out::appendCodePoint);
        return out.toString();
    }
}
