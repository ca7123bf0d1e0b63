package io.github.ddm.internal.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain RFC 6902 applier for tests, the independent oracle against which core's
 * {@link JsonPatchApplier} and the diffs are checked: it deep-copies the document and edits the
 * copy in place, one operation at a time, with none of the structure sharing of core's applier.
 * Pointers are decoded as RFC 6901 says ({@code ~1} before {@code ~0}), which zjsonpatch's applier
 * does not (its issue #82), so it cannot serve here.
 */
final class ReferenceJsonPatch {

    /** The patch does not apply. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private ReferenceJsonPatch() {
    }

    /** The patched copy of {@code document}; neither argument is modified. */
    static JsonNode apply(JsonNode patch, JsonNode document) {
        if (!patch.isArray()) {
            throw new Failed("not an array");
        }
        JsonNode doc = document.deepCopy();
        for (JsonNode op : patch) {
            doc = applyOne(op, doc);
        }
        return doc;
    }

    private static JsonNode applyOne(JsonNode op, JsonNode doc) {
        List<String> path = tokens(text(op, "path"));
        switch (text(op, "op")) {
            case "add":
                return add(doc, path, value(op).deepCopy());
            case "remove":
                return remove(doc, path);
            case "replace":
                locate(doc, path);
                return path.isEmpty() ? value(op).deepCopy() : add(remove(doc, path), path, value(op).deepCopy());
            case "move": {
                List<String> from = tokens(text(op, "from"));
                if (path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
                    throw new Failed("move into its own child");
                }
                JsonNode moved = locate(doc, from);
                return add(remove(doc, from), path, moved);
            }
            case "copy":
                return add(doc, path, locate(doc, tokens(text(op, "from"))).deepCopy());
            case "test":
                if (!sameJson(locate(doc, path), value(op))) {
                    throw new Failed("test failed");
                }
                return doc;
            default:
                throw new Failed("unknown op");
        }
    }

    private static JsonNode add(JsonNode doc, List<String> path, JsonNode value) {
        if (path.isEmpty()) {
            return value;
        }
        JsonNode parent = locate(doc, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        } else if (parent.isArray()) {
            ArrayNode array = (ArrayNode) parent;
            if (last.equals("-")) {
                array.add(value);
            } else {
                array.insert(index(last, array.size()), value);
            }
        } else {
            throw new Failed("parent is not a container");
        }
        return doc;
    }

    /** Removing the root is refused: a document is never absent (RFC 6902 leaves it open). */
    private static JsonNode remove(JsonNode doc, List<String> path) {
        if (path.isEmpty()) {
            throw new Failed("remove the root");
        }
        JsonNode parent = locate(doc, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent.isObject()) {
            if (!parent.has(last)) {
                throw new Failed("no member " + last);
            }
            ((ObjectNode) parent).remove(last);
        } else if (parent.isArray()) {
            ((ArrayNode) parent).remove(index(last, parent.size() - 1));
        } else {
            throw new Failed("parent is not a container");
        }
        return doc;
    }

    private static JsonNode locate(JsonNode doc, List<String> path) {
        JsonNode node = doc;
        for (String token : path) {
            if (node.isObject() && node.has(token)) {
                node = node.get(token);
            } else if (node.isArray()) {
                node = node.get(index(token, node.size() - 1));
            } else {
                throw new Failed("nothing at " + token);
            }
        }
        return node;
    }

    /** RFC 6901: "0", or digits without a leading zero; at most {@code max}. */
    private static int index(String token, int max) {
        if (!token.matches("0|[1-9][0-9]{0,8}")) {
            throw new Failed("not an index: " + token);
        }
        int index = Integer.parseInt(token);
        if (index > max) {
            throw new Failed("index out of bounds: " + index);
        }
        return index;
    }

    static List<String> tokens(String pointer) {
        List<String> tokens = new ArrayList<>();
        if (pointer.isEmpty()) {
            return tokens;
        }
        if (!pointer.startsWith("/")) {
            throw new Failed("not a pointer: " + pointer);
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            if (raw.replace("~0", "").replace("~1", "").contains("~")) {
                throw new Failed("bad escape in " + pointer);
            }
            tokens.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    /** The pointer of a path of member names and indexes. */
    static String pointer(List<String> tokens) {
        StringBuilder out = new StringBuilder();
        for (String token : tokens) {
            out.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }

    /** JSON equality as RFC 6902's test defines it: numbers by value, objects regardless of member order. */
    static boolean sameJson(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> members = a.fields(); members.hasNext(); ) {
                Map.Entry<String, JsonNode> member = members.next();
                JsonNode other = b.get(member.getKey());
                if (other == null || !sameJson(member.getValue(), other)) {
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
                if (!sameJson(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static String text(JsonNode op, String field) {
        JsonNode value = op.get(field);
        if (value == null || !value.isTextual()) {
            throw new Failed("'" + field + "' is not a string");
        }
        return value.textValue();
    }

    private static JsonNode value(JsonNode op) {
        JsonNode value = op.get("value");
        if (value == null) {
            throw new Failed("no value");
        }
        return value;
    }
}
