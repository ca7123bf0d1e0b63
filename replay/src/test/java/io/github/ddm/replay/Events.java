package io.github.ddm.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.Map;

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

    /** The lineage of the single writer region whose events these are: its v-th change is version v. */
    static final String LINEAGE = "L1";

    static VersionVector clock(long version) {
        return VersionVector.of(Map.of(VersionVector.replica(ORIGIN.region(), LINEAGE), version));
    }

    static ChangeEvent create(DataKey key, long version, long prev) {
        return ChangeEvent.create("e" + version, key, version, prev, "ep1", TIME, ORIGIN, json("{\"n\":" + version + "}"))
                .withClock(LINEAGE, clock(version));
    }

    static ChangeEvent update(DataKey key, long version) {
        return ChangeEvent.update("e" + version, key, version, version - 1, "ep1", TIME, ORIGIN,
                json("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + version + "}]"), null).withClock(LINEAGE, clock(version));
    }

    static ChangeEvent updateWithState(DataKey key, long version) {
        return ChangeEvent.update("e" + version, key, version, version - 1, "ep1", TIME, ORIGIN,
                json("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + version + "}]"), json("{\"n\":" + version + "}"))
                .withClock(LINEAGE, clock(version));
    }

    static ChangeEvent delete(DataKey key, long version) {
        return ChangeEvent.delete("e" + version, key, version, version - 1, "ep1", TIME, ORIGIN).withClock(LINEAGE, clock(version));
    }

    /** A snapshot with the whole merge state, as a source exports it. */
    static ChangeEvent snapshot(DataKey key, long version) {
        return ChangeEvent.snapshot("s" + version, key, version, 0, "ep1", TIME, ORIGIN, json("{\"n\":" + version + "}"))
                .withClock(LINEAGE, clock(version))
                .withStamps(Map.of("", new Stamp(TIME.toEpochMilli(), version, version, ORIGIN.region(), LINEAGE)));
    }

    /** A change made concurrently in another region, on version 1 of the writer's history. */
    static ChangeEvent elsewhere(DataKey key) {
        return ChangeEvent.update("x2", key, 2, 1, "ep2", TIME, Origin.of("us", "n1"),
                json("[{\"op\":\"replace\",\"path\":\"/m\",\"value\":1}]"), null)
                .withClock("U1", VersionVector.of(Map.of(VersionVector.replica(ORIGIN.region(), LINEAGE), 1L, "us~U1", 1L)));
    }
}
