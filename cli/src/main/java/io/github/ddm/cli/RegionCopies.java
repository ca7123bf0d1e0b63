package io.github.ddm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.DocumentManager;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.Versioned;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Compares the demo's copies of documents, byte for byte: two regions' Redis (each document's hash,
 * its metadata included, and its merge state's clock), and a service's view with its region's
 * Redis. The demo reads the stored bytes to prove they are identical, which the public API (a
 * parsed snapshot) cannot show; the key layout is the one docs/regions.md documents. Stateless.
 */
final class RegionCopies {

    /** The hash field naming the last writer: each region names the last change it took in, so it is not compared. */
    static final String ORIGIN_FIELD = "\u0000o";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One document whose copies differ, and how. */
    record Mismatch(String id, String what) {
        @Override
        public String toString() {
            return id + ": " + what;
        }
    }

    /** One region's stored copy of a document: the document hash (origin left out) and the clock (null if none). */
    private record Stored(Map<String, String> document, String clock) {
    }

    private RegionCopies() {
    }

    /**
     * The documents among {@code ids} (and any other either region holds in the section) whose
     * copies in {@code a} and {@code b} are not identical: every hash field but the origin, and the
     * clock ({@code <ns>:{p:s}:c:<id>}, field {@code v}). Empty when they are.
     */
    static List<Mismatch> differences(DemoRegion a, DemoRegion b, SectionId section, Collection<String> ids, Duration timeout)
            throws InterruptedException {
        TreeSet<String> all = new TreeSet<>(ids);
        all.addAll(Futures.await(a.store(section).ids(), timeout, "listing " + section + " in " + a.name));
        all.addAll(Futures.await(b.store(section).ids(), timeout, "listing " + section + " in " + b.name));
        Map<String, Stored> left = read(a, section, all, timeout);
        Map<String, Stored> right = read(b, section, all, timeout);
        List<Mismatch> differing = new ArrayList<>();
        for (String id : all) {
            Stored l = left.get(id);
            Stored r = right.get(id);
            if (l.document().isEmpty() || r.document().isEmpty()) {
                if (!(l.document().isEmpty() && r.document().isEmpty())) {
                    differing.add(new Mismatch(id, "missing in " + (l.document().isEmpty() ? a.name : b.name)));
                }
            } else if (!l.document().equals(r.document())) {
                differing.add(new Mismatch(id, "version " + l.document().get("\u0000v") + " in " + a.name + ", "
                        + r.document().get("\u0000v") + " in " + b.name + (Objects.equals(l.clock(), r.clock()) ? ", same clock" : "")));
            } else if (!Objects.equals(l.clock(), r.clock())) {
                differing.add(new Mismatch(id, "same document, clock " + l.clock() + " in " + a.name + ", " + r.clock() + " in " + b.name));
            }
        }
        return differing;
    }

    private static Map<String, Stored> read(DemoRegion region, SectionId section, Collection<String> ids, Duration timeout)
            throws InterruptedException {
        String prefix = DemoRegion.NAMESPACE + ":{" + section.partition() + ":" + section.section() + "}:";
        RedissonClient client = region.admin;
        RBatch batch = client.createBatch();
        Map<String, CompletableFuture<Map<String, String>>> documents = new TreeMap<>();
        Map<String, CompletableFuture<String>> clocks = new TreeMap<>();
        for (String id : ids) {
            documents.put(id, batch.<String, String>getMap(prefix + "s:" + id, StringCodec.INSTANCE).readAllMapAsync().toCompletableFuture());
            clocks.put(id, batch.<String, String>getMap(prefix + "c:" + id, StringCodec.INSTANCE).getAsync("v").toCompletableFuture());
        }
        Futures.await(batch.executeAsync().toCompletableFuture(), timeout, "reading " + section + " in " + region.name);
        Map<String, Stored> stored = new TreeMap<>();
        for (String id : ids) {
            Map<String, String> document = new TreeMap<>(documents.get(id).join());
            document.remove(ORIGIN_FIELD);
            stored.put(id, new Stored(document, clocks.get(id).join()));
        }
        return stored;
    }

    /**
     * The documents among {@code ids} whose value and version in {@code service} (its cache, or a
     * load on a miss) are not those of its region's Redis. Empty when they all are.
     */
    static <T> List<Mismatch> serviceDifferences(DocumentManager<T> service, SectionStore store, Class<T> type, Collection<String> ids,
                                                 Duration timeout) throws InterruptedException {
        List<Mismatch> differing = new ArrayList<>();
        for (String id : ids) {
            Optional<Versioned<T>> seen = Futures.await(service.get(id), timeout, "reading " + id);
            Optional<ChangeEvent> stored = Futures.await(store.snapshot(id), timeout, "reading " + id);
            boolean live = stored.isPresent() && stored.get().op() != ChangeOp.DELETE;
            if (seen.isEmpty() || !live) {
                if (seen.isPresent() || live) {
                    differing.add(new Mismatch(id, seen.isEmpty() ? "the service does not have it" : "not in Redis, the service has it"));
                }
                continue;
            }
            T value;
            try {
                value = JSON.treeToValue(stored.get().state(), type);
            } catch (Exception e) {
                throw new IllegalStateException(id + " in Redis does not map to " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
            if (seen.get().version() != stored.get().version() || !seen.get().value().equals(value)) {
                differing.add(new Mismatch(id, "the service has version " + seen.get().version() + ", Redis " + stored.get().version()
                        + (seen.get().version() == stored.get().version() ? " with other content" : "")));
            }
        }
        return differing;
    }
}
