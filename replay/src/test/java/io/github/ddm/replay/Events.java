package io.github.ddm.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Instant;

/** Change events for unit tests. */
final class Events {

    static final ObjectMapper JSON = new ObjectMapper();
    static final DataKey K = DataKey.of("orders", "book", "BTC-USD");
    private static final Instant TIME = Instant.parse("2024-05-01T12:00:00Z");
    private static final Origin ORIGIN = Origin.of("eu-west", "n1");

    private Events() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static ChangeEvent create(DataKey key, long version, long prev) {
        return ChangeEvent.create("e" + version, key, version, prev, "ep1", TIME, ORIGIN, json("{\"n\":" + version + "}"));
    }

    static ChangeEvent update(DataKey key, long version) {
        return ChangeEvent.update("e" + version, key, version, version - 1, "ep1", TIME, ORIGIN,
                json("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + version + "}]"), null);
    }

    static ChangeEvent updateWithState(DataKey key, long version) {
        return ChangeEvent.update("e" + version, key, version, version - 1, "ep1", TIME, ORIGIN,
                json("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + version + "}]"), json("{\"n\":" + version + "}"));
    }

    static ChangeEvent delete(DataKey key, long version) {
        return ChangeEvent.delete("e" + version, key, version, version - 1, "ep1", TIME, ORIGIN);
    }

    static ChangeEvent snapshot(DataKey key, long version) {
        return ChangeEvent.snapshot("s" + version, key, version, 0, "ep1", TIME, ORIGIN, json("{\"n\":" + version + "}"));
    }
}
