package io.github.ddm.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One committed change of one document (ChangeEvent contract v1): which key, what kind of change,
 * from which version to which, in which epoch, when, by whom, and the RFC 6902 patch and/or full
 * state that carry the change. {@link ChangeEventCodec} turns it into JSON and back.
 *
 * <p><b>Validation.</b> Every instance satisfies the whole contract; the constructor (and so every
 * factory) throws {@link InvalidEventException} naming the offending wire field otherwise:
 * <ul>
 *   <li>{@code eventId} matches {@code [A-Za-z0-9._:/+=-]{1,128}}; {@code epoch} matches
 *       {@code [A-Za-z0-9_-]{1,64}}; {@code streamId}, when present, matches {@code [0-9]+-[0-9]+};</li>
 *   <li>{@code key}, {@code op}, {@code time} and {@code origin} are non-null;</li>
 *   <li>{@code version >= 1} and {@code 0 <= prevVersion < version}, where 0 means "no previous
 *       version" and is allowed only for {@link ChangeOp#CREATE} and {@link ChangeOp#SNAPSHOT};</li>
 *   <li>{@code time} is not before 1970 and fits in epoch milliseconds; it is truncated to
 *       milliseconds, the wire's precision;</li>
 *   <li>{@code patch} is required for UPDATE and must be absent otherwise; it is a structurally valid
 *       RFC 6902 patch (errors name e.g. {@code patch[2].op});</li>
 *   <li>{@code state} is a JSON object, required for CREATE and SNAPSHOT, optional for UPDATE and
 *       absent for DELETE.</li>
 * </ul>
 * A Java {@code null}, a {@code NullNode} or a {@code MissingNode} for {@code patch} or {@code state}
 * means "absent".
 *
 * <p><b>Patch and state trees.</b> The constructor stores a deep copy of {@code patch} and
 * {@code state} (unless they are another event's trees, which are taken as they are, or trees the
 * codec has just parsed, which are only checked) in the form the codec decodes them to (integers as int/long/BigInteger nodes by
 * magnitude, floats and decimals as the double their JSON text reads back as), so an event equals
 * itself after an encode/decode round trip. It rejects what JSON text cannot carry: non-finite
 * numbers, unpaired surrogates, binary or POJO nodes, and nesting deeper than 500 levels.
 *
 * <p><b>Thread-safety.</b> Instances are immutable as long as nobody modifies the trees returned by
 * {@link #patch()} and {@link #state()}. Those accessors return the event's own nodes, not copies
 * (Jackson has no immutable nodes, and copying on every read would tax the hot path): callers must
 * treat them as read-only, and {@code deepCopy()} them before changing anything. Under that rule an
 * event may be shared freely between threads.
 *
 * @param eventId unique id of the event, never null
 * @param key the document's key, never null
 * @param op the kind of change, never null
 * @param version the document's version after this change, at least 1
 * @param prevVersion the version this change applies to; 0 means none (first create, or a snapshot
 *     whose base is unknown)
 * @param epoch the section's epoch when the change was committed, never null
 * @param time when the change was committed, millisecond precision, never null
 * @param origin the writer's region and node, never null
 * @param patch the RFC 6902 JSON Patch from {@code prevVersion} to {@code version} (a JSON array);
 *     non-null exactly for UPDATE
 * @param state the full document (a JSON object) at {@code version}; non-null for CREATE and
 *     SNAPSHOT, nullable for UPDATE, null for DELETE
 * @param streamId the Redis stream entry id of the event in the section log, or null if unknown
 * @param lineage the lineage of the origin region's data for the section ({@code [A-Za-z0-9_-]{1,32}}), or
 *     null when the writer predates regions support; with {@code origin.region} it names the replica
 *     whose change this is
 * @param clock the document's {@link VersionVector} after this change in the region that logged it, or
 *     null; when present its sum equals {@code version}
 * @param stamps the stamp of every place of the document that carries one (JSON Pointer to stamp,
 *     {@code ""} for the whole document), or null; present on events that hand over a document's whole
 *     merge state (snapshots for repair), never on UPDATE
 * @param conflicts the conflicts the region that logged this event resolved by committing it, or null
 *     for none
 */
public record ChangeEvent(String eventId, DataKey key, ChangeOp op, long version, long prevVersion,
                          String epoch, Instant time, Origin origin, JsonNode patch, JsonNode state,
                          String streamId, String lineage, VersionVector clock, SortedMap<String, Stamp> stamps,
                          List<Conflict> conflicts) {

    /**
     * Validates every field and copies the trees, as described in the class comment.
     *
     * @param eventId unique id of the event
     * @param key the document's key
     * @param op the kind of change
     * @param version the version after this change
     * @param prevVersion the version this change applies to, 0 for none
     * @param epoch the section's epoch
     * @param time when the change was committed
     * @param origin the writer
     * @param patch the JSON Patch, or null
     * @param state the full document, or null
     * @param streamId the Redis stream entry id, or null
     * @throws InvalidEventException if a field breaks the contract; {@link InvalidEventException#field()}
     *     names it
     */
    public ChangeEvent {
        require("eventId", eventId, Rules.eventIdProblem(eventId));
        if (key == null) {
            throw new InvalidEventException("key", "is required");
        }
        if (op == null) {
            throw new InvalidEventException("op", "is required");
        }
        if (version < 1) {
            throw new InvalidEventException("version", "must be >= 1, got " + version);
        }
        checkPrevVersion(op, version, prevVersion);
        require("epoch", epoch, Rules.epochProblem(epoch));
        time = checkTime(time);
        if (origin == null) {
            throw new InvalidEventException("origin", "is required");
        }
        if (streamId != null) {
            require("streamId", streamId, Rules.streamIdProblem(streamId));
        }
        patch = presence("patch", op, op.patch(), patch);
        if (patch != null) {
            if (!CanonicalJson.isOwned(patch)) {
                patch = CanonicalJson.copy("patch", patch);
            }
            PatchRules.check(patch);
        }
        state = presence("state", op, op.state(), state);
        if (state != null) {
            if (!state.isObject()) {
                throw new InvalidEventException("state", "must be a JSON object, got " + CanonicalJson.typeOf(state));
            }
            if (!CanonicalJson.isOwned(state)) {
                state = CanonicalJson.copy("state", state);
            }
        }
        if (lineage != null) {
            require("lineage", lineage, Rules.lineageProblem(lineage));
        }
        if (clock != null && clock.sum() != version) {
            throw new InvalidEventException("clock", "must sum to version (" + version + "), got " + clock.toJson()
                    + " (sum " + clock.sum() + ")");
        }
        if (stamps != null && stamps.isEmpty()) {
            stamps = null;
        }
        if (stamps != null) {
            if (op == ChangeOp.UPDATE) {
                throw new InvalidEventException("stamps", "must be absent for op u");
            }
            TreeMap<String, Stamp> copy = new TreeMap<>();
            for (Map.Entry<String, Stamp> e : stamps.entrySet()) {
                if (e.getKey() == null || !Rules.isJsonPointer(e.getKey())) {
                    throw new InvalidEventException("stamps", "keys must be JSON Pointers, got "
                            + (e.getKey() == null ? "null" : Rules.quote(e.getKey())));
                }
                if (e.getValue() == null) {
                    throw new InvalidEventException("stamps", "the stamp of " + Rules.quote(e.getKey()) + " is null");
                }
                copy.put(e.getKey(), e.getValue());
            }
            stamps = Collections.unmodifiableSortedMap(copy);
        }
        if (conflicts != null && conflicts.isEmpty()) {
            conflicts = null;
        }
        if (conflicts != null) {
            for (int i = 0; i < conflicts.size(); i++) {
                if (conflicts.get(i) == null) {
                    throw new InvalidEventException("conflicts[" + i + "]", "is null");
                }
            }
            conflicts = List.copyOf(conflicts);
        }
    }

    /**
     * An event without the fields of regions support (lineage, clock, stamps, conflicts): validates
     * every field and copies the trees, as described in the class comment.
     *
     * @param eventId unique id of the event
     * @param key the document's key
     * @param op the kind of change
     * @param version the version after this change
     * @param prevVersion the version this change applies to, 0 for none
     * @param epoch the section's epoch
     * @param time when the change was committed
     * @param origin the writer
     * @param patch the JSON Patch, or null
     * @param state the full document, or null
     * @param streamId the Redis stream entry id, or null
     * @throws InvalidEventException if a field breaks the contract; {@link InvalidEventException#field()}
     *     names it
     */
    public ChangeEvent(String eventId, DataKey key, ChangeOp op, long version, long prevVersion, String epoch,
                       Instant time, Origin origin, JsonNode patch, JsonNode state, String streamId) {
        this(eventId, key, op, version, prevVersion, epoch, time, origin, patch, state, streamId, null, null, null, null);
    }

    /**
     * Returns a CREATE event: the first version of a key ({@code prevVersion} 0) or its re-creation
     * after a delete ({@code prevVersion} = the deleted version).
     *
     * @param eventId unique id of the event
     * @param key the document's key
     * @param version the version after this change
     * @param prevVersion the version this change applies to
     * @param epoch the section's epoch
     * @param time when the change was committed
     * @param origin the writer
     * @param state the full document, a JSON object, never null
     * @return the event, with no stream id
     * @throws InvalidEventException if an argument breaks the contract
     */
    public static ChangeEvent create(String eventId, DataKey key, long version, long prevVersion, String epoch,
                                     Instant time, Origin origin, JsonNode state) {
        return new ChangeEvent(eventId, key, ChangeOp.CREATE, version, prevVersion, epoch, time, origin,
                null, state, null);
    }

    /**
     * Returns an UPDATE event carrying {@code patch} from {@code prevVersion} (at least 1) to
     * {@code version}, and optionally the full state at {@code version}.
     *
     * @param eventId unique id of the event
     * @param key the document's key
     * @param version the version after this change
     * @param prevVersion the version this change applies to
     * @param epoch the section's epoch
     * @param time when the change was committed
     * @param origin the writer
     * @param patch the RFC 6902 JSON Patch, a JSON array, never null
     * @param state the full document at {@code version}, or null
     * @return the event, with no stream id
     * @throws InvalidEventException if an argument breaks the contract
     */
    public static ChangeEvent update(String eventId, DataKey key, long version, long prevVersion, String epoch,
                                     Instant time, Origin origin, JsonNode patch, JsonNode state) {
        return new ChangeEvent(eventId, key, ChangeOp.UPDATE, version, prevVersion, epoch, time, origin,
                patch, state, null);
    }

    /**
     * Returns a DELETE event removing the key at {@code prevVersion} (at least 1); {@code version}
     * is the version the deletion itself consumes.
     *
     * @param eventId unique id of the event
     * @param key the document's key
     * @param version the version after this change
     * @param prevVersion the version this change applies to
     * @param epoch the section's epoch
     * @param time when the change was committed
     * @param origin the writer
     * @return the event, with no stream id
     * @throws InvalidEventException if an argument breaks the contract
     */
    public static ChangeEvent delete(String eventId, DataKey key, long version, long prevVersion, String epoch,
                                     Instant time, Origin origin) {
        return new ChangeEvent(eventId, key, ChangeOp.DELETE, version, prevVersion, epoch, time, origin,
                null, null, null);
    }

    /**
     * Returns a SNAPSHOT event: the full state at {@code version}, with {@code prevVersion} 0 when
     * the base is unknown.
     *
     * @param eventId unique id of the event
     * @param key the document's key
     * @param version the version after this change
     * @param prevVersion the version this change applies to
     * @param epoch the section's epoch
     * @param time when the change was committed
     * @param origin the writer
     * @param state the full document, a JSON object, never null
     * @return the event, with no stream id
     * @throws InvalidEventException if an argument breaks the contract
     */
    public static ChangeEvent snapshot(String eventId, DataKey key, long version, long prevVersion, String epoch,
                                       Instant time, Origin origin, JsonNode state) {
        return new ChangeEvent(eventId, key, ChangeOp.SNAPSHOT, version, prevVersion, epoch, time, origin,
                null, state, null);
    }

    /**
     * Returns this event with another stream id.
     *
     * @param streamId a Redis stream entry id ({@code [0-9]+-[0-9]+}), or null for none
     * @return a new event, equal to this one except for the stream id
     * @throws InvalidEventException naming {@code streamId} if it is malformed
     */
    public ChangeEvent withStreamId(String streamId) {
        return new ChangeEvent(eventId, key, op, version, prevVersion, epoch, time, origin, patch, state, streamId,
                lineage, clock, stamps, conflicts);
    }

    /**
     * Returns this event with another lineage and clock.
     *
     * @param lineage the origin's lineage, or null
     * @param clock the document's clock after this change, or null; its sum must equal the version
     * @return a new event, equal to this one except for lineage and clock
     * @throws InvalidEventException if the lineage is malformed or the clock does not sum to the version
     */
    public ChangeEvent withClock(String lineage, VersionVector clock) {
        return new ChangeEvent(eventId, key, op, version, prevVersion, epoch, time, origin, patch, state, streamId,
                lineage, clock, stamps, conflicts);
    }

    /**
     * Returns this event with other stamps.
     *
     * @param stamps JSON Pointer to stamp, or null
     * @return a new event, equal to this one except for the stamps
     * @throws InvalidEventException if the op is UPDATE or a key is not a JSON Pointer
     */
    public ChangeEvent withStamps(Map<String, Stamp> stamps) {
        return new ChangeEvent(eventId, key, op, version, prevVersion, epoch, time, origin, patch, state, streamId,
                lineage, clock, stamps == null ? null : new TreeMap<>(stamps), conflicts);
    }

    /**
     * Returns this event with other conflicts.
     *
     * @param conflicts the conflicts resolved by this event, or null
     * @return a new event, equal to this one except for the conflicts
     */
    public ChangeEvent withConflicts(List<Conflict> conflicts) {
        return new ChangeEvent(eventId, key, op, version, prevVersion, epoch, time, origin, patch, state, streamId,
                lineage, clock, stamps, conflicts);
    }

    /**
     * The replica whose change this is ({@code origin.region~lineage}), or null without a lineage.
     *
     * @return the replica id, or null
     */
    public String replica() {
        return lineage == null ? null : VersionVector.replica(origin.region(), lineage);
    }

    /**
     * The stamp of this change as its origin region committed it: its time, version, the origin's
     * count in the clock, region and lineage; null when the event has no lineage or clock, or the
     * clock does not count the origin (an event that hands over merge state rather than one change).
     *
     * @return the stamp, or null
     */
    public Stamp stamp() {
        if (lineage == null || clock == null) {
            return null;
        }
        long counter = clock.get(replica());
        return counter < 1 ? null : new Stamp(time.toEpochMilli(), version, counter, origin.region(), lineage);
    }

    /**
     * Returns a one-line summary without the patch and state contents (which can be large and must
     * not end up in logs), e.g.
     * {@code ChangeEvent[u orders/book/BTC-USD v7<-6 epoch=k3J9 time=... origin=eu-west-1/n1 id=... patch=1 ops state=no]}.
     */
    @Override
    public String toString() {
        return "ChangeEvent[" + op.wireCode() + ' ' + key + " v" + version + "<-" + prevVersion
                + " epoch=" + epoch + " time=" + time + " origin=" + origin + " id=" + eventId
                + (streamId == null ? "" : " streamId=" + streamId)
                + (patch == null ? "" : " patch=" + patch.size() + " ops")
                + " state=" + (state == null ? "no" : "yes")
                + (lineage == null ? "" : " lineage=" + lineage)
                + (clock == null ? "" : " clock=" + clock.toJson())
                + (stamps == null ? "" : " stamps=" + stamps.size())
                + (conflicts == null ? "" : " conflicts=" + conflicts.size()) + ']';
    }

    private static void require(String field, String value, String problem) {
        if (problem != null) {
            throw new InvalidEventException(field, value == null ? "is required" : problem);
        }
    }

    private static void checkPrevVersion(ChangeOp op, long version, long prevVersion) {
        if (prevVersion < op.minPrevVersion()) {
            throw new InvalidEventException("prevVersion", "must be >= " + op.minPrevVersion() + " for op "
                    + op.wireCode() + ", got " + prevVersion);
        }
        if (prevVersion >= version) {
            throw new InvalidEventException("prevVersion", "must be less than version (" + version + "), got "
                    + prevVersion);
        }
    }

    private static Instant checkTime(Instant time) {
        if (time == null) {
            throw new InvalidEventException("time", "is required");
        }
        if (time.isBefore(Instant.EPOCH)) {
            throw new InvalidEventException("time", "must not be before 1970-01-01T00:00:00Z, got " + time);
        }
        Instant millis = time.truncatedTo(ChronoUnit.MILLIS);
        try {
            millis.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new InvalidEventException("time", "must fit in 64-bit epoch milliseconds, got " + time, e);
        }
        return millis;
    }

    private static JsonNode presence(String field, ChangeOp op, ChangeOp.Presence presence, JsonNode node) {
        JsonNode present = node == null || node.isNull() || node.isMissingNode() ? null : node;
        if (present == null && presence == ChangeOp.Presence.REQUIRED) {
            throw new InvalidEventException(field, "is required for op " + op.wireCode());
        }
        if (present != null && presence == ChangeOp.Presence.FORBIDDEN) {
            throw new InvalidEventException(field, "must be absent for op " + op.wireCode());
        }
        return present;
    }
}
