package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ShortNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one text form of a document's JSON that every region stores, so that copies holding equal
 * content hold identical bytes (and a byte comparison, a state's identity and {@code ddm diff}
 * agree): numbers in the form the change-event codec decodes to ({@link #normalize}), object
 * members sorted by name, no whitespace ({@link #text}).
 *
 * <p>Stateless and thread-safe.
 */
public final class CanonicalForm {

    private static final ObjectWriter SORTED = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build()
            .writer();
    private static final JsonFactory FACTORY = SORTED.getFactory();
    /** Trees nested deeper than this are written by Jackson's own (non-recursive) sorted writer. */
    private static final int PLAIN_DEPTH = 100;

    private CanonicalForm() {
    }

    /**
     * Rewrites, in place, every number of {@code tree} that a change event would not carry as it
     * is (a {@code BigDecimal} {@code 1.50}, a {@code float}, a {@code long} that fits an {@code int})
     * into what the codec decodes from its text.
     *
     * @param tree a JSON tree the caller owns
     * @param <T> the node type
     * @return {@code tree}
     * @throws InvalidEventException if a number cannot be carried by JSON text (not finite, too long)
     */
    public static <T extends JsonNode> T normalize(T tree) {
        CanonicalJson.normalizeNumbers("document", tree);
        return tree;
    }

    /**
     * The canonical text of a JSON value: compact, object members sorted by name at every level.
     *
     * @param value a JSON value whose numbers are {@linkplain #normalize normalized}
     * @return its text
     */
    public static String text(JsonNode value) {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            write(generator, value, 0);
        } catch (NotPlain e) {
            return sortedByJackson(value);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
        return out.toString();
    }

    private static String sortedByJackson(JsonNode value) {
        try {
            return SORTED.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
    }

    /**
     * Writes a tree the way {@code JsonNodeFeature.WRITE_PROPERTIES_SORTED} does (members in
     * {@link String#compareTo} order at every level), without that feature's per-object
     * {@code TreeMap}: members already in order, the common case, are written as they are. A node
     * type a document tree does not hold (binary, POJO, raw), or nesting past {@link #PLAIN_DEPTH},
     * throws {@link NotPlain}, and Jackson's own sorted writer takes the whole value instead.
     */
    private static void write(JsonGenerator generator, JsonNode node, int depth) throws IOException {
        Class<?> type = node.getClass();
        if (type == ObjectNode.class) {
            if (depth >= PLAIN_DEPTH) {
                throw NotPlain.INSTANCE;
            }
            generator.writeStartObject();
            if (sorted(node)) {
                for (Map.Entry<String, JsonNode> member : node.properties()) {
                    generator.writeFieldName(member.getKey());
                    write(generator, member.getValue(), depth + 1);
                }
            } else {
                List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
                members.sort(Map.Entry.comparingByKey());
                for (Map.Entry<String, JsonNode> member : members) {
                    generator.writeFieldName(member.getKey());
                    write(generator, member.getValue(), depth + 1);
                }
            }
            generator.writeEndObject();
        } else if (type == ArrayNode.class) {
            if (depth >= PLAIN_DEPTH) {
                throw NotPlain.INSTANCE;
            }
            generator.writeStartArray();
            for (int i = 0; i < node.size(); i++) {
                write(generator, node.get(i), depth + 1);
            }
            generator.writeEndArray();
        } else if (type == TextNode.class) {
            generator.writeString(node.textValue());
        } else if (type == IntNode.class || type == ShortNode.class) {
            generator.writeNumber(node.intValue());
        } else if (type == DoubleNode.class) {
            generator.writeNumber(node.doubleValue());
        } else if (type == LongNode.class) {
            generator.writeNumber(node.longValue());
        } else if (type == BooleanNode.class) {
            generator.writeBoolean(node.booleanValue());
        } else if (type == NullNode.class) {
            generator.writeNull();
        } else if (type == BigIntegerNode.class) {
            generator.writeNumber(node.bigIntegerValue());
        } else if (type == DecimalNode.class) {
            generator.writeNumber(node.decimalValue());
        } else if (type == FloatNode.class) {
            generator.writeNumber(node.floatValue());
        } else {
            throw NotPlain.INSTANCE;
        }
    }

    /** A tree {@link #write} leaves to Jackson's own writer; thrown without a stack trace. */
    private static final class NotPlain extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super(null, null, false, false);
        }
    }

    private static boolean sorted(JsonNode object) {
        String previous = null;
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (previous != null && previous.compareTo(name) > 0) {
                return false;
            }
            previous = name;
        }
        return true;
    }

    /**
     * The canonical text of a JSON value, as UTF-8 bytes.
     *
     * @param value a JSON value whose numbers are {@linkplain #normalize normalized}
     * @return its bytes
     */
    public static byte[] bytes(JsonNode value) {
        try {
            return SORTED.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
    }
}
