package io.github.ddm.schema;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A document's clock: for each replica (a region and the lineage of its data, {@code region~lineage}),
 * how many of that replica's changes the document has taken in. Two copies of a document that have
 * taken in the same changes have equal vectors, and DDM's merge rules give them the same content, so
 * the vector is the identity of a document's state across regions. The document's version is the sum
 * of the counts: every change, wherever it was made, moves it by one in every region.
 *
 * <p>Immutable and thread-safe. Replicas are kept in sorted order, so equal vectors have the same
 * text form.
 *
 * @param counts replica to count (each at least 1); copied and sorted
 */
public record VersionVector(SortedMap<String, Long> counts) {

    /** The vector of a document that has taken in no change. */
    public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    /**
     * Validates and copies the counts.
     *
     * @throws IllegalArgumentException if a replica id is malformed or a count is below 1
     */
    public VersionVector {
        Objects.requireNonNull(counts, "counts");
        TreeMap<String, Long> copy = new TreeMap<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            String problem = Rules.replicaProblem(e.getKey());
            if (problem != null) {
                throw new IllegalArgumentException("clock replica " + problem);
            }
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("clock count of " + e.getKey() + " must be >= 1, got " + e.getValue());
            }
            copy.put(e.getKey(), e.getValue());
        }
        counts = Collections.unmodifiableSortedMap(copy);
    }

    /**
     * The replica id of a region's lineage.
     *
     * @param region a short name
     * @param lineage a lineage ({@code [A-Za-z0-9_-]{1,32}})
     * @return {@code region~lineage}
     */
    public static String replica(String region, String lineage) {
        return region + "~" + lineage;
    }

    /**
     * A vector from replica counts.
     *
     * @param counts replica to count
     * @return the vector
     */
    public static VersionVector of(Map<String, Long> counts) {
        return new VersionVector(new TreeMap<>(counts));
    }

    /**
     * Parses the wire form written by {@link #toJson()} (members in any order, no whitespace
     * needed; whitespace around tokens is tolerated).
     *
     * @param json a JSON object of replica to count
     * @return the vector
     * @throws IllegalArgumentException if the text is not such an object
     */
    public static VersionVector parseJson(String json) {
        Objects.requireNonNull(json, "json");
        String text = json.strip();
        if (text.length() < 2 || text.charAt(0) != '{' || text.charAt(text.length() - 1) != '}') {
            throw new IllegalArgumentException("a clock must be a JSON object, got " + Rules.quote(json));
        }
        TreeMap<String, Long> counts = new TreeMap<>();
        String body = text.substring(1, text.length() - 1).strip();
        if (!body.isEmpty()) {
            for (String member : body.split(",")) {
                int colon = member.lastIndexOf(':');
                String name = colon < 0 ? "" : member.substring(0, colon).strip();
                String count = colon < 0 ? "" : member.substring(colon + 1).strip();
                if (name.length() < 2 || name.charAt(0) != '"' || name.charAt(name.length() - 1) != '"'
                        || count.isEmpty() || count.length() > 19 || !count.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("not a clock member (\"region~lineage\":count): " + Rules.quote(member));
                }
                if (counts.put(name.substring(1, name.length() - 1), Long.parseLong(count)) != null) {
                    throw new IllegalArgumentException("a clock names a replica twice: " + Rules.quote(json));
                }
            }
        }
        return new VersionVector(counts);
    }

    /**
     * How many of {@code replica}'s changes this vector has taken in.
     *
     * @param replica a replica id
     * @return the count, 0 if none
     */
    public long get(String replica) {
        Long count = counts.get(replica);
        return count == null ? 0 : count;
    }

    /**
     * The number of changes taken in: the document's version.
     *
     * @return the sum of the counts
     */
    public long sum() {
        long sum = 0;
        for (long count : counts.values()) {
            sum = Math.addExact(sum, count);
        }
        return sum;
    }

    /**
     * Whether the change {@code stamp} names is among those this vector has taken in.
     *
     * @param stamp a change's stamp
     * @return {@code get(stamp.replica()) >= stamp.counter()}
     */
    public boolean covers(Stamp stamp) {
        return get(stamp.replica()) >= stamp.counter();
    }

    /**
     * Whether this vector has taken in every change {@code other} has.
     *
     * @param other another vector
     * @return true if every count of {@code other} is at most this vector's
     */
    public boolean dominates(VersionVector other) {
        for (Map.Entry<String, Long> e : other.counts.entrySet()) {
            if (get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * This vector with {@code replica}'s count set.
     *
     * @param replica a replica id
     * @param count its new count, at least 1
     * @return a new vector
     */
    public VersionVector with(String replica, long count) {
        TreeMap<String, Long> next = new TreeMap<>(counts);
        next.put(replica, count);
        return new VersionVector(next);
    }

    /**
     * The vector of everything either vector has taken in: the larger count of each replica.
     *
     * @param other another vector
     * @return a new vector
     */
    public VersionVector merge(VersionVector other) {
        TreeMap<String, Long> next = new TreeMap<>(counts);
        other.counts.forEach((replica, count) -> next.merge(replica, count, Math::max));
        return new VersionVector(next);
    }

    /**
     * Whether this vector has taken in no change.
     *
     * @return true when there are no counts
     */
    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /**
     * The wire form: a JSON object of replica to count, in replica order, without whitespace, for
     * example {@code {"eu~k3J9aQ":5,"us~X0b1":3}}.
     *
     * @return the JSON text
     */
    public String toJson() {
        StringBuilder out = new StringBuilder(16 + counts.size() * 24).append('{');
        boolean first = true;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            // Replica ids are [A-Za-z0-9._~-]: nothing to escape.
            out.append('"').append(e.getKey()).append("\":").append(e.getValue());
        }
        return out.append('}').toString();
    }

    /**
     * The wire form, as {@link #toJson()}.
     *
     * @return the JSON text
     */
    @Override
    public String toString() {
        return toJson();
    }
}
