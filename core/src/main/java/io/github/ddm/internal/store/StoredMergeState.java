package io.github.ddm.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.internal.merge.MergeState;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A document's merge state as Redis holds it (docs/regions.md, "Redis layout"): the clock in field
 * {@code v}, the whole document's stamp in {@code r}, and for each top-level member {@code m<name>}
 * either the member's stamp, or a JSON object from pointers inside the member ({@code ""} for the
 * member itself) to stamps. Converts both ways; stateless.
 */
public final class StoredMergeState {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The replica that the history of a document written before regions support counts under: the
     * same in every region, so that copies of such a document with the same history have the same
     * clock (docs/regions.md).
     */
    public static final String LEGACY_REPLICA = "_legacy~0";

    private StoredMergeState() {
    }

    /**
     * Reads the fields of a merge state hash.
     *
     * @param fields the hash's fields (empty for a document without merge state: never written, or
     *     written before regions support)
     * @param storedVersion the document's version: a document written before regions support has no
     *     clock, and its history counts under {@link #LEGACY_REPLICA}, as the commit script counts it
     * @throws IllegalArgumentException naming the field that cannot be read
     */
    public static MergeState parse(Map<String, String> fields, long storedVersion) {
        String clockText = fields.get(RedisLayout.CLOCK_FIELD);
        VersionVector clock = clockText != null ? VersionVector.parseJson(clockText)
                : storedVersion > 0 ? VersionVector.of(Map.of(LEGACY_REPLICA, storedVersion)) : VersionVector.EMPTY;
        TreeMap<String, Stamp> stamps = new TreeMap<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String name = field.getKey();
            if (name.equals(RedisLayout.ROOT_STAMP_FIELD)) {
                stamps.put("", Stamp.parse(field.getValue()));
            } else if (name.startsWith(RedisLayout.MEMBER_STAMPS_PREFIX)) {
                String member = "/" + escape(name.substring(RedisLayout.MEMBER_STAMPS_PREFIX.length()));
                String value = field.getValue();
                if (!value.startsWith("{")) {
                    stamps.put(member, Stamp.parse(value));
                    continue;
                }
                JsonNode inner;
                try {
                    inner = JSON.readTree(value);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("merge state field '" + name + "' is not JSON: " + e.getOriginalMessage(), e);
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = inner.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    stamps.put(member + entry.getKey(), Stamp.parse(entry.getValue().asText()));
                }
            }
        }
        return new MergeState(clock, stamps);
    }

    /**
     * The member fields ({@code m<name>}) of a state's stamps, with their values.
     *
     * @return field name to value, in member order
     */
    public static Map<String, String> memberFields(MergeState state) {
        Map<String, SortedMap<String, Stamp>> byMember = new LinkedHashMap<>();
        for (Map.Entry<String, Stamp> stamp : state.stamps().entrySet()) {
            String pointer = stamp.getKey();
            if (pointer.isEmpty()) {
                continue;
            }
            int end = pointer.indexOf('/', 1);
            String member = pointer.substring(0, end < 0 ? pointer.length() : end);
            byMember.computeIfAbsent(member, k -> new TreeMap<>()).put(pointer.substring(member.length()), stamp.getValue());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        byMember.forEach((member, stamps) -> fields.put(RedisLayout.MEMBER_STAMPS_PREFIX + unescape(member.substring(1)),
                memberValue(stamps)));
        return fields;
    }

    /**
     * The field writes that turn the stored {@code before} into {@code after}: changed or new
     * member fields, '' for member fields that go, and the clock and root stamp.
     *
     * @param reset true when every member field is cleared first (the root stamp changed)
     */
    public static Map<String, String> changes(MergeState before, MergeState after, boolean reset) {
        Map<String, String> writes = new LinkedHashMap<>();
        writes.put(RedisLayout.CLOCK_FIELD, after.clock().toJson());
        Stamp root = after.root();
        if (root != null && !root.equals(before.root())) {
            writes.put(RedisLayout.ROOT_STAMP_FIELD, root.toString());
        }
        Map<String, String> next = memberFields(after);
        if (reset) {
            writes.putAll(next);
            return writes;
        }
        Map<String, String> previous = new HashMap<>(memberFields(before));
        next.forEach((field, value) -> {
            if (!value.equals(previous.remove(field))) {
                writes.put(field, value);
            }
        });
        previous.keySet().forEach(field -> writes.put(field, ""));
        return writes;
    }

    private static String memberValue(SortedMap<String, Stamp> stamps) {
        if (stamps.size() == 1 && stamps.containsKey("")) {
            return stamps.get("").toString();
        }
        Map<String, String> text = new TreeMap<>();
        stamps.forEach((inner, stamp) -> text.put(inner, stamp.toString()));
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stamps failed to serialize", e);
        }
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }
}
