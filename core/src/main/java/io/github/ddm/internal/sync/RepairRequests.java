package io.github.ddm.internal.sync;

import io.github.ddm.SyncEvent;
import java.util.concurrent.CompletableFuture;

/**
 * What the rest of the section may ask of its repair ({@link SectionRepair} implements it): a
 * catch-up from the section log, a re-read of one key, and how far the catch-ups have got.
 *
 * <p>The channel and the version check hold it; the per-key delivery is handed it with each
 * change, by whoever queued the change (the channel for live changes, the repair itself for the
 * log's), so the repair can hold the delivery without the delivery holding the repair. Every
 * method is thread-safe and returns at once: the work runs on the section's executor and lanes.
 */
interface RepairRequests {

    /** Asks for a catch-up from the log; merged with one already running or waiting. */
    void request(SyncEvent.Trigger trigger);

    /**
     * Asks for a catch-up; the future completes when one that started after this call has finished
     * (or failed): then everything the log held at the time of the call has been queued for delivery.
     */
    CompletableFuture<Void> requestAndWait(SyncEvent.Trigger trigger);

    /**
     * Re-reads a key whose changes cannot be chained and delivers its current state as an explicit
     * snapshot (or a delete). Call on the key's lane.
     *
     * @param delivered the newest version delivered for the key, or -1
     */
    void resync(String id, long delivered);

    /** True while a catch-up runs or waits. */
    boolean busy();

    /** How many catch-ups have started. */
    long startedCatchUps();

    /** True if a catch-up that started after the {@code generation}-th one has completed. */
    boolean completedAfter(long generation);
}
