package io.github.ddm.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DataKey KEY = DataKey.of("orders", "book", "BTC-\"USD\"} {\"epoch\":\"E\"");
    private static final Origin ORIGIN = Origin.of("eu-west", "node-1");
    private static final Instant TIME = Instant.ofEpochMilli(1_732_700_000_123L);

    private static ChangeEvent update(String epoch, String streamId, boolean withState) throws Exception {
        return new ChangeEvent("ev-1", KEY, io.github.ddm.schema.ChangeOp.UPDATE, 42, 41, epoch, TIME, ORIGIN,
                JSON.readTree("[{\"op\":\"replace\",\"path\":\"/origin\",\"value\":\"}\"}]"),
                withState ? JSON.readTree("{\"origin\":\"}\",\"epoch\":\"E\"}") : null, streamId);
    }

    @Test
    void splicedText_isExactlyWhatTheCodecWritesForTheCompleteEvent() throws Exception {
        for (boolean withState : new boolean[] {false, true}) {
            EventTemplate template = EventTemplate.of(update(EventTemplate.PLACEHOLDER_EPOCH, null, withState));

            assertThat(template.logText("ep0ch_X"))
                    .isEqualTo(ChangeEventCodec.encodeToString(update("ep0ch_X", null, withState)));
            assertThat(template.publishedText("ep0ch_X", "1732700000123-7"))
                    .isEqualTo(ChangeEventCodec.encodeToString(update("ep0ch_X", "1732700000123-7", withState)));
        }
    }

    @Test
    void createAndDelete_spliceToo() throws Exception {
        ChangeEvent create = ChangeEvent.create("c-1", KEY, 1, 0, EventTemplate.PLACEHOLDER_EPOCH, TIME, ORIGIN, JSON.readTree("{\"a\":1}"));
        ChangeEvent delete = ChangeEvent.delete("d-1", KEY, 2, 1, EventTemplate.PLACEHOLDER_EPOCH, TIME, ORIGIN);

        assertThat(ChangeEventCodec.decode(EventTemplate.of(create).publishedText("e1", "5-0")))
                .isEqualTo(withEpoch(create, "e1").withStreamId("5-0"));
        assertThat(ChangeEventCodec.decode(EventTemplate.of(delete).logText("e1")))
                .isEqualTo(withEpoch(delete, "e1"));
    }

    private static ChangeEvent withEpoch(ChangeEvent e, String epoch) {
        return new ChangeEvent(e.eventId(), e.key(), e.op(), e.version(), e.prevVersion(), epoch, e.time(), e.origin(),
                e.patch(), e.state(), e.streamId());
    }

    @Test
    void rejectsEventsWithoutThePlaceholder() throws Exception {
        assertThatThrownBy(() -> EventTemplate.of(update("real", null, false))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventTemplate.of(update(EventTemplate.PLACEHOLDER_EPOCH, "1-1", false)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
