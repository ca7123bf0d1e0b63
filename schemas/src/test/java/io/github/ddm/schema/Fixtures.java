package io.github.ddm.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/** Realistic values shared by the unit tests (the same ones the golden vectors use). */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String EVENT_ID = "01JQ8Z6K4T3M9X2V7B5N0C1D8E";
    static final DataKey KEY = DataKey.of("orders", "book", "BTC-USD");
    static final String EPOCH = "Xq3v9LmP2sKw";
    static final Instant TIME = Instant.ofEpochMilli(1_767_225_600_123L);
    static final Origin ORIGIN = Origin.of("eu-west-1", "ddm-node-1");

    private Fixtures() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode state() {
        return (ObjectNode) json("{\"symbol\":\"BTC-USD\",\"bids\":[{\"price\":64250.5,\"size\":0.75}],"
                + "\"asks\":[{\"price\":64251.0,\"size\":1.2}],\"seq\":1}");
    }

    static JsonNode onePatch() {
        return json("[{\"op\":\"replace\",\"path\":\"/bids/0/size\",\"value\":1.25}]");
    }

    static ChangeEvent update(long version, long prevVersion) {
        return ChangeEvent.update(EVENT_ID, KEY, version, prevVersion, EPOCH, TIME, ORIGIN, onePatch(), null);
    }

    static ChangeEvent create() {
        return ChangeEvent.create(EVENT_ID, KEY, 1, 0, EPOCH, TIME, ORIGIN, state());
    }
}
