package io.github.ddm.schema;

/**
 * The lexical rules of ChangeEvent v1 values, shared by the records and the codec so that both
 * report the same problem in the same words. Each {@code *Problem} method returns null when the
 * value is valid, else a message fragment that follows the field name ("must match ..., got 'x'").
 */
final class Rules {

    static final String SHORT_NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";
    static final String EVENT_ID_PATTERN = "[A-Za-z0-9._:/+=-]{1,128}";
    static final String EPOCH_PATTERN = "[A-Za-z0-9_-]{1,64}";
    static final String STREAM_ID_PATTERN = "[0-9]+-[0-9]+";
    static final String LINEAGE_PATTERN = "[A-Za-z0-9_-]{1,32}";
    static final String REPLICA_PATTERN = SHORT_NAME_PATTERN + "~" + LINEAGE_PATTERN;
    static final int MAX_ID_CODE_POINTS = 512;

    /** Longest stretch of bad input echoed in a message, in chars. */
    private static final int MAX_ECHO = 80;

    private Rules() {
    }

    static String shortNameProblem(String value) {
        return patternProblem(isWord(value, 64, "._-"), SHORT_NAME_PATTERN, value);
    }

    static String eventIdProblem(String value) {
        return patternProblem(isWord(value, 128, "._:/+=-"), EVENT_ID_PATTERN, value);
    }

    static String epochProblem(String value) {
        return patternProblem(isWord(value, 64, "_-"), EPOCH_PATTERN, value);
    }

    static String streamIdProblem(String value) {
        return patternProblem(isStreamId(value), STREAM_ID_PATTERN, value);
    }

    static String lineageProblem(String value) {
        return patternProblem(isWord(value, 32, "_-"), LINEAGE_PATTERN, value);
    }

    /** A replica id: {@code region~lineage}. */
    static String replicaProblem(String value) {
        int tilde = value == null ? -1 : value.indexOf('~');
        boolean valid = tilde > 0 && isWord(value.substring(0, tilde), 64, "._-")
                && isWord(value.substring(tilde + 1), 32, "_-");
        return patternProblem(valid, REPLICA_PATTERN, value);
    }

    /** The DataKey id rule: non-empty, at most 512 code points, no control chars, no lone surrogates. */
    static String idProblem(String id) {
        if (id == null) {
            return "must not be null";
        }
        if (id.isEmpty()) {
            return "must not be empty";
        }
        int codePoints = 0;
        for (int i = 0; i < id.length(); i++, codePoints++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must not contain an unpaired surrogate (at index " + i + "), got " + quote(id);
            } else if (Character.isISOControl(c)) {
                return String.format("must not contain control characters (U+%04X at index %d), got %s", (int) c, i,
                        quote(id));
            }
        }
        if (codePoints > MAX_ID_CODE_POINTS) {
            return "must be at most " + MAX_ID_CODE_POINTS + " code points long, got " + codePoints + ": " + quote(id);
        }
        return null;
    }

    /** RFC 6901: "" or "/"-prefixed reference tokens in which '~' only appears as "~0" or "~1". */
    static boolean isJsonPointer(String s) {
        if (s.isEmpty()) {
            return true;
        }
        if (s.charAt(0) != '/') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (s.charAt(i) == '~') {
                if (i + 1 == s.length() || (s.charAt(i + 1) != '0' && s.charAt(i + 1) != '1')) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /**
     * Quotes a value for an error message: at most 80 chars of it, with control characters and
     * unpaired surrogates escaped as {@code \\uXXXX}, so that messages stay one short printable line.
     */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_ECHO) + 24).append('\'');
        int end = Math.min(value.length(), MAX_ECHO);
        if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--; // do not split a pair
        }
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
            if (Character.isISOControl(c) || (Character.isSurrogate(c) && !paired)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        if (end < value.length()) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }

    private static String patternProblem(boolean valid, String pattern, String value) {
        if (valid) {
            return null;
        }
        return value == null ? "must not be null" : "must match " + pattern + ", got " + quote(value);
    }

    /** True if value has 1..maxLength chars, each an ASCII letter, digit or one of {@code extra}. */
    private static boolean isWord(String value, int maxLength, String extra) {
        if (value == null || value.isEmpty() || value.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && extra.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isStreamId(String value) {
        if (value == null) {
            return false;
        }
        int dash = value.indexOf('-');
        return dash > 0 && dash < value.length() - 1 && digits(value, 0, dash) && digits(value, dash + 1, value.length());
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
