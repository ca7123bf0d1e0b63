package io.github.ddm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Names;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Something a region's sink did with another region's changes that the services of the region
 * should know about, besides the conflicts their changes already report: see docs/regions.md,
 * "Nothing silent". The sink announces it on the section ({@link SectionStore#notice}); every
 * {@link DocumentManager} of the section reports it to its {@link SyncListener}s as a
 * {@link SyncEvent.RegionNoticed} and counts it ({@link ManagerStats}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind what happened
 * @param section the section concerned
 * @param id the document concerned, or null when the notice concerns the whole section
 * @param region the other region concerned (whose change, lineage or copy it is)
 * @param detail one line for people, never null
 * @param time when it happened
 */
public record RegionNotice(Kind kind, SectionId section, String id, String region, String detail, Instant time) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a notice reports. */
    public enum Kind {
        /**
         * The region writes the section under a new lineage: it lost its data and started over. Its
         * changes from then on are merged as those of a new writer; nothing of this region is lost.
         */
        LINEAGE_CHANGED,
        /** A change this region had already taken in arrived again (a redelivery, a replay, a repair answer). */
        REDELIVERED,
        /**
         * A change could not be taken in and went to the sink's errant-record reporter (its dead-letter
         * queue): it did not fit the stored document, or waited longer than the sink allows.
         */
        SKIPPED,
        /**
         * A change has waited for changes of its document it depends on long enough that the sink
         * asked the other regions for their copies (docs/regions.md, "Repair").
         */
        REPAIR_REQUESTED
    }

    /** Validates the fields. */
    public RegionNotice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(section, "section");
        if (id != null) {
            DataKey.of(section.partition(), section.section(), id); // validates the id
        }
        Names.requireShortName("region", region);
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(time, "time");
    }

    /** The document concerned, or null when the notice concerns the whole section. */
    public DataKey key() {
        return id == null ? null : DataKey.of(section.partition(), section.section(), id);
    }

    /** The notice as the JSON text published on the section's notice channel. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("kind", kind.name().toLowerCase(Locale.ROOT));
        node.put("partition", section.partition());
        node.put("section", section.section());
        if (id != null) {
            node.put("id", id);
        }
        node.put("region", region);
        node.put("detail", detail);
        node.put("time", time.toEpochMilli());
        return node.toString();
    }

    /**
     * Reads a notice from its JSON text.
     *
     * @throws IllegalArgumentException if {@code text} is not a notice, naming what is wrong
     */
    public static RegionNotice parseJson(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("a region notice must be JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a region notice must be a JSON object");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(text(node, "kind").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown region notice kind '" + node.path("kind").asText() + "'", e);
        }
        JsonNode id = node.get("id");
        JsonNode time = node.get("time");
        if (time == null || !time.canConvertToLong()) {
            throw new IllegalArgumentException("a region notice needs 'time', epoch milliseconds");
        }
        return new RegionNotice(kind, new SectionId(text(node, "partition"), text(node, "section")),
                id == null || id.isNull() ? null : id.asText(), text(node, "region"), text(node, "detail"),
                Instant.ofEpochMilli(time.asLong()));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("a region notice needs the text field '" + field + "'");
        }
        return value.asText();
    }
}
