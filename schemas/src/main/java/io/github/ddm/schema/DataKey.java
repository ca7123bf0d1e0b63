package io.github.ddm.schema;

/**
 * The identity of one DDM document: a partition and a section (both short names, see
 * {@link Names}) and an id within the section.
 *
 * <ul>
 *   <li>{@code partition} and {@code section} match {@value Names#SHORT_NAME_PATTERN}.</li>
 *   <li>{@code id} is a non-empty string of at most 512 Unicode code points, without control
 *       characters ({@link Character#isISOControl(char)}) and without unpaired surrogates, so it
 *       always encodes to valid UTF-8.</li>
 * </ul>
 *
 * <p>Every instance is valid: the constructor checks each part and fails with an
 * {@link IllegalArgumentException} whose message names the part, e.g.
 * {@code "DataKey.partition must match [A-Za-z0-9._-]{1,64}, got 'a b'"}. Null parts are rejected
 * the same way. Messages echo at most about 80 characters of the bad value.
 *
 * <p>Immutable and thread-safe; equal keys have equal parts.
 *
 * @param partition the partition, a short name, never null
 * @param section the section within the partition, a short name, never null
 * @param id the document id within the section, never null
 */
public record DataKey(String partition, String section, String id) {

    /** The longest id, in Unicode code points. */
    public static final int MAX_ID_LENGTH = Rules.MAX_ID_CODE_POINTS;

    /**
     * Validates the parts.
     *
     * @param partition the partition, a short name
     * @param section the section, a short name
     * @param id the document id
     * @throws IllegalArgumentException if a part is null or invalid; the message names the part
     */
    public DataKey {
        Names.requireShortName("DataKey.partition", partition);
        Names.requireShortName("DataKey.section", section);
        String problem = Rules.idProblem(id);
        if (problem != null) {
            throw new IllegalArgumentException("DataKey.id " + problem);
        }
    }

    /**
     * Returns the key with the given parts.
     *
     * @param partition the partition, a short name
     * @param section the section, a short name
     * @param id the document id
     * @return the key, never null
     * @throws IllegalArgumentException if a part is null or invalid; the message names the part
     */
    public static DataKey of(String partition, String section, String id) {
        return new DataKey(partition, section, id);
    }

    /**
     * Returns {@code partition/section/id}, e.g. {@code orders/book/BTC-USD}. Partition and section
     * never contain '/', so the first two slashes always delimit the parts even if the id has some.
     */
    @Override
    public String toString() {
        return partition + '/' + section + '/' + id;
    }
}
