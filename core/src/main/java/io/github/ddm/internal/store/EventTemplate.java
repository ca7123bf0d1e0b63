package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import java.util.Map;

/**
 * A change event's JSON text, split where the commit script fills in what only Redis knows: the
 * section's epoch (it may be created by this very commit), the lineage and the document's clock
 * after the change (the script counts a change made here), and the stream id of the log entry.
 * The split itself, and every piece of text the script joins the parts with, belong to the wire
 * form's owner ({@link WireForm#split}, {@link WireForm.Split}); {@code CommitScriptLayoutTest}
 * holds commit.lua to them.
 *
 * <p>{@code head} ends just before the epoch's value, {@code middle} runs from {@code ,"time":} to
 * the end of the origin object, and {@code tail} is the rest. The script writes
 * {@code head + epoch + ","lineage":" + lineage + ","clock": + clock + middle + tail} to the log and
 * the same with {@code ,"streamId":"<id>"} before the tail to the channel, which is byte for byte what
 * the codec would write for the complete event ({@code EventTemplateTest}). The head starts with
 * {@link WireForm#ECHO_PREFIX}: the script reads the event id there, to remember the change as its
 * origin's last one (docs/core.md, "The commit script").
 *
 * @param eventId the event's id, as the head carries it
 */
public record EventTemplate(String eventId, String head, String middle, String tail) {

    /** The epoch written into the event before it is cut out again. */
    public static final String PLACEHOLDER_EPOCH = WireForm.PLACEHOLDER_EPOCH;
    /** The lineage written into the event before it is cut out again. */
    public static final String PLACEHOLDER_LINEAGE = WireForm.PLACEHOLDER_LINEAGE;

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
        WireForm.Split split = WireForm.split(event);
        return new EventTemplate(split.eventId(), split.head(), split.middle(), split.tail());
    }

    /** What the script writes between head and middle (an empty lineage is left out). */
    public static String filling(String epoch, String lineage, String clockJson) {
        return WireForm.filling(epoch, lineage, clockJson);
    }

    /** The event as the log stores it. */
    public String logText(String epoch, String lineage, String clockJson) {
        return split().logText(epoch, lineage, clockJson);
    }

    /** The event as the channel carries it. */
    public String publishedText(String epoch, String lineage, String clockJson, String streamId) {
        return split().publishedText(epoch, lineage, clockJson, streamId);
    }

    /**
     * What the commit script filled into {@code published}, if it is this event as the channel
     * carries it (the echo of this node's own commit); else null.
     */
    public WireForm.Filled filledIn(String published) {
        return split().filledIn(published);
    }

    private WireForm.Split split() {
        return new WireForm.Split(eventId, head, middle, tail);
    }
}
