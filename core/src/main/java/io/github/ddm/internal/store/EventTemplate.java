package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;

/**
 * A change event's JSON text, split where the commit script fills in what only Redis knows: the
 * section's epoch (it may be created by this very commit) and the stream id of the log entry.
 *
 * <p>The codec writes fields in a fixed order (..., epoch, time, origin, streamId, patch, state),
 * so the event is encoded once with a placeholder epoch and no stream id, then cut: {@code head}
 * ends just before the epoch's value, {@code middle} runs from after it to the end of the origin
 * object, and {@code tail} is the rest. The script writes {@code head + epoch + middle + tail} to
 * the log and {@code head + epoch + middle + ,"streamId":"<id>" + tail} to the channel, which is
 * byte for byte what the codec would write for the complete event ({@code EventTemplateTest}).
 */
public record EventTemplate(String head, String middle, String tail) {

    /** The epoch written into the event before it is cut out again. */
    public static final String PLACEHOLDER_EPOCH = "E";

    private static final String EPOCH_MARK = "\"epoch\":\"" + PLACEHOLDER_EPOCH + "\"";
    private static final String ORIGIN_MARK = "\"origin\":{";

    /**
     * @param event an event whose epoch is {@link #PLACEHOLDER_EPOCH} and whose stream id is null
     * @throws IllegalArgumentException if the event does not have that form
     */
    public static EventTemplate of(ChangeEvent event) {
        if (!PLACEHOLDER_EPOCH.equals(event.epoch()) || event.streamId() != null) {
            throw new IllegalArgumentException("the event must carry the placeholder epoch and no stream id");
        }
        String json = ChangeEventCodec.encodeToString(event);
        // Every field before "epoch" is structural or a validated name: the first match is the field.
        int epochAt = json.indexOf(EPOCH_MARK);
        int originAt = json.indexOf(ORIGIN_MARK, epochAt);
        // Region and node names cannot contain braces, so the first '}' closes the origin object.
        int originEnd = json.indexOf('}', originAt) + 1;
        if (epochAt < 0 || originAt < 0 || originEnd <= 0) {
            throw new IllegalStateException("unexpected event layout: " + json);
        }
        int valueAt = epochAt + EPOCH_MARK.length() - PLACEHOLDER_EPOCH.length() - 1;
        return new EventTemplate(
                json.substring(0, valueAt),
                json.substring(valueAt + PLACEHOLDER_EPOCH.length(), originEnd),
                json.substring(originEnd));
    }

    /** The event as the log stores it. */
    public String logText(String epoch) {
        return head + epoch + middle + tail;
    }

    /** The event as the channel carries it. */
    public String publishedText(String epoch, String streamId) {
        return head + epoch + middle + ",\"streamId\":\"" + streamId + "\"" + tail;
    }
}
