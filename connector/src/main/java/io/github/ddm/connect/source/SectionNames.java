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
        String[] parts = split(text, "section");
        try {
            return new SectionId(parts[0], parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a section: " + e.getMessage(), e);
        }
    }

    /**
     * Splits at the one '/' if there is one, else at the one '.'.
     *
     * @throws IllegalArgumentException if the split is missing or ambiguous
     */
    static String[] split(String text, String what) {
        int slash = text.indexOf('/');
        if (slash >= 0) {
            if (text.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException("'" + text + "' is not a " + what + ": more than one '/'");
            }
            return new String[] {text.substring(0, slash), text.substring(slash + 1)};
        }
        int dot = text.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a " + what + ": expected partition.section");
        }
        if (text.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException("'" + text + "' is ambiguous: more than one '.'; write partition/section "
                    + "when a name contains a dot");
        }
        return new String[] {text.substring(0, dot), text.substring(dot + 1)};
    }

    /** The sections as one unambiguous list value ({@code partition/section,...}). */
    static String format(Collection<SectionId> sections) {
        return sections.stream().map(s -> s.partition() + "/" + s.section()).collect(Collectors.joining(","));
    }
}
