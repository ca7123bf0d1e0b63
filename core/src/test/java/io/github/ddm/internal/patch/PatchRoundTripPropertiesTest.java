package io.github.ddm.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** For random documents and random mutations, the emitted patch turns the old state into the new one. */
class PatchRoundTripPropertiesTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 500)
    void applyingTheDiff_toTheOldState_givesTheNewState(@ForAll("documents") ObjectNode before, @ForAll long seed) {
        ObjectNode after = mutate(before.deepCopy(), new Random(seed));
        ObjectNode untouched = before.deepCopy();

        JsonNode patch = PatchEngine.diff(before, after);
        JsonNode patchCopy = patch.deepCopy();
        JsonNode applied = PatchEngine.apply(patch, before);

        assertThat(applied).isEqualTo(after);
        // The result shares nodes with the base and the patch, so neither may have changed.
        assertThat(before).isEqualTo(untouched);
        assertThat(patch).isEqualTo(patchCopy);
        assertThat(patch.findValuesAsText("op")).doesNotContain("move", "copy");
    }

    @Property(tries = 300)
    void theDiffSurvivesTheWire(@ForAll("documents") ObjectNode before, @ForAll long seed) throws Exception {
        ObjectNode after = mutate(before.deepCopy(), new Random(seed));
        JsonNode patch = JSON.readTree(JSON.writeValueAsString(PatchEngine.diff(before, after)));
        JsonNode base = JSON.readTree(JSON.writeValueAsString(before));

        assertThat(PatchEngine.apply(patch, base)).isEqualTo(JSON.readTree(JSON.writeValueAsString(after)));
    }

    @Property(tries = 200)
    void touchedMembers_coverEveryChangedTopLevelMember(@ForAll("documents") ObjectNode before, @ForAll long seed) {
        ObjectNode after = mutate(before.deepCopy(), new Random(seed));
        JsonNode patch = PatchEngine.diff(before, after);
        List<String> names = new ArrayList<>();
        after.fieldNames().forEachRemaining(names::add);

        var touched = PatchEngine.touchedMembers(patch, names);

        // Rebuilding the new state from the old one plus only the touched members must give the new state.
        ObjectNode rebuilt = before.deepCopy();
        for (String member : touched) {
            if (after.has(member)) {
                rebuilt.set(member, after.get(member));
            } else {
                rebuilt.remove(member);
            }
        }
        assertThat(rebuilt).isEqualTo(after);
    }

    @Provide
    Arbitrary<ObjectNode> documents() {
        return Arbitraries.longs().map(seed -> randomObject(new Random(seed), 0));
    }

    private static ObjectNode randomObject(Random random, int depth) {
        ObjectNode node = NODES.objectNode();
        int members = random.nextInt(depth == 0 ? 8 : 4);
        for (int i = 0; i < members; i++) {
            node.set(name(random), randomValue(random, depth + 1));
        }
        return node;
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 5 : 7);
        switch (kind) {
            case 0:
                return NODES.numberNode(random.nextInt(1000));
            case 1:
                return NODES.textNode(name(random));
            case 2:
                return NODES.booleanNode(random.nextBoolean());
            case 3:
                return NODES.nullNode();
            case 4:
                return NODES.numberNode(random.nextInt(100) / 4.0);
            case 5: {
                ArrayNode array = NODES.arrayNode();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    array.add(randomValue(random, depth + 1));
                }
                return array;
            }
            default:
                return randomObject(random, depth);
        }
    }

    private static String name(Random random) {
        String[] names = {"a", "b", "bids", "asks", "x/y", "t~1", "", "qty", "p", "ü"};
        return names[random.nextInt(names.length)];
    }

    /** Random edits at random depths: replace, add, remove, array insert/delete, reorder. */
    private static ObjectNode mutate(ObjectNode doc, Random random) {
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            mutateContainer(doc, random, 0);
        }
        return doc;
    }

    private static void mutateContainer(JsonNode container, Random random, int depth) {
        if (container instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            if (!names.isEmpty() && random.nextInt(3) == 0) {
                JsonNode child = object.get(names.get(random.nextInt(names.size())));
                if (child.isContainerNode() && depth < 4) {
                    mutateContainer(child, random, depth + 1);
                    return;
                }
            }
            int action = random.nextInt(3);
            if (action == 0 || names.isEmpty()) {
                object.set(name(random), randomValue(random, depth + 1));
            } else if (action == 1) {
                object.remove(names.get(random.nextInt(names.size())));
            } else {
                object.set(names.get(random.nextInt(names.size())), randomValue(random, depth + 1));
            }
        } else if (container instanceof ArrayNode array) {
            int action = random.nextInt(3);
            if (action == 0 || array.isEmpty()) {
                array.insert(random.nextInt(array.size() + 1), randomValue(random, depth + 1));
            } else if (action == 1) {
                array.remove(random.nextInt(array.size()));
            } else {
                int i = random.nextInt(array.size());
                JsonNode child = array.get(i);
                if (child.isContainerNode() && depth < 4) {
                    mutateContainer(child, random, depth + 1);
                } else {
                    array.set(i, randomValue(random, depth + 1));
                }
            }
        }
    }
}
