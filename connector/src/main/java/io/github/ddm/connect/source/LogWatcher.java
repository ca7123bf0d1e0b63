package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Lets an idle source task sleep until a watched section log gets a new entry, instead of reading
 * every section again after a fixed pause. Each watched section has one blocking
 * {@code XREAD COUNT 1 BLOCK} outstanding (a key per command, so it works on a Redis Cluster, where
 * one XREAD cannot span sections); the first that finds an entry wakes the task and names its
 * section, which the next poll reads. The entry that woke it is read again by that read: the wait
 * only signals.
 *
 * <p>At most {@value #MAX_WATCHED} sections are watched at a time, since each wait holds a
 * connection of the client's pool: the caller passes the most recently active first. Every section,
 * watched or not, is read at least once per poll interval ({@link SectionRounds}).
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
     *
     * @param watched the sections to watch, at most {@value #MAX_WATCHED} are taken
     * @param woken told of each section whose wait saw a new entry (or failed), on a Redis thread
     */
    void await(List<SectionReader> watched, Duration timeout, Consumer<SectionReader> woken) throws InterruptedException {
        for (int i = 0; i < Math.min(watched.size(), MAX_WATCHED); i++) {
            SectionReader reader = watched.get(i);
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
                    woken.accept(reader);
                    signals.release();
                }
            });
        }
        if (pending.size() > 4 * MAX_WATCHED) {
            pending.values().removeIf(CompletableFuture::isDone);
        }
        signals.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
        // Signals of earlier waits are stale now: their sections are due already.
        signals.drainPermits();
    }

    /** Ends a current or the next {@link #await} early: a section changed ({@link ChangeSignals}). Any thread. */
    void signal() {
        signals.release();
    }

    /** Ends a current or the next {@link #await} early (the task is stopping). */
    void wake() {
        signals.release(Integer.MAX_VALUE / 2);
    }
}
