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
import io.github.ddm.schema.WireForm.RedisForm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holds what commit.lua assumes about the event's text against the wire form's owner
 * ({@link WireForm}), for both forms the script writes (the compact Redis form and the contract form):
 * the script's own text is read, the block that builds the log entry and the published message is run
 * here by a small interpreter (its statements are ifs, assignments and plain concatenations of ARGV,
 * variables and literals), and the result must be the codec's bytes for the complete event. A change of
 * field names, slots or order in schemas, or of the joins in the script, fails this test without a Redis.
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
        int derived = 0;
        for (RedisForm form : RedisForm.values()) {
            for (int e = 0; e < templates.size(); e++) {
                WireForm.Split split = WireForm.split(placeholders(templates.get(e)), form);
                ChangeEvent complete = completes.get(e);
                // The origin's replica alone (the compact form writes it as 0), and a clock of two regions.
                VersionVector own = VersionVector.of(Map.of(VersionVector.replica("eu-west", LINEAGE), complete.version()));
                for (String lineage : List.of(LINEAGE, "")) {
                    for (VersionVector clock : lineage.isEmpty() ? List.of(CLOCK) : List.of(CLOCK, own)) {
                        ChangeEvent expected = complete.withClock(lineage.isEmpty() ? null : lineage, clock);
                        Map<String, String> vars = run(textBlock(), split, lineage, clock);
                        vars.put("id", STREAM_ID);
                        String logged = vars.get("logged");
                        String published = evaluate(publishExpression(), vars);
                        String what = form + ", lineage '" + lineage + "', clock " + clock.toJson();
                        assertThat(logged).as("the log entry (%s)", what).isEqualTo(text(expected.withStreamId(null), form));
                        assertThat(published).as("the published message (%s)", what)
                                .isEqualTo(text(expected.withStreamId(STREAM_ID), form));
                        assertThat(split.logText(EPOCH, lineage, clock.toJson())).isEqualTo(logged);
                        assertThat(split.publishedText(EPOCH, lineage, clock.toJson(), STREAM_ID)).isEqualTo(published);
                        if (form == RedisForm.COMPACT && clock == own) {
                            assertThat(published).as("a clock of the origin's replica alone is 0").contains("\"" + LINEAGE + "\",0,");
                            derived++;
                        }
                    }
                }
            }
        }
        assertThat(derived).isEqualTo(templates.size());
    }

    @Test
    void eventIdPattern_ofTheScript_readsTheEventIdWhereTheCodecWritesIt() throws Exception {
        for (RedisForm form : RedisForm.values()) {
            for (ChangeEvent event : events(WireForm.PLACEHOLDER_EPOCH)) {
                WireForm.Split split = WireForm.split(placeholders(event), form);
                Map<String, String> vars = run(textBlock() + "\n" + eventIdBlock(), split, LINEAGE, CLOCK);
                assertThat(vars.get("eventId")).as("the script's event id in %s", split.head()).isEqualTo(event.eventId())
                        .isEqualTo(WireForm.eventIdOf(split.head()));
                assertThat(split.head()).startsWith(form == RedisForm.COMPACT ? WireForm.COMPACT_ECHO_PREFIX : WireForm.ECHO_PREFIX);
            }
        }
    }

    @Test
    void argumentOrder_ofTheStore_isWhatTheScriptReads() {
        assertThat(SCRIPT).contains("ARGV[8] event text up to the epoch value", "ARGV[9] event text from the time",
                "ARGV[10] event text after that", "ARGV[6] origin ('region/node')");
        assertThat(WireForm.TIME_MARK).isEqualTo(",\"time\":");
        assertThat(RedisDocumentStore.formatOrigin(Origin.of("eu-west", "node-1"))).isEqualTo("eu-west/node-1");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static String text(ChangeEvent event, RedisForm form) {
        return form == RedisForm.COMPACT ? ChangeEventCodec.encodeCompact(event) : ChangeEventCodec.encodeToString(event);
    }

    private static List<ChangeEvent> events(String epoch) throws Exception {
        DataKey key = DataKey.of("orders", "book", "BTC-\"USD\"} {\"epoch\":\"E\"\",\"L\",0 [1,\"x\"");
        Origin origin = Origin.of("eu-west", "node-1");
        Instant time = Instant.ofEpochMilli(1_732_700_000_123L);
        return List.of(
                new ChangeEvent("ev-1", key, ChangeOp.UPDATE, 42, 41, epoch, time, origin,
                        JSON.readTree("[{\"op\":\"replace\",\"path\":\"/origin\",\"value\":\"}\"}]"),
                        JSON.readTree("{\"origin\":\"}\",\"epoch\":\"E\",\"time\":1}"), null),
                ChangeEvent.create("c-1", key, 42, 0, epoch, time, origin, JSON.readTree("{\"a\":1}")),
                ChangeEvent.delete("d-1", key, 42, 41, epoch, time, origin));
    }

    private static ChangeEvent placeholders(ChangeEvent event) {
        return event.withClock(WireForm.PLACEHOLDER_LINEAGE, EventTemplate.placeholderClock(event.version()));
    }

    /** From {@code local compact =} up to the XADD: the statements that build head, log entry and stream id join. */
    private static String textBlock() {
        int from = SCRIPT.indexOf("local compact = ");
        int to = SCRIPT.indexOf("local id\n", from);
        assertThat(from).as("commit.lua tells the forms apart in 'local compact = ...'").isPositive();
        assertThat(to).as("commit.lua declares the stream id after building the text").isGreaterThan(from);
        return SCRIPT.substring(from, to);
    }

    /** From {@code local eventIdAt =} to the match of the event id. */
    private static String eventIdBlock() {
        Matcher m = Pattern.compile("(?s)(local eventIdAt = .*?local eventId = [^\\n]+)\\n").matcher(SCRIPT);
        assertThat(m.find()).as("commit.lua reads the event id from ARGV[8] with a pattern per form").isTrue();
        return m.group(1);
    }

    private static String publishExpression() {
        Matcher m = Pattern.compile("redis\\.call\\(ARGV\\[12\\], channel, (.+)\\)\\n").matcher(SCRIPT);
        assertThat(m.find()).as("commit.lua publishes with ARGV[12]").isTrue();
        assertThat(SCRIPT).as("commit.lua adds the log entry it built").contains("'*', 'e', logged)");
        return m.group(1);
    }

    /** Runs {@code block} with the values the script has at that point; returns its variables. */
    private static Map<String, String> run(String block, WireForm.Split split, String lineage, VersionVector clock) {
        Map<String, String> vars = new HashMap<>(Map.of("ARGV[8]", split.head(), "ARGV[9]", split.middle(), "ARGV[10]",
                split.tail(), "ARGV[6]", RedisDocumentStore.formatOrigin(Origin.of("eu-west", "node-1")), "epoch", EPOCH,
                "lineage", lineage, "clock", clock.toJson(), "version", Long.toString(split.version())));
        Deque<boolean[]> blocks = new ArrayDeque<>(); // {active, taken}
        boolean active = true;
        Pattern assignment = Pattern.compile("(?:local )?(\\w+) = (.+)");
        for (String raw : block.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("--")) {
                continue;
            }
            if (line.startsWith("if ") && line.endsWith(" then")) {
                boolean taken = active && condition(line.substring(3, line.length() - 5), vars);
                blocks.push(new boolean[] {active, taken});
                active = taken;
            } else if (line.equals("else")) {
                boolean[] top = blocks.peek();
                active = top[0] && !top[1];
            } else if (line.equals("end")) {
                active = blocks.pop()[0];
            } else if (line.startsWith("local ") && !line.contains("=")) {
                continue; // a declaration
            } else {
                Matcher m = assignment.matcher(line);
                assertThat(m.matches()).as("a statement the interpreter knows: %s", line).isTrue();
                if (active) {
                    vars.put(m.group(1), expression(m.group(2), vars));
                }
            }
        }
        assertThat(blocks).as("balanced ifs").isEmpty();
        return vars;
    }

    private static boolean condition(String text, Map<String, String> vars) {
        int eq = text.indexOf(" == ");
        if (eq < 0) {
            assertThat(vars).as("a value for %s", text).containsKey(text);
            return Boolean.parseBoolean(vars.get(text));
        }
        return expression(text.substring(0, eq), vars).equals(expression(text.substring(eq + 4), vars));
    }

    private static final Pattern BYTE = Pattern.compile("string\\.byte\\((\\S+), 1\\) == (\\d+)");
    private static final Pattern MATCH = Pattern.compile("string\\.match\\((\\S+), (\\S+)\\)");

    private static String expression(String text, Map<String, String> vars) {
        Matcher b = BYTE.matcher(text);
        if (b.matches()) {
            return Boolean.toString(value(b.group(1), vars).charAt(0) == Integer.parseInt(b.group(2)));
        }
        Matcher m = MATCH.matcher(text);
        if (m.matches()) {
            Matcher found = Pattern.compile(luaToJava(value(m.group(2), vars))).matcher(value(m.group(1), vars));
            return found.find() ? found.group(1) : null;
        }
        return evaluate(text, vars);
    }

    private static String value(String token, Map<String, String> vars) {
        if (token.startsWith("'")) {
            return token.substring(1, token.length() - 1);
        }
        assertThat(vars).as("a value for %s", token).containsKey(token);
        return vars.get(token);
    }

    /** A Lua concatenation of variables, ARGV entries and single-quoted literals. */
    private static String evaluate(String expression, Map<String, String> vars) {
        StringBuilder out = new StringBuilder();
        for (String token : tokens(expression)) {
            out.append(value(token, vars));
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

    /** The few Lua pattern items the script uses: %d, %[, classes, anchors, captures. */
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
