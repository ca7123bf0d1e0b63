package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deep-copies a patch or state tree into the exact form the codec decodes it to, so that an event
 * built in Java equals the same event after an encode/decode round trip, and every valid event
 * encodes to JSON that decodes again:
 *
 * <ul>
 *   <li>integers become IntNode, LongNode or BigIntegerNode by magnitude (a LongNode holding 5 would
 *       otherwise differ from the IntNode a decoder reads back);</li>
 *   <li>other numbers (float, BigDecimal) become what their JSON text decodes to;</li>
 *   <li>non-finite numbers, unpaired surrogates, non-JSON nodes (binary, POJO) and nesting deeper
 *       than {@link #MAX_DEPTH} are rejected, since none of them survives JSON text.</li>
 * </ul>
 *
 * Containers are copied; value nodes, which Jackson never mutates, are shared. The root of a copy
 * is an {@link OwnedObject} or {@link OwnedArray}: a tree an event already holds (passed on by
 * {@code withStreamId} and the like) is taken as it is, and a tree the codec has just parsed is
 * only checked ({@link #adopt}), not copied.
 */
final class CanonicalJson {

    /** The deepest nesting allowed inside a patch or state (the tree's root is level 1). */
    static final int MAX_DEPTH = 500;

    /** Jackson's default StreamReadConstraints number length: longer numbers would not decode. */
    private static final int MAX_NUMBER_CHARS = 1000;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String field;
    /** Where the copy is: String member names and Integer indexes, for error messages only. */
    private final List<Object> path = new ArrayList<>();

    private CanonicalJson(String field) {
        this.field = field;
    }

    /**
     * Returns a canonical deep copy of {@code node}.
     *
     * @throws InvalidEventException naming {@code field} if the tree cannot survive JSON text
     */
    static JsonNode copy(String field, JsonNode node) {
        return new CanonicalJson(field).copy(node, 1);
    }

    /** The root of a canonical tree that an event owns. Never mutated after construction. */
    static final class OwnedObject extends ObjectNode {
        private static final long serialVersionUID = 1L;

        OwnedObject() {
            super(NODES);
        }
    }

    /** The root of a canonical patch that an event owns. Never mutated after construction. */
    static final class OwnedArray extends ArrayNode {
        private static final long serialVersionUID = 1L;

        OwnedArray(int capacity) {
            super(NODES, capacity);
        }
    }

    /** Whether {@code node} is the root of a canonical tree an event already owns (its checks are done). */
    static boolean isOwned(JsonNode node) {
        return node instanceof OwnedObject || node instanceof OwnedArray;
    }

    /**
     * Takes a tree the codec has just parsed, which nobody else holds: checks what {@link #copy}
     * checks, and returns the tree under an owned root without copying it, or a canonical copy if a
     * number is not in the canonical form.
     *
     * @throws InvalidEventException naming {@code field} if the tree cannot survive JSON text
     */
    static JsonNode adopt(String field, JsonNode node) {
        CanonicalJson check = new CanonicalJson(field);
        if (!node.isContainerNode() || !check.isCanonical(node, 1)) {
            return copy(field, node);
        }
        if (node.isObject()) {
            OwnedObject root = new OwnedObject();
            root.setAll((ObjectNode) node);
            return root;
        }
        OwnedArray root = new OwnedArray(node.size());
        root.addAll((ArrayNode) node);
        return root;
    }

    /** Checks a parsed tree; false if a number needs converting (then copy it). */
    private boolean isCanonical(JsonNode node, int depth) {
        if (node.isObject()) {
            checkDepth(depth);
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                path.add(member.getKey());
                checkText(member.getKey(), "a member name");
                if (!isCanonical(member.getValue(), depth + 1)) {
                    return false;
                }
                path.remove(path.size() - 1);
            }
            return true;
        }
        if (node.isArray()) {
            checkDepth(depth);
            for (int i = 0; i < node.size(); i++) {
                path.add(i);
                if (!isCanonical(node.get(i), depth + 1)) {
                    return false;
                }
                path.remove(path.size() - 1);
            }
            return true;
        }
        if (node.isTextual()) {
            checkText(node.textValue(), "a string");
            return node.getClass() == TextNode.class;
        }
        if (node.isNumber()) {
            if (node.getClass() == LongNode.class) {
                return node.longValue() != (int) node.longValue(); // a parser's long is always out of int range
            }
            return number(node) == node; // IntNode, BigIntegerNode past long, finite DoubleNode (else it throws)
        }
        return node.isBoolean() || node.isNull();
    }

    /**
     * Replaces, in place, every number in {@code node} that is not in the form the codec decodes to
     * (see the class comment), so that its JSON text is what any region writes for the same value.
     *
     * @throws InvalidEventException naming {@code field} if a number cannot survive JSON text
     */
    static void normalizeNumbers(String field, JsonNode node) {
        new CanonicalJson(field).normalize(node);
    }

    private void normalize(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Map.Entry<String, JsonNode> member : object.properties()) {
                JsonNode value = member.getValue();
                if (value.isNumber()) {
                    JsonNode canonical = number(value);
                    if (canonical != value) {
                        member.setValue(canonical);
                    }
                } else if (value.isContainerNode()) {
                    normalize(value);
                }
            }
        } else if (node.isArray()) {
            ArrayNode array = (ArrayNode) node;
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                if (value.isNumber()) {
                    JsonNode canonical = number(value);
                    if (canonical != value) {
                        array.set(i, canonical);
                    }
                } else if (value.isContainerNode()) {
                    normalize(value);
                }
            }
        }
    }

    /** Returns the JSON type of a node in lower case ("object", "string", ...), for messages. */
    static String typeOf(JsonNode node) {
        return node == null || node.isMissingNode() ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private JsonNode copy(JsonNode node, int depth) {
        switch (node.getNodeType()) {
            case OBJECT:
                return copyObject(node, depth, depth == 1 ? new OwnedObject() : NODES.objectNode());
            case ARRAY:
                return copyArray(node, depth, depth == 1 ? new OwnedArray(node.size()) : NODES.arrayNode(node.size()));
            case STRING:
                checkText(node.textValue(), "a string");
                return node.getClass() == TextNode.class ? node : TextNode.valueOf(node.textValue());
            case NUMBER:
                return number(node);
            case BOOLEAN:
                return BooleanNode.valueOf(node.booleanValue());
            case NULL:
                return NullNode.getInstance();
            default:
                throw fail("must hold only JSON values, found a " + node.getNodeType() + " node");
        }
    }

    private ObjectNode copyObject(JsonNode node, int depth, ObjectNode copy) {
        checkDepth(depth);
        for (Map.Entry<String, JsonNode> member : node.properties()) {
            path.add(member.getKey());
            checkText(member.getKey(), "a member name");
            copy.set(member.getKey(), copy(member.getValue(), depth + 1));
            path.remove(path.size() - 1);
        }
        return copy;
    }

    private ArrayNode copyArray(JsonNode node, int depth, ArrayNode copy) {
        checkDepth(depth);
        for (int i = 0; i < node.size(); i++) {
            path.add(i);
            copy.add(copy(node.get(i), depth + 1));
            path.remove(path.size() - 1);
        }
        return copy;
    }

    private JsonNode number(JsonNode n) {
        Class<?> type = n.getClass();
        if (type == IntNode.class) {
            return n;
        }
        if (type == DoubleNode.class) {
            if (!Double.isFinite(n.doubleValue())) {
                throw fail("must not hold a non-finite number (" + n.doubleValue() + ")");
            }
            return n;
        }
        if (type == LongNode.class || type == ShortNode.class) {
            return integer(n.longValue());
        }
        if (type == BigIntegerNode.class) {
            BigInteger value = n.bigIntegerValue();
            if (value.bitLength() < Long.SIZE) {
                return integer(value.longValue());
            }
            if (value.abs().toString().length() > MAX_NUMBER_CHARS) {
                throw fail("must not hold an integer longer than " + MAX_NUMBER_CHARS + " digits");
            }
            return n;
        }
        return reparse(n); // FloatNode, DecimalNode, or another NumericNode
    }

    private static JsonNode integer(long value) {
        return value == (int) value ? IntNode.valueOf((int) value) : LongNode.valueOf(value);
    }

    /** Returns what a decoder reads back from the number's JSON text. */
    private JsonNode reparse(JsonNode n) {
        JsonNode back;
        try {
            back = ChangeEventCodec.MAPPER.readTree(ChangeEventCodec.MAPPER.writeValueAsString(n));
        } catch (JsonProcessingException e) {
            throw fail("must not hold a number that JSON cannot carry (" + e.getOriginalMessage() + ")");
        }
        if (back == null || !back.isNumber() || !(back instanceof IntNode || back instanceof LongNode
                || back instanceof BigIntegerNode || back instanceof DoubleNode)) {
            throw fail("must not hold a number that JSON cannot carry (" + n.asText() + ")");
        }
        return number(back);
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail("must not nest deeper than " + MAX_DEPTH + " levels");
        }
    }

    private void checkText(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw fail("must not hold an unpaired surrogate in " + what + " (" + Rules.quote(text) + ")");
            }
        }
    }

    private InvalidEventException fail(String detail) {
        return new InvalidEventException(field, detail + " at " + pointer());
    }

    private String pointer() {
        if (path.isEmpty()) {
            return "the root";
        }
        StringBuilder out = new StringBuilder();
        for (Object segment : path) {
            out.append('/').append(segment.toString().replace("~", "~0").replace("/", "~1"));
        }
        return Rules.quote(out.toString());
    }
}
