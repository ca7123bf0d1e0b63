package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Sections as configured and as handed to tasks: {@code partition.section}, or
 * {@code partition/section} when a name contains a dot (partition and section names may). Stateless.
 */
final class SectionNames {

    private SectionNames() {
    }

    /**
     * Parses each entry (blank entries are ignored).
     *
     * @throws IllegalArgumentException naming the entry that is not a section
     */
    static List<SectionId> parseSections(Collection<String> entries) {
        List<SectionId> sections = new ArrayList<>(entries.size());
        for (String entry : entries) {
            String text = entry.trim();
            if (!text.isEmpty()) {
                sections.add(parse(text));
            }
        }
        return sections;
    }

    /** @throws IllegalArgumentException naming the entry if it is not a section */
    static SectionId parse(String text) {
        return SectionId.parse(text);
    }

    /** The sections as one unambiguous list value ({@code partition/section,...}). */
    static String format(Collection<SectionId> sections) {
        return sections.stream().map(s -> s.partition() + "/" + s.section()).collect(Collectors.joining(","));
    }
}
