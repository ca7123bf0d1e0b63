package io.github.ddm.schema;

import java.util.List;
import java.util.Objects;

/**
 * The one owner of DDM's wire layout: the change event's fields (names, order, types, which are
 * optional), the fields of a control record, the Kafka header names, the names of the record
 * schemas, and the split of an event's JSON that the commit script fills in (and by which a node
 * recognises the echo of its own change). Everything that writes or reads these forms takes them
 * from here: the codec ({@link ChangeEventCodec}), the record decoder ({@link RecordDecoder}), the
 * connector (which builds its Kafka Connect schemas mechanically from {@link Field} and
 * {@link ControlField}), core's commit script and its echo recognition, and the replay. Topic names
 * have their one parser in {@link TopicTemplate}.
 *
 * <p>Stateless and thread-safe. Not instantiable.
 */
public final class WireForm {

    /** Header of a change record: the document's version after the change (a long). */
    public static final String VERSION_HEADER = "ddm.version";
    /** Header of every record: the origin of the change, or the region and node that sent a control record. */
    public static final String ORIGIN_HEADER = "ddm.origin";
    /** Header of a control record: its kind ({@link #CONTROL_KINDS}), so a consumer can tell it from a change unparsed. */
    public static final String CONTROL_HEADER = "ddm.control";

    /** The record schema name of a change event in flat record forms (a Kafka Connect Struct). */
    public static final String EVENT_RECORD_NAME = "io.github.ddm.ChangeEvent";
    /** The version of that record schema. */
    public static final int EVENT_RECORD_VERSION = 2;
    /** The documentation of that record schema. */
    public static final String EVENT_RECORD_DOC =
            "A committed change of one DDM document (ChangeEvent v1); patch, state, clock, stamps and conflicts are JSON text.";
    /** The record schema name of the key object. */
    public static final String KEY_RECORD_NAME = "io.github.ddm.DataKey";
    /** The record schema name of the origin object. */
    public static final String ORIGIN_RECORD_NAME = "io.github.ddm.Origin";
    /** The record schema name of a control record. */
    public static final String CONTROL_RECORD_NAME = "io.github.ddm.Control";
    /** The version of that record schema. */
    public static final int CONTROL_RECORD_VERSION = 1;
    /** The documentation of that record schema. */
    public static final String CONTROL_RECORD_DOC =
            "A DDM control record: a heartbeat of a section's log position, or a repair request.";
    /** The kinds of control records, as their {@code control} member names them. */
    public static final List<String> CONTROL_KINDS = List.of("heartbeat", "repair");

    /** A field's type in flat record forms. */
    public enum Type {
        /** A 32-bit integer. */
        INT32,
        /** A 64-bit integer. */
        INT64,
        /** Text. */
        TEXT,
        /** A JSON object or array: itself in the event's JSON, JSON text in flat record forms. */
        JSON,
        /** The key object ({@link #KEY_FIELDS}). */
        KEY,
        /** The origin object ({@link #ORIGIN_FIELDS}). */
        ORIGIN
    }

    /**
     * The fields of a change event, in wire order: the order the codec writes them in, the order of
     * the flat record form, and the order the commit script relies on (epoch, lineage and clock
     * between the fixed head and {@code time}; {@code streamId} right after the origin).
     */
    public enum Field {
        /** The contract version. */
        SCHEMA("schema", Type.INT32, false),
        /** The event id; the commit script reads it right after {@code schema}. */
        EVENT_ID("eventId", Type.TEXT, false),
        /** The op's wire code. */
        OP("op", Type.TEXT, false),
        /** The data key. */
        KEY("key", Type.KEY, false),
        /** The version after the change. */
        VERSION("version", Type.INT64, false),
        /** The version the change applies to (in the JSON, absent for a snapshot of unknown base). */
        PREV_VERSION("prevVersion", Type.INT64, false),
        /** The section's epoch: filled in by the commit script. */
        EPOCH("epoch", Type.TEXT, false),
        /** The origin region's lineage: filled in by the commit script. */
        LINEAGE("lineage", Type.TEXT, true),
        /** The document's clock after the change: filled in by the commit script. */
        CLOCK("clock", Type.JSON, true),
        /** The change time, epoch milliseconds. */
        TIME("time", Type.INT64, false),
        /** The writer. */
        ORIGIN("origin", Type.ORIGIN, false),
        /** The log entry's id: added by the commit script to what it publishes. */
        STREAM_ID("streamId", Type.TEXT, true),
        /** The JSON Patch. */
        PATCH("patch", Type.JSON, true),
        /** The full document. */
        STATE("state", Type.JSON, true),
        /** The merge state's stamps. */
        STAMPS("stamps", Type.JSON, true),
        /** The conflicts resolved. */
        CONFLICTS("conflicts", Type.JSON, true);

        private final String wireName;
        private final Type type;
        private final boolean optional;

        Field(String wireName, Type type, boolean optional) {
            this.wireName = wireName;
            this.type = type;
            this.optional = optional;
        }

        /** The member name on the wire. */
        public String wireName() {
            return wireName;
        }

        /** The type in flat record forms. */
        public Type type() {
            return type;
        }

        /** Whether a flat record may leave it out (null). */
        public boolean optional() {
            return optional;
        }
    }

    /** The members of the key object, in wire order. */
    public static final List<String> KEY_FIELDS = List.of("partition", "section", "id");
    /** The members of the origin object, in wire order. */
    public static final List<String> ORIGIN_FIELDS = List.of("region", "node");

    /** The fields of a change event, in wire order. */
    public static final List<Field> FIELDS = List.of(Field.values());

    /**
     * The fields whose values are JSON objects or arrays (other than {@code key} and {@code origin}),
     * in wire order: flat record forms carry them as JSON text.
     */
    public static final List<String> JSON_TEXT_FIELDS = FIELDS.stream().filter(f -> f.type() == Type.JSON)
            .map(Field::wireName).toList();

    /** The fields of a control record, in wire order. All are text but {@code time}. */
    public enum ControlField {
        /** The kind: one of {@link #CONTROL_KINDS}; no change event has this member. */
        CONTROL("control", Type.TEXT, false),
        /** The region that sent it. */
        REGION("region", Type.TEXT, false),
        /** The DDM namespace. */
        NAMESPACE("namespace", Type.TEXT, false),
        /** The section's partition. */
        PARTITION("partition", Type.TEXT, false),
        /** The section's name. */
        SECTION("section", Type.TEXT, false),
        /** The document, or absent for the whole section. */
        ID("id", Type.TEXT, true),
        /** The asking region's clock of the document (JSON text), or absent. */
        CLOCK("clock", Type.TEXT, true),
        /** The log position a heartbeat records, or absent. */
        STREAM_ID("streamId", Type.TEXT, true),
        /** When it was sent, epoch milliseconds. */
        TIME("time", Type.INT64, false);

        private final String wireName;
        private final Type type;
        private final boolean optional;

        ControlField(String wireName, Type type, boolean optional) {
            this.wireName = wireName;
            this.type = type;
            this.optional = optional;
        }

        /** The member name on the wire. */
        public String wireName() {
            return wireName;
        }

        /** The type in flat record forms. */
        public Type type() {
            return type;
        }

        /** Whether a record may leave it out. */
        public boolean optional() {
            return optional;
        }
    }

    /**
     * The form of the text DDM keeps in Redis (a section's log entries and channel messages); docs/schema.md,
     * "The compact Redis form". Readers of Redis read both ({@link ChangeEventCodec#decode(String, SectionContext)}).
     */
    public enum RedisForm {
        /** The compact form: positional slots, the section left to the reader's context. The default. */
        COMPACT,
        /** The contract form, as Kafka records and {@link ChangeEventCodec#encode} carry it: for a rolling upgrade from a version that reads only it. */
        VERBOSE;

        /** The system property that selects the form a node writes: {@code compact} (the default) or {@code verbose}. */
        public static final String PROPERTY = "ddm.redis.wireForm";

        /**
         * The form named by {@code value}, in any case; null means {@link #COMPACT}.
         *
         * @throws IllegalArgumentException naming {@link #PROPERTY} and the accepted values if {@code value} is neither
         */
        public static RedisForm parse(String value) {
            if (value == null || value.equalsIgnoreCase("compact")) {
                return COMPACT;
            }
            if (value.equalsIgnoreCase("verbose")) {
                return VERBOSE;
            }
            throw new IllegalArgumentException(PROPERTY + " must be 'compact' or 'verbose', got " + Rules.quote(value));
        }

        /** The form {@link #PROPERTY} selects in this JVM (read on each call). */
        public static RedisForm configured() {
            return parse(System.getProperty(PROPERTY));
        }
    }

    /** How an event's compact form starts, up to the event id's value (the commit script reads the id there). */
    public static final String COMPACT_ECHO_PREFIX = "[" + ChangeEventCodec.CURRENT_SCHEMA_VERSION + ",\"";
    /** In the compact form, the lineage slot of an event without a lineage. */
    public static final String COMPACT_NO_LINEAGE = "null";
    /** In the compact form, the clock slot of a clock that is just {@code {origin.region~lineage: version}}. */
    public static final String COMPACT_DERIVED_CLOCK = "0";
    /** In the compact form, what the log entry holds in the stream id's slot (with its comma): the entry's own id is the stream id. */
    public static final String COMPACT_NO_STREAM_ID = ",0";

    // ---- The split of an event's JSON that the commit script fills in --------------------------

    /** The epoch written into an event before its JSON is split (see {@link #split}). */
    public static final String PLACEHOLDER_EPOCH = "E";
    /** The lineage written into an event before its JSON is split. */
    public static final String PLACEHOLDER_LINEAGE = "L";

    /**
     * How every event's JSON starts, up to the event id's value: the codec writes the schema version
     * first, then the event id. The commit script reads the event id there, and a node recognises
     * the echo of its own change by it.
     */
    public static final String ECHO_PREFIX = "{\"" + Field.SCHEMA.wireName() + "\":" + ChangeEventCodec.CURRENT_SCHEMA_VERSION
            + ",\"" + Field.EVENT_ID.wireName() + "\":\"";
    /** What the commit script writes between the epoch's value and the lineage's value. */
    public static final String LINEAGE_JOIN = "\",\"" + Field.LINEAGE.wireName() + "\":\"";
    /** What the commit script writes between the epoch's (or lineage's) value and the clock. */
    public static final String CLOCK_JOIN = "\",\"" + Field.CLOCK.wireName() + "\":";
    /** What the commit script writes before the stream id's value, after the origin. */
    public static final String STREAM_ID_JOIN = ",\"" + Field.STREAM_ID.wireName() + "\":\"";
    /** Where the {@code middle} of a split starts. */
    public static final String TIME_MARK = ",\"" + Field.TIME.wireName() + "\":";

    private static final String EPOCH_MARK = "\"" + Field.EPOCH.wireName() + "\":\"" + PLACEHOLDER_EPOCH + "\"";
    private static final String ORIGIN_MARK = "\"" + Field.ORIGIN.wireName() + "\":{";
    private static final String SCHEMA_MARK = "{\"" + Field.SCHEMA.wireName() + "\":";
    private static final String EVENT_ID_MARK = ",\"" + Field.EVENT_ID.wireName() + "\":\"";

    private WireForm() {
    }

    /**
     * An event's text cut where the commit script fills in what only Redis knows: {@code head} ends
     * just before the epoch's value, {@code middle} runs from the time to the end of the origin (in the
     * contract form from {@code ,"time":}), {@code tail} is the rest. In the contract form the script
     * writes {@code head + filling(epoch, lineage, clock) + middle + tail} to the log and the same with
     * {@code ,"streamId":"<id>"} before the tail to the channel; in the compact form
     * ({@link RedisForm#COMPACT}) it writes {@code head + filling + middle + ,0 + tail} to the log and
     * {@code ,"<id>"} in place of {@code ,0} to the channel. Either is byte for byte what the codec
     * writes for the complete event in that form ({@link ChangeEventCodec#encodeToString},
     * {@link ChangeEventCodec#encodeCompact}).
     *
     * @param eventId the event's id, as the head carries it
     * @param head the text up to the epoch's value
     * @param middle the text from the time to the end of the origin
     * @param tail the rest
     * @param region the origin's region (the compact form writes a clock of only its replica as {@code 0})
     * @param version the event's version (the count of that clock)
     */
    public record Split(String eventId, String head, String middle, String tail, String region, long version) {

        /** Checks presence. */
        public Split {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(middle, "middle");
            Objects.requireNonNull(tail, "tail");
            Objects.requireNonNull(region, "region");
        }

        /** The form of the text: the compact form's head starts with {@code [}. */
        public RedisForm form() {
            return head.startsWith("[") ? RedisForm.COMPACT : RedisForm.VERBOSE;
        }

        /** The event as the log stores it. */
        public String logText(String epoch, String lineage, String clockJson) {
            return form() == RedisForm.COMPACT ? head + filling(epoch, lineage, clockJson) + middle + COMPACT_NO_STREAM_ID + tail
                    : head + WireForm.filling(epoch, lineage, clockJson) + middle + tail;
        }

        /** The event as the channel carries it. */
        public String publishedText(String epoch, String lineage, String clockJson, String streamId) {
            return form() == RedisForm.COMPACT ? head + filling(epoch, lineage, clockJson) + middle + ",\"" + streamId + "\"" + tail
                    : head + WireForm.filling(epoch, lineage, clockJson) + middle + STREAM_ID_JOIN + streamId + "\"" + tail;
        }

        /** What the commit script writes between head and middle, in this split's form. */
        public String filling(String epoch, String lineage, String clockJson) {
            if (form() == RedisForm.VERBOSE) {
                return WireForm.filling(epoch, lineage, clockJson);
            }
            if (lineage.isEmpty()) {
                return epoch + "\"," + COMPACT_NO_LINEAGE + "," + clockJson;
            }
            String clock = clockJson.equals(CompactForm.derivedClockJson(region, lineage, version)) ? COMPACT_DERIVED_CLOCK : clockJson;
            return epoch + "\",\"" + lineage + "\"," + clock;
        }

        /**
         * What the commit script filled into {@code published}, if it is this split's event as the
         * channel carries it (with a lineage and a stream id); else null.
         */
        public Filled filledIn(String published) {
            return form() == RedisForm.COMPACT ? compactFilledIn(published) : verboseFilledIn(published);
        }

        private Filled verboseFilledIn(String published) {
            if (!published.startsWith(head)) {
                return null;
            }
            int epochEnd = published.indexOf('"', head.length());
            if (epochEnd < 0 || !published.startsWith(LINEAGE_JOIN, epochEnd)) {
                return null;
            }
            int lineageStart = epochEnd + LINEAGE_JOIN.length();
            int lineageEnd = published.indexOf('"', lineageStart);
            if (lineageEnd < 0 || !published.startsWith(CLOCK_JOIN, lineageEnd)) {
                return null;
            }
            int clockStart = lineageEnd + CLOCK_JOIN.length();
            // Replica names hold no braces: the first '}' closes the clock.
            int clockEnd = published.indexOf('}', clockStart) + 1;
            if (clockEnd <= 0 || !published.startsWith(middle, clockEnd)
                    || !published.startsWith(STREAM_ID_JOIN, clockEnd + middle.length())) {
                return null;
            }
            int idStart = clockEnd + middle.length() + STREAM_ID_JOIN.length();
            return streamIdAndTail(published, idStart, published.substring(head.length(), epochEnd),
                    published.substring(lineageStart, lineageEnd), published.substring(clockStart, clockEnd));
        }

        /** {@code head epoch "," "lineage" "," (0 | {clock}) middle ,"id" tail}. */
        private Filled compactFilledIn(String published) {
            if (!published.startsWith(head)) {
                return null;
            }
            int epochEnd = published.indexOf('"', head.length());
            if (epochEnd < 0 || !published.startsWith("\",\"", epochEnd)) {
                return null;
            }
            int lineageStart = epochEnd + 3;
            int lineageEnd = published.indexOf('"', lineageStart);
            if (lineageEnd < 0 || !published.startsWith(",", lineageEnd + 1)) {
                return null;
            }
            String lineage = published.substring(lineageStart, lineageEnd);
            int clockStart = lineageEnd + 2;
            int clockEnd;
            String clockJson;
            if (published.startsWith(COMPACT_DERIVED_CLOCK, clockStart)) {
                clockEnd = clockStart + COMPACT_DERIVED_CLOCK.length();
                clockJson = CompactForm.derivedClockJson(region, lineage, version);
            } else {
                // Replica names hold no braces: the first '}' closes the clock.
                clockEnd = published.indexOf('}', clockStart) + 1;
                if (clockEnd <= 0 || published.charAt(clockStart) != '{') {
                    return null;
                }
                clockJson = published.substring(clockStart, clockEnd);
            }
            if (!published.startsWith(middle, clockEnd) || !published.startsWith(",\"", clockEnd + middle.length())) {
                return null;
            }
            return streamIdAndTail(published, clockEnd + middle.length() + 2, published.substring(head.length(), epochEnd),
                    lineage, clockJson);
        }

        private Filled streamIdAndTail(String published, int idStart, String epoch, String lineage, String clockJson) {
            int idEnd = published.indexOf('"', idStart);
            if (idEnd < 0 || !published.startsWith(tail, idEnd + 1) || idEnd + 1 + tail.length() != published.length()) {
                return null;
            }
            return new Filled(epoch, lineage, clockJson, published.substring(idStart, idEnd));
        }
    }

    /**
     * What the commit script filled into a {@link Split}: unvalidated text, as found.
     *
     * @param epoch the section's epoch
     * @param lineage the lineage
     * @param clockJson the clock's JSON
     * @param streamId the log entry's id
     */
    public record Filled(String epoch, String lineage, String clockJson, String streamId) {
    }

    /**
     * Splits an event's JSON in the contract form (see {@link Split}).
     *
     * @param event an event whose epoch is {@link #PLACEHOLDER_EPOCH}, with a lineage and a clock
     *     (placeholders or real: the script writes its own), and no stream id
     * @return the split
     * @throws IllegalArgumentException if the event does not have that form
     */
    public static Split split(ChangeEvent event) {
        return split(event, RedisForm.VERBOSE);
    }

    /**
     * Splits an event's text in the given form (see {@link Split}).
     *
     * @param event an event whose epoch is {@link #PLACEHOLDER_EPOCH}, with a lineage and a clock
     *     (placeholders or real: the script writes its own), and no stream id
     * @param form the form of the text
     * @return the split
     * @throws IllegalArgumentException if the event does not have that form
     */
    public static Split split(ChangeEvent event, RedisForm form) {
        if (!PLACEHOLDER_EPOCH.equals(event.epoch()) || event.streamId() != null || event.clock() == null) {
            throw new IllegalArgumentException("the event must carry the placeholder epoch and a clock, and no stream id");
        }
        return form == RedisForm.COMPACT ? splitCompact(event) : splitVerbose(event);
    }

    private static Split splitCompact(ChangeEvent event) {
        java.io.StringWriter text = new java.io.StringWriter(256);
        CompactForm.Marks marks = CompactForm.write(event, text, true);
        String compact = text.toString();
        String head = compact.substring(0, marks.version()) + ",\"";
        if (!compact.startsWith(head + PLACEHOLDER_EPOCH + "\",", 0) || !compact.startsWith(COMPACT_NO_STREAM_ID, marks.node())) {
            throw new IllegalStateException("unexpected compact layout: " + compact);
        }
        return new Split(event.eventId(), head, compact.substring(marks.clock(), marks.node()), compact.substring(marks.streamId()),
                event.origin().region(), event.version());
    }

    private static Split splitVerbose(ChangeEvent event) {
        String json = ChangeEventCodec.encodeToString(event);
        // Every field before "epoch" is structural or a validated name: the first match is the field.
        int epochAt = json.indexOf(EPOCH_MARK);
        int timeAt = json.indexOf(TIME_MARK, epochAt);
        int originAt = json.indexOf(ORIGIN_MARK, timeAt);
        // Region and node names cannot contain braces, so the first '}' closes the origin object.
        int originEnd = json.indexOf('}', originAt) + 1;
        if (epochAt < 0 || timeAt < 0 || originAt < 0 || originEnd <= 0) {
            throw new IllegalStateException("unexpected event layout: " + json);
        }
        if (!startsWithEventId(json, event.eventId())) {
            throw new IllegalStateException("unexpected event layout, the event id does not come first: " + json);
        }
        int valueAt = epochAt + EPOCH_MARK.length() - PLACEHOLDER_EPOCH.length() - 1;
        return new Split(event.eventId(), json.substring(0, valueAt), json.substring(timeAt, originEnd),
                json.substring(originEnd), event.origin().region(), event.version());
    }

    /** What the commit script writes between head and middle (an empty lineage is left out). */
    public static String filling(String epoch, String lineage, String clockJson) {
        return lineage.isEmpty() ? epoch + CLOCK_JOIN + clockJson : epoch + LINEAGE_JOIN + lineage + CLOCK_JOIN + clockJson;
    }

    /**
     * The event id of an event's text in either Redis form, read where the codec writes it (right after the
     * schema version), without parsing; null if the text does not start as the codec's output does.
     *
     * @param json an event's JSON text
     * @return the event id, or null
     */
    public static String eventIdOf(String json) {
        String prefix = json.startsWith(COMPACT_ECHO_PREFIX) ? COMPACT_ECHO_PREFIX : json.startsWith(ECHO_PREFIX) ? ECHO_PREFIX : null;
        if (prefix == null) {
            return null;
        }
        int idEnd = json.indexOf('"', prefix.length());
        return idEnd < 0 ? null : json.substring(prefix.length(), idEnd);
    }

    /** {@code {"schema":<digits>,"eventId":"<eventId>"}, where the commit script looks for the event id. */
    private static boolean startsWithEventId(String json, String eventId) {
        if (!json.startsWith(SCHEMA_MARK)) {
            return false;
        }
        int at = SCHEMA_MARK.length();
        while (at < json.length() && Character.isDigit(json.charAt(at))) {
            at++;
        }
        return at > SCHEMA_MARK.length() && json.startsWith(EVENT_ID_MARK + eventId + "\"", at);
    }
}
