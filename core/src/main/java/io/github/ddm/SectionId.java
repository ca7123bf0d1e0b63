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

    /**
     * Parses {@code partition.section}, or {@code partition/section} when a name contains a dot (names
     * may). Surrounding blanks are ignored.
     *
     * @throws IllegalArgumentException naming the text if it is not a section, or is ambiguous
     */
    public static SectionId parse(String text) {
        String trimmed = java.util.Objects.requireNonNull(text, "text").trim();
        String[] parts = splitParts(trimmed, "section");
        try {
            return new SectionId(parts[0], parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a section: " + e.getMessage(), e);
        }
    }

    /**
     * Splits text shaped like a section, without checking the parts as names (a pattern's parts are
     * globs): at the one {@code '/'} if there is one, else at the one {@code '.'}.
     *
     * @param what what the text should be, for the message
     * @return the partition part and the section part
     * @throws IllegalArgumentException if the split is missing or ambiguous
     */
    public static String[] splitParts(String text, String what) {
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

    /** {@code partition.section} */
    @Override
    public String toString() {
        return partition + "." + section;
    }
}
