package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** getAll, setAll and updateAll against a real redis-server: every key on its own, in the caller's order. */
class BatchIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** A small document. */
    public record Item(String name, int count) {
    }

    private static SyncService sync;
    private static int sections;

    @BeforeAll
    static void start() {
        sync = SyncService.builder().redis(RedisDeployment.single(redis.server().uri()).build()).build();
    }

    @AfterAll
    static void stop() {
        sync.close();
    }

    private static DocumentManager<Item> manager(String section, String node) {
        return DocumentManager.builder(Item.class).syncService(sync).section("batch", section).origin("local", node).build();
    }

    @Test
    void setAll_commitsEveryKey_andGetAllReadsThemInOrder_cachedOrNot() {
        String section = "items" + (++sections);
        DocumentManager<Item> writer = manager(section, "writer");
        Map<String, Item> values = new LinkedHashMap<>();
        for (int i = 300; i > 0; i--) { // not in sorted order, so order is the caller's
            values.put("i" + i, new Item("item " + i, i));
        }
        Map<String, Versioned<Item>> committed = writer.setAll(values).join();
        assertThat(committed.keySet()).containsExactlyElementsOf(values.keySet());
        assertThat(committed.values()).allSatisfy(v -> assertThat(v.version()).isEqualTo(1));

        DocumentManager<Item> reader = manager(section, "reader");
        reader.get("i5").join(); // one cached, the rest loaded
        List<String> asked = new ArrayList<>(values.keySet());
        asked.add(7, "absent");
        asked.add("i5"); // a duplicate is read once
        Map<String, Versioned<Item>> read = reader.getAll(asked).join();
        assertThat(read.keySet()).containsExactlyElementsOf(values.keySet());
        read.forEach((id, v) -> assertThat(v.value()).isEqualTo(values.get(id)));
        assertThat(reader.getCached("i300")).as("loaded documents are cached").isPresent();
    }

    @Test
    void updateAll_commitsThePresentKeys_andNamesTheMissingOnes() {
        String section = "items" + (++sections);
        DocumentManager<Item> manager = manager(section, "writer");
        manager.setAll(IntStream.range(0, 50).boxed().collect(Collectors.toMap(i -> "k" + i, i -> new Item("k" + i, 0)))).join();
        List<String> ids = new ArrayList<>(IntStream.range(0, 50).mapToObj(i -> "k" + i).toList());
        ids.add(20, "missing-1");
        ids.add("missing-2");
        ids.add("k3"); // a duplicate is updated once

        assertThatThrownBy(() -> manager.updateAll(ids, item -> new Item(item.name(), item.count() + 1)).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(BatchWriteException.class, e -> {
                    assertThat(e.failures()).containsOnlyKeys("missing-1", "missing-2");
                    assertThat(e.failures().values()).allSatisfy(f -> assertThat(f).isInstanceOf(DocumentNotFoundException.class));
                    assertThat(e.committed()).hasSize(50);
                    assertThat(e).hasMessageContaining("2 of 52 writes in batch/" + section + " failed")
                            .hasMessageContaining("missing-1").hasMessageContaining("50 committed");
                });

        DocumentManager<Item> other = manager(section, "other");
        Map<String, Versioned<Item>> after = other.getAll(ids).join();
        assertThat(after).hasSize(50);
        assertThat(after.values()).allSatisfy(v -> {
            assertThat(v.version()).isEqualTo(2);
            assertThat(v.value().count()).isEqualTo(1);
        });
    }

    @Test
    void badInput_isRefusedBeforeAnyWrite() {
        String section = "items" + (++sections);
        DocumentManager<Item> manager = manager(section, "writer");
        Map<String, Item> withNull = new HashMap<>();
        withNull.put("a", new Item("a", 1));
        withNull.put("b", null);
        assertThatThrownBy(() -> manager.setAll(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("the value of b");
        Map<String, Item> badId = new LinkedHashMap<>();
        badId.put("a", new Item("a", 1));
        badId.put("", new Item("empty", 1));
        assertThatThrownBy(() -> manager.setAll(badId)).isInstanceOf(IllegalArgumentException.class);
        long loads = manager.stats().loads();
        assertThatThrownBy(() -> manager.getAll(Arrays.asList("a", null))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> manager.getAll(List.of("a", "b", ""))).isInstanceOf(IllegalArgumentException.class);
        assertThat(manager.stats().loads()).as("no read started for a refused batch").isEqualTo(loads);
        assertThat(manager.get("a").join()).as("nothing of a refused batch was written").isEmpty();
    }
}
