package io.github.ddm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Compares what managers answer with what Redis holds (read independently by {@link RawSection}). */
final class Truth {

    private Truth() {
    }

    /** Null if {@code answer} equals the stored hash (value and version), else what differs. */
    static String divergence(Optional<? extends Versioned<?>> answer, Optional<RawSection.RawDocument> stored) {
        if (stored.isEmpty() || stored.get().deleted()) {
            return answer.isPresent() ? "answered v" + answer.get().version() + " but Redis has no live document" : null;
        }
        RawSection.RawDocument doc = stored.get();
        if (answer.isEmpty()) {
            return "no value (absent or not cached), Redis has v" + doc.version();
        }
        Versioned<?> entry = answer.get();
        if (entry.version() != doc.version()) {
            return "answered v" + entry.version() + ", Redis has v" + doc.version();
        }
        ObjectNode value = RawSection.treeOf(entry.value());
        ObjectNode members = RawSection.normalize(doc.members());
        if (!value.equals(members)) {
            return "at v" + doc.version() + " answered " + value + ", Redis has " + members;
        }
        return null;
    }

    /** Every key whose cached entry differs from Redis (a missing entry counts as different). */
    static List<String> cacheDivergences(DocumentManager<?> manager, RawSection raw, Collection<String> ids) {
        List<String> diverged = new ArrayList<>();
        for (String id : ids) {
            String problem = divergence(manager.getCached(id), raw.document(id));
            if (problem != null) {
                diverged.add(id + ": " + problem);
            }
        }
        return diverged;
    }

    /** Every key whose cached entry is stale: present but not what Redis holds (a missing entry is fine). */
    static List<String> staleEntries(DocumentManager<?> manager, RawSection raw, Collection<String> ids) {
        List<String> stale = new ArrayList<>();
        for (String id : ids) {
            Optional<? extends Versioned<?>> cached = manager.getCached(id);
            if (cached.isPresent()) {
                String problem = divergence(cached, raw.document(id));
                if (problem != null) {
                    stale.add(id + ": " + problem);
                }
            }
        }
        return stale;
    }
}
