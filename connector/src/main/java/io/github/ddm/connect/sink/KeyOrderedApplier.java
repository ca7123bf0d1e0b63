package io.github.ddm.connect.sink;

import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Applies the events of one batch: one lane per key, whose events are applied one after another in
 * record order, and up to {@code parallelism} lanes at once. A lane stops at its first failure, so no
 * later event of that key is attempted after one that did not complete (a retry of the batch takes
 * them in order again). Nothing blocks on a Redis thread: each lane moves on in the completion of the
 * previous apply. Used by the task thread only.
 */
final class KeyOrderedApplier {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final int parallelism;
    private final long timeoutMillis;
    private final Function<SinkItem, CompletableFuture<ApplyOutcome>> apply;

    /**
     * @param apply starts applying one item (in the task, {@code item.store.apply(item.event)}); it must
     *     not block
     */
    KeyOrderedApplier(int parallelism, Duration timeout, Function<SinkItem, CompletableFuture<ApplyOutcome>> apply) {
        this.parallelism = parallelism;
        this.timeoutMillis = timeout.toMillis();
        this.apply = apply;
    }

    /**
     * Applies every item and returns once each has completed, failed, or been left out behind a failure
     * of its key. Each apply is bounded by the timeout, so this returns in bounded time.
     *
     * @throws ConnectException if the task thread is interrupted
     */
    void applyAll(List<SinkItem> items) {
        Map<DataKey, List<SinkItem>> byKey = new LinkedHashMap<>();
        for (SinkItem item : items) {
            byKey.computeIfAbsent(item.event.key(), k -> new ArrayList<>(2)).add(item);
        }
        // Workers take lanes from the queue concurrently: their continuations run on Redis threads.
        Queue<List<SinkItem>> lanes = new ConcurrentLinkedQueue<>(byKey.values());
        int workers = Math.min(parallelism, byKey.size());
        CompletableFuture<?>[] running = new CompletableFuture<?>[workers];
        for (int i = 0; i < workers; i++) {
            running[i] = nextLane(lanes);
        }
        try {
            CompletableFuture.allOf(running).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while applying a batch to Redis", e);
        } catch (ExecutionException e) {
            // Lanes record their failures in the items; reaching here is a bug in this class.
            throw new ConnectException("applying a batch failed unexpectedly", e.getCause());
        }
    }

    private CompletableFuture<Void> nextLane(Queue<List<SinkItem>> lanes) {
        List<SinkItem> lane = lanes.poll();
        if (lane == null) {
            return DONE;
        }
        return runLane(lane, 0).thenCompose(ignored -> nextLane(lanes));
    }

    private CompletableFuture<Void> runLane(List<SinkItem> lane, int index) {
        if (index == lane.size()) {
            return DONE;
        }
        SinkItem item = lane.get(index);
        CompletableFuture<ApplyOutcome> applying;
        try {
            applying = apply.apply(item).copy().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            applying = CompletableFuture.failedFuture(e);
        }
        return applying.handle((outcome, error) -> {
            item.completed(outcome, unwrap(error));
            return error == null;
        }).thenCompose(ok -> ok ? runLane(lane, index + 1) : DONE);
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
