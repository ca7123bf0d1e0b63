package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.Conflict;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Review of 40faed3: the merge fields (lineage, clock, stamps, conflicts) must survive the Connect
 * bridge, or every event reaches the other region's sink without a clock, and RegionMerge refuses
 * it ("the event carries no lineage and clock"): nothing replicates across regions.
 */
class ChangeEventDataMergeFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("trading", "books", "BTC-USD");
    private static final Origin ORIGIN = Origin.of("eu", "node-1");
    private static final Instant TIME = Instant.parse("2026-05-06T07:08:09.123Z");

    static Stream<ChangeEvent> events() throws Exception {
        JsonNode state = JSON.readTree("{\"bid\":1.5,\"n\":{\"x\":1}}");
        JsonNode patch = JSON.readTree("[{\"op\":\"replace\",\"path\":\"/bid\",\"value\":1.75}]");
        VersionVector clock = VersionVector.of(Map.of("eu~Leu", 2L, "us~Lus", 1L));
        Stamp eu = new Stamp(TIME.toEpochMilli(), 3, 2, "eu", "Leu");
        Stamp us = new Stamp(TIME.toEpochMilli() - 5, 2, 1, "us", "Lus");
        return Stream.of(
                ChangeEvent.update("e-3", KEY, 3, 2, "ep1", TIME, ORIGIN, patch, null).withClock("Leu", clock),
                ChangeEvent.update("e-3", KEY, 3, 2, "ep1", TIME, ORIGIN, patch, null).withClock("Leu", clock)
                        .withConflicts(List.of(new Conflict("/bid", eu, us))),
                ChangeEvent.snapshot("snapshot-ep1-3", KEY, 3, 0, "ep1", TIME, ORIGIN, state).withClock("Leu", clock)
                        .withStamps(Map.of("", us, "/bid", eu)));
    }

    @ParameterizedTest
    @MethodSource("events")
    void toStruct_toEvent_keepsLineageClockStampsAndConflicts(ChangeEvent event) {
        Struct struct = ChangeEventData.toStruct(event);

        ChangeEvent back = ChangeEventData.toEvent(struct);

        assertThat(back.lineage()).as("lineage").isEqualTo(event.lineage());
        assertThat(back.clock()).as("clock").isEqualTo(event.clock());
        assertThat(back.stamps()).as("stamps").isEqualTo(event.stamps());
        assertThat(back.conflicts()).as("conflicts").isEqualTo(event.conflicts());
        assertThat(back.stamp()).as("the stamp a sink merges with").isNotNull().isEqualTo(event.stamp());
    }

    @ParameterizedTest
    @MethodSource("events")
    void converter_writesTheCodecBytes_mergeFieldsIncluded(ChangeEvent event) {
        ChangeEventConverter converter = new ChangeEventConverter();
        converter.configure(Map.of(), false);

        byte[] bytes = converter.fromConnectData("t", ChangeEventData.VALUE_SCHEMA, ChangeEventData.toStruct(event));

        assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(ChangeEventCodec.encode(event), java.nio.charset.StandardCharsets.UTF_8));
    }
}
