package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireFormTest {

    private static final List<String> VALID = List.of("delete-with-stamps", "update-with-clock", "update-with-conflicts",
            "update-with-state", "snapshot-with-stamps", "create", "update");

    @Test
    void fields_areTheOrderTheCodecWrites_forEveryGoldenVector() throws Exception {
        List<String> order = WireForm.FIELDS.stream().map(WireForm.Field::wireName).toList();
        for (String name : VALID) {
            ChangeEvent event = ChangeEventCodec.decode(golden(name));
            List<String> written = names(Fixtures.json(ChangeEventCodec.encodeToString(event.withStreamId("1-1"))));
            assertThat(order).as("%s: the members written appear in WireForm order", name).containsSubsequence(written);
        }
        assertThat(WireForm.JSON_TEXT_FIELDS).isEqualTo(ChangeEventCodec.NESTED_FIELDS)
                .containsExactly("clock", "patch", "state", "stamps", "conflicts");
        assertThat(names(Fixtures.json(ChangeEventCodec.encodeToString(Fixtures.create())).get("key")))
                .isEqualTo(WireForm.KEY_FIELDS);
        assertThat(names(Fixtures.json(ChangeEventCodec.encodeToString(Fixtures.create())).get("origin")))
                .isEqualTo(WireForm.ORIGIN_FIELDS);
    }

    @Test
    void jsonText_isTheFieldAsTheEventsJsonHoldsIt() throws Exception {
        for (String name : VALID) {
            ChangeEvent event = ChangeEventCodec.decode(golden(name));
            JsonNode json = Fixtures.json(ChangeEventCodec.encodeToString(event));
            for (WireForm.Field field : WireForm.FIELDS) {
                if (field.type() != WireForm.Type.JSON) {
                    continue;
                }
                String text = ChangeEventCodec.jsonText(event, field);
                assertThat(text).as("%s.%s", name, field.wireName())
                        .isEqualTo(json.has(field.wireName()) ? json.get(field.wireName()).toString() : null);
            }
        }
        assertThatThrownBy(() -> ChangeEventCodec.jsonText(Fixtures.create(), WireForm.Field.EPOCH))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch");
    }

    @Test
    void split_filledIn_giveBackWhatTheScriptFilledIn() {
        ChangeEvent event = Fixtures.update(8, 7);
        ChangeEvent template = new ChangeEvent(event.eventId(), event.key(), event.op(), 8, 7, WireForm.PLACEHOLDER_EPOCH,
                event.time(), event.origin(), event.patch(), event.state(), null)
                .withClock(WireForm.PLACEHOLDER_LINEAGE, VersionVector.of(Map.of("E~L", 8L)));
        WireForm.Split split = WireForm.split(template);
        VersionVector clock = VersionVector.of(Map.of("eu~k3", 5L, "us~x", 3L));
        String published = split.publishedText("ep1", "k3", clock.toJson(), "12-0");

        assertThat(published).isEqualTo(ChangeEventCodec.encodeToString(new ChangeEvent(event.eventId(), event.key(),
                event.op(), 8, 7, "ep1", event.time(), event.origin(), event.patch(), event.state(), "12-0")
                .withClock("k3", clock)));
        assertThat(split.filledIn(published)).isEqualTo(new WireForm.Filled("ep1", "k3", clock.toJson(), "12-0"));
        assertThat(split.filledIn(split.logText("ep1", "k3", clock.toJson()))).as("no stream id").isNull();
        assertThat(split.filledIn(published + " ")).isNull();
        assertThat(WireForm.eventIdOf(published)).isEqualTo(event.eventId());
        assertThat(WireForm.eventIdOf("{\"schema\":2,\"eventId\":\"x\"")).isNull();
        assertThat(published).startsWith(WireForm.ECHO_PREFIX);
        assertThatThrownBy(() -> WireForm.split(event)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void events_takeAnotherEventsTreesAsTheyAre_andCopyOnlyForeignTrees() {
        ChangeEvent decoded = ChangeEventCodec.decode(ChangeEventCodec.encode(Fixtures.update(8, 7)));
        assertThat(decoded.withStreamId("1-1").patch()).as("withStreamId shares the tree").isSameAs(decoded.patch());
        JsonNode foreign = Fixtures.onePatch();
        ChangeEvent built = ChangeEvent.update("e", Fixtures.KEY, 8, 7, "ep", Fixtures.TIME, Fixtures.ORIGIN, foreign, null);
        assertThat(built.patch()).as("a caller's tree is copied").isNotSameAs(foreign).isEqualTo(foreign);
        assertThat((Object) foreign.deepCopy()).isEqualTo(built.patch());
        ChangeEvent copied = ChangeEvent.update("e", Fixtures.KEY, 8, 7, "ep", Fixtures.TIME, Fixtures.ORIGIN,
                built.patch().deepCopy(), null);
        assertThat(copied.patch()).as("a deep copy of an event's tree is a caller's tree").isNotSameAs(built.patch());
    }

    @Test
    void parsedTrees_areAdoptedWithoutACopy_unlessANumberNeedsConverting() {
        JsonNode parsed = Fixtures.json("{\"a\":{\"n\":12345678901234,\"i\":7,\"d\":1.5,\"big\":123456789012345678901234567890}}");
        JsonNode adopted = CanonicalJson.adopt("state", parsed);
        assertThat(CanonicalJson.isOwned(adopted)).isTrue();
        assertThat(adopted.get("a")).as("the parsed subtree is kept").isSameAs(parsed.get("a"));
        JsonNode built = Fixtures.JSON.createObjectNode().set("a", Fixtures.JSON.createObjectNode().put("n", 5L));
        JsonNode copied = CanonicalJson.adopt("state", built);
        assertThat(copied.get("a")).as("a LongNode holding an int is converted, so copied").isNotSameAs(built.get("a"));
        assertThat(copied.get("a").get("n").getClass().getSimpleName()).isEqualTo("IntNode");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = WireFormTest.class.getResourceAsStream("/golden/v1/valid/" + name + ".json")) {
            return in.readAllBytes();
        }
    }
}
