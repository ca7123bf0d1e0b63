package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.JsonPatch;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.SectionContext;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.RedisServer;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A section's raw Redis data, read with the testkit's own RESP client and parsed here, so the
 * assertions do not trust the code under test: the log stream, the document hashes, and an
 * independent replay of the logged events (zjsonpatch applies the patches).
 */
final class RawSection {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int PAGE = 1000;

    private final RedisServer server;
    private final String prefix;
    private final SectionContext section;

    RawSection(RedisServer server, String namespace, String partition, String section) {
        this.server = server;
        this.prefix = namespace + ":{" + partition + ":" + section + "}:";
        this.section = SectionContext.of(partition, section);
    }

    /** The default section of {@link RedisFixture}: {@code ddm:{test:docs}}. */
    static RawSection testDocs(RedisServer server) {
        return new RawSection(server, "ddm", "test", "docs");
    }

    /** The section, as the compact Redis form's decoder takes it. */
    SectionContext section() {
        return section;
    }

    String logKey() {
        return prefix + "log";
    }

    String channel() {
        return prefix + "ch";
    }

    String documentKey(String id) {
        return prefix + "s:" + id;
    }

    /** One entry of the section log: its stream id and the decoded event of its {@code e} field. */
    record LoggedEvent(String streamId, ChangeEvent event) {
    }

    /** The document hash: its members as one JSON object, and its metadata fields. */
    record RawDocument(long version, boolean deleted, ObjectNode members, String origin, long timeMillis) {
    }

    /** Every entry of the section log, in stream order (XRANGE, paged). */
    List<LoggedEvent> log() {
        List<LoggedEvent> entries = new ArrayList<>();
        String from = "-";
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object> page = (List<Object>) server.call("XRANGE", logKey(), from, "+", "COUNT", Integer.toString(PAGE));
            for (Object item : page) {
                List<?> entry = (List<?>) item;
                String id = (String) entry.get(0);
                List<?> fields = (List<?>) entry.get(1);
                assertThat(fields).as("log entry %s has exactly the field e", id).hasSize(2);
                assertThat(fields.get(0)).as("log entry %s field name", id).isEqualTo("e");
                entries.add(new LoggedEvent(id, ChangeEventCodec.decode((String) fields.get(1), section)));
            }
            if (page.size() < PAGE) {
                return entries;
            }
            from = "(" + entries.get(entries.size() - 1).streamId();
        }
    }

    /** The log's entries grouped by document id, each group in stream order. */
    Map<String, List<LoggedEvent>> logById() {
        Map<String, List<LoggedEvent>> byId = new LinkedHashMap<>();
        for (LoggedEvent entry : log()) {
            byId.computeIfAbsent(entry.event().key().id(), id -> new ArrayList<>()).add(entry);
        }
        return byId;
    }

    /** The document hash (HGETALL), or empty if the key does not exist. */
    Optional<RawDocument> document(String id) {
        return parseHash(documentKey(id), (List<?>) server.call("HGETALL", documentKey(id)));
    }

    /** Parses an HGETALL reply of a document hash; empty if the hash does not exist. */
    static Optional<RawDocument> parseHash(String documentKey, List<?> flat) {
        if (flat.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode members = MAPPER.createObjectNode();
        String version = null;
        String origin = null;
        String time = null;
        boolean deleted = false;
        for (int i = 0; i < flat.size(); i += 2) {
            String field = (String) flat.get(i);
            String value = (String) flat.get(i + 1);
            if (!field.isEmpty() && field.charAt(0) == '\u0000') {
                switch (field) {
                    case "\u0000v":
                        version = value;
                        break;
                    case "\u0000o":
                        origin = value;
                        break;
                    case "\u0000t":
                        time = value;
                        break;
                    case "\u0000x":
                        assertThat(value).as("deleted flag of %s", documentKey).isEqualTo("1");
                        deleted = true;
                        break;
                    default:
                        throw new AssertionError("unknown metadata field " + field.substring(1) + " in " + documentKey);
                }
            } else {
                members.set(field, parse(value));
            }
        }
        assertThat(version).as("version field of %s", documentKey).isNotNull();
        assertThat(time).as("time field of %s", documentKey).isNotNull();
        return Optional.of(new RawDocument(Long.parseLong(version), deleted, members, origin, Long.parseLong(time)));
    }

    /**
     * Checks that {@code entries} (one key's log, in stream order) hold versions 1..n exactly once
     * each, every one naming its predecessor as base.
     */
    static void assertContiguous(String id, List<LoggedEvent> entries) {
        for (int i = 0; i < entries.size(); i++) {
            ChangeEvent event = entries.get(i).event();
            assertThat(event.version()).as("%s: log position %d (stream id %s)", id, i, entries.get(i).streamId())
                    .isEqualTo(i + 1L);
            assertThat(event.prevVersion()).as("%s v%d names its base", id, event.version()).isEqualTo(i);
        }
    }

    /**
     * Replays one key's logged events from version 1: create takes the state, update applies the
     * patch to the previous state, delete makes the key absent. Returns the document after every
     * version (index = version; null while absent). An update that also carries the full state
     * must carry exactly what its patch produces.
     */
    static List<ObjectNode> replay(String id, List<LoggedEvent> entries) {
        List<ObjectNode> states = new ArrayList<>();
        states.add(null); // version 0: nothing
        ObjectNode current = null;
        for (LoggedEvent entry : entries) {
            ChangeEvent event = entry.event();
            String what = id + " v" + event.version() + " (" + entry.streamId() + ")";
            if (event.op() == ChangeOp.CREATE) {
                assertThat(current).as("%s: create on a live document", what).isNull();
                assertThat(event.state()).as("%s: create carries the state", what).isNotNull();
                current = normalize(event.state());
            } else if (event.op() == ChangeOp.UPDATE) {
                assertThat(current).as("%s: update on an absent document", what).isNotNull();
                try {
                    current = normalize(JsonPatch.apply(event.patch(), current));
                } catch (RuntimeException e) {
                    throw new AssertionError(what + ": the logged patch " + event.patch() + " does not apply to the replayed v"
                            + event.prevVersion() + " " + current, e);
                }
                if (event.state() != null) {
                    assertThat(normalize(event.state())).as("%s: the full state equals the patched base", what)
                            .isEqualTo(current);
                }
            } else if (event.op() == ChangeOp.DELETE) {
                assertThat(current).as("%s: delete of an absent document", what).isNotNull();
                current = null;
            } else {
                throw new AssertionError(what + ": unexpected op " + event.op() + " in the log");
            }
            states.add(current);
        }
        return states;
    }

    /** A tree in the one canonical form this class compares (re-parsed from its JSON text). */
    static ObjectNode normalize(JsonNode tree) {
        try {
            return (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(tree));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON tree of a typed value, in canonical form. */
    static ObjectNode treeOf(Object value) {
        return normalize(MAPPER.valueToTree(value));
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("a hash member is not valid JSON: " + json, e);
        }
    }
}
