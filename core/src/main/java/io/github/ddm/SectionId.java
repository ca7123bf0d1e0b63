package io.github.ddm;

import io.github.ddm.schema.Names;

/**
 * A section: a partition and a section name, each {@code [A-Za-z0-9._-]{1,64}}.
 *
 * @param partition the partition, never null
 * @param section the section, never null
 */
public record SectionId(String partition, String section) {

    /** @throws IllegalArgumentException naming the part that is not a short name */
    public SectionId {
        Names.requireShortName("partition", partition);
        Names.requireShortName("section", section);
    }

    /** {@code partition.section} */
    @Override
    public String toString() {
        return partition + "." + section;
    }
}
