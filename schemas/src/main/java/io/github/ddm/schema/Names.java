package io.github.ddm.schema;

/**
 * The short-name rule shared by DDM identifiers: {@link DataKey} partitions and sections,
 * {@link Origin} regions and nodes, and (in core) namespaces. A short name matches
 * {@value #SHORT_NAME_PATTERN}: 1 to 64 ASCII letters, digits, dots, underscores or hyphens, so it
 * is safe in Redis key names, Kafka topic names and metric tags without escaping.
 *
 * <p>Stateless and thread-safe. Not instantiable.
 */
public final class Names {

    /** The short-name rule as a regular expression (matched against the whole value). */
    public static final String SHORT_NAME_PATTERN = Rules.SHORT_NAME_PATTERN;

    private Names() {
    }

    /**
     * Tells whether a value is a valid short name.
     *
     * @param value the value to test, may be null (null is not a short name)
     * @return true if {@code value} matches {@value #SHORT_NAME_PATTERN}
     */
    public static boolean isShortName(String value) {
        return Rules.shortNameProblem(value) == null;
    }

    /**
     * Returns {@code value} if it is a valid short name, else fails with a message that starts with
     * {@code what}, e.g. {@code "namespace must match [A-Za-z0-9._-]{1,64}, got 'a b'"}.
     *
     * @param what how the caller names the value in the message, e.g. {@code "DataKey.partition"}
     * @param value the value to check, may be null (null is rejected)
     * @return {@code value}, unchanged
     * @throws IllegalArgumentException if {@code value} is null or not a short name
     */
    public static String requireShortName(String what, String value) {
        String problem = Rules.shortNameProblem(value);
        if (problem != null) {
            throw new IllegalArgumentException(what + " " + problem);
        }
        return value;
    }
}
