package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.util.regex.Pattern;

/**
 * Which sections a pattern discovers: a partition glob and a section glob in Redis's glob syntax
 * ({@code *}, {@code ?}, {@code [...]}), as {@code source.sections.pattern} names them.
 *
 * @param partitionGlob the partition glob, never empty
 * @param sectionGlob the section glob, never empty
 */
public record SectionPattern(String partitionGlob, String sectionGlob) {

    /** Name characters plus glob syntax; never ':', '{' or '}', which would change the key pattern. */
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._\\-*?\\[\\]^\\\\]{1,64}");

    /** @throws IllegalArgumentException naming the glob that is not valid */
    public SectionPattern {
        check("partition", partitionGlob);
        check("section", sectionGlob);
    }

    /**
     * Parses {@code partitionGlob.sectionGlob}, or {@code partitionGlob/sectionGlob} when a glob contains a dot.
     *
     * @throws IllegalArgumentException if it is not a pattern
     */
    public static SectionPattern parse(String text) {
        String[] parts = SectionId.splitParts(text.trim(), "section pattern");
        return new SectionPattern(parts[0], parts[1]);
    }

    private static void check(String part, String glob) {
        if (glob == null || !GLOB.matcher(glob).matches()) {
            throw new IllegalArgumentException("the " + part + " glob '" + glob + "' must be 1 to 64 of [A-Za-z0-9._-] "
                    + "and the glob characters * ? [ ] ^ \\");
        }
    }

    /** {@code partitionGlob/sectionGlob} */
    @Override
    public String toString() {
        return partitionGlob + "/" + sectionGlob;
    }
}
