package io.github.ddm.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.merge.RegisterDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BinaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * For random documents and random mutations, the emitted patch turns the old state into the new one,
 * checked by an independent applier ({@link ReferenceJsonPatch}), for both diffs in use: zjsonpatch's
 * ({@link PatchEngine#diff}) and the register form every write commits ({@link RegisterDiff}). And
 * core's own applier agrees with the independent one on random patches of every op, valid or not.
 */
class PatchRoundTripPropertiesTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, BinaryOperator<JsonNode>> DIFFS = Map.of(
            "PatchEngine.diff", PatchEngine::diff,
            "RegisterDiff.diff", RegisterDiff::diff);

    @Property(tries = 500)
    void applyingTheDiff_toTheOldState_givesTheNewState(@ForAll("documents") ObjectNode before, @ForAll long seed) {
        ObjectNode after = mutate(before.deepCopy(), new Random(seed));
        ObjectNode untouched = before.deepCopy();

        DIFFS.forEach((name, diff) -> {
            JsonNode patch = diff.apply(before, after);
            JsonNode patchCopy = patch.deepCopy();

            assertThat(ReferenceJsonPatch.apply(patch, before)).as("%s %s, applied by the reference", name, patch).isEqualTo(after);
            assertThat(PatchEngine.apply(patch, before)).as("%s %s, applied by core", name, patch).isEqualTo(after);
            // The result shares nodes with the base and the patch, so neither may have changed.
            assertThat(before).isEqualTo(untouched);
            assertThat(patch).isEqualTo(patchCopy);
            assertThat(patch.findValuesAsText("op")).doesNotContain("move", "copy");
        });
    }

    @Property(tries = 300)
    void theDiffSurvivesTheWire(@ForAll("documents") ObjectNode before, @ForAll long seed) throws Exception {
        ObjectNode after = mutate(before.deepCopy(), new Random(seed));
        JsonNode base = JSON.readTree(JSON.writeValueAsString(before));
        JsonNode expected = JSON.readTree(JSON.writeValueAsString(after));
        for (Map.Entry<String, BinaryOperator<JsonNode>> diff : DIFFS.entrySet()) {
            JsonNode patch = JSON.readTree(JSON.writeValueAsString(diff.getValue().apply(before, after)));

            assertThat(ReferenceJsonPatch.apply(patch, base)).as("%s through the wire, by the reference", diff.getKey())
                    .isEqualTo(expected);
            assertThat(PatchEngine.apply(patch, base)).as("%s through the wire, by core", diff.getKey()).isEqualTo(expected);
        }
    }

    @Property(tries = 200)
    void touchedMembers_coverEveryChangedTopLevelMember(@ForAll("documents") ObjectNode before, @ForAll long seed) {
        ObjectNode after = mutate(before.deepCopy(), new Random(seed));
        List<String> names = new ArrayList<>();
        after.fieldNames().forEachRemaining(names::add);

        DIFFS.forEach((name, diff) -> {
            var touched = PatchEngine.touchedMembers(diff.apply(before, after), names);

            // Rebuilding the new state from the old one plus only the touched members must give the new state.
            ObjectNode rebuilt = before.deepCopy();
            for (String member : touched) {
                if (after.has(member)) {
                    rebuilt.set(member, after.get(member));
                } else {
                    rebuilt.remove(member);
                }
            }
            assertThat(rebuilt).as("%s", name).isEqualTo(after);
        });
    }

    /**
     * Random patches of every op (add, remove, replace, move, copy, test), mostly valid and some not
     * (missing targets, bad indexes, a test that fails, a move into its own child): core's applier
     * gives what the reference gives, fails (with PatchFailedException) where the reference fails, and
     * modifies neither the document nor the patch.
     */
    @Property(tries = 1000)
    void coreApplier_agreesWithTheReference(@ForAll("documents") ObjectNode document, @ForAll long seed) {
        Random random = new Random(seed);
        ArrayNode patch = NODES.arrayNode();
        JsonNode state = document;
        int ops = 1 + random.nextInt(4);
        for (int i = 0; i < ops; i++) {
            ObjectNode op = randomOp(state, random);
            patch.add(op);
            try {
                state = ReferenceJsonPatch.apply(NODES.arrayNode().add(op), state);
            } catch (ReferenceJsonPatch.Failed invalid) {
                // the next ops are generated against the last state the patch reached
            }
        }
        JsonNode untouched = document.deepCopy();
        JsonNode patchCopy = patch.deepCopy();

        JsonNode expected;
        try {
            expected = ReferenceJsonPatch.apply(patch, document);
        } catch (ReferenceJsonPatch.Failed invalid) {
            expected = null;
        }
        Statistics.label("the reference").collect(expected == null ? "fails" : "applies");
        if (expected == null) {
            assertThatThrownBy(() -> PatchEngine.apply(patch, document)).as("core applies %s to %s", patch, document)
                    .isInstanceOf(PatchEngine.PatchFailedException.class);
        } else {
            assertThat(PatchEngine.apply(patch, document)).as("core applies %s to %s", patch, document).isEqualTo(expected);
        }
        assertThat(document).isEqualTo(untouched);
        assertThat(patch).isEqualTo(patchCopy);
    }

    /** One operation against {@code doc}: usually one that fits, sometimes one that does not. */
    private static ObjectNode randomOp(JsonNode doc, Random random) {
        List<List<String>> paths = new ArrayList<>();
        collectPaths(doc, new ArrayList<>(), paths);
        List<String> existing = paths.get(random.nextInt(paths.size()));
        ObjectNode op = NODES.objectNode();
        switch (random.nextInt(6)) {
            case 0:
                return op.put("op", "add").put("path", ReferenceJsonPatch.pointer(addLocation(doc, paths, random)))
                        .set("value", randomValue(random, 3));
            case 1:
                return op.put("op", "remove").put("path", maybeMissing(existing, random));
            case 2:
                op.put("op", "replace").put("path", maybeMissing(existing, random)).set("value", randomValue(random, 3));
                return op;
            case 3:
                return op.put("op", "move").put("from", maybeMissing(existing, random))
                        .put("path", ReferenceJsonPatch.pointer(addLocation(doc, paths, random)));
            case 4:
                return op.put("op", "copy").put("from", maybeMissing(existing, random))
                        .put("path", ReferenceJsonPatch.pointer(addLocation(doc, paths, random)));
            default: {
                JsonNode current = at(doc, existing);
                JsonNode value = random.nextInt(4) == 0 ? randomValue(random, 3)
                        : current.isInt() && random.nextBoolean() ? NODES.numberNode(current.intValue() * 1.0) // equal by value
                        : current.deepCopy();
                op.put("op", "test").put("path", maybeMissing(existing, random)).set("value", value);
                return op;
            }
        }
    }

    /** The pointer of an existing place, or now and then of a missing child of it. */
    private static String maybeMissing(List<String> existing, Random random) {
        if (random.nextInt(8) != 0) {
            return ReferenceJsonPatch.pointer(existing);
        }
        List<String> missing = new ArrayList<>(existing);
        missing.add(random.nextBoolean() ? "nope" : "9");
        return ReferenceJsonPatch.pointer(missing);
    }

    /** Where an add may go: a member of an object, an index of an array (sometimes out of bounds, "-", "01"). */
    private static List<String> addLocation(JsonNode doc, List<List<String>> paths, Random random) {
        List<List<String>> containers = new ArrayList<>();
        for (List<String> path : paths) {
            if (at(doc, path).isContainerNode()) {
                containers.add(path);
            }
        }
        List<String> parent = containers.isEmpty() ? List.of() : containers.get(random.nextInt(containers.size()));
        JsonNode node = at(doc, parent);
        List<String> location = new ArrayList<>(parent);
        if (node.isArray()) {
            int pick = random.nextInt(10);
            location.add(pick == 0 ? "-" : pick == 1 ? Integer.toString(node.size() + 1) : pick == 2 ? "01"
                    : Integer.toString(random.nextInt(node.size() + 1)));
        } else {
            location.add(name(random));
        }
        return location;
    }

    private static void collectPaths(JsonNode node, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(name -> {
                path.add(name);
                collectPaths(node.get(name), path, out);
                path.remove(path.size() - 1);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.add(Integer.toString(i));
                collectPaths(node.get(i), path, out);
                path.remove(path.size() - 1);
            }
        }
    }

    private static JsonNode at(JsonNode doc, List<String> path) {
        JsonNode node = doc;
        for (String token : path) {
            node = node.isArray() ? node.get(Integer.parseInt(token)) : node.get(token);
        }
        return node;
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
