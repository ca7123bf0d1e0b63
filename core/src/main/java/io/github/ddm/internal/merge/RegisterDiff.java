package io.github.ddm.internal.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The RFC 6902 patch between two documents, in the form regions can merge (docs/regions.md,
 * "What a change writes"): only {@code add}, {@code remove} and {@code replace}; objects are
 * compared member by member; an array whose length stays the same is compared element by element,
 * and an array whose length changes is replaced as a whole, so every operation names a place that
 * exists, with the same meaning, in every copy that has seen the same changes. Removes carry no
 * value. Stateless.
 */
public final class RegisterDiff {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RegisterDiff() {
    }

    /** The patch that turns {@code from} into {@code to}; empty when they are equal. */
    public static ArrayNode diff(JsonNode from, JsonNode to) {
        ArrayNode patch = NODES.arrayNode();
        diff("", from, to, patch);
        return patch;
    }

    private static void diff(String path, JsonNode from, JsonNode to, ArrayNode patch) {
        if (from.equals(to)) {
            return;
        }
        if (from.isObject() && to.isObject()) {
            for (Iterator<String> names = from.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!to.has(name)) {
                    patch.addObject().put("op", "remove").put("path", Pointers.child(path, name));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> members = ((ObjectNode) to).fields(); members.hasNext(); ) {
                Map.Entry<String, JsonNode> member = members.next();
                JsonNode before = from.get(member.getKey());
                if (before == null) {
                    patch.addObject().put("op", "add").put("path", Pointers.child(path, member.getKey())).set("value", member.getValue());
                } else {
                    diff(Pointers.child(path, member.getKey()), before, member.getValue(), patch);
                }
            }
        } else if (from.isArray() && to.isArray() && from.size() == to.size()) {
            for (int i = 0; i < to.size(); i++) {
                diff(path + "/" + i, from.get(i), to.get(i), patch);
            }
        } else {
            patch.addObject().put("op", "replace").put("path", path).set("value", to);
        }
    }
}
