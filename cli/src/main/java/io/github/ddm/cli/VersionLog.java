package io.github.ddm.cli;

import io.github.ddm.schema.ChangeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one listener saw: each key's versions (with the section's epoch) in arrival order, and when
 * each arrived. Waits end when enough changes arrive, never by polling a clock. Thread-safe:
 * listeners call {@link #record} on DDM's threads.
 */
final class VersionLog {

    /** One delivered change: the section's epoch and the document's version. */
    private record Seen(String epoch, long version) {
    }

    private final Map<String, List<Seen>> versions = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();
    private final Map<Long, CompletableFuture<Void>> targets = new ConcurrentHashMap<>();

    void record(ChangeEvent event) {
        long now = System.nanoTime();
        versions.computeIfAbsent(event.key().id(), k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new Seen(event.epoch(), event.version()));
        arrivals.computeIfAbsent(event.key().id() + "@" + event.version(), k -> new CompletableFuture<>()).complete(now);
        long seen = count.incrementAndGet();
        targets.forEach((target, done) -> {
            if (seen >= target) {
                done.complete(null);
            }
        });
    }

    long count() {
        return count.get();
    }

    /** Waits until at least {@code total} changes were seen; false if the timeout passed first. */
    boolean await(long total, Duration timeout) throws InterruptedException {
        CompletableFuture<Void> done = targets.computeIfAbsent(total, t -> new CompletableFuture<>());
        if (count.get() >= total) {
            done.complete(null);
        }
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Completes with {@link System#nanoTime()} when {@code version} of {@code id} arrives. */
    CompletableFuture<Long> arrival(String id, long version) {
        return arrivals.computeIfAbsent(id + "@" + version, k -> new CompletableFuture<>());
    }

    /**
     * Null if every key's versions rose within each epoch of the section, none seen twice; else the
     * first problem. Versions may skip (a merge of a repair takes in several changes at once); a new
     * epoch (the region lost its data) starts the count again.
     */
    String disorder() {
        for (Map.Entry<String, List<Seen>> key : versions.entrySet()) {
            List<Seen> seen;
            synchronized (key.getValue()) {
                seen = new ArrayList<>(key.getValue());
            }
            for (int i = 1; i < seen.size(); i++) {
                Seen before = seen.get(i - 1);
                Seen now = seen.get(i);
                if (now.epoch().equals(before.epoch()) && now.version() <= before.version()) {
                    return key.getKey() + " went from version " + before.version() + " to " + now.version();
                }
            }
        }
        return null;
    }
}
