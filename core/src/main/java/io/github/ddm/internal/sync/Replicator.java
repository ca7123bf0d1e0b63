package io.github.ddm.internal.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.SectionStore;
import io.github.ddm.internal.patch.PatchEngine;
import io.github.ddm.internal.store.CommitRequest;
import io.github.ddm.internal.store.CommitResult;
import io.github.ddm.internal.store.EventTemplate;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.StoredDocument;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Applies a change event from elsewhere (another region, a replay) to a section in Redis, through
 * the same commit script as local writes, with compare-and-set on the stored version:
 *
 * <ul>
 *   <li>{@code version <= stored}: a duplicate; nothing is written.</li>
 *   <li>An update that follows the stored version is applied as a patch to the stored document;
 *       one that does not is a gap and is not applied (a patch is never applied on the wrong base).</li>
 *   <li>An event that carries the whole document (create, snapshot, an update with its state) or a
 *       delete is a full state: it is written at its own version whatever the stored version
 *       below it, which is how a gap is repaired.</li>
 * </ul>
 * The event keeps its id, time and origin; the target section's epoch and stream id are its own.
 * If the stored version moves while the event is computed, it is computed again. Thread-safe.
 */
public final class Replicator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 8;

    private final RedisDocumentStore store;

    public Replicator(RedisDocumentStore store) {
        this.store = store;
    }

    /** Applies the event; the future fails only when Redis cannot be reached. */
    public CompletableFuture<SectionStore.ApplyOutcome> apply(ChangeEvent event) {
        return attempt(event, 1);
    }

    private CompletableFuture<SectionStore.ApplyOutcome> attempt(ChangeEvent event, int attempt) {
        String id = event.key().id();
        return store.load(id).thenCompose(stored -> {
            if (stored.version() >= event.version()) {
                return CompletableFuture.completedFuture(new SectionStore.ApplyOutcome.Duplicate(stored.version()));
            }
            CommitRequest request;
            try {
                request = request(event, stored);
            } catch (PatchEngine.PatchFailedException e) {
                return CompletableFuture.completedFuture(new SectionStore.ApplyOutcome.Unappliable(stored.version(),
                        "the patch does not apply to stored version " + stored.version() + ": " + e.getMessage()));
            }
            if (request == null) {
                return CompletableFuture.completedFuture(new SectionStore.ApplyOutcome.Gap(stored.version()));
            }
            return store.commit(request, randomEpoch()).thenCompose(result -> {
                if (result instanceof CommitResult.Committed committed) {
                    return CompletableFuture.completedFuture(
                            new SectionStore.ApplyOutcome.Applied(committed.version(), committed.streamId()));
                }
                if (attempt >= MAX_ATTEMPTS) {
                    return CompletableFuture.completedFuture(new SectionStore.ApplyOutcome.Unappliable(stored.version(),
                            "the stored version kept moving during " + attempt + " attempts"));
                }
                return attempt(event, attempt + 1);
            });
        });
    }

    /** The commit for this event on this stored document, or null if it is a gap. */
    private CommitRequest request(ChangeEvent event, StoredDocument stored) {
        String origin = RedisDocumentStore.formatOrigin(event.origin());
        long time = event.time().toEpochMilli();
        if (event.op() == ChangeOp.DELETE) {
            // A tombstone at the event's version, whether or not a document is stored below it.
            return new CommitRequest(event.key().id(), stored.version(), event.version(), stored.epoch(), time, origin,
                    ChangeOp.DELETE, template(event), Map.of(), List.of());
        }
        JsonNode state = event.state();
        if (state != null) {
            Map<String, String> writes = new LinkedHashMap<>();
            state.fields().forEachRemaining(member -> writes.put(member.getKey(), member.getValue().toString()));
            List<String> removals = new ArrayList<>();
            for (String member : stored.members().keySet()) {
                if (!state.has(member)) {
                    removals.add(member);
                }
            }
            return new CommitRequest(event.key().id(), stored.version(), event.version(), stored.epoch(), time, origin,
                    ChangeOp.CREATE, template(event), writes, removals);
        }
        if (stored.version() != event.prevVersion() || !stored.exists()) {
            return null;
        }
        ObjectNode base = tree(stored);
        ObjectNode after = (ObjectNode) PatchEngine.apply(event.patch(), base);
        Map<String, String> writes = new LinkedHashMap<>();
        List<String> removals = new ArrayList<>();
        for (String member : PatchEngine.touchedMembers(event.patch(), () -> after.fieldNames())) {
            JsonNode value = after.get(member);
            if (value == null) {
                removals.add(member);
            } else {
                writes.put(member, value.toString());
            }
        }
        return new CommitRequest(event.key().id(), stored.version(), event.version(), stored.epoch(), time, origin,
                ChangeOp.UPDATE, template(event), writes, removals);
    }

    private static ObjectNode tree(StoredDocument stored) {
        ObjectNode tree = JSON.createObjectNode();
        for (Map.Entry<String, String> member : stored.members().entrySet()) {
            try {
                tree.set(member.getKey(), JSON.readTree(member.getValue()));
            } catch (IOException e) {
                throw new PatchEngine.PatchFailedException("stored member '" + member.getKey() + "' is not JSON", e);
            }
        }
        return tree;
    }

    /** The event as this section will log and publish it: same id, time and origin; our epoch and stream id. */
    private static EventTemplate template(ChangeEvent e) {
        return EventTemplate.of(new ChangeEvent(e.eventId(), e.key(), e.op(), e.version(), e.prevVersion(),
                EventTemplate.PLACEHOLDER_EPOCH, e.time(), e.origin(), e.patch(), e.state(), null));
    }

    private static String randomEpoch() {
        byte[] bytes = new byte[8];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
