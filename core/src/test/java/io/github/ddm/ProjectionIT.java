package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A projection reads a few top-level members without loading the whole document. */
class ProjectionIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** The part of a Counter a caller wants. */
    public record Label(String label) {
    }

    private RedisFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void project_readsOnlyTheAskedMembers_withoutLoadingTheDocument() {
        DocumentManager<Counter> writer = fixture.manager(Counter.class, "w");
        Counter big = new Counter(7, "small part");
        big.tags = Map.of("a", 1L, "b", 2L);
        writer.set("doc", big).join();
        writer.update("doc", Counter::increment).join();
        DocumentManager<Counter> reader = fixture.manager(Counter.class, "r");

        reader.project("warm-up", Label.class, "label").join(); // loads the script into Redis's cache
        try (RespClient admin = redis.server().client()) {
            admin.call("CONFIG", "RESETSTAT");
            Versioned<Label> label = reader.project("doc", Label.class, "label").join().orElseThrow();

            assertThat(label.value().label()).isEqualTo("small part");
            assertThat(label.version()).isEqualTo(2);
            assertThat(label.origin().node()).isEqualTo("w");
            assertThat(reader.stats().loads()).isZero();
            assertThat(reader.getCached("doc")).isEmpty();
            assertThat(ServerStats.scriptCalls(admin)).as("one projection script, no full load").isEqualTo(1);
            assertThat(admin.info("commandstats", "cmdstat_hgetall")).isNull();
        }
        assertThat(reader.project("missing", Label.class, "label").join()).isEmpty();
        assertThatThrownBy(() -> reader.project("doc", Label.class)).hasMessageContaining("at least one member");
    }

    @Test
    void project_ofThousandsOfMembers_readsThemAll() {
        // More names than Lua's unpack takes in one call: the script reads them in chunks.
        DocumentManager<ObjectNode> writer = fixture.manager(ObjectNode.class, "w");
        writer.set("many", ManyMembers.setInEvery(ManyMembers.of(9_000), "x", 3)).join();
        DocumentManager<ObjectNode> reader = fixture.manager(ObjectNode.class, "r");
        String[] names = new String[9_000];
        for (int i = 0; i < names.length; i++) {
            names[i] = "m" + i;
        }

        var projected = reader.project("many", ObjectNode.class, names).join().orElseThrow();

        assertThat(projected.value().size()).isEqualTo(9_000);
        assertThat(projected.value().get("m0").get("x").asInt()).isEqualTo(3);
        assertThat(projected.value().get("m8999").get("x").asInt()).isEqualTo(3);
        assertThat(reader.stats().loads()).isZero();
    }

    @Test
    void project_ofACachedDocument_answersFromTheCache() {
        DocumentManager<Counter> manager = fixture.manager(Counter.class, "w");
        manager.set("doc", new Counter(3, "cached")).join();
        try (RespClient admin = redis.server().client()) {
            admin.call("CONFIG", "RESETSTAT");
            assertThat(manager.project("doc", Label.class, "label", "count").join())
                    .hasValueSatisfying(v -> assertThat(v.value().label()).isEqualTo("cached"));
            assertThat(ServerStats.scriptCalls(admin)).isZero();
        }
    }
}
