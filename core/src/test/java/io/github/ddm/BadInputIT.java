package io.github.ddm;

import static io.github.ddm.FailedFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every kind of bad input gets a clear error, and nothing is half-committed. */
class BadInputIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final String HASH = "ddm:{test:docs}:s:";
    private static final String LOG = "ddm:{test:docs}:log";
    /** The deepest a document may nest (docs/core.md, "Errors"): the document itself is level 1. */
    private static final int MAX_DEPTH = 499;

    private RedisFixture fixture;
    private DocumentManager<Counter> counters;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        counters = fixture.manager(Counter.class, "n1");
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private RedisServer server() {
        return redis.server();
    }

    private Object hash(String id) {
        return server().call("HGETALL", HASH + id);
    }

    private long logLength() {
        return (Long) server().call("XLEN", LOG);
    }

    @Test
    void invalidKeys_failFastNamingThePart() {
        assertThatThrownBy(() -> counters.get("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> counters.update("a\u0001b", c -> c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id").hasMessageContaining("control");
        assertThatThrownBy(() -> counters.set("x".repeat(600), new Counter())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> counters.get(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).section("bad partition", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition");
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).origin("eu", "node/1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node");
        assertThat(logLength()).isZero();
    }

    @Test
    void builder_namesTheMissingOrBadSetting() {
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).section("p", "s").origin("r", "n").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("redisson");
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).redisUri(server().uri()).origin("r", "n").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("section");
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).maxDocumentBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDocumentBytes");
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).redisUri("http://x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redisUri");
    }

    @Test
    void valueThatIsNotAJsonObject_isRejected() {
        DocumentManager<Object> any = fixture.manager(Object.class, "n2");

        assertThat(failure(any.set("list", List.of(1, 2, 3))))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("array").hasMessageContaining("JSON object");
        assertThat(failure(any.set("text", "just a string")))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("string");
        assertThat(failure(any.set("meta", Map.of("\u0000v", 1))))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("reserved");
        assertThat(hash("list")).asList().isEmpty();
        assertThat(logLength()).isZero();
    }

    /** Lists nested {@code levels} deep around {@code inner}. */
    private static Object nested(int levels, Object inner) {
        Object value = inner;
        for (int i = 0; i < levels; i++) {
            value = List.of(value);
        }
        return value;
    }

    /**
     * A NaN or infinite number, an unpaired surrogate (in a string or a member name), or lists nested
     * deeper than a change event allows: an InvalidDocumentException naming the key and the member,
     * for a new document and for a change of an existing one, by set and by update; nothing stored.
     */
    @Test
    void valuesThatJsonTextCannotCarry_areRejectedNamingKeyAndMember_andNothingIsStored() {
        DocumentManager<Object> any = fixture.manager(Object.class, "n5");
        Map<String, Map<String, Object>> bad = new java.util.LinkedHashMap<>();
        bad.put("price", Map.of("price", Double.NaN));
        bad.put("limit", Map.of("limit", List.of(1, Double.POSITIVE_INFINITY)));
        bad.put("low", Map.of("low", Float.NEGATIVE_INFINITY));
        bad.put("label", Map.of("label", "half \uD83D of an emoji"));
        bad.put("tags", Map.of("tags", Map.of("x\uDC00", 1)));
        bad.put("deep", Map.of("deep", nested(MAX_DEPTH, 1)));

        for (Map.Entry<String, Map<String, Object>> value : bad.entrySet()) {
            String member = value.getKey();
            String fresh = "new-" + member;
            assertThat(failure(any.set(fresh, value.getValue()))).as("set of a new document with a bad %s", member)
                    .isInstanceOf(InvalidDocumentException.class)
                    .hasMessageContaining("test/docs/" + fresh).hasMessageContaining("'" + member + "'");
            assertThat(hash(fresh)).as("%s stored", fresh).asList().isEmpty();
            assertThat(any.getCached(fresh)).isEmpty();
        }
        assertThat(logLength()).isZero();

        any.set("doc", Map.of("price", 1.5, "label", "fine")).join();
        Object stored = hash("doc");
        for (Map.Entry<String, Map<String, Object>> value : bad.entrySet()) {
            String member = value.getKey();
            Map<String, Object> changed = new java.util.HashMap<>(Map.of("price", 1.5, "label", "fine"));
            changed.putAll(value.getValue());
            assertThat(failure(any.set("doc", changed))).as("set of an existing document with a bad %s", member)
                    .isInstanceOf(InvalidDocumentException.class)
                    .hasMessageContaining("test/docs/doc").hasMessageContaining("'" + member + "'");
            assertThat(failure(any.update("doc", old -> changed))).as("update with a bad %s", member)
                    .isInstanceOf(InvalidDocumentException.class)
                    .hasMessageContaining("test/docs/doc").hasMessageContaining("'" + member + "'");
        }
        assertThat(hash("doc")).as("the stored document").isEqualTo(stored);
        assertThat(logLength()).as("log entries: the create only").isEqualTo(1);
        assertThat(any.get("doc").join()).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));
    }

    /**
     * The deepest document allowed is created, and changed by a patch that replaces the deep member
     * as a whole (one level deeper in the event than in the document); one level more is rejected.
     */
    @Test
    void nestingUpToTheLimit_isStoredAndChanged_oneLevelMoreIsRejected() {
        DocumentManager<Object> any = fixture.manager(Object.class, "n6");
        // The document is level 1, the member's outer list level 2: MAX_DEPTH - 1 lists reach the limit.
        int lists = MAX_DEPTH - 1;

        assertThat(any.set("deep", Map.of("deep", nested(lists, 1))).join().version()).isEqualTo(1);
        Versioned<Object> changed = any.set("deep", Map.of("deep", List.of(nested(lists - 1, 2), 3))).join();
        assertThat(changed.version()).isEqualTo(2);
        assertThat(logLength()).isEqualTo(2);

        assertThat(failure(any.set("deep", Map.of("deep", nested(lists + 1, 1)))))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("test/docs/deep")
                .hasMessageContaining("'deep'").hasMessageContaining(Integer.toString(MAX_DEPTH));
        assertThat(logLength()).isEqualTo(2);
        assertThat(server().call("HGET", HASH + "deep", "\u0000v")).isEqualTo("2");
    }

    /** A POJO whose serialization throws. */
    public static final class Exploding {
        public int getValue() {
            throw new IllegalStateException("cannot read value");
        }
    }

    @Test
    void valueThatCannotSerialize_isRejectedNamingTheType() {
        DocumentManager<Exploding> exploding = fixture.manager(Exploding.class, "n3");
        assertThat(failure(exploding.set("e", new Exploding())))
                .isInstanceOf(InvalidDocumentException.class).hasMessageContaining("Exploding");
        assertThat(logLength()).isZero();
    }

    @Test
    void mutatorThatThrows_commitsNothing_andTheCallerGetsItsException() {
        counters.set("c", new Counter(5, "five")).join();
        Object before = hash("c");
        long logBefore = logLength();

        Throwable error = failure(counters.update("c", c -> {
            c.count = 999; // changed, then the mutator fails: none of it may be committed
            throw new IllegalStateException("mutator failed");
        }));

        assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage("mutator failed");
        assertThat(hash("c")).isEqualTo(before);
        assertThat(logLength()).isEqualTo(logBefore);
        assertThat(counters.get("c").join()).hasValueSatisfying(v -> {
            assertThat(v.value().count).isEqualTo(5);
            assertThat(v.version()).isEqualTo(1);
        });
    }

    @Test
    void documentOverTheSizeLimit_isRejectedWithItsSize() throws Exception {
        DocumentManager<Counter> small = fixture.track(fixture.builder(Counter.class, "n4").maxDocumentBytes(200).build());

        Throwable error = failure(small.set("big", new Counter(1, "x".repeat(500))));

        assertThat(error).isInstanceOf(DocumentTooLargeException.class).hasMessageContaining("200");
        assertThat(((DocumentTooLargeException) error).size()).isGreaterThan(500);
        assertThat(hash("big")).asList().isEmpty();
        assertThat(logLength()).isZero();

        small.set("ok", new Counter(1, "fits")).join();
        Throwable growth = failure(small.update("ok", c -> {
            c.label = "y".repeat(300);
            return c;
        }));
        assertThat(growth).isInstanceOf(DocumentTooLargeException.class);
        assertThat(small.get("ok").join()).hasValueSatisfying(v -> assertThat(v.value().label).isEqualTo("fits"));
    }

    @Test
    void corruptVersionField_failsNamingKeyAndField_andIsNotCached() {
        server().call("HSET", HASH + "bad", "\u0000v", "seven", "\u0000t", "1", "\u0000o", "r/n", "count", "1");

        Throwable error = failure(counters.get("bad"));

        assertThat(error).isInstanceOf(CorruptDocumentException.class)
                .hasMessageContaining("test/docs/bad").hasMessageContaining(HASH + "bad").hasMessageContaining("seven");
        assertThat(((CorruptDocumentException) error).field()).isEqualTo("\u0000v");
        assertThat(counters.getCached("bad")).isEmpty();

        server().call("HSET", HASH + "bad", "\u0000v", "7");
        assertThat(counters.get("bad").join()).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(7));
    }

    @Test
    void corruptMember_failsNamingTheMember() {
        server().call("HSET", HASH + "m", "\u0000v", "1", "\u0000t", "1", "\u0000o", "r/n", "count", "{not json");

        Throwable error = failure(counters.get("m"));

        assertThat(error).isInstanceOf(CorruptDocumentException.class).hasMessageContaining("'count'");
        assertThat(((CorruptDocumentException) error).field()).isEqualTo("count");
        assertThat(counters.getCached("m")).isEmpty();
    }

    @Test
    void memberOfTheWrongType_failsNamingTheDocumentType() {
        server().call("HSET", HASH + "t", "\u0000v", "1", "\u0000t", "1", "\u0000o", "r/n", "count", "\"many\"");

        Throwable error = failure(counters.get("t"));

        assertThat(error).isInstanceOf(CorruptDocumentException.class).hasMessageContaining(Counter.class.getName());
        assertThat(counters.getCached("t")).isEmpty();
        assertThat(failure(counters.update("t", Counter::increment))).isInstanceOf(CorruptDocumentException.class);
        assertThat(server().call("HGET", HASH + "t", "\u0000v")).as("nothing committed").isEqualTo("1");
    }

    @Test
    void corruptOrigin_failsNamingTheField() {
        server().call("HSET", HASH + "o", "\u0000v", "1", "\u0000t", "1", "\u0000o", "no-slash", "count", "1");

        Throwable error = failure(counters.get("o"));

        assertThat(error).isInstanceOf(CorruptDocumentException.class).hasMessageContaining("region/node");
        assertThat(((CorruptDocumentException) error).field()).isEqualTo("\u0000o");
    }

    @Test
    void updateOfAMissingDocument_failsWithNotFound() {
        Throwable error = failure(counters.update("nope", Counter::increment));
        assertThat(error).isInstanceOf(DocumentNotFoundException.class).hasMessageContaining("test/docs/nope");
        assertThat(logLength()).isZero();
    }

    @Test
    void callsAfterClose_failClearly() {
        counters.close();
        assertThatThrownBy(() -> counters.update("a", c -> c)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        counters.close(); // idempotent
    }
}
