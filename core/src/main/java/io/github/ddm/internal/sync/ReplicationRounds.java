package io.github.ddm.internal.sync;

import io.github.ddm.internal.store.CommitResult;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.schema.ChangeEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;

/**
 * Takes many change events in with few round trips: the events are grouped by document, in the
 * order they were added, and taken in in rounds. Each round reads every document of the round that
 * has no known state in one pipeline (one {@code load_merge.lua} call each), merges one event per
 * document after another (without I/O) until one needs a commit, and sends those commits in one
 * pipeline. A document whose commit succeeded starts the next round from the committed state, so
 * further events of it need no read; one whose version moved under a local write is read again in
 * the next round (after a short random pause). On a cluster, Redisson splits each pipeline by node
 * and the nodes answer in parallel; a section's keys share a hash tag, so they go to one node.
 *
 * <p>Guarantees: per document, events are taken in in the order added, and at most one commit of a
 * document is in flight, so a commit is only ever made on a state the commit script confirms (its
 * version check). A document whose read or commit fails (or times out) stops: its remaining events'
 * futures fail with the same cause, unattempted. Up to {@code maxDocuments} documents take part in a
 * round; others join as documents finish.
 *
 * <p>Not thread-safe: add and run on one thread. The futures complete on Redisson threads.
 */
public final class ReplicationRounds {

    private final RedissonClient redisson;
    private final int maxDocuments;
    private final long timeoutMillis;
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    private boolean started;

    /**
     * @param maxDocuments how many documents one round reads and commits at most
     * @param timeoutMillis how long one pipeline may take before its documents fail with a {@link TimeoutException}
     */
    public ReplicationRounds(RedissonClient redisson, int maxDocuments, long timeoutMillis) {
        if (maxDocuments < 1) {
            throw new IllegalArgumentException("maxDocuments must be >= 1, got " + maxDocuments);
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeoutMillis must be >= 1, got " + timeoutMillis);
        }
        this.redisson = redisson;
        this.maxDocuments = maxDocuments;
        this.timeoutMillis = timeoutMillis;
    }

    private static final class Lane {
        final Replicator replicator;
        final String id;
        final Deque<Item> pending = new ArrayDeque<>();
        Replicator.Base base;
        int attempts;
        Lane(Replicator replicator, String id) {
            this.replicator = replicator;
            this.id = id;
        }

        void fail(Throwable cause) {
            for (Item item : pending) {
                item.result.completeExceptionally(cause);
            }
            pending.clear();
        }
    }

    private record Item(ChangeEvent event, CompletableFuture<Replicator.Outcome> result) {
    }

    /** Queues an event; its future completes with what taking it in did. @throws IllegalStateException once run */
    public CompletableFuture<Replicator.Outcome> add(Replicator replicator, ChangeEvent event) {
        if (started) {
            throw new IllegalStateException("these rounds have started already");
        }
        String key = replicator.store().layout().documentKey(event.key().id());
        CompletableFuture<Replicator.Outcome> result = new CompletableFuture<>();
        lanes.computeIfAbsent(key, k -> new Lane(replicator, event.key().id())).pending.add(new Item(event, result));
        return result;
    }

    /** Runs the rounds; completes (never fails) once every queued event's future has completed. */
    public CompletableFuture<Void> run() {
        if (started) {
            throw new IllegalStateException("these rounds have started already");
        }
        started = true;
        return round();
    }

    private CompletableFuture<Void> round() {
        List<Lane> active = new ArrayList<>(Math.min(maxDocuments, lanes.size()));
        lanes.values().removeIf(lane -> lane.pending.isEmpty());
        for (Lane lane : lanes.values()) {
            if (active.size() == maxDocuments) {
                break;
            }
            active.add(lane);
        }
        if (active.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return load(active).thenCompose(ignored -> commit(active)).thenCompose(pause -> pause == 0 ? round()
                : CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS))
                        .thenCompose(x -> round()));
    }

    /** Reads, in one pipeline, the documents of the round whose state is not known. */
    private CompletableFuture<Void> load(List<Lane> active) {
        RBatch batch = null;
        List<Lane> loading = new ArrayList<>();
        List<CompletableFuture<RedisDocumentStore.MergeLoad>> loads = new ArrayList<>();
        for (Lane lane : active) {
            if (lane.base == null) {
                batch = batch == null ? newBatch() : batch;
                loading.add(lane);
                loads.add(lane.replicator.store().loadForMerge(batch, lane.id));
            }
        }
        if (batch == null) {
            return CompletableFuture.completedFuture(null);
        }
        batch.executeAsync(); // each load's future reports its own reply or failure
        return settle(loads).thenAccept(ignored -> {
            for (int i = 0; i < loading.size(); i++) {
                Lane lane = loading.get(i);
                CompletableFuture<RedisDocumentStore.MergeLoad> load = loads.get(i);
                Throwable failure = failure(load);
                if (failure != null) {
                    lane.fail(failure);
                    continue;
                }
                RedisDocumentStore.MergeLoad loaded = load.join();
                try {
                    lane.base = Replicator.base(loaded);
                } catch (IOException e) {
                    // Every event of the document meets the same unreadable copy: each is reported, none written.
                    for (Item item : lane.pending) {
                        item.result.complete(Replicator.unreadable(loaded.document().version(), e));
                    }
                    lane.pending.clear();
                }
            }
        });
    }

    /**
     * Merges each document's next events until one needs a commit, and sends those commits in one
     * pipeline. Completes with the pause before the next round (0 when no version moved).
     */
    private CompletableFuture<Long> commit(List<Lane> active) {
        RBatch batch = null;
        List<Lane> committing = new ArrayList<>();
        List<Replicator.Step.Commit> steps = new ArrayList<>();
        List<CompletableFuture<CommitResult>> commits = new ArrayList<>();
        for (Lane lane : active) {
            while (!lane.pending.isEmpty() && lane.base != null) {
                Item item = lane.pending.peek();
                Replicator.Step step;
                try {
                    step = Replicator.step(lane.base, item.event());
                } catch (RuntimeException e) {
                    lane.fail(e);
                    break;
                }
                if (step instanceof Replicator.Step.Final done) {
                    lane.pending.poll();
                    item.result.complete(done.outcome());
                    continue;
                }
                Replicator.Step.Commit commit = (Replicator.Step.Commit) step;
                batch = batch == null ? newBatch() : batch;
                committing.add(lane);
                steps.add(commit);
                commits.add(lane.replicator.store().commit(batch, commit.request(), Replicator.randomEpoch()));
                break;
            }
        }
        if (batch == null) {
            return CompletableFuture.completedFuture(0L);
        }
        batch.executeAsync();
        return settle(commits).thenApply(ignored -> {
            int moved = 0;
            for (int i = 0; i < committing.size(); i++) {
                Lane lane = committing.get(i);
                CompletableFuture<CommitResult> commit = commits.get(i);
                Throwable failure = failure(commit);
                if (failure != null) {
                    lane.base = null;
                    lane.fail(failure);
                    continue;
                }
                CommitResult result = commit.join();
                Item item = lane.pending.peek();
                Replicator.Step.Commit step = steps.get(i);
                if (result instanceof CommitResult.Done done) {
                    lane.pending.poll();
                    lane.attempts = 0;
                    Replicator.Base after = step.after();
                    // Committed by this call: the next event starts from the committed state, unread. Committed by an
                    // earlier delivery of the call: read it again.
                    lane.base = result instanceof CommitResult.Committed committed
                            ? new Replicator.Base(committed.epoch(), committed.version(), after.tree(), after.state()) : null;
                    item.result.complete(Replicator.applied(done, step.merged()));
                    continue;
                }
                lane.base = null;
                lane.attempts++;
                if (lane.attempts >= Replicator.MAX_ATTEMPTS) {
                    lane.fail(Replicator.keptMoving(item.event(), lane.attempts));
                } else {
                    moved = Math.max(moved, lane.attempts);
                }
            }
            return moved == 0 ? 0L : Replicator.pause(moved);
        });
    }

    private RBatch newBatch() {
        return redisson.createBatch(BatchOptions.defaults());
    }

    /** Completes when every future has completed or the timeout has passed, whichever is first. */
    private <T> CompletableFuture<Void> settle(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((ignored, error) -> null);
    }

    /** Why the future failed, a {@link TimeoutException} if it has not completed, or null. */
    private Throwable failure(CompletableFuture<?> future) {
        if (!future.isDone()) {
            return new TimeoutException("no reply from Redis within " + timeoutMillis + " ms");
        }
        if (!future.isCompletedExceptionally()) {
            return null;
        }
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return RedisDocumentStore.unwrap(e);
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }
}
