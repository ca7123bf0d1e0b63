package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compact Redis form (docs/schema.md, "The compact Redis form"): golden vectors (the contract form
 * of an event, and the exact compact text it encodes to), the section as the decoder's explicit
 * context, the errors on bad compact text, and the commit script's split of the compact form.
 */
class CompactFormTest {

    private static final SectionContext BOOK = SectionContext.of("orders", "book");

    /**
     * Every {@code golden/compact/v1/*.txt}: its event is the valid v1 golden vector of the same name, or
     * the {@code .json} beside it.
     */
    static Stream<String> vectors() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(dir("/golden/compact/v1"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".txt"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void golden_encodesToTheExactText_andDecodesToTheEqualEvent(String name) throws Exception {
        Path own = dir("/golden/compact/v1").resolve(name + ".json");
        Path source = Files.exists(own) ? own : dir("/golden/v1/valid").resolve(name + ".json");
        ChangeEvent event = ChangeEventCodec.decode(Files.readAllBytes(source));
        String compact = Files.readString(dir("/golden/compact/v1").resolve(name + ".txt"), StandardCharsets.UTF_8);
        SectionContext section = SectionContext.of(event.key().partition(), event.key().section());

        assertThat(ChangeEventCodec.encodeCompact(event)).isEqualTo(compact);
        assertThat(ChangeEventCodec.decode(compact, section)).isEqualTo(event);
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encodeToString(event), section)).as("the contract form too")
                .isEqualTo(event);
        assertThat(compact.length()).as("shorter than the contract form").isLessThan(ChangeEventCodec.encodeToString(event).length());
    }

    @Test
    void golden_coverTheSlotsDefaults() throws Exception {
        assertThat(vectors().toList()).contains("update-derived-clock", "log-entry-odd-id", "delete-without-lineage",
                "snapshot-no-regions", "update-with-clock", "update-with-conflicts", "snapshot-with-stamps", "unicode-id");
        String derived = Files.readString(dir("/golden/compact/v1").resolve("update-derived-clock.txt"));
        assertThat(derived).as("the benchmark's update, under issue 11's 210 B").hasSizeLessThanOrEqualTo(210)
                .contains(",2,\"JG2lP2VT6WQ\",\"f3Q2qpWS\",0,");
    }

    @Test
    void decode_compactWithoutContext_failsNamingTheCallThatReadsIt() {
        String compact = ChangeEventCodec.encodeCompact(Fixtures.update(8, 7));
        for (Runnable decode : List.<Runnable>of(() -> ChangeEventCodec.decode(compact),
                () -> ChangeEventCodec.decode(compact.getBytes(StandardCharsets.UTF_8)),
                () -> ChangeEventCodec.decode(Fixtures.json(compact)))) {
            InvalidEventException e = catchThrowableOfType(InvalidEventException.class, decode::run);
            assertThat(e).isNotNull();
            assertThat(e.field()).isEqualTo(ChangeEventCodec.ROOT_FIELD);
            assertThat(e.getMessage()).contains("compact Redis form", "partition and section",
                    "ChangeEventCodec.decode(text, SectionContext)");
        }
        assertThatThrownBy(() -> ChangeEventCodec.decode(compact, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("section");
        assertThatThrownBy(() -> SectionContext.of("orders", "a b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SectionContext.section");
    }

    @Test
    void decode_withContext_takesTheKeysSectionFromIt() {
        ChangeEvent event = Fixtures.update(8, 7);
        String compact = ChangeEventCodec.encodeCompact(event);
        assertThat(compact).doesNotContain("\"orders\"", "\"book\"");
        assertThat(ChangeEventCodec.decode(compact, SectionContext.of("other", "place")).key())
                .isEqualTo(DataKey.of("other", "place", event.key().id()));
    }

    @Test
    void decode_badCompactText_namesTheField() {
        String good = ChangeEventCodec.encodeCompact(Fixtures.update(8, 7)
                .withClock("k3", VersionVector.of(Map.of("eu-west-1~k3", 8L))).withStreamId("1-1"));
        assertThat(good).contains(",8,\"Xq3v9LmP2sKw\",\"k3\",0,");
        assertField("[1,\"e\",\"u\",\"x\",2]", ChangeEventCodec.ROOT_FIELD, "at least 12");
        assertField("[2" + good.substring(2), "schema", "not supported");
        assertField(good.replace(",8,", ",[8],"), "version", "[version, prevVersion]");
        assertField(good.replace(",8,", ",[8,9],"), "prevVersion", null);
        assertField(good.replace(",8,", ",8.0,"), "version", "without fraction");
        assertField(good.replace("\"k3\",0,", "null,0,"), "clock", "needs a lineage");
        assertField(good.replace("\"k3\",0,", "\"k3\",{\"eu-west-1~k3\":7},"), "clock", "sum");
        assertField(good.replace("\"1-1\"", "7"), "streamId", "must be a string");
        assertField(good.replace("\"1-1\"", "\"x\""), "streamId", null);
        assertField(good.replace("\"ddm-node-1\"", "\"a b\""), "origin.node", null);
        assertField(good.replace("\"BTC-USD\"", "\"\""), "key.id", null);
        assertField(good.replace("\"u\"", "\"x\""), "op", null);
    }

    private static void assertField(String text, String field, String message) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> ChangeEventCodec.decode(text, BOOK));
        assertThat(e).as("decoding %s", text).isNotNull();
        assertThat(e.field()).as("%s: %s", text, e.getMessage()).isEqualTo(field);
        if (message != null) {
            assertThat(e.getMessage()).contains(message);
        }
    }

    @Test
    void split_compact_buildsWhatTheCodecWrites_andFindsWhatTheScriptFilledIn() {
        ChangeEvent event = Fixtures.update(8, 7);
        ChangeEvent template = new ChangeEvent(event.eventId(), event.key(), event.op(), 8, 7, WireForm.PLACEHOLDER_EPOCH,
                event.time(), event.origin(), event.patch(), event.state(), null)
                .withClock(WireForm.PLACEHOLDER_LINEAGE, VersionVector.of(Map.of("E~L", 8L)));
        WireForm.Split split = WireForm.split(template, WireForm.RedisForm.COMPACT);
        assertThat(split.form()).isEqualTo(WireForm.RedisForm.COMPACT);
        assertThat(split.head()).startsWith(WireForm.COMPACT_ECHO_PREFIX).endsWith(",8,\"");

        VersionVector own = VersionVector.of(Map.of("eu-west-1~k3", 8L));
        VersionVector two = VersionVector.of(Map.of("eu-west-1~k3", 5L, "us~x", 3L));
        for (VersionVector clock : List.of(own, two)) {
            ChangeEvent complete = new ChangeEvent(event.eventId(), event.key(), event.op(), 8, 7, "ep1", event.time(),
                    event.origin(), event.patch(), event.state(), null).withClock("k3", clock);
            String published = split.publishedText("ep1", "k3", clock.toJson(), "12-0");
            assertThat(published).isEqualTo(ChangeEventCodec.encodeCompact(complete.withStreamId("12-0")));
            assertThat(split.logText("ep1", "k3", clock.toJson())).isEqualTo(ChangeEventCodec.encodeCompact(complete));
            assertThat(split.filledIn(published)).isEqualTo(new WireForm.Filled("ep1", "k3", clock.toJson(), "12-0"));
            assertThat(split.filledIn(split.logText("ep1", "k3", clock.toJson()))).as("no stream id").isNull();
            assertThat(split.filledIn(published + " ")).isNull();
            assertThat(WireForm.eventIdOf(published)).isEqualTo(event.eventId());
        }
        assertThat(split.publishedText("ep1", "k3", own.toJson(), "1-0")).contains("\"k3\",0,");
        String noLineage = split.logText("ep1", "", two.toJson());
        assertThat(noLineage).isEqualTo(ChangeEventCodec.encodeCompact(new ChangeEvent(event.eventId(), event.key(), event.op(),
                8, 7, "ep1", event.time(), event.origin(), event.patch(), event.state(), null).withClock(null, two)));
        assertThat(split.filledIn(split.publishedText("ep1", "", two.toJson(), "1-0"))).as("no lineage: not an echo").isNull();
        assertThat(WireForm.split(template, WireForm.RedisForm.VERBOSE)).isEqualTo(WireForm.split(template));
    }

    @Test
    void redisForm_parse_acceptsTheTwoNames_andNamesThePropertyOtherwise() {
        assertThat(WireForm.RedisForm.parse(null)).isEqualTo(WireForm.RedisForm.COMPACT);
        assertThat(WireForm.RedisForm.parse("Compact")).isEqualTo(WireForm.RedisForm.COMPACT);
        assertThat(WireForm.RedisForm.parse("verbose")).isEqualTo(WireForm.RedisForm.VERBOSE);
        assertThatThrownBy(() -> WireForm.RedisForm.parse("short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(WireForm.RedisForm.PROPERTY).hasMessageContaining("'short'");
    }

    private static Path dir(String resource) throws URISyntaxException {
        return Path.of(CompactFormTest.class.getResource(resource).toURI());
    }
}
