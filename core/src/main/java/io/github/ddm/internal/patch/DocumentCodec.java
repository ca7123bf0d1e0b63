package io.github.ddm.internal.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.DatatypeFeatures;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.CorruptDocumentException;
import io.github.ddm.InvalidDocumentException;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.CanonicalForm;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.InvalidEventException;
import java.io.IOException;
import java.util.Map;

/**
 * Converts between the user's type {@code T}, its JSON tree, its JSON bytes, and the per-member
 * JSON text stored in Redis. Every failure names the key and what is wrong.
 *
 * <p>Thread-safe (Jackson readers and writers are).
 *
 * @param <T> the document type
 */
public final class DocumentCodec<T> {

    /**
     * The deepest a document may nest containers (the document object is level 1): change events
     * allow 500 (docs/schema.md), and an update's patch carries a member's value one level deeper
     * than the document holds it.
     */
    public static final int MAX_DEPTH = 499;

    private final ObjectMapper mapper;
    private final Class<T> type;
    private final ObjectReader reader;
    private final ObjectWriter writer;
    /** Writes values into a {@link TreeWriter}, configured as {@code valueToTree} is (no root wrapping). */
    private final ObjectWriter treeWriter;
    /** Whether values take the {@link TreeWriter} path (else Jackson's {@code valueToTree}, then the checks). */
    private final boolean buildsTrees;
    private final boolean stripDecimalZeros;

    public DocumentCodec(ObjectMapper mapper, Class<T> type) {
        this.mapper = mapper;
        this.type = type;
        this.reader = mapper.readerFor(type);
        this.writer = mapper.writer();
        this.treeWriter = mapper.writer().without(SerializationFeature.WRAP_ROOT_VALUE);
        // valueToTree reads floating-point numbers as BigDecimals under this feature: leave such mappers to it.
        this.buildsTrees = !mapper.isEnabled(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        DatatypeFeatures features = mapper.getDeserializationConfig().getDatatypeFeatures();
        this.stripDecimalZeros = features.isExplicitlySet(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                ? features.isEnabled(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                : mapper.getNodeFactory().willStripTrailingBigDecimalZeroes();
    }

    /** A generator for one value's tree, configured as the mapper's own tree reader would read it. */
    private TreeWriter newTreeWriter() {
        return new TreeWriter(mapper, MAX_DEPTH, stripDecimalZeros);
    }

    /** The document type. */
    public Class<T> type() {
        return type;
    }

    /**
     * The value as a JSON object tree in its {@linkplain CanonicalForm canonical} form (numbers as
     * change events carry them), built as Jackson serializes the value ({@link TreeWriter}).
     *
     * @throws InvalidDocumentException if it does not serialize, is not a JSON object, has a reserved member name,
     *     or holds what JSON text cannot carry (a non-finite number, an unpaired surrogate, nesting deeper
     *     than {@link #MAX_DEPTH}); the message names the member
     */
    public ObjectNode toTree(DataKey key, T value) {
        if (value == null) {
            throw new InvalidDocumentException(key, "the value is null; use delete to remove a document", null);
        }
        if (!buildsTrees) {
            return treeByJackson(key, value);
        }
        TreeWriter tree = newTreeWriter();
        try {
            treeWriter.writeValue(tree, value);
            return tree.root();
        } catch (IOException | RuntimeException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof TreeWriter.Problem) && !(cause instanceof TreeWriter.Unsupported)) {
                cause = cause.getCause() == cause ? null : cause.getCause();
            }
            if (cause instanceof TreeWriter.Problem problem) {
                throw invalid(key, problem.member(), problem.pointer(), problem.problem());
            }
            if (cause == null && e instanceof IOException) {
                throw new InvalidDocumentException(key, "cannot serialize " + value.getClass().getName() + ": " + e.getMessage(), e);
            }
            if (cause == null) {
                throw (RuntimeException) e;
            }
        }
        return treeByJackson(key, value);
    }

    /**
     * Jackson's own tree of the value, checked and normalized after the fact: for values whose
     * serializers write what {@link TreeWriter} leaves to Jackson (raw JSON, binary, a root that is
     * not an object), so that they get exactly the tree and the errors they always got.
     */
    ObjectNode treeByJackson(DataKey key, T value) {
        JsonNode tree;
        try {
            tree = mapper.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException(key, "cannot serialize " + value.getClass().getName() + ": " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidDocumentException(key, value.getClass().getName() + " serializes to a JSON "
                    + (tree == null ? "null" : tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
                    + ", but a document must be a JSON object", null);
        }
        for (Map.Entry<String, JsonNode> member : tree.properties()) {
            String name = member.getKey();
            if (RedisLayout.isReservedMemberName(name)) {
                throw invalid(key, null, null, "top-level member names must not start with the NUL character (reserved for metadata)");
            }
            StringBuilder pointer = new StringBuilder();
            String problem = unfitForJson(name, member.getValue(), pointer, 2);
            if (problem != null) {
                throw invalid(key, name, pointer.toString(), problem);
            }
        }
        try {
            return CanonicalForm.normalize((ObjectNode) tree);
        } catch (InvalidEventException e) {
            throw new InvalidDocumentException(key, e.getMessage(), e);
        }
    }

    /** The failure of a member that JSON text cannot carry, or of a reserved top-level name ({@code member} null). */
    private static InvalidDocumentException invalid(DataKey key, String member, String pointer, String problem) {
        if (member == null) {
            return new InvalidDocumentException(key, problem, null);
        }
        // The pointer of a too-deep value is hundreds of levels long: the member says enough.
        String at = pointer.length() <= 200 ? " at '" + printable(pointer) + "'" : "";
        return new InvalidDocumentException(key, "member '" + printable(member) + "' " + problem.replace("{at}", at), null);
    }

    /**
     * Why a value cannot travel as JSON text (what change events reject, docs/schema.md), or null:
     * a non-finite or overlong number, an unpaired surrogate, or containers nested deeper than
     * {@link #MAX_DEPTH}. {@code pointer} is left at the offending place.
     */
    private static String unfitForJson(String name, JsonNode value, StringBuilder pointer, int depth) {
        int mark = pointer.length();
        pointer.append('/').append(name.replace("~", "~0").replace("/", "~1"));
        if (hasUnpairedSurrogate(name)) {
            return "holds a member name with an unpaired surrogate{at}, which JSON text cannot carry";
        }
        if (value.isContainerNode()) {
            if (depth > MAX_DEPTH) {
                return "nests deeper than " + MAX_DEPTH + " levels{at} (the document itself is level 1), more than a change "
                        + "event can carry";
            }
            if (value.isObject()) {
                for (Map.Entry<String, JsonNode> child : value.properties()) {
                    String problem = unfitForJson(child.getKey(), child.getValue(), pointer, depth + 1);
                    if (problem != null) {
                        return problem;
                    }
                }
            } else {
                for (int i = 0; i < value.size(); i++) {
                    String problem = unfitForJson(Integer.toString(i), value.get(i), pointer, depth + 1);
                    if (problem != null) {
                        return problem;
                    }
                }
            }
        } else if (value.isTextual()) {
            if (hasUnpairedSurrogate(value.textValue())) {
                return "holds a string with an unpaired surrogate{at}, which JSON text cannot carry";
            }
        } else if (value.isFloatingPointNumber() && !value.isBigDecimal()) {
            if (!Double.isFinite(value.doubleValue())) {
                return "holds a non-finite number (" + value.doubleValue() + "){at}, which JSON text cannot carry";
            }
        } else if (value.isBigDecimal() || value.isBigInteger()) {
            try {
                CanonicalForm.normalize(JsonNodeFactory.instance.arrayNode(1).add(value));
            } catch (InvalidEventException e) {
                String text = value.asText();
                return "holds a number that JSON text cannot carry ("
                        + (text.length() > 40 ? text.substring(0, 20) + "... " + text.length() + " characters" : text) + "){at}";
            }
        }
        pointer.setLength(mark);
        return null;
    }

    static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** The text with surrogates and control characters written as backslash-u escapes, for messages. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c) || Character.isISOControl(c)) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The typed value of a tree that came from Redis or a change event.
     *
     * @throws CorruptDocumentException if the tree does not map to {@code T}
     */
    public T fromTree(DataKey key, String redisKey, JsonNode tree) {
        try {
            return reader.treeToValue(tree, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptDocumentException(key, redisKey, null, "the JSON does not map to " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Maps a tree to a caller's projection type, ignoring members the type does not declare. */
    public <P> P project(DataKey key, String redisKey, JsonNode tree, Class<P> view) {
        try {
            return mapper.readerFor(view).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).treeToValue(tree, view);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptDocumentException(key, redisKey, null, "the members do not map to " + view.getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The typed value of JSON bytes written by {@link #toBytes}.
     *
     * @throws CorruptDocumentException if they do not map to {@code T} (a COPY_ON_READ cache keeps a
     *     changed document's bytes without mapping them first)
     */
    public T fromBytes(DataKey key, String redisKey, byte[] json) {
        try {
            return reader.readValue(json);
        } catch (IOException e) {
            throw new CorruptDocumentException(key, redisKey, null, "the cached JSON does not map to " + type.getName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The tree of JSON bytes written by {@link #toBytes}. */
    public ObjectNode treeOfBytes(byte[] json) {
        try {
            return (ObjectNode) mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("cached JSON cannot be read back", e);
        }
    }

    /** Compact JSON bytes of a tree. */
    public byte[] toBytes(JsonNode tree) {
        try {
            return writer.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
    }

    /**
     * The canonical JSON text of one member value, as every region stores it (members sorted,
     * numbers as change events carry them: see {@link CanonicalForm}).
     */
    public String memberJson(JsonNode value) {
        return CanonicalForm.text(value);
    }

    /**
     * Rebuilds a document tree from the member texts stored in Redis.
     *
     * @throws CorruptDocumentException naming the first member that is not valid JSON
     */
    public ObjectNode fromMembers(DataKey key, String redisKey, Map<String, String> members) {
        ObjectNode tree = mapper.createObjectNode();
        for (Map.Entry<String, String> member : members.entrySet()) {
            try {
                tree.set(member.getKey(), mapper.readTree(member.getValue()));
            } catch (JsonProcessingException e) {
                throw new CorruptDocumentException(key, redisKey, member.getKey(), "not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
        return tree;
    }

    /** The canonical tree of a value already known to be a valid document (a cached one). */
    public ObjectNode treeOf(T value) {
        if (!buildsTrees) {
            return CanonicalForm.normalize((ObjectNode) mapper.valueToTree(value));
        }
        TreeWriter tree = newTreeWriter();
        try {
            treeWriter.writeValue(tree, value);
            return tree.root();
        } catch (IOException | RuntimeException e) {
            return CanonicalForm.normalize((ObjectNode) mapper.valueToTree(value));
        }
    }

    /** A new empty object node. */
    public ObjectNode emptyObject() {
        return mapper.createObjectNode();
    }
}
