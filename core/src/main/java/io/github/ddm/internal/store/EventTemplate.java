package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import io.github.ddm.schema.WireForm.RedisForm;
import java.util.Map;

/**
 * A change event's text, split where the commit script fills in what only Redis knows: the
 * section's epoch (it may be created by this very commit), the lineage and the document's clock
 * after the change (the script counts a change made here), and the stream id of the log entry.
 * The split itself, and every piece of text the script joins the parts with, belong to the wire
 * form's owner ({@link WireForm#split(ChangeEvent, RedisForm)}, {@link WireForm.Split});
 * {@code CommitScriptLayoutTest} holds commit.lua to them.
 *
 * <p>The text is in the form this JVM writes to Redis, {@link #FORM}: the compact Redis form unless
 * the system property {@value WireForm.RedisForm#PROPERTY} says {@code verbose} (the first step of a
 * rolling upgrade, docs/schema.md). {@code head} ends just before the epoch's value, {@code middle}
 * runs from the time to the end of the origin, and {@code tail} is the rest. The script writes
 * {@code head + filling + middle + tail} to the log (the compact form with {@code ,0} for the stream
 * id before the tail) and the same with the stream id before the tail to the channel, which is byte
 * for byte what the codec would write for the complete event ({@code EventTemplateTest}). The head
 * starts with the event id (after {@link WireForm#ECHO_PREFIX} or {@link WireForm#COMPACT_ECHO_PREFIX}):
 * the script reads it there, to remember the change as its origin's last one (docs/core.md, "The
 * commit script").
 *
 * @param eventId the event's id, as the head carries it
 * @param region the origin's region
 * @param version the event's version
 */
public record EventTemplate(String eventId, String head, String middle, String tail, String region, long version) {

    /** The form this JVM writes to Redis, read once from {@value WireForm.RedisForm#PROPERTY}. */
    public static final RedisForm FORM = RedisForm.configured();

    /** The epoch written into the event before it is cut out again. */
    public static final String PLACEHOLDER_EPOCH = WireForm.PLACEHOLDER_EPOCH;
    /** The lineage written into the event before it is cut out again. */
    public static final String PLACEHOLDER_LINEAGE = WireForm.PLACEHOLDER_LINEAGE;

    /** A clock that sums to {@code version}, to hold the place of the real one. */
    public static VersionVector placeholderClock(long version) {
        return VersionVector.of(Map.of(VersionVector.replica(PLACEHOLDER_EPOCH, PLACEHOLDER_LINEAGE), version));
    }

    /**
     * The template in the form this JVM writes ({@link #FORM}).
     *
     * @param event an event whose epoch is {@link #PLACEHOLDER_EPOCH}, with a lineage and a clock
     *     (placeholders or real: the script writes its own), and no stream id
     * @throws IllegalArgumentException if the event does not have that form
     */
    public static EventTemplate of(ChangeEvent event) {
        return of(event, FORM);
    }

    /** The template in the given form; see {@link #of(ChangeEvent)}. */
    public static EventTemplate of(ChangeEvent event, RedisForm form) {
        WireForm.Split split = WireForm.split(event, form);
        return new EventTemplate(split.eventId(), split.head(), split.middle(), split.tail(), split.region(), split.version());
    }

    /** A complete event as this JVM writes it to Redis outside the commit script (a log entry that is not a commit). */
    public static String redisText(ChangeEvent event) {
        return FORM == RedisForm.COMPACT ? ChangeEventCodec.encodeCompact(event) : ChangeEventCodec.encodeToString(event);
    }

    /** What the script writes between head and middle, in this template's form. */
    public String filling(String epoch, String lineage, String clockJson) {
        return split().filling(epoch, lineage, clockJson);
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
        return new WireForm.Split(eventId, head, middle, tail, region, version);
    }
}
