package io.github.ddm.schema;

/**
 * The section a change message or log entry was read from: the context that the compact Redis form
 * (see {@link WireForm.RedisForm#COMPACT}) needs to be decoded, since it leaves out the key's
 * partition and section. Give it to {@link ChangeEventCodec#decode(String, SectionContext)}.
 *
 * <p>Immutable and thread-safe; every instance is valid.
 *
 * @param partition the partition, a short name, never null
 * @param section the section, a short name, never null
 */
public record SectionContext(String partition, String section) {

    /**
     * Validates the parts.
     *
     * @throws IllegalArgumentException if a part is null or not a short name; the message names the part
     */
    public SectionContext {
        Names.requireShortName("SectionContext.partition", partition);
        Names.requireShortName("SectionContext.section", section);
    }

    /**
     * Returns the context of the given section.
     *
     * @param partition the partition, a short name
     * @param section the section, a short name
     * @return the context, never null
     * @throws IllegalArgumentException if a part is null or not a short name
     */
    public static SectionContext of(String partition, String section) {
        return new SectionContext(partition, section);
    }

    /** The key of document {@code id} in this section (validated like any {@link DataKey}). */
    DataKey key(String id) {
        return new DataKey(partition, section, id);
    }
}
