package io.github.ddm.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.SectionContext;
import io.github.ddm.schema.WireForm;
import io.github.ddm.schema.WireForm.RedisForm;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OwnCommitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOCK = "{\"eu~Lin_1\":5,\"us~Z\":3}";

    private static ChangeEvent update(String eventId) throws Exception {
        return ChangeEvent.update(eventId, DataKey.of("p", "s", "k\"1"), 8, 7, EventTemplate.PLACEHOLDER_EPOCH,
                Instant.ofEpochMilli(1_700_000_000_123L), Origin.of("eu", "n1"),
                JSON.readTree("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":\"x\\\"y\"}]"), null)
                .withClock(EventTemplate.PLACEHOLDER_LINEAGE, EventTemplate.placeholderClock(8));
    }

    /** The origin's replica alone: the compact form writes it as 0. */
    private static final String OWN_CLOCK = "{\"eu~Lin_1\":8}";

    @Test
    void echoOfAKnownCommit_isRebuiltExactlyAsTheCodecWouldDecodeIt() throws Exception {
        for (RedisForm form : RedisForm.values()) {
            for (String clock : new String[] {CLOCK, OWN_CLOCK}) {
                OwnCommits<Object> own = new OwnCommits<>();
                ChangeEvent event = update("ev-1");
                EventTemplate template = EventTemplate.of(event, form);
                own.register(new OwnCommits.Own<>(event, template, null));
                String published = template.publishedText("epochX", "Lin_1", clock, "1700000000123-4");

                ChangeEvent echo = own.echo(published);

                assertThat(published).startsWith(form == RedisForm.COMPACT ? WireForm.COMPACT_ECHO_PREFIX : OwnCommits.ECHO_PREFIX);
                assertThat(echo).as("%s, clock %s", form, clock).isNotNull()
                        .isEqualTo(ChangeEventCodec.decode(published, SectionContext.of("p", "s")));
            }
        }
    }

    @Test
    void unknownOrAlteredTexts_areLeftToTheCodec() throws Exception {
        for (RedisForm form : RedisForm.values()) {
            unknownOrAlteredTexts_areLeftToTheCodec(form);
        }
    }

    private static void unknownOrAlteredTexts_areLeftToTheCodec(RedisForm form) throws Exception {
        OwnCommits<Object> own = new OwnCommits<>();
        ChangeEvent event = update("ev-2");
        EventTemplate template = EventTemplate.of(event, form);
        own.register(new OwnCommits.Own<>(event, template, null));

        assertThat(own.echo(EventTemplate.of(update("other"), form).publishedText("e", "L", CLOCK, "1-1"))).isNull();
        assertThat(own.echo(template.publishedText("e", "L", CLOCK, "1-1").replace("\"x", "\"z"))).isNull();
        assertThat(own.echo(template.logText("e", "L", CLOCK))).as("no stream id").isNull();
        assertThat(own.echo(template.publishedText("e", "L", "{\"eu~L\":x}", "1-1"))).as("a clock that is not one").isNull();
        own.forget("ev-2");
        assertThat(own.echo(template.publishedText("e", "L", CLOCK, "1-1"))).isNull();
    }

    @Test
    void manyCommitsWhoseEchoNeverCame_areBounded_keepingTheNewest() throws Exception {
        OwnCommits<Object> own = new OwnCommits<>();
        for (int i = 0; i < 12_500; i++) {
            own.register(new OwnCommits.Own<>(update("lost-" + i), null, null));
        }

        assertThat(own.size()).isLessThanOrEqualTo(10_000);
        assertThat(own.get("lost-12499")).isNotNull();
        assertThat(own.get("lost-0")).isNull();
    }
}
