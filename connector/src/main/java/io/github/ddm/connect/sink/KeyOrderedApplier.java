package io.github.ddm.connect.sink;

import io.github.ddm.SectionStore;
import io.github.ddm.SectionStore.ApplyOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.connect.errors.ConnectException;
import org.redisson.api.RedissonClient;

/**
 * Applies the events of one batch through core's pipelined {@link SectionStore.Applies}: per key,
 * one event after another in record order; up to {@code parallelism} keys per round, each round one
 * pipelined read of the keys whose state is not known and one pipelined commit (docs/connector.md,
 * "Sink"). A key stops at its first failure, so no later event of that key is attempted after one
 * that did not complete (their items record the same failure; a retry of the batch takes them in
 * order again). Each round trip is bounded by the timeout, so a batch returns in bounded time. Used by
 * the task thread only.
 */
final class KeyOrderedApplier {

    private final int parallelism;
    private final Duration timeout;

    KeyOrderedApplier(int parallelism, Duration timeout) {
        this.parallelism = parallelism;
        this.timeout = timeout;
    }

    /**
     * Applies every item and returns once each has completed or failed.
     *
     * @throws ConnectException if the task thread is interrupted
     */
    void applyAll(RedissonClient redisson, List<SinkItem> items) {
        SectionStore.Applies applies = SectionStore.applies(redisson, parallelism, timeout);
        List<CompletableFuture<?>> recorded = new ArrayList<>(items.size());
        for (SinkItem item : items) {
            CompletableFuture<ApplyOutcome> applying;
            try {
                applying = applies.apply(item.store, item.event);
            } catch (RuntimeException e) {
                applying = CompletableFuture.failedFuture(e);
            }
            recorded.add(applying.handle((outcome, error) -> {
                item.completed(outcome, unwrap(error));
                return null;
            }));
        }
        try {
            applies.send().get();
            CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while applying a batch to Redis", e);
        } catch (ExecutionException e) {
            // Items record their failures; reaching here is a bug.
            throw new ConnectException("applying a batch failed unexpectedly", e.getCause());
        }
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
