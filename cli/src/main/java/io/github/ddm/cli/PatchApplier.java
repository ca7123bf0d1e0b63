package io.github.ddm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies an RFC 6902 JSON Patch ({@code add}, {@code remove}, {@code replace}, {@code move},
 * {@code copy}, {@code test}) to a Jackson tree, for {@code ddm check}.
 *
 * <p>Written apart from core's applier on purpose: check replays the log to catch what core gets
 * wrong, so it must not share core's code. It replaces zjsonpatch 0.4.16, whose JSON Pointer
 * decoding turns {@code ~0} into {@code ~} before turning {@code ~1} into {@code /}: it reads
 * {@code /~01} as the member {@code "/"}, where RFC 6901 says {@code "~1"}. Here each escape is
 * decoded once, left to right. A {@code ~} followed by anything but {@code 0} or {@code 1} is an
 * error, and so is an array index with a leading zero or a sign.
 *
 * <p>{@code test} compares numbers by value ({@code 1} equals {@code 1.0}), as RFC 6902 section 4.6
 * asks. Members of an operation other than {@code op}, {@code path}, {@code from} and
 * {@code value} are ignored (section 4).
 *
 * <p>Stateless and thread-safe. Neither the patch nor the document is modified: operations work on
 * a copy, so a patch applies whole or not at all.
 */
final class PatchApplier {

    private PatchApplier() {
    }

    /**
     * Thrown when a patch does not apply: it is malformed, or one of its operations does not fit the
     * document. The message names the operation (its index from 0, its op and its path) and why.
     */
    static final class PatchFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final int index;
        private final String path;

        PatchFailedException(int index, String path, String message) {
            super(message);
            this.index = index;
            this.path = path;
        }

        /** The index (from 0) of the operation that failed, or -1 if the patch is not an array. */
        int index() {
            return index;
        }

        /** The {@code path} of that operation as written in the patch, or null if it has none. */
        String path() {
            return path;
        }
    }

    /**
     * Applies {@code patch} to a copy of {@code document}.
     *
     * @param patch a JSON array of operations; null is rejected like any other non-array
     * @param document the document to start from, not null; not modified
     * @return the patched copy (the document itself may be replaced, by a path of {@code ""})
     * @throws PatchFailedException if the patch is malformed or an operation does not apply
     * @throws NullPointerException if {@code document} is null
     */
    static JsonNode apply(JsonNode patch, JsonNode document) {
        if (document == null) {
            throw new NullPointerException("document");
        }
        if (patch == null || !patch.isArray()) {
            throw new PatchFailedException(-1, null, "a patch is a JSON array of operations, not " + kind(patch));
        }
        JsonNode root = document.deepCopy();
        for (int i = 0; i < patch.size(); i++) {
            root = new Operation(i, patch.get(i)).applyTo(root);
        }
        return root;
    }

    /** One operation of a patch, read and checked, with what its failures must name. */
    private static final class Operation {
        private final int index;
        private final JsonNode spec;
        private final String op;
        private final String path;

        Operation(int index, JsonNode spec) {
            this.index = index;
            this.spec = spec;
            if (!spec.isObject()) {
                throw new PatchFailedException(index, null, "operation " + index + " is not a JSON object but " + kind(spec));
            }
            JsonNode opNode = spec.get("op");
            JsonNode pathNode = spec.get("path");
            this.op = opNode != null && opNode.isTextual() ? opNode.asText() : null;
            this.path = pathNode != null && pathNode.isTextual() ? pathNode.asText() : null;
            if (op == null) {
                throw fail("no \"op\" string");
            }
            if (path == null) {
                throw fail("no \"path\" string");
            }
        }

        JsonNode applyTo(JsonNode root) {
            List<String> target = pointer(path, "path");
            switch (op) {
                case "add":
                    return add(root, target, value().deepCopy());
                case "remove":
                    remove(root, target);
                    return root;
                case "replace":
                    return replace(root, target, value().deepCopy());
                case "move": {
                    List<String> from = pointer(from(), "from");
                    if (from.equals(target)) {
                        resolve(root, from, from.size());
                        return root;
                    }
                    if (from.size() < target.size() && target.subList(0, from.size()).equals(from)) {
                        throw fail("cannot move \"" + from() + "\" into one of its own children");
                    }
                    return add(root, target, remove(root, from));
                }
                case "copy": {
                    List<String> from = pointer(from(), "from");
                    return add(root, target, resolve(root, from, from.size()).deepCopy());
                }
                case "test": {
                    JsonNode actual = resolve(root, target, target.size());
                    if (!sameValue(actual, value())) {
                        throw fail("test failed: the value is " + shorten(actual) + ", not " + shorten(value()));
                    }
                    return root;
                }
                default:
                    throw fail("unknown op \"" + op + "\"");
            }
        }

        private JsonNode add(JsonNode root, List<String> target, JsonNode value) {
            if (target.isEmpty()) {
                return value;
            }
            JsonNode parent = resolve(root, target, target.size() - 1);
            String last = target.get(target.size() - 1);
            if (parent instanceof ObjectNode object) {
                object.set(last, value);
            } else if (parent instanceof ArrayNode array) {
                if ("-".equals(last)) {
                    array.add(value);
                } else {
                    int at = arrayIndex(last, target);
                    if (at > array.size()) {
                        throw fail("index " + at + " is past the end of the array at " + quoted(target, target.size() - 1) + " ("
                                + array.size() + " elements)");
                    }
                    array.insert(at, value);
                }
            } else {
                throw notAContainer(parent, target, target.size() - 1);
            }
            return root;
        }

        /** Removes what {@code target} names and returns it. */
        private JsonNode remove(JsonNode root, List<String> target) {
            if (target.isEmpty()) {
                throw fail("cannot remove the whole document");
            }
            JsonNode parent = resolve(root, target, target.size() - 1);
            String last = target.get(target.size() - 1);
            JsonNode removed = child(parent, target, target.size() - 1);
            if (parent instanceof ObjectNode object) {
                object.remove(last);
            } else {
                ((ArrayNode) parent).remove(arrayIndex(last, target));
            }
            return removed;
        }

        private JsonNode replace(JsonNode root, List<String> target, JsonNode value) {
            if (target.isEmpty()) {
                return value;
            }
            JsonNode parent = resolve(root, target, target.size() - 1);
            String last = target.get(target.size() - 1);
            child(parent, target, target.size() - 1); // it must exist
            if (parent instanceof ObjectNode object) {
                object.set(last, value);
            } else {
                ((ArrayNode) parent).set(arrayIndex(last, target), value);
            }
            return root;
        }

        /** The node that the first {@code depth} tokens of {@code tokens} name. */
        private JsonNode resolve(JsonNode root, List<String> tokens, int depth) {
            JsonNode node = root;
            for (int i = 0; i < depth; i++) {
                node = child(node, tokens, i);
            }
            return node;
        }

        /** The child of {@code container} that {@code tokens.get(i)} names; it must exist. */
        private JsonNode child(JsonNode container, List<String> tokens, int i) {
            String token = tokens.get(i);
            if (container instanceof ObjectNode object) {
                JsonNode child = object.get(token);
                if (child == null) {
                    throw fail("the object at " + quoted(tokens, i) + " has no member \"" + token + "\"");
                }
                return child;
            }
            if (container instanceof ArrayNode array) {
                if ("-".equals(token)) {
                    throw fail("\"-\" (past the end) names no element of the array at " + quoted(tokens, i));
                }
                int at = arrayIndex(token, tokens);
                if (at >= array.size()) {
                    throw fail("index " + at + " is out of bounds for the array at " + quoted(tokens, i) + " (" + array.size()
                            + " elements)");
                }
                return array.get(at);
            }
            throw notAContainer(container, tokens, i);
        }

        /** An array index as RFC 6901 writes one: 0, or digits without a leading zero. */
        private int arrayIndex(String token, List<String> tokens) {
            boolean digits = !token.isEmpty() && token.length() <= 9 && token.chars().allMatch(c -> c >= '0' && c <= '9');
            if (!digits || (token.length() > 1 && token.charAt(0) == '0')) {
                throw fail("\"" + token + "\" is not an array index (in " + quoted(tokens, tokens.size()) + ")");
            }
            return Integer.parseInt(token);
        }

        private PatchFailedException notAContainer(JsonNode node, List<String> tokens, int i) {
            return fail(quoted(tokens, i) + " is " + kind(node) + ", not an object or an array, so it has no \"" + tokens.get(i)
                    + "\"");
        }

        private JsonNode value() {
            JsonNode value = spec.get("value");
            if (value == null) {
                throw fail("no \"value\"");
            }
            return value;
        }

        private String from() {
            JsonNode from = spec.get("from");
            if (from == null || !from.isTextual()) {
                throw fail("no \"from\" string");
            }
            return from.asText();
        }

        /** The reference tokens of a JSON Pointer (RFC 6901), each escape decoded once. */
        private List<String> pointer(String text, String member) {
            List<String> tokens = new ArrayList<>();
            if (text.isEmpty()) {
                return tokens;
            }
            if (text.charAt(0) != '/') {
                throw fail("\"" + member + "\" is not a JSON pointer: \"" + text + "\" is neither empty nor starts with '/'");
            }
            StringBuilder token = new StringBuilder();
            for (int i = 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '/') {
                    tokens.add(token.toString());
                    token.setLength(0);
                } else if (c == '~') {
                    char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                    if (next != '0' && next != '1') {
                        throw fail("\"" + member + "\" is not a JSON pointer: '~' at " + i + " of \"" + text
                                + "\" is not followed by 0 or 1");
                    }
                    token.append(next == '0' ? '~' : '/');
                    i++;
                } else {
                    token.append(c);
                }
            }
            tokens.add(token.toString());
            return tokens;
        }

        private PatchFailedException fail(String why) {
            String what = op == null || path == null ? "operation " + index : "operation " + index + " (" + op + " \"" + path + "\")";
            return new PatchFailedException(index, path, what + ": " + why);
        }
    }

    /** The pointer to the first {@code depth} tokens, encoded and quoted: {@code "/a~1b/0"}, or {@code ""} for the root. */
    private static String quoted(List<String> tokens, int depth) {
        StringBuilder pointer = new StringBuilder("\"");
        for (String token : tokens.subList(0, depth)) {
            pointer.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return pointer.append('"').toString();
    }

    /** JSON equality as RFC 6902 section 4.6 defines it for {@code test}: numbers by value, members in any order. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            if (!finite(a) || !finite(b)) {
                return a.doubleValue() == b.doubleValue();
            }
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> member : a.properties()) {
                JsonNode other = b.get(member.getKey());
                if (other == null || !sameValue(member.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameValue(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean finite(JsonNode number) {
        return !number.isFloatingPointNumber() || Double.isFinite(number.doubleValue());
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isNull()) {
            return "null";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    private static String shorten(JsonNode node) {
        String text = node.toString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
