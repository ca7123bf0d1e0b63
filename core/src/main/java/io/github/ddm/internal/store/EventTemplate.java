package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.VersionVector;
import java.util.Map;

/**
 * A change event's JSON text, split where the commit script fills in what only Redis knows: the
 * section's epoch (it may be created by this very commit), the lineage and the document's clock
 * after the change (the script counts a change made here), and the stream id of the log entry.
 *
 * <p>The codec writes fields in a fixed order (..., epoch, lineage, clock, time, origin, streamId,
 * patch, state, ...), so the event is encoded once with placeholders and no stream id, then cut:
 * {@code head} ends just before the epoch's value, {@code middle} runs from {@code ,"time":} to the
 * end of the origin object, and {@code tail} is the rest. The script writes
 * {@code head + epoch + ","lineage":" + lineage + ","clock": + clock + middle + tail} to the log and
 * the same with {@code ,"streamId":"<id>"} before the tail to the channel, which is byte for byte what
 * the codec would write for the complete event ({@code EventTemplateTest}).
 *
 * <p>The head starts with {@code {"schema":<n>,"eventId":"<id>"}: the script reads the event id
 * there, to remember the change as its origin's last one (docs/core.md, "The commit script").
 *
 * @param eventId the event's id, as the head carries it
 */
public record EventTemplate(String eventId, String head, String middle, String tail) {

    /** The epoch written into the event before it is cut out again. */
    public static final String PLACEHOLDER_EPOCH = "E";
    /** The lineage written into the event before it is cut out again. */
    public static final String PLACEHOLDER_LINEAGE = "L";

    private static final String EPOCH_MARK = "\"epoch\":\"" + PLACEHOLDER_EPOCH + "\"";
    private static final String TIME_MARK = ",\"time\":";
    private static final String ORIGIN_MARK = "\"origin\":{";
    private static final String SCHEMA_MARK = "{\"schema\":";
    private static final String EVENT_ID_MARK = ",\"eventId\":\"";

    /** A clock that sums to {@code version}, to hold the place of the real one. */
    public static VersionVector placeholderClock(long version) {
        return VersionVector.of(Map.of(VersionVector.replica(PLACEHOLDER_EPOCH, PLACEHOLDER_LINEAGE), version));
    }

    /**
     * @param event an event whose epoch is {@link #PLACEHOLDER_EPOCH}, with a lineage and a clock
     *     (placeholders or real: the script writes its own), and no stream id
     * @throws IllegalArgumentException if the event does not have that form
     */
    public static EventTemplate of(ChangeEvent event) {
        if (!PLACEHOLDER_EPOCH.equals(event.epoch()) || event.streamId() != null || event.clock() == null) {
            throw new IllegalArgumentException("the event must carry the placeholder epoch and a clock, and no stream id");
        }
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
        return new EventTemplate(event.eventId(), json.substring(0, valueAt), json.substring(timeAt, originEnd),
                json.substring(originEnd));
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

    /** What the script writes between head and middle (an empty lineage is left out). */
    public static String filling(String epoch, String lineage, String clockJson) {
        return lineage.isEmpty() ? epoch + "\",\"clock\":" + clockJson
                : epoch + "\",\"lineage\":\"" + lineage + "\",\"clock\":" + clockJson;
    }

    /** The event as the log stores it. */
    public String logText(String epoch, String lineage, String clockJson) {
        return head + filling(epoch, lineage, clockJson) + middle + tail;
    }

    /** The event as the channel carries it. */
    public String publishedText(String epoch, String lineage, String clockJson, String streamId) {
        return head + filling(epoch, lineage, clockJson) + middle + ",\"streamId\":\"" + streamId + "\"" + tail;
    }
}
