package io.github.ddm.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.InvalidDocumentException;
import io.github.ddm.schema.DataKey;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link DocumentCodec#toTree} builds the tree as Jackson serializes the value ({@link TreeWriter});
 * it must give exactly the tree, and for a bad value exactly the error, that Jackson's own tree plus
 * the codec's checking walk and normalization give ({@link DocumentCodec#treeByJackson}).
 */
class TreeWriterPropertyTest {

    private static final DataKey KEY = DataKey.of("p", "s", "doc");
    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules().build();

    /** A typed document, as users' records are. */
    public record Level(double price, long quantity, float weight, short tier, BigDecimal fee, String venue,
                        List<String> tags, Map<String, Object> extra) {
    }

    public record Book(String id, List<Level> bids, Map<String, Object> meta, BigInteger sequence) {
    }

    @Provide
    Arbitrary<Map<String, Object>> documents() {
        return object(4);
    }

    @Property(tries = 400)
    void toTree_ofAnyMap_isJacksonsCanonicalTree(@ForAll("documents") Map<String, Object> document) {
        DocumentCodec<Object> codec = new DocumentCodec<>(MAPPER, Object.class);
        ObjectNode fast = codec.toTree(KEY, document);
        assertThat(fast).isEqualTo(codec.treeByJackson(KEY, document));
        assertThat(codec.treeOf(document)).isEqualTo(fast);
        Statistics.label("members").collect(document.size() > 3 ? "many" : "few");
    }

    @Provide
    Arbitrary<Book> books() {
        Arbitrary<Level> level = net.jqwik.api.Combinators.combine(
                Arbitraries.doubles(), Arbitraries.longs(), Arbitraries.floats(), Arbitraries.shorts(),
                Arbitraries.bigDecimals().ofScale(4), Arbitraries.strings().ofMaxLength(6).injectNull(0.2),
                Arbitraries.strings().ofMaxLength(3).list().ofMaxSize(3), object(1)).as(Level::new);
        return net.jqwik.api.Combinators.combine(Arbitraries.strings().ofMaxLength(8), level.list().ofMaxSize(5), object(2),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(25).negate(), BigInteger.TEN.pow(25))).as(Book::new);
    }

    @Property(tries = 200)
    void toTree_ofRecords_isJacksonsCanonicalTree(@ForAll("books") Book book) {
        DocumentCodec<Book> codec = new DocumentCodec<>(MAPPER, Book.class);
        assertThat(codec.toTree(KEY, book)).isEqualTo(codec.treeByJackson(KEY, book));
    }

    @Example
    void badValues_failWithTheSameMessageAsTheCheckingWalk() {
        DocumentCodec<Object> codec = new DocumentCodec<>(MAPPER, Object.class);
        List<Object> bad = new ArrayList<>();
        bad.add(Map.of("a", 1, "price", Double.NaN));
        bad.add(Map.of("levels", List.of(1.0, Map.of("q", Double.POSITIVE_INFINITY))));
        bad.add(Map.of("w", List.of(Float.NEGATIVE_INFINITY)));
        bad.add(Map.of("name", "ok\uD800"));
        bad.add(Map.of("outer", Map.of("in~/ner\uDC00", 1)));
        bad.add(Map.of("bad\uD800", 1));
        bad.add(Map.of("\u0000meta", 1));
        bad.add(Map.of("long", BigInteger.TEN.pow(1200)));
        bad.add(Map.of("deep", nested(DocumentCodec.MAX_DEPTH + 1)));
        bad.add(Map.of("shallow", nested(40), "list", List.of(List.of(List.of("x\uDBFF")))));
        for (Object value : bad) {
            Throwable fast = catchThrowable(() -> codec.toTree(KEY, value));
            Throwable walk = catchThrowable(() -> codec.treeByJackson(KEY, value));
            assertThat(fast).as("%s", value).isInstanceOf(InvalidDocumentException.class);
            assertThat(fast.getMessage()).as("%s", value).isEqualTo(walk.getMessage()).contains("p/s/doc");
        }
    }

    @Example
    void mappersThatReadTreesDifferently_getTheSameTreeAsTheirValueToTree() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("zeros", new BigDecimal("1.500"));
        value.put("zero", new BigDecimal("0.00000"));
        value.put("d", 2.0);
        value.put("f", 0.1f);
        for (ObjectMapper mapper : List.of(MAPPER,
                JsonMapper.builder().disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build(),
                JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build())) {
            DocumentCodec<Object> codec = new DocumentCodec<>(mapper, Object.class);
            assertThat(codec.toTree(KEY, value)).isEqualTo(codec.treeByJackson(KEY, value));
        }
    }

    @Example
    void nestingUpToTheLimit_isAccepted() {
        DocumentCodec<Object> codec = new DocumentCodec<>(MAPPER, Object.class);
        Map<String, Object> value = Map.of("deep", nested(DocumentCodec.MAX_DEPTH));
        assertThat(codec.toTree(KEY, value)).isEqualTo(codec.treeByJackson(KEY, value));
    }

    @Example
    void valuesThatAreNotObjects_getTheCodecsOwnMessage() {
        DocumentCodec<Object> codec = new DocumentCodec<>(MAPPER, Object.class);
        for (Object value : List.of(List.of(1, 2), "text", 42)) {
            assertThat(catchThrowable(() -> codec.toTree(KEY, value))).isInstanceOf(InvalidDocumentException.class)
                    .hasMessageContaining("must be a JSON object");
        }
    }

    @Example
    void rawAndBinaryValues_takeJacksonsOwnPath() {
        DocumentCodec<Object> codec = new DocumentCodec<>(MAPPER, Object.class);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("bytes", new byte[] {1, 2, 3});
        value.put("n", 1L);
        assertThat(codec.toTree(KEY, value)).isEqualTo(codec.treeByJackson(KEY, value));
    }

    /** Lists nested so that the member's innermost list is at the given level (the document is level 1). */
    private static Object nested(int level) {
        Object value = List.of("leaf");
        for (int i = 2; i < level; i++) {
            value = List.of(value);
        }
        return value;
    }

    private static Arbitrary<Map<String, Object>> object(int depth) {
        Arbitrary<Object> child = value(depth - 1);
        return Arbitraries.maps(Arbitraries.strings().withChars("abcAB~/é_ ").ofMinLength(1).ofMaxLength(5), child)
                .ofMaxSize(5).map(LinkedHashMap::new);
    }

    private static Arbitrary<Object> value(int depth) {
        Arbitrary<Object> scalar = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(6).map(s -> s),
                Arbitraries.integers().map(i -> i),
                Arbitraries.longs().map(l -> l),
                Arbitraries.doubles().map(d -> d),
                Arbitraries.floats().map(f -> f),
                Arbitraries.shorts().map(s -> s),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(b -> b),
                Arbitraries.bigDecimals().ofScale(5).map(b -> b),
                Arbitraries.of(true, false).map(b -> b));
        if (depth <= 0) {
            return scalar;
        }
        Arbitrary<Object> lists = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4).map(l -> l);
        Arbitrary<Object> maps = Arbitraries.lazy(() -> object(depth - 1)).map(m -> m);
        return Arbitraries.frequencyOf(Tuple.of(3, scalar), Tuple.of(1, lists), Tuple.of(1, maps));
    }
}
