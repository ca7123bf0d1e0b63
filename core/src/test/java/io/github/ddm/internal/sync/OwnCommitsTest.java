package io.github.ddm.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OwnCommitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ChangeEvent update(String eventId) throws Exception {
        return ChangeEvent.update(eventId, DataKey.of("p", "s", "k\"1"), 8, 7, EventTemplate.PLACEHOLDER_EPOCH,
                Instant.ofEpochMilli(1_700_000_000_123L), Origin.of("eu", "n1"),
                JSON.readTree("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":\"x\\\"y\"}]"), null);
    }

    @Test
    void echoOfAKnownCommit_isRebuiltExactlyAsTheCodecWouldDecodeIt() throws Exception {
        OwnCommits<Object> own = new OwnCommits<>();
        ChangeEvent event = update("ev-1");
        EventTemplate template = EventTemplate.of(event);
        own.register(new OwnCommits.Own<>(event, template, null, null, null, 0, 0));
        String published = template.publishedText("epochX", "1700000000123-4");

        ChangeEvent echo = own.echo(published);

        assertThat(published).startsWith(OwnCommits.ECHO_PREFIX);
        assertThat(echo).isEqualTo(ChangeEventCodec.decode(published));
    }

    @Test
    void unknownOrAlteredTexts_areLeftToTheCodec() throws Exception {
        OwnCommits<Object> own = new OwnCommits<>();
        ChangeEvent event = update("ev-2");
        EventTemplate template = EventTemplate.of(event);
        own.register(new OwnCommits.Own<>(event, template, null, null, null, 0, 0));

        assertThat(own.echo(EventTemplate.of(update("other")).publishedText("e", "1-1"))).isNull();
        assertThat(own.echo(template.publishedText("e", "1-1").replace("\"x", "\"z"))).isNull();
        assertThat(own.echo(template.logText("e"))).as("no stream id").isNull();
        own.forget("ev-2");
        assertThat(own.echo(template.publishedText("e", "1-1"))).isNull();
    }
}
