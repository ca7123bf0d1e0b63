package io.github.ddm.internal.store;

import io.github.ddm.schema.Names;
import io.github.ddm.schema.SectionContext;

/**
 * The one place that knows DDM's Redis key and channel names (see docs/core.md, "Redis layout").
 * All keys of a section share the hash tag {@code {partition:section}}, so one script can touch
 * all of them on a Redis Cluster.
 *
 * <pre>
 * &lt;ns&gt;:{p:s}:s:&lt;id&gt;   HASH    the document: one field per top-level member + metadata fields
 * &lt;ns&gt;:{p:s}:c:&lt;id&gt;   HASH    the document's merge state: clock and stamps (docs/regions.md), and
 *                              each origin's last change of the document (the commit script's)
 * &lt;ns&gt;:{p:s}:log      STREAM  the section's change log
 * &lt;ns&gt;:{p:s}:ch       channel live change broadcast
 * &lt;ns&gt;:{p:s}:epoch    STRING  the section's epoch
 * &lt;ns&gt;:{p:s}:lineage  STRING  this region's lineage of the section
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RedisLayout {

    /** Hash field holding the version. Metadata fields start with NUL, which no member name may. */
    public static final String VERSION_FIELD = "\u0000v";
    /** Hash field holding the change time, epoch milliseconds. */
    public static final String TIME_FIELD = "\u0000t";
    /** Hash field holding the origin, {@code region/node}. */
    public static final String ORIGIN_FIELD = "\u0000o";
    /** Hash field present (value 1) while the document is deleted (a tombstone keeps its version). */
    public static final String DELETED_FIELD = "\u0000x";
    /** Field of a log entry that holds the event JSON. */
    public static final String LOG_EVENT_FIELD = "e";
    /** Merge state field holding the document's clock (JSON). */
    public static final String CLOCK_FIELD = "v";
    /** Merge state field holding the stamp of the whole document. */
    public static final String ROOT_STAMP_FIELD = "r";
    /** Prefix of the merge state fields holding a top-level member's stamps (then the member's name). */
    public static final String MEMBER_STAMPS_PREFIX = "m";
    /**
     * Merge state field holding, for each origin that committed to the document lately, its last
     * change here ({@code origin event-id version stream-id}, newest first, comma-separated), so that
     * a commit the Redis client sent again is recognised as done (docs/core.md, "The commit script").
     * Only the commit script reads and writes it; it is not part of the merge state regions compare.
     */
    public static final String RECENT_CHANGES_FIELD = "w";

    private final String prefix;
    private final String documentPrefix;
    private final String log;
    private final String channel;
    private final String epoch;
    private final String mergePrefix;
    private final String lineage;
    private final String notices;
    private final String answered;
    private final SectionContext section;

    /**
     * @throws IllegalArgumentException if a name is not a short name ({@code [A-Za-z0-9._-]{1,64}})
     */
    public RedisLayout(String namespace, String partition, String section) {
        Names.requireShortName("namespace", namespace);
        Names.requireShortName("partition", partition);
        Names.requireShortName("section", section);
        this.prefix = namespace + ":{" + partition + ":" + section + "}:";
        this.documentPrefix = prefix + "s:";
        this.log = prefix + "log";
        this.channel = prefix + "ch";
        this.epoch = prefix + "epoch";
        this.mergePrefix = prefix + "c:";
        this.lineage = prefix + "lineage";
        this.notices = prefix + "notices";
        this.answered = prefix + "answered";
        this.section = SectionContext.of(partition, section);
    }

    /** The section of this layout's log and channel: the context their compact events are decoded with. */
    public SectionContext section() {
        return section;
    }

    /**
     * The stream of repair requests this region's sinks make, which its source exports (one per
     * namespace; docs/regions.md, "Repair").
     */
    public static String repairsKey(String namespace) {
        Names.requireShortName("namespace", namespace);
        return namespace + ":repairs";
    }

    /** True if {@code name} may not be a top-level member name (it would collide with metadata). */
    public static boolean isReservedMemberName(String name) {
        return !name.isEmpty() && name.charAt(0) == '\u0000';
    }

    /** The hash of one document. */
    public String documentKey(String id) {
        return documentPrefix + id;
    }

    /** The prefix of every document key of the section (for SCAN). */
    public String documentKeyPrefix() {
        return documentPrefix;
    }

    /** The id part of a document key. */
    public String idOf(String documentKey) {
        if (!documentKey.startsWith(documentPrefix)) {
            throw new IllegalArgumentException("not a document key of this section: " + documentKey);
        }
        return documentKey.substring(documentPrefix.length());
    }

    /** The section's change log (a stream). */
    public String logKey() {
        return log;
    }

    /** The section's broadcast channel. */
    public String channel() {
        return channel;
    }

    /** A glob pattern that matches the broadcast channel of every section of {@code namespace}. */
    public static String channelPattern(String namespace) {
        return namespace.replaceAll("([\\\\*?\\[\\]])", "\\\\$1") + ":{*}:ch";
    }

    /** The hash holding one document's merge state (clock and stamps). */
    public String mergeStateKey(String id) {
        return mergePrefix + id;
    }

    /** The key holding this region's lineage of the section. */
    public String lineageKey() {
        return lineage;
    }

    /**
     * The section's region notices: a capped stream of that name, and a channel of the same name
     * they are published on (docs/regions.md, "Nothing silent").
     */
    public String noticesKey() {
        return notices;
    }

    /**
     * The hash of the whole-section repair requests this region answered: asking region to the time
     * (epoch ms) of its latest such request (docs/regions.md, "Region data loss and rebuild").
     */
    public String answeredKey() {
        return answered;
    }

    /** The key holding the section's epoch. */
    public String epochKey() {
        return epoch;
    }

    @Override
    public String toString() {
        return prefix + "*";
    }
}
