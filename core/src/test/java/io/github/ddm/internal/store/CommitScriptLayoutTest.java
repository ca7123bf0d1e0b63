package io.github.ddm.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holds what commit.lua assumes about the event's JSON against the wire form's owner
 * ({@link WireForm}): the script's own text is read, its expressions that build the log entry and
 * the published message are evaluated here (they are plain concatenations of ARGV and literals),
 * and the result must be the codec's bytes for the complete event. A change of field names or order
 * in schemas, or of the joins in the script, fails this test without a Redis.
 */
class CommitScriptLayoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCRIPT = script();

    private static final String EPOCH = "ep0ch_X";
    private static final String LINEAGE = "k3J9";
    private static final String STREAM_ID = "1732700000123-7";
    private static final VersionVector CLOCK = VersionVector.of(Map.of("eu-west~k3J9", 40L, "us.east~X_-1", 2L));

    @Test
    void logEntryAndMessage_builtAsTheScriptDoes_areTheCodecsBytes() throws Exception {
        List<ChangeEvent> templates = events(WireForm.PLACEHOLDER_EPOCH);
        List<ChangeEvent> completes = events(EPOCH);
        for (int e = 0; e < templates.size(); e++) {
            WireForm.Split split = WireForm.split(placeholders(templates.get(e)));
            ChangeEvent complete = completes.get(e);
            for (String lineage : List.of(LINEAGE, "")) {
                ChangeEvent expected = complete.withClock(lineage.isEmpty() ? null : lineage, CLOCK);
                Map<String, String> values = Map.of("ARGV[8]", split.head(), "ARGV[9]", split.middle(), "ARGV[10]",
                        split.tail(), "epoch", EPOCH, "lineage", lineage, "clock", CLOCK.toJson(), "id", STREAM_ID);
                String head = evaluate(headExpression(lineage.isEmpty()), values);
                Map<String, String> withHead = new HashMap<>(values);
                withHead.put("head", head);

                assertThat(evaluate(logExpression(), withHead)).as("the log entry (lineage '%s')", lineage)
                        .isEqualTo(ChangeEventCodec.encodeToString(expected.withStreamId(null)));
                assertThat(evaluate(publishExpression(), withHead)).as("the published message (lineage '%s')", lineage)
                        .isEqualTo(ChangeEventCodec.encodeToString(expected.withStreamId(STREAM_ID)));
            }
        }
    }

    @Test
    void eventIdPattern_ofTheScript_readsTheEventIdWhereTheCodecWritesIt() throws Exception {
        Matcher m = Pattern.compile("string\\.match\\(ARGV\\[8\\], '([^']+)'\\)").matcher(SCRIPT);
        assertThat(m.find()).as("commit.lua reads the event id from ARGV[8] with string.match").isTrue();
        Pattern eventId = Pattern.compile(luaToJava(m.group(1)));
        for (ChangeEvent event : events(WireForm.PLACEHOLDER_EPOCH)) {
            WireForm.Split split = WireForm.split(placeholders(event));
            Matcher id = eventId.matcher(split.head());
            assertThat(id.find()).as("the script's pattern %s on %s", m.group(1), split.head()).isTrue();
            assertThat(id.group(1)).isEqualTo(event.eventId()).isEqualTo(WireForm.eventIdOf(split.head()));
            assertThat(split.head()).startsWith(WireForm.ECHO_PREFIX);
        }
    }

    @Test
    void argumentOrder_ofTheStore_isWhatTheScriptReads() {
        assertThat(SCRIPT).contains("ARGV[8] event text up to the epoch value", "ARGV[9] event text from ',\"time\":'",
                "ARGV[10] event text after that");
        assertThat(WireForm.TIME_MARK).isEqualTo(",\"time\":");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static List<ChangeEvent> events(String epoch) throws Exception {
        DataKey key = DataKey.of("orders", "book", "BTC-\"USD\"} {\"epoch\":\"E\"");
        Origin origin = Origin.of("eu-west", "node-1");
        Instant time = Instant.ofEpochMilli(1_732_700_000_123L);
        return List.of(
                new ChangeEvent("ev-1", key, ChangeOp.UPDATE, 42, 41, epoch, time, origin,
                        JSON.readTree("[{\"op\":\"replace\",\"path\":\"/origin\",\"value\":\"}\"}]"),
                        JSON.readTree("{\"origin\":\"}\",\"epoch\":\"E\",\"time\":1}"), null),
                ChangeEvent.create("c-1", key, 42, 0, epoch, time, origin, JSON.readTree("{\"a\":1}")),
                ChangeEvent.delete("d-1", key, 42, 41, epoch, time, origin));
    }

    private static VersionVector placeholderClock(long version) {
        return EventTemplate.placeholderClock(version);
    }

    private static ChangeEvent placeholders(ChangeEvent event) {
        return event.withClock(WireForm.PLACEHOLDER_LINEAGE, placeholderClock(event.version()));
    }

    /** {@code head = ...} in the branch without a lineage or with one. */
    private static String headExpression(boolean noLineage) {
        Matcher m = Pattern.compile("if lineage == '' then\\s*\\n\\s*head = (.+)\\n\\s*else\\s*\\n\\s*head = (.+)\\n\\s*end")
                .matcher(SCRIPT);
        assertThat(m.find()).as("commit.lua builds head in an if on the lineage").isTrue();
        return noLineage ? m.group(1) : m.group(2);
    }

    private static String logExpression() {
        Matcher m = Pattern.compile("'XADD', log, '\\*', 'e', (.+)\\)\\n").matcher(SCRIPT);
        assertThat(m.find()).as("commit.lua adds the log entry with XADD").isTrue();
        return m.group(1);
    }

    private static String publishExpression() {
        Matcher m = Pattern.compile("redis\\.call\\(ARGV\\[12\\], channel, (.+)\\)\\n").matcher(SCRIPT);
        assertThat(m.find()).as("commit.lua publishes with ARGV[12]").isTrue();
        return m.group(1);
    }

    /** A Lua concatenation of variables, ARGV entries and single-quoted literals. */
    private static String evaluate(String expression, Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        for (String token : tokens(expression)) {
            if (token.startsWith("'")) {
                out.append(token, 1, token.length() - 1);
            } else {
                assertThat(values).as("a value for %s in %s", token, expression).containsKey(token);
                out.append(values.get(token));
            }
        }
        return out.toString();
    }

    private static List<String> tokens(String expression) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == ' ' || c == '.') {
                i++;
            } else if (c == '\'') {
                int end = expression.indexOf('\'', i + 1);
                assertThat(expression.substring(i + 1, end)).as("no escapes in the script's literals").doesNotContain("\\");
                tokens.add(expression.substring(i, end + 1));
                i = end + 1;
            } else {
                int end = i;
                while (end < expression.length() && expression.charAt(end) != ' ') {
                    end++;
                }
                tokens.add(expression.substring(i, end));
                i = end;
            }
        }
        return tokens;
    }

    /** The few Lua pattern items the script uses: %d, classes, anchors, captures. */
    private static String luaToJava(String lua) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lua.length(); i++) {
            char c = lua.charAt(i);
            if (c == '%') {
                char item = lua.charAt(++i);
                out.append(item == 'd' ? "[0-9]" : Pattern.quote(String.valueOf(item)));
            } else if (c == '{' || c == '}') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String script() {
        try (InputStream in = CommitScriptLayoutTest.class.getResourceAsStream("/io/github/ddm/internal/store/commit.lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
