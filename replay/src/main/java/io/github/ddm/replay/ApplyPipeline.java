package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Applies events through {@link SectionStore#apply}: one key's events one after the other, in the
 * order submitted; different keys concurrently, at most {@code maxInFlight} at a time. Submitting
 * happens on one thread (the replay's); outcomes are counted on Redisson's threads, which never
 * block here. The first store failure stops the pipeline: the next submit or drain throws it.
 */
final class ApplyPipeline {

    private final Function<SectionId, SectionStore> stores;
    private final int maxInFlight;
    private final Duration applyTimeout;
    private final Semaphore permits;
    private final Map<DataKey, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Queue<RecordError> unappliableErrors = new ConcurrentLinkedQueue<>();
    /** Keys whose newest outcome is missing changes, or unappliable: the target is behind the topic for them. */
    private final Set<DataKey> behind = ConcurrentHashMap.newKeySet();
    /** Events that wait for changes of their key not taken in yet, per key, in arrival order. */
    private final Map<DataKey, List<Pending>> waiting = new ConcurrentHashMap<>();
    final LongAdder applied = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder unappliable = new LongAdder();

    ApplyPipeline(Function<SectionId, SectionStore> stores, int maxInFlight, Duration applyTimeout) {
        this.stores = stores;
        this.maxInFlight = maxInFlight;
        this.applyTimeout = applyTimeout;
        this.permits = new Semaphore(maxInFlight);
    }

    /**
     * Queues {@code event} behind the earlier events of its key. Blocks while {@code maxInFlight}
     * applies are running.
     *
     * @throws StoreUnavailableException if an earlier apply failed, or no apply finished within the apply timeout
     */
    void submit(ChangeEvent event, RecordPosition position) {
        rethrowFailure();
        acquire(1);
        DataKey key = event.key();
        SectionStore store = stores.apply(new SectionId(key.partition(), key.section()));
        CompletableFuture<Void> previous = tails.getOrDefault(key, CompletableFuture.completedFuture(null));
        CompletableFuture<Void> next = previous
                .thenCompose(ignored -> failure.get() != null ? CompletableFuture.<Void>completedFuture(null)
                        : take(store, new Pending(event, position, null)));
        tails.put(key, next);
        next.whenComplete((ignored, error) -> {
            tails.remove(key, next);
            permits.release();
        });
    }

    /** An event whose dependencies were not taken in yet, with where it was read (and, once it waits, why). */
    private record Pending(ChangeEvent event, RecordPosition position, ApplyOutcome.Missing missing) {
    }

    /**
     * Takes one event in; one that waits for changes it depends on (another region's topic not read
     * that far yet) is parked, and the parked events of the key are tried again after every change
     * the key takes in. Runs in the key's chain, so a key's parked events are only touched here.
     */
    private CompletableFuture<Void> take(SectionStore store, Pending pending) {
        return apply(store, pending.event()).handle((outcome, error) -> {
            if (outcome instanceof ApplyOutcome.Missing missing) {
                waiting.computeIfAbsent(pending.event().key(), k -> new ArrayList<>())
                        .add(new Pending(pending.event(), pending.position(), missing));
                return false;
            }
            record(pending.event(), pending.position(), outcome, error);
            return outcome instanceof ApplyOutcome.Applied;
        }).thenCompose(progressed -> progressed ? retryWaiting(store, pending.event().key())
                : CompletableFuture.completedFuture(null));
    }

    private CompletableFuture<Void> retryWaiting(SectionStore store, DataKey key) {
        List<Pending> parked = waiting.remove(key);
        if (parked == null || failure.get() != null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Pending p : parked) {
            chain = chain.thenCompose(ignored -> take(store, p));
        }
        return chain;
    }

    private static CompletableFuture<ApplyOutcome> apply(SectionStore store, ChangeEvent event) {
        try {
            return store.apply(event);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void record(ChangeEvent event, RecordPosition position, ApplyOutcome outcome, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            failure.compareAndSet(null, cause);
            return;
        }
        if (outcome == null) {
            return; // skipped after a failure
        }
        if (outcome instanceof ApplyOutcome.Applied) {
            applied.increment();
            behind.remove(event.key());
        } else if (outcome instanceof ApplyOutcome.Duplicate) {
            duplicates.increment();
            behind.remove(event.key());
        } else if (outcome instanceof ApplyOutcome.Missing) {
            gaps.increment();
            behind.add(event.key());
        } else if (outcome instanceof ApplyOutcome.Unappliable u) {
            unappliable.increment();
            behind.add(event.key());
            unappliableErrors.add(new RecordError(position, event.key().toString(), "version " + event.version()
                    + " cannot be applied: " + u.reason()));
        }
    }

    /** Unappliable events reported since the last call, oldest first. */
    List<RecordError> takeErrors() {
        List<RecordError> taken = new ArrayList<>();
        RecordError error;
        while ((error = unappliableErrors.poll()) != null) {
            taken.add(error);
        }
        return taken;
    }

    /** Applies in flight. */
    int inFlight() {
        return maxInFlight - permits.availablePermits();
    }

    /** Keys the target is behind the topic for (their newest event was a gap or could not be applied). */
    Set<DataKey> behind() {
        return behind;
    }

    /**
     * Waits until every submitted event is applied.
     *
     * @throws StoreUnavailableException if an apply failed or they did not finish within the apply timeout
     */
    void drain() {
        acquire(maxInFlight);
        permits.release(maxInFlight);
        rethrowFailure();
        // What still waits now misses changes no topic read here holds.
        waiting.forEach((key, parked) -> parked.forEach(p -> record(p.event(), p.position(), p.missing(), null)));
        waiting.clear();
    }

    /** As {@link #drain()}, for the error path: never throws, and keeps the thread's interrupt. */
    void drainQuietly() {
        try {
            if (permits.tryAcquire(maxInFlight, applyTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                permits.release(maxInFlight);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acquire(int n) {
        try {
            if (!permits.tryAcquire(n, applyTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                rethrowFailure();
                throw new StoreUnavailableException("the target Redis applied nothing for " + applyTimeout
                        + " (" + inFlight() + " applies in flight)", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }

    private void rethrowFailure() {
        Throwable cause = failure.get();
        if (cause == null) {
            return;
        }
        if (cause instanceof StoreUnavailableException s) {
            throw new StoreUnavailableException(s.getMessage(), s);
        }
        throw new StoreUnavailableException("applying to the target Redis failed: " + cause, cause);
    }
}
