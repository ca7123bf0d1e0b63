package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;


/**
 * {@link CanonicalForm#text} writes members in order without Jackson's per-object {@code TreeMap}; its
 * text must stay byte for byte what Jackson's sorted writer gives, since every region compares
 * stored members by their bytes.
 */
class CanonicalFormTextPropertyTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectWriter JACKSON_SORTED = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build().writer();

    @Provide
    Arbitrary<JsonNode> trees() {
        return tree(4);
    }

    @Property(tries = 500)
    void text_isJacksonsSortedText(@ForAll("trees") JsonNode tree) throws Exception {
        assertThat(CanonicalForm.text(tree)).isEqualTo(JACKSON_SORTED.writeValueAsString(tree));
        Statistics.label("unsorted object").collect(hasUnsortedObject(tree));
        Statistics.label("unsorted object").coverage(check -> check.check(true).percentage(p -> p > 20));
    }

    @Example
    void text_ofNodesADocumentDoesNotHold_fallsBackToJackson() throws Exception {
        ObjectNode tree = NODES.objectNode();
        tree.put("z", 1).put("b", new byte[] {1, 2, 3}).putPOJO("a", List.of("x"));
        assertThat(CanonicalForm.text(tree)).isEqualTo(JACKSON_SORTED.writeValueAsString(tree)).startsWith("{\"a\":");
    }

    @Example
    void text_ofATreeDeeperThanTheRecursiveWriterTakes_isJacksonsText() throws Exception {
        ObjectNode root = NODES.objectNode();
        ObjectNode at = root;
        for (int i = 0; i < 300; i++) {
            at = at.putObject(i % 2 == 0 ? "z" + i : "a" + i);
            at.put("m", i).put("b", "x");
        }
        assertThat(CanonicalForm.text(root)).isEqualTo(JACKSON_SORTED.writeValueAsString(root));
    }

    private static Arbitrary<JsonNode> tree(int depth) {
        Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(NODES::textNode),
                Arbitraries.integers().map(NODES::numberNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.floats().map(NODES::numberNode),
                Arbitraries.shorts().map(NODES::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(NODES::numberNode),
                Arbitraries.bigDecimals().ofScale(3).map(NODES::numberNode),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.just(NODES.nullNode()));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> tree(depth - 1));
        Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.strings().withChars("abcAB~/é_ ").ofMaxLength(4), child)
                .ofMaxSize(5)
                .map(members -> {
                    ObjectNode node = NODES.objectNode();
                    members.forEach(node::set);
                    return node;
                });
        Arbitrary<JsonNode> array = child.list().ofMaxSize(4).map(elements -> {
            ArrayNode node = NODES.arrayNode();
            elements.forEach(node::add);
            return node;
        });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, scalar), net.jqwik.api.Tuple.of(3, object), net.jqwik.api.Tuple.of(2, array));
    }

    private static boolean hasUnsortedObject(JsonNode node) {
        if (node.isObject()) {
            String previous = null;
            for (var names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (previous != null && previous.compareTo(name) > 0) {
                    return true;
                }
                previous = name;
            }
        }
        for (JsonNode child : node) {
            if (hasUnsortedObject(child)) {
                return true;
            }
        }
        return false;
    }
}
