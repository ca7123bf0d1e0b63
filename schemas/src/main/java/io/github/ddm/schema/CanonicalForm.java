package io.github.ddm.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

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
        try {
            return SORTED.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialize", e);
        }
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
