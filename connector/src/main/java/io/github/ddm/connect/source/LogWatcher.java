package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Lets an idle source task sleep until a watched section log gets a new entry, instead of reading
 * every section again after a fixed pause. Each watched section has one blocking
 * {@code XREAD COUNT 1 BLOCK} outstanding (a key per command, so it works on a Redis Cluster, where
 * one XREAD cannot span sections); the first that finds an entry wakes the task, which then reads
 * in batches as usual. The entry that woke it is read again by that batch: the wait only signals.
 *
 * <p>At most {@value #MAX_WATCHED} sections are watched at a time, since each wait holds a
 * connection of the client's pool; with more sections in one task the window moves with the task's
 * rotation, and every section is read at least once per poll interval either way.
 *
 * <p>{@link #await} runs on the task's poll thread; {@link #wake} may be called from any thread.
 */
final class LogWatcher {

    static final int MAX_WATCHED = 16;

    private final Semaphore signals = new Semaphore(0);
    private final Map<SectionId, CompletableFuture<Boolean>> pending = new HashMap<>();

    /**
     * Waits until a watched section has an entry after its reader's position, {@link #wake} is
     * called, or {@code timeout} passes. Returns at once if a reader must be polled right away.
     */
    void await(List<SectionReader> readers, int first, Duration timeout) throws InterruptedException {
        int n = readers.size();
        for (int i = 0; i < Math.min(n, MAX_WATCHED); i++) {
            SectionReader reader = readers.get((first + i) % n);
            CompletableFuture<Boolean> outstanding = pending.get(reader.section());
            if (outstanding != null && !outstanding.isDone()) {
                continue; // still blocked at an older position, which had nothing after it: it fires on the next entry
            }
            CompletableFuture<Boolean> wait = reader.awaitNewEntry(timeout);
            if (wait == null) {
                return;
            }
            pending.put(reader.section(), wait);
            // A failed wait wakes the task too: the next read then meets the failure and retries or fails properly.
            wait.whenComplete((found, error) -> {
                if (error != null || Boolean.TRUE.equals(found)) {
                    signals.release();
                }
            });
        }
        signals.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        // Signals of earlier waits are stale now: the task reads every section next anyway.
        signals.drainPermits();
    }

    /** Ends a current or the next {@link #await} early (the task is stopping). */
    void wake() {
        signals.release(Integer.MAX_VALUE / 2);
    }
}
