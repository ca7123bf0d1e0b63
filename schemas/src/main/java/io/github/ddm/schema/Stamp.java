package io.github.ddm.schema;

import java.util.Comparator;
import java.util.Objects;

/**
 * The identity and order of one committed change of a document across regions: which replica made
 * it (a region and the lineage of its data), its count among that replica's changes of the
 * document, and the keys that order concurrent changes the same way in every region.
 *
 * <p><b>Order.</b> Stamps compare by change time, then by {@code lamport} (the document's version
 * in the region that made the change, which is higher for a change that had seen the other), then
 * by region, lineage and counter. A change never carries an earlier time than the changes it had
 * seen (writers take the later of their clock and the document's last change time), so a change
 * that causally follows another always compares greater; between concurrent changes the order is
 * arbitrary but the same everywhere. See docs/regions.md.
 *
 * <p><b>Text form</b> ({@link #toString()}, {@link #parse}): {@code time.lamport.counter.region~lineage},
 * for example {@code 1767225600123.42.7.eu-west-1~k3J9aQ}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param time the change time, epoch milliseconds, at least 0
 * @param lamport the document's version after the change, in the region that made it; at least 1
 * @param counter how many changes of the document this replica had made, this one included; at least 1
 * @param region the region that made the change (a short name)
 * @param lineage the lineage of that region's data for the section ({@code [A-Za-z0-9_-]{1,32}})
 */
public record Stamp(long time, long lamport, long counter, String region, String lineage) implements Comparable<Stamp> {

    private static final Comparator<Stamp> ORDER = Comparator.comparingLong(Stamp::time)
            .thenComparingLong(Stamp::lamport)
            .thenComparing(Stamp::region)
            .thenComparing(Stamp::lineage)
            .thenComparingLong(Stamp::counter);

    /**
     * Validates every part.
     *
     * @throws IllegalArgumentException naming the part that is out of range or malformed
     */
    public Stamp {
        if (time < 0) {
            throw new IllegalArgumentException("stamp time must be >= 0, got " + time);
        }
        if (lamport < 1) {
            throw new IllegalArgumentException("stamp lamport must be >= 1, got " + lamport);
        }
        if (counter < 1) {
            throw new IllegalArgumentException("stamp counter must be >= 1, got " + counter);
        }
        Names.requireShortName("stamp region", region);
        String problem = Rules.lineageProblem(lineage);
        if (problem != null) {
            throw new IllegalArgumentException("stamp lineage " + problem);
        }
    }

    /**
     * The replica that made the change: {@code region~lineage}, the key of its count in a
     * {@link VersionVector}.
     *
     * @return the replica id
     */
    public String replica() {
        return VersionVector.replica(region, lineage);
    }

    /**
     * Parses the text form.
     *
     * @param text {@code time.lamport.counter.region~lineage}
     * @return the stamp
     * @throws IllegalArgumentException if the text is not a stamp
     */
    public static Stamp parse(String text) {
        Objects.requireNonNull(text, "text");
        int first = text.indexOf('.');
        int second = first < 0 ? -1 : text.indexOf('.', first + 1);
        int third = second < 0 ? -1 : text.indexOf('.', second + 1);
        int tilde = text.lastIndexOf('~');
        if (third < 0 || tilde < third) {
            throw new IllegalArgumentException("not a stamp (time.lamport.counter.region~lineage): " + Rules.quote(text));
        }
        try {
            return new Stamp(number(text, 0, first), number(text, first + 1, second), number(text, second + 1, third),
                    text.substring(third + 1, tilde), text.substring(tilde + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a stamp (time.lamport.counter.region~lineage): " + Rules.quote(text)
                    + ": " + e.getMessage(), e);
        }
    }

    private static long number(String text, int from, int to) {
        if (from == to || to - from > 19) {
            throw new IllegalArgumentException("expected a number at " + from);
        }
        for (int i = from; i < to; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw new IllegalArgumentException("expected a number at " + from);
            }
        }
        return Long.parseLong(text, from, to, 10);
    }

    /**
     * Orders stamps as the class comment says: time, lamport, region, lineage, counter.
     *
     * @param other another stamp
     * @return negative, zero or positive as this stamp orders before, with or after {@code other}
     */
    @Override
    public int compareTo(Stamp other) {
        return ORDER.compare(this, other);
    }

    /**
     * Whether this stamp orders after {@code other}.
     *
     * @param other another stamp
     * @return {@code compareTo(other) > 0}
     */
    public boolean isAfter(Stamp other) {
        return compareTo(other) > 0;
    }

    /**
     * The text form, {@code time.lamport.counter.region~lineage}.
     *
     * @return the text form
     */
    @Override
    public String toString() {
        return time + "." + lamport + "." + counter + "." + region + "~" + lineage;
    }
}
