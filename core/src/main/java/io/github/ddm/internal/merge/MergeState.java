package io.github.ddm.internal.merge;

import io.github.ddm.schema.Stamp;
import io.github.ddm.schema.VersionVector;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a document's copy in one region knows beyond its content, to merge changes made in other
 * regions (docs/regions.md): its clock, and the stamp of the change that last wrote each place
 * that one change wrote as a whole ({@code ""} is the whole document; a stamp on an absent place
 * records its removal). A place without a stamp of its own took its value with its nearest stamped
 * ancestor. A document written before regions support has no root stamp: its content counts as
 * seen by every change.
 *
 * <p>Immutable and thread-safe.
 *
 * @param clock the changes taken in
 * @param stamps JSON Pointer to the stamp of the change that last wrote that place as a whole
 */
public record MergeState(VersionVector clock, SortedMap<String, Stamp> stamps) {

    /** The state of a document nothing was ever written to. */
    public static final MergeState EMPTY = new MergeState(VersionVector.EMPTY, new TreeMap<>());

    /** Copies the stamps. */
    public MergeState {
        Objects.requireNonNull(clock, "clock");
        stamps = Collections.unmodifiableSortedMap(new TreeMap<>(stamps));
    }

    /** The stamp of the change whose value {@code pointer} holds: its own, else its nearest stamped ancestor's, else null. */
    public Stamp effective(String pointer) {
        String p = pointer;
        while (true) {
            Stamp own = stamps.get(p);
            if (own != null || p.isEmpty()) {
                return own;
            }
            p = Pointers.parent(p);
        }
    }

    /** The stamps strictly below {@code pointer}. */
    public SortedMap<String, Stamp> below(String pointer) {
        return below(stamps, pointer);
    }

    static SortedMap<String, Stamp> below(SortedMap<String, Stamp> stamps, String pointer) {
        // Every pointer strictly below p starts with p + "/"; '/' + 1 is '0', so [p/, p0) is exactly them.
        return stamps.subMap(pointer + "/", pointer + "0");
    }

    /** A mutable copy of the stamps, for building the next state. */
    NavigableMap<String, Stamp> mutableStamps() {
        return new TreeMap<>(stamps);
    }

    /** The root stamp, or null for a document written before regions support (or never). */
    public Stamp root() {
        return stamps.get("");
    }

    /** This state with another clock and stamps. */
    static MergeState of(VersionVector clock, Map<String, Stamp> stamps) {
        return new MergeState(clock, new TreeMap<>(stamps));
    }
}
