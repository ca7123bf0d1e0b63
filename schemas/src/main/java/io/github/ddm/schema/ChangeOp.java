package io.github.ddm.schema;

/**
 * The kind of change an event records, with its stable one-letter wire code. Wire codes never
 * change; a new kind of change would need a new schema version.
 *
 * <table>
 *   <caption>What each op carries</caption>
 *   <tr><th>op</th><th>wire</th><th>prevVersion</th><th>patch</th><th>state</th></tr>
 *   <tr><td>CREATE</td><td>c</td><td>required, &gt;= 0</td><td>absent</td><td>required</td></tr>
 *   <tr><td>UPDATE</td><td>u</td><td>required, &gt;= 1</td><td>required</td><td>optional</td></tr>
 *   <tr><td>DELETE</td><td>d</td><td>required, &gt;= 1</td><td>absent</td><td>absent</td></tr>
 *   <tr><td>SNAPSHOT</td><td>s</td><td>optional (0 = unknown base)</td><td>absent</td><td>required</td></tr>
 * </table>
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum ChangeOp {
    /** The first version of a key, or its re-creation after a delete. Wire code {@code "c"}. */
    CREATE("c", Presence.FORBIDDEN, Presence.REQUIRED, true, 0),
    /** A change applied as a JSON Patch on version {@code prevVersion}. Wire code {@code "u"}. */
    UPDATE("u", Presence.REQUIRED, Presence.OPTIONAL, true, 1),
    /** The removal of a key. Wire code {@code "d"}. */
    DELETE("d", Presence.FORBIDDEN, Presence.FORBIDDEN, true, 1),
    /** The full state at a version, sent when deltas cannot be (trimmed log, repair). Wire code {@code "s"}. */
    SNAPSHOT("s", Presence.FORBIDDEN, Presence.REQUIRED, false, 0);

    /** Whether an op requires, allows or forbids a field. */
    enum Presence { REQUIRED, OPTIONAL, FORBIDDEN }

    private final String wireCode;
    private final Presence patch;
    private final Presence state;
    private final boolean prevVersionOnWire;
    private final long minPrevVersion;

    ChangeOp(String wireCode, Presence patch, Presence state, boolean prevVersionOnWire, long minPrevVersion) {
        this.wireCode = wireCode;
        this.patch = patch;
        this.state = state;
        this.prevVersionOnWire = prevVersionOnWire;
        this.minPrevVersion = minPrevVersion;
    }

    /**
     * Returns the stable wire code: {@code "c"}, {@code "u"}, {@code "d"} or {@code "s"}.
     *
     * @return the wire code, never null
     */
    public String wireCode() {
        return wireCode;
    }

    /**
     * Returns the op with the given wire code.
     *
     * @param code a wire code, may be null (null is rejected)
     * @return the op, never null
     * @throws InvalidEventException naming field {@code op} if {@code code} is null or unknown
     */
    public static ChangeOp fromWireCode(String code) {
        if (code == null) {
            throw new InvalidEventException("op", "is required");
        }
        return switch (code) {
            case "c" -> CREATE;
            case "u" -> UPDATE;
            case "d" -> DELETE;
            case "s" -> SNAPSHOT;
            default -> throw new InvalidEventException("op", "must be one of c, u, d, s, got " + Rules.quote(code));
        };
    }

    Presence patch() {
        return patch;
    }

    Presence state() {
        return state;
    }

    /** Whether prevVersion must be present on the wire (else absent means 0, and 0 is not written). */
    boolean prevVersionOnWire() {
        return prevVersionOnWire;
    }

    long minPrevVersion() {
        return minPrevVersion;
    }
}
