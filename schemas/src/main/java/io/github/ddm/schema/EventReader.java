package io.github.ddm.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a ChangeEvent from its JSON tree: checks the schema version first, then the wire types of
 * the envelope fields, and leaves the value rules to {@link ChangeEvent}'s constructor. Unknown
 * members are ignored; a JSON null counts as absent.
 */
final class EventReader {

    private EventReader() {
    }

    static ChangeEvent read(JsonNode root) {
        return read(root, false);
    }

    /**
     * @param owned whether the caller parsed {@code root} itself and holds it nowhere else: then its
     *     patch and state are checked and kept, not copied
     */
    static ChangeEvent read(JsonNode root, boolean owned) {
        if (root != null && root.isArray()) {
            throw new InvalidEventException(ChangeEventCodec.ROOT_FIELD, CompactForm.NEEDS_CONTEXT);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEventException(ChangeEventCodec.ROOT_FIELD, "must be a JSON object, got "
                    + CanonicalJson.typeOf(root));
        }
        checkSchemaVersion(root.get("schema"));
        String eventId = text(root, "eventId", "eventId");
        ChangeOp op = ChangeOp.fromWireCode(text(root, "op", "op"));
        DataKey key = key(root);
        long version = integer(root, "version", "version");
        Long prevVersion = integerOrNull(root, "prevVersion", "prevVersion");
        if (prevVersion == null && op.prevVersionOnWire()) {
            throw new InvalidEventException("prevVersion", "is required for op " + op.wireCode());
        }
        String epoch = text(root, "epoch", "epoch");
        long time = integer(root, "time", "time");
        if (time < 0) {
            throw new InvalidEventException("time", "must be >= 0 (epoch milliseconds), got " + time);
        }
        Origin origin = origin(root);
        String streamId = textOrNull(root, "streamId", "streamId");
        String lineage = textOrNull(root, "lineage", "lineage");
        return new ChangeEvent(eventId, key, op, version, prevVersion == null ? 0 : prevVersion, epoch,
                Instant.ofEpochMilli(time), origin, tree(root, "patch", owned), tree(root, "state", owned), streamId, lineage,
                clock(root.get("clock")), stamps(root.get("stamps")), conflicts(root.get("conflicts")));
    }

    static JsonNode tree(JsonNode root, String field, boolean owned) {
        JsonNode node = root.get(field);
        return owned && node != null && node.isContainerNode() ? CanonicalJson.adopt(field, node) : node;
    }

    static VersionVector clock(JsonNode node) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidEventException("clock", "must be a JSON object, got " + CanonicalJson.typeOf(node));
        }
        TreeMap<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, JsonNode> count : node.properties()) {
            String field = "clock." + count.getKey();
            check(field, Rules.replicaProblem(count.getKey()));
            Long value = integerOrNull(node, count.getKey(), field);
            if (value == null || value < 1) {
                throw new InvalidEventException(field, "must be an integer >= 1, got "
                        + (value == null ? CanonicalJson.typeOf(count.getValue()) : value));
            }
            counts.put(count.getKey(), value);
        }
        return new VersionVector(counts);
    }

    static TreeMap<String, Stamp> stamps(JsonNode node) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isObject()) {
            throw new InvalidEventException("stamps", "must be a JSON object, got " + CanonicalJson.typeOf(node));
        }
        TreeMap<String, Stamp> stamps = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String field = "stamps." + entry.getKey();
            if (!Rules.isJsonPointer(entry.getKey())) {
                throw new InvalidEventException(field, "the key must be a JSON Pointer");
            }
            stamps.put(entry.getKey(), stamp(entry.getValue(), field));
        }
        return stamps;
    }

    static List<Conflict> conflicts(JsonNode node) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isArray()) {
            throw new InvalidEventException("conflicts", "must be a JSON array, got " + CanonicalJson.typeOf(node));
        }
        List<Conflict> conflicts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String field = "conflicts[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                throw new InvalidEventException(field, "must be a JSON object, got " + CanonicalJson.typeOf(item));
            }
            String path = text(item, "path", field + ".path");
            if (!Rules.isJsonPointer(path)) {
                throw new InvalidEventException(field + ".path", "must be a JSON Pointer, got " + Rules.quote(path));
            }
            conflicts.add(new Conflict(path, stamp(item.get("kept"), field + ".kept"), stamp(item.get("lost"), field + ".lost")));
        }
        return conflicts;
    }

    private static Stamp stamp(JsonNode node, String field) {
        if (isAbsent(node)) {
            throw new InvalidEventException(field, "is required");
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(field, "must be a string, got " + CanonicalJson.typeOf(node));
        }
        try {
            return Stamp.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(field, e.getMessage(), e);
        }
    }

    static void checkSchemaVersion(JsonNode schema) {
        String known = "this build knows " + ChangeEventCodec.supportedSchemaVersions();
        if (isAbsent(schema)) {
            throw new InvalidEventException("schema", "is required (" + known + ")");
        }
        if (!schema.isIntegralNumber()) {
            throw new InvalidEventException("schema", "must be an integer, got " + CanonicalJson.typeOf(schema)
                    + " (" + known + ")");
        }
        if (!schema.canConvertToInt() || !ChangeEventCodec.supportedSchemaVersions().contains(schema.intValue())) {
            throw new InvalidEventException("schema", "version " + Rules.quote(schema.asText()) + " is not supported; "
                    + known);
        }
    }

    private static DataKey key(JsonNode root) {
        JsonNode key = object(root, "key");
        String partition = text(key, "partition", "key.partition");
        check("key.partition", Rules.shortNameProblem(partition));
        String section = text(key, "section", "key.section");
        check("key.section", Rules.shortNameProblem(section));
        String id = text(key, "id", "key.id");
        check("key.id", Rules.idProblem(id));
        return new DataKey(partition, section, id);
    }

    private static Origin origin(JsonNode root) {
        JsonNode origin = object(root, "origin");
        String region = text(origin, "region", "origin.region");
        check("origin.region", Rules.shortNameProblem(region));
        String node = text(origin, "node", "origin.node");
        check("origin.node", Rules.shortNameProblem(node));
        return new Origin(region, node);
    }

    static void check(String field, String problem) {
        if (problem != null) {
            throw new InvalidEventException(field, problem);
        }
    }

    private static JsonNode object(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        if (isAbsent(node)) {
            throw new InvalidEventException(name, "is required");
        }
        if (!node.isObject()) {
            throw new InvalidEventException(name, "must be a JSON object, got " + CanonicalJson.typeOf(node));
        }
        return node;
    }

    private static String text(JsonNode parent, String name, String field) {
        String value = textOrNull(parent, name, field);
        if (value == null) {
            throw new InvalidEventException(field, "is required");
        }
        return value;
    }

    private static String textOrNull(JsonNode parent, String name, String field) {
        return textOrNull(parent.get(name), field);
    }

    static String textOrNull(JsonNode node, String field) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(field, "must be a string, got " + CanonicalJson.typeOf(node));
        }
        return node.textValue();
    }

    private static long integer(JsonNode parent, String name, String field) {
        Long value = integerOrNull(parent, name, field);
        if (value == null) {
            throw new InvalidEventException(field, "is required");
        }
        return value;
    }

    private static Long integerOrNull(JsonNode parent, String name, String field) {
        return integerOrNull(parent.get(name), field);
    }

    static Long integerOrNull(JsonNode node, String field) {
        if (isAbsent(node)) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw new InvalidEventException(field, "must be an integer written without fraction or exponent, got "
                    + (node.isNumber() ? node.asText() : CanonicalJson.typeOf(node)));
        }
        if (!node.canConvertToLong()) {
            throw new InvalidEventException(field, "must fit in a signed 64-bit integer, got "
                    + Rules.quote(node.asText()));
        }
        return node.longValue();
    }

    static boolean isAbsent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }
}
