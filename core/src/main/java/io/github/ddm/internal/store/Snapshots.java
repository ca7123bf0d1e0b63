package io.github.ddm.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.CorruptDocumentException;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import java.time.Instant;
import java.util.Map;

/**
 * A stored document as an explicit snapshot event: what a late subscriber, a repair or the Kafka
 * bridge hands out when the changes themselves are no longer available.
 */
public final class Snapshots {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Snapshots() {
    }

    /**
     * The document's state at its stored version, as a {@code SNAPSHOT} event following
     * {@code prevVersion} (0 when the base is unknown), or a {@code DELETE} event for a deleted
     * document (which needs a previous version of at least 1); null when there is nothing newer
     * than {@code prevVersion}, or the section has no epoch.
     *
     * @throws CorruptDocumentException if a member is not JSON
     */
    public static ChangeEvent of(DataKey key, String redisKey, StoredDocument stored, String eventId, long prevVersion) {
        if (stored.epoch() == null || stored.version() <= prevVersion) {
            return null;
        }
        Instant time = Instant.ofEpochMilli(stored.timeMillis());
        if (!stored.exists()) {
            long prev = prevVersion > 0 ? prevVersion : stored.version() - 1;
            return stored.version() >= 1 && prev >= 1
                    ? ChangeEvent.delete(eventId, key, stored.version(), prev, stored.epoch(), time, stored.origin())
                    : null;
        }
        return ChangeEvent.snapshot(eventId, key, stored.version(), prevVersion, stored.epoch(), time, stored.origin(),
                state(key, redisKey, stored.members()));
    }

    /** The document's members as one JSON object. */
    public static ObjectNode state(DataKey key, String redisKey, Map<String, String> members) {
        ObjectNode state = JSON.createObjectNode();
        for (Map.Entry<String, String> member : members.entrySet()) {
            try {
                state.set(member.getKey(), JSON.readTree(member.getValue()));
            } catch (JsonProcessingException e) {
                throw new CorruptDocumentException(key, redisKey, member.getKey(), "not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
        return state;
    }
}
