package io.github.ddm.internal.sync;

import io.github.ddm.CorruptDocumentException;
import io.github.ddm.SyncEvent;
import io.github.ddm.internal.buffer.ChangeBuffer;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.SectionLog;
import io.github.ddm.internal.store.Snapshots;
import io.github.ddm.internal.store.StoredDocument;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs what pub/sub lost, from the section log.
 *
 * <p>The repair keeps a <em>mark</em>: a log entry id up to which this node has received every
 * change. A catch-up reads the log after the mark ({@code XRANGE}, in batches), hands every entry
 * to the per-key delivery (which drops what it already delivered), and moves the mark to the last entry read.
 * A catch-up is requested by a gap, a re-subscription, the periodic head check, version drift or
 * an overflow; requests that arrive while one runs are merged into one more run.
 *
 * <p>If the entry at the mark is gone from the log (trimmed by {@code MAXLEN}), what was missed
 * cannot be replayed: every cached document of the section is dropped and reloads on demand. A key
 * whose changes still do not chain after a catch-up that started after its gap was seen is
 * re-read from Redis and delivered as an explicit snapshot.
 *
 * <p>Thread-safe: one catch-up runs at a time; its steps run on Redisson and executor threads.
 */
final class SectionRepair<T> implements RepairRequests {

    private static final Logger log = LoggerFactory.getLogger(SectionRepair.class);

    private final SectionLog sectionLog;
    private final RedisDocumentStore store;
    private final StoredVersions versions;
    private final KeyDelivery<T> delivery;
    private final DocumentCache<T> cache;
    private final ChangeBuffer buffer;
    private final KeyLanes lanes;
    private final Loader<T> loader;
    private final SyncEvents events;
    private final Executor executor;
    private final String partition;
    private final String section;
    private final int batchSize;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<SyncEvent.Trigger> pending = new AtomicReference<>();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong catchUps = new AtomicLong();
    private final AtomicLong catchUpEntries = new AtomicLong();
    private final AtomicLong sectionReloads = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastCompletedStart;
    private volatile String mark = SectionLog.START;
    private volatile String lastError;
    private volatile boolean reachable = true;
    private String previousHead;
    private long previousHeadSubscriptions;

    SectionRepair(SectionLog sectionLog, RedisDocumentStore store, StoredVersions versions, KeyDelivery<T> delivery,
                  DocumentCache<T> cache, ChangeBuffer buffer, KeyLanes lanes, Loader<T> loader, SyncEvents events,
                  Executor executor, String partition, String section, int batchSize) {
        this.sectionLog = sectionLog;
        this.store = store;
        this.versions = versions;
        this.delivery = delivery;
        this.cache = cache;
        this.buffer = buffer;
        this.lanes = lanes;
        this.loader = loader;
        this.events = events;
        this.executor = executor;
        this.partition = partition;
        this.section = section;
        this.batchSize = batchSize;
    }

    /** Sets the mark to the log's newest entry. Called once, after subscribing and before serving. */
    void initialize(Duration timeout) {
        try {
            mark = sectionLog.head().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            previousHead = mark;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.github.ddm.StoreUnavailableException("interrupted while reading " + section + "'s log", e);
        } catch (Exception e) {
            throw new io.github.ddm.StoreUnavailableException("cannot read the log of " + partition + "/" + section
                    + ": " + RedisDocumentStore.unwrap(e).getMessage(), e);
        }
    }

    private final java.util.Queue<Waiter> waiters = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** A future completed by the first catch-up that starts after it was created. */
    private record Waiter(long startedBefore, CompletableFuture<Void> done) {
    }

    @Override
    public CompletableFuture<Void> requestAndWait(SyncEvent.Trigger trigger) {
        Waiter waiter = new Waiter(started.get(), new CompletableFuture<>());
        waiters.add(waiter);
        request(trigger);
        return waiter.done();
    }

    private void releaseWaiters(long generation) {
        for (Waiter waiter : waiters) {
            if (waiter.startedBefore() < generation) {
                waiters.remove(waiter);
                waiter.done().complete(null);
            }
        }
    }

    @Override
    public void request(SyncEvent.Trigger trigger) {
        pending.compareAndSet(null, trigger);
        if (running.compareAndSet(false, true)) {
            executor.execute(this::run);
        }
    }

    /** Starts a catch-up that was asked for but could not run (Redis was unreachable). */
    void retryIfPending() {
        if (pending.get() != null && running.compareAndSet(false, true)) {
            executor.execute(this::run);
        }
    }

    @Override
    public long startedCatchUps() {
        return started.get();
    }

    @Override
    public boolean completedAfter(long generation) {
        return lastCompletedStart > generation;
    }

    private void run() {
        SyncEvent.Trigger trigger = pending.getAndSet(null);
        if (trigger == null) {
            running.set(false);
            if (pending.get() != null && running.compareAndSet(false, true)) {
                executor.execute(this::run);
            }
            return;
        }
        long generation = started.incrementAndGet();
        String from = mark;
        long t0 = System.nanoTime();
        boolean[] trimmed = {false};
        sectionLog.trimmedPast(from)
                .thenCompose(lost -> {
                    if (lost) {
                        trimmed[0] = true;
                        onTrimmed(from);
                    }
                    return readAfter(from, 0);
                })
                .thenCompose(entries -> !trimmed[0] ? CompletableFuture.completedFuture(entries)
                        // What the log lost cannot be replayed: every key this node knows (delivered or
                        // cached) and that is now behind Redis is re-read and delivered as a snapshot,
                        // after the remaining entries are queued.
                        : resyncKeysBehind(knownKeys()).thenApply(ignored -> entries))
                .whenComplete((entries, error) -> {
                    if (error != null) {
                        failures.incrementAndGet();
                        lastError = RedisDocumentStore.unwrap(error).getMessage();
                        log.warn("section {}/{}: catch-up from {} failed ({}); it is retried at the next check",
                                partition, section, from, lastError);
                        pending.compareAndSet(null, trigger);
                        running.set(false);
                        releaseWaiters(generation);
                        return;
                    }
                    lastError = null;
                    finish(generation, trigger, from, entries, t0);
                });
    }

    private CompletableFuture<Integer> readAfter(String after, int total) {
        return sectionLog.after(after, batchSize).thenCompose(batch -> {
            for (ChangeEvent event : batch.events()) {
                lanes.execute(event.key().id(), () -> delivery.process(event, true, this));
            }
            if (batch.entries() > 0) {
                mark = batch.lastId();
            }
            int sum = total + batch.entries();
            return batch.entries() == batchSize ? readAfter(batch.lastId(), sum) : CompletableFuture.completedFuture(sum);
        });
    }

    private void finish(long generation, SyncEvent.Trigger trigger, String from, int entries, long t0) {
        // Keys whose gap predates this catch-up and still does not chain once its entries are
        // processed (lanes run in order, so this check runs after them) cannot be repaired from the log.
        for (String id : delivery.keysGappedBefore(generation)) {
            lanes.execute(id, () -> {
                if (delivery.stillGapped(id, generation)) {
                    resync(id, buffer.newestVersion(id));
                }
            });
        }
        lastCompletedStart = generation;
        releaseWaiters(generation);
        catchUps.incrementAndGet();
        catchUpEntries.addAndGet(entries);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        log.debug("section {}/{}: caught up {} entries from {} to {} in {} ({})", partition, section, entries, from, mark, took, trigger);
        events.emit(new SyncEvent.CaughtUp(partition, section, trigger, from, mark, entries, took));
        running.set(false);
        if (pending.get() != null) {
            request(pending.get());
        }
    }

    private void onTrimmed(String from) {
        sectionReloads.incrementAndGet();
        log.warn("section {}/{}: the log was trimmed past {}, so changes this node missed may be gone from it; "
                + "keys behind Redis are re-read and delivered as snapshots", partition, section, from);
        events.emit(new SyncEvent.Reloaded(partition, section, null, SyncEvent.ReloadReason.LOG_TRIMMED));
    }

    private java.util.List<String> knownKeys() {
        java.util.Set<String> keys = new java.util.LinkedHashSet<>(buffer.knownKeys());
        keys.addAll(cache.asMap().keySet());
        return new java.util.ArrayList<>(keys);
    }

    /**
     * After the log was trimmed past what this node saw: every key whose delivered version is now
     * behind Redis missed changes that cannot be replayed, so it is re-read and delivered as a snapshot.
     */
    private CompletableFuture<Void> resyncKeysBehind(java.util.List<String> ids) {
        return versions.inBatches(ids, (slice, stored) -> {
            for (int i = 0; i < slice.size(); i++) {
                String id = slice.get(i);
                long version = stored[i];
                lanes.execute(id, () -> {
                    long last = delivery.knownVersion(id);
                    if (last >= 0 && version > last) {
                        resync(id, last);
                    }
                });
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    @Override
    public void resync(String id, long delivered) {
        resyncs.incrementAndGet();
        DataKey key = DataKey.of(partition, section, id);
        events.emit(new SyncEvent.Reloaded(partition, section, key, SyncEvent.ReloadReason.UNREPAIRABLE_GAP));
        boolean wasCached = cache.get(id) != null;
        cache.invalidate(id);
        store.load(id).whenComplete((stored, error) -> lanes.execute(id, () -> {
            if (error != null) {
                log.warn("section {}/{}: cannot re-read {} ({}); retried at the next catch-up", partition, section, id,
                        RedisDocumentStore.unwrap(error).getMessage());
                return;
            }
            ChangeEvent snapshot = snapshotOf(key, stored, buffer.newestVersion(id));
            if (snapshot != null) {
                delivery.deliver(snapshot, this);
            }
            if (wasCached) {
                loader.load(id); // keep a key that was cached warm
            }
        }));
    }

    private ChangeEvent snapshotOf(DataKey key, StoredDocument stored, long delivered) {
        try {
            return Snapshots.of(key, store.layout().documentKey(key.id()), stored, "resync-" + randomId(), Math.max(0, delivered));
        } catch (CorruptDocumentException e) {
            log.warn("section {}/{}: {} cannot be re-read: {}", partition, section, key.id(), e.getMessage());
            return null;
        }
    }

    private static String randomId() {
        byte[] bytes = new byte[9];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The periodic head check: if the newest log entry seen at the previous check has still not
     * arrived by pub/sub, it was lost, so catch up; otherwise everything up to it arrived, and the
     * mark moves there. Called by the maintenance tick, with the channel whose messages it judges.
     */
    CompletableFuture<Void> headCheck(ChangeChannel<T> channel) {
        long subscriptionsBefore = channel.resubscribes();
        return sectionLog.head().thenAccept(head -> {
            reachable = true;
            String seen = channel.lastSeen();
            String previous = previousHead;
            long previousSubscriptions = previousHeadSubscriptions;
            previousHead = head;
            previousHeadSubscriptions = subscriptionsBefore;
            if (previous == null || SectionLog.START.equals(previous) || StreamIds.compare(previous, mark) <= 0) {
                return;
            }
            if (seen == null || StreamIds.compare(seen, previous) < 0) {
                request(SyncEvent.Trigger.HEAD_CHECK);
            } else if (previousSubscriptions != subscriptionsBefore) {
                // The subscription was lost since: messages received after it came back say nothing
                // about the ones published before. Only a catch-up may move the mark across that.
                request(SyncEvent.Trigger.RESUBSCRIBED);
            } else if (!running.get() && pending.get() == null && !delivery.keysGappedBefore(Long.MAX_VALUE).iterator().hasNext()) {
                mark = previous;
            }
        }).exceptionally(error -> {
            failures.incrementAndGet();
            reachable = false;
            lastError = RedisDocumentStore.unwrap(error).getMessage();
            log.debug("section {}/{}: head check failed ({})", partition, section, lastError);
            return null;
        });
    }

    /** The mark: every change up to this log entry id has been received. */
    String mark() {
        return mark;
    }

    /** The last repair failure's message, or null after a success. */
    String lastError() {
        return lastError;
    }

    /** False after the last periodic check could not reach Redis. */
    boolean reachable() {
        return reachable;
    }

    @Override
    public boolean busy() {
        return running.get() || pending.get() != null;
    }

    /** Counters of this repair. */
    record Counters(long catchUps, long catchUpEntries, long sectionReloads, long resyncs, long failures) {
    }

    /** A snapshot of the counters. */
    Counters counters() {
        return new Counters(catchUps.get(), catchUpEntries.get(), sectionReloads.get(), resyncs.get(), failures.get());
    }
}
