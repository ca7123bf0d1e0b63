package io.github.ddm.internal.sync;

/** Redis stream ids ({@code <ms>-<seq>}): parsing and ordering without allocation. */
final class StreamIds {

    private StreamIds() {
    }

    /** Negative, zero or positive as {@code a} is before, equal to or after {@code b}. */
    static int compare(String a, String b) {
        int dashA = a.indexOf('-');
        int dashB = b.indexOf('-');
        int c = compareDigits(a, 0, dashA, b, 0, dashB);
        return c != 0 ? c : compareDigits(a, dashA + 1, a.length(), b, dashB + 1, b.length());
    }

    private static int compareDigits(String a, int fromA, int toA, String b, int fromB, int toB) {
        int lengthA = toA - fromA;
        int lengthB = toB - fromB;
        if (lengthA != lengthB) {
            return Integer.compare(lengthA, lengthB);
        }
        for (int i = 0; i < lengthA; i++) {
            int c = Character.compare(a.charAt(fromA + i), b.charAt(fromB + i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
