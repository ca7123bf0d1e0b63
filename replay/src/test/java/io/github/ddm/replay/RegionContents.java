package io.github.ddm.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;

/** What a region's Redis holds for a section: per id, the op (live or deleted), version and state. */
final class RegionContents {

    private static final ObjectMapper SORTED = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private RegionContents() {
    }

    /** The JSON with every object's members sorted: Redis hashes do not keep one member order across regions. */
    static String normalize(JsonNode json) {
        try {
            return SORTED.writeValueAsString(SORTED.treeToValue(json, Object.class));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** id -> "c v7 {...}" for a live document (its state as stored), "d v9" for a tombstone. */
    static TreeMap<String, String> of(RedissonClient redis, String namespace, SectionId section) throws Exception {
        SectionStore store = SectionStore.open(redis, namespace, section);
        TreeMap<String, String> contents = new TreeMap<>();
        for (String id : store.ids().get(10, TimeUnit.SECONDS)) {
            Optional<ChangeEvent> snapshot = store.snapshot(id).get(10, TimeUnit.SECONDS);
            snapshot.ifPresent(s -> contents.put(id, s.op().wireCode() + " v" + s.version()
                    + (s.state() == null ? "" : " " + normalize(s.state()))));
        }
        return contents;
    }
}
