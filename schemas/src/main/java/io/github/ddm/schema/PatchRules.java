package io.github.ddm.schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The structural rules of an RFC 6902 JSON Patch: an array of operation objects, each with a known
 * {@code op}, a JSON Pointer {@code path}, a {@code value} for add/replace/test and a JSON Pointer
 * {@code from} for move/copy. Other members of an operation are ignored, as RFC 6902 says. Whether
 * the patch applies to a document is not checked here: that needs the document.
 */
final class PatchRules {

    private static final String POINTER_RULE =
            "must be a JSON Pointer (\"\" or starting with \"/\", '~' only as ~0 or ~1), got ";

    private PatchRules() {
    }

    /**
     * Checks a patch.
     *
     * @throws InvalidEventException naming {@code patch} or the bad element, e.g. {@code patch[2].op}
     */
    static void check(JsonNode patch) {
        if (!patch.isArray()) {
            throw new InvalidEventException("patch", "must be a JSON array (an RFC 6902 JSON Patch), got "
                    + CanonicalJson.typeOf(patch));
        }
        for (int i = 0; i < patch.size(); i++) {
            checkOperation(patch.get(i), i);
        }
    }

    private static void checkOperation(JsonNode operation, int index) {
        if (!operation.isObject()) {
            throw new InvalidEventException(at(index, null), "must be a JSON object, got "
                    + CanonicalJson.typeOf(operation));
        }
        JsonNode op = operation.get("op");
        if (op == null || !op.isTextual()) {
            throw new InvalidEventException(at(index, "op"), op == null ? "is required"
                    : "must be a string, got " + CanonicalJson.typeOf(op));
        }
        boolean needsValue;
        boolean needsFrom;
        switch (op.textValue()) {
            case "add", "replace", "test" -> {
                needsValue = true;
                needsFrom = false;
            }
            case "move", "copy" -> {
                needsValue = false;
                needsFrom = true;
            }
            case "remove" -> {
                needsValue = false;
                needsFrom = false;
            }
            default -> throw new InvalidEventException(at(index, "op"),
                    "must be one of add, remove, replace, move, copy, test, got " + Rules.quote(op.textValue()));
        }
        checkPointer(operation, index, "path", true);
        checkPointer(operation, index, "from", needsFrom);
        if (needsValue && !operation.has("value")) {
            throw new InvalidEventException(at(index, "value"), "is required for op " + op.textValue());
        }
    }

    private static void checkPointer(JsonNode operation, int index, String member, boolean required) {
        JsonNode pointer = operation.get(member);
        if (pointer == null) {
            if (required) {
                throw new InvalidEventException(at(index, member), "is required for op " + operation.get("op").textValue());
            }
            return;
        }
        if (!pointer.isTextual()) {
            throw new InvalidEventException(at(index, member), "must be a string, got " + CanonicalJson.typeOf(pointer));
        }
        if (!Rules.isJsonPointer(pointer.textValue())) {
            throw new InvalidEventException(at(index, member), POINTER_RULE + Rules.quote(pointer.textValue()));
        }
    }

    private static String at(int index, String member) {
        return "patch[" + index + "]" + (member == null ? "" : "." + member);
    }
}
