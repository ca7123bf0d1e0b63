package io.github.ddm.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.SectionContext;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm.RedisForm;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("orders", "book", "BTC-\"USD\"} {\"epoch\":\"E\"");
    private static final Origin ORIGIN = Origin.of("eu-west", "node-1");
    private static final Instant TIME = Instant.ofEpochMilli(1_732_700_000_123L);

    private static final VersionVector CLOCK = VersionVector.of(Map.of("eu-west~k3J9", 40L, "us.east~X_-1", 2L));

    private static ChangeEvent update(String epoch, String streamId, boolean withState) throws Exception {
        return new ChangeEvent("ev-1", KEY, io.github.ddm.schema.ChangeOp.UPDATE, 42, 41, epoch, TIME, ORIGIN,
                JSON.readTree("[{\"op\":\"replace\",\"path\":\"/origin\",\"value\":\"}\"}]"),
                withState ? JSON.readTree("{\"origin\":\"}\",\"epoch\":\"E\",\"time\":1}") : null, streamId);
    }

    private static ChangeEvent placeholders(ChangeEvent event) {
        return event.withClock(EventTemplate.PLACEHOLDER_LINEAGE, EventTemplate.placeholderClock(event.version()));
    }

    private static String text(ChangeEvent event, RedisForm form) {
        return form == RedisForm.COMPACT ? ChangeEventCodec.encodeCompact(event) : ChangeEventCodec.encodeToString(event);
    }

    @Test
    void splicedText_isExactlyWhatTheCodecWritesForTheCompleteEvent() throws Exception {
        for (RedisForm form : RedisForm.values()) {
            for (boolean withState : new boolean[] {false, true}) {
                EventTemplate template = EventTemplate.of(placeholders(update(EventTemplate.PLACEHOLDER_EPOCH, null, withState)), form);

                assertThat(template.logText("ep0ch_X", "k3J9", CLOCK.toJson()))
                        .isEqualTo(text(update("ep0ch_X", null, withState).withClock("k3J9", CLOCK), form));
                assertThat(template.publishedText("ep0ch_X", "k3J9", CLOCK.toJson(), "1732700000123-7"))
                        .isEqualTo(text(update("ep0ch_X", "1732700000123-7", withState).withClock("k3J9", CLOCK), form));
                assertThat(template.logText("ep0ch_X", "", CLOCK.toJson())).as("without a lineage")
                        .isEqualTo(text(update("ep0ch_X", null, withState).withClock(null, CLOCK), form));
            }
        }
    }

    @Test
    void defaultForm_isCompact_andRedisTextFollowsIt() throws Exception {
        assertThat(EventTemplate.FORM).as("no %s set in tests", RedisForm.PROPERTY).isEqualTo(RedisForm.COMPACT);
        ChangeEvent event = update("ep0ch_X", null, false).withClock("k3J9", CLOCK);
        assertThat(EventTemplate.redisText(event)).isEqualTo(ChangeEventCodec.encodeCompact(event));
        assertThat(EventTemplate.of(placeholders(update(EventTemplate.PLACEHOLDER_EPOCH, null, false))).head()).startsWith("[");
    }

    @Test
    void createAndDelete_spliceToo() throws Exception {
        ChangeEvent create = ChangeEvent.create("c-1", KEY, 1, 0, EventTemplate.PLACEHOLDER_EPOCH, TIME, ORIGIN, JSON.readTree("{\"a\":1}"));
        ChangeEvent delete = ChangeEvent.delete("d-1", KEY, 2, 1, EventTemplate.PLACEHOLDER_EPOCH, TIME, ORIGIN);

        VersionVector one = VersionVector.of(Map.of("eu-west~A", 1L));
        VersionVector two = VersionVector.of(Map.of("eu-west~A", 2L));
        SectionContext book = SectionContext.of("orders", "book");
        for (RedisForm form : RedisForm.values()) {
            assertThat(ChangeEventCodec.decode(EventTemplate.of(placeholders(create), form).publishedText("e1", "A", one.toJson(), "5-0"),
                    book)).isEqualTo(withEpoch(create, "e1").withStreamId("5-0").withClock("A", one));
            assertThat(ChangeEventCodec.decode(EventTemplate.of(placeholders(delete), form).logText("e1", "A", two.toJson()), book))
                    .isEqualTo(withEpoch(delete, "e1").withClock("A", two));
        }
    }

    private static ChangeEvent withEpoch(ChangeEvent e, String epoch) {
        return new ChangeEvent(e.eventId(), e.key(), e.op(), e.version(), e.prevVersion(), epoch, e.time(), e.origin(),
                e.patch(), e.state(), e.streamId());
    }

    @Test
    void headStartsWithTheEventId_whereTheCommitScriptReadsIt() throws Exception {
        EventTemplate template = EventTemplate.of(placeholders(update(EventTemplate.PLACEHOLDER_EPOCH, null, false)), RedisForm.VERBOSE);

        assertThat(template.eventId()).isEqualTo("ev-1");
        assertThat(template.head()).matches("\\{\"schema\":[0-9]+,\"eventId\":\"ev-1\".*");
        EventTemplate compact = EventTemplate.of(placeholders(update(EventTemplate.PLACEHOLDER_EPOCH, null, false)), RedisForm.COMPACT);
        assertThat(compact.eventId()).isEqualTo("ev-1");
        assertThat(compact.head()).matches("\\[[0-9]+,\"ev-1\".*");
    }

    @Test
    void rejectsEventsWithoutThePlaceholder() throws Exception {
        assertThatThrownBy(() -> EventTemplate.of(placeholders(update("real", null, false)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventTemplate.of(placeholders(update(EventTemplate.PLACEHOLDER_EPOCH, "1-1", false))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventTemplate.of(update(EventTemplate.PLACEHOLDER_EPOCH, null, false)))
                .as("no clock").isInstanceOf(IllegalArgumentException.class);
    }
}
