package io.github.ddm.internal.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Applies an RFC 6902 JSON Patch to a copy of a document, all or nothing.
 *
 * <p>DDM applies patches itself rather than through zjsonpatch, whose JSON Pointer decoding
 * unescapes {@code ~0} before {@code ~1} (zjsonpatch issue #82, still present in 0.4.16): a
 * member literally named {@code "t~1"}, encoded {@code /t~01}, is looked up as {@code "t/"}.
 * RFC 6901 requires {@code ~1} first. zjsonpatch still computes the diffs, whose encoding is right.
 *
 * <p>The result shares every node the patch does not touch with the base (and with the patch's
 * values): only the containers on the path to a change are copied. That makes an apply cost what
 * the change touches, not the size of the document, and it requires that nobody modifies a tree
 * once built, which DDM never does. Stateless and thread-safe. Neither the patch nor the base is
 * modified.
 */
final class JsonPatchApplier {

    private static final Comparator<JsonNode> NUMERIC =
            (a, b) -> a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : (a.equals(b) ? 0 : 1);

    private JsonPatchApplier() {
    }

    /**
     * @return the patched copy of {@code base}
     * @throws PatchEngine.PatchFailedException naming the operation that does not fit
     */
    static JsonNode apply(JsonNode patch, JsonNode base) {
        if (!patch.isArray()) {
            throw fail(-1, "a JSON Patch must be an array");
        }
        JsonNode doc = base;
        for (int i = 0; i < patch.size(); i++) {
            JsonNode op = patch.get(i);
            String path = text(op, "path", i);
            switch (text(op, "op", i)) {
                case "add":
                    doc = add(doc, parse(path, i), value(op, i), i);
                    break;
                case "remove":
                    doc = remove(doc, parse(path, i), i);
                    break;
                case "replace": {
                    List<String> tokens = parse(path, i);
                    get(doc, tokens, i);
                    doc = tokens.isEmpty() ? value(op, i) : set(doc, tokens, value(op, i), i);
                    break;
                }
                case "move": {
                    List<String> from = parse(text(op, "from", i), i);
                    List<String> to = parse(path, i);
                    if (to.size() > from.size() && to.subList(0, from.size()).equals(from)) {
                        throw fail(i, "cannot move a value into one of its own children");
                    }
                    JsonNode value = get(doc, from, i);
                    if (from.isEmpty()) {
                        throw fail(i, "cannot move the root");
                    }
                    doc = remove(doc, from, i);
                    doc = add(doc, to, value, i);
                    break;
                }
                case "copy":
                    doc = add(doc, parse(path, i), get(doc, parse(text(op, "from", i), i), i), i);
                    break;
                case "test":
                    if (!get(doc, parse(path, i), i).equals(NUMERIC, value(op, i))) {
                        throw fail(i, "test failed at " + path);
                    }
                    break;
                default:
                    throw fail(i, "unknown op '" + op.path("op").asText() + "'");
            }
        }
        return doc;
    }

    private static JsonNode add(JsonNode doc, List<String> tokens, JsonNode value, int i) {
        if (tokens.isEmpty()) {
            return value;
        }
        JsonNode[] path = copyToParent(doc, tokens, i);
        JsonNode parent = path[1];
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            int index = last.equals("-") ? array.size() : index(last, array.size(), i);
            array.insert(index, value);
        }
        return path[0];
    }

    private static JsonNode remove(JsonNode doc, List<String> tokens, int i) {
        if (tokens.isEmpty()) {
            throw fail(i, "cannot remove the root");
        }
        JsonNode[] path = copyToParent(doc, tokens, i);
        JsonNode parent = path[1];
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            if (object.remove(last) == null) {
                throw fail(i, "no member '" + last + "' to remove");
            }
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.remove(index(last, array.size() - 1, i));
        }
        return path[0];
    }

    private static JsonNode set(JsonNode doc, List<String> tokens, JsonNode value, int i) {
        JsonNode[] path = copyToParent(doc, tokens, i);
        JsonNode parent = path[1];
        String last = tokens.get(tokens.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else {
            ((ArrayNode) parent).set(index(last, parent.size() - 1, i), value);
        }
        return path[0];
    }

    /**
     * A new root whose containers on the way to the target's parent are shallow copies (everything
     * else is shared), and that copied parent: {@code {root, parent}}.
     */
    private static JsonNode[] copyToParent(JsonNode doc, List<String> tokens, int i) {
        JsonNode root = shallowCopy(doc, i);
        JsonNode node = root;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            JsonNode copy;
            if (node instanceof ObjectNode object) {
                JsonNode child = object.get(token);
                if (child == null) {
                    throw fail(i, "no value at '" + token + "'");
                }
                copy = shallowCopy(child, i);
                object.set(token, copy);
            } else {
                ArrayNode array = (ArrayNode) node;
                int index = index(token, array.size() - 1, i);
                copy = shallowCopy(array.get(index), i);
                array.set(index, copy);
            }
            node = copy;
        }
        return new JsonNode[] {root, node};
    }

    private static JsonNode shallowCopy(JsonNode node, int i) {
        if (node instanceof ObjectNode object) {
            return JsonNodeFactory.instance.objectNode().setAll(object);
        }
        if (node instanceof ArrayNode array) {
            return JsonNodeFactory.instance.arrayNode(array.size()).addAll(array);
        }
        throw fail(i, "the parent of the target is not a container");
    }

    private static JsonNode get(JsonNode doc, List<String> tokens, int i) {
        JsonNode node = doc;
        for (String token : tokens) {
            JsonNode next;
            if (node instanceof ObjectNode) {
                next = node.get(token);
            } else if (node instanceof ArrayNode) {
                next = node.get(index(token, node.size() - 1, i));
            } else {
                next = null;
            }
            if (next == null) {
                throw fail(i, "no value at '" + token + "'");
            }
            node = next;
        }
        return node;
    }

    /** An array index token: "0" or digits without a leading zero, at most {@code max}. */
    private static int index(String token, int max, int i) {
        boolean digits = !token.isEmpty() && token.chars().allMatch(c -> c >= '0' && c <= '9')
                && (token.length() == 1 || token.charAt(0) != '0') && token.length() < 10;
        if (!digits) {
            throw fail(i, "'" + token + "' is not an array index");
        }
        int index = Integer.parseInt(token);
        if (index > max) {
            throw fail(i, "array index " + index + " is out of bounds");
        }
        return index;
    }

    /** RFC 6901: split on '/', then decode ~1 before ~0 in each token. */
    static List<String> parse(String pointer, int i) {
        List<String> tokens = new ArrayList<>();
        if (pointer.isEmpty()) {
            return tokens;
        }
        if (pointer.charAt(0) != '/') {
            throw fail(i, "a JSON Pointer must be empty or start with '/': '" + pointer + "'");
        }
        int start = 1;
        while (true) {
            int end = pointer.indexOf('/', start);
            String raw = pointer.substring(start, end < 0 ? pointer.length() : end);
            tokens.add(unescape(raw, i));
            if (end < 0) {
                return tokens;
            }
            start = end + 1;
        }
    }

    private static String unescape(String raw, int i) {
        if (raw.indexOf('~') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int c = 0; c < raw.length(); c++) {
            char ch = raw.charAt(c);
            if (ch != '~') {
                out.append(ch);
                continue;
            }
            char next = c + 1 < raw.length() ? raw.charAt(c + 1) : 0;
            if (next == '0') {
                out.append('~');
            } else if (next == '1') {
                out.append('/');
            } else {
                throw fail(i, "'~' must be followed by 0 or 1 in a JSON Pointer");
            }
            c++;
        }
        return out.toString();
    }

    private static String text(JsonNode op, String field, int i) {
        JsonNode value = op.get(field);
        if (value == null || !value.isTextual()) {
            throw fail(i, "'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static JsonNode value(JsonNode op, int i) {
        JsonNode value = op.get("value");
        if (value == null) {
            throw fail(i, "'value' is required");
        }
        return value;
    }

    private static PatchEngine.PatchFailedException fail(int index, String message) {
        return new PatchEngine.PatchFailedException(index < 0 ? message : "operation " + index + ": " + message, null);
    }
}
