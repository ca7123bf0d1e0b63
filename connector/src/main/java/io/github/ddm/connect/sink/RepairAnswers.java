package io.github.ddm.connect.sink;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ControlRecord;
import io.github.ddm.schema.Origin;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers other regions' repair requests (docs/regions.md, "Repair"): for each requested document,
 * or every document of a requested section, appends a snapshot of this region's copy (its merge
 * state included) to the section's log, which this region's source exports to its change topic.
 * The asking region's sink joins it with its own copy. Runs on one thread of its own, so answering a
 * large section never holds up the task; a request already pending is not queued twice.
 * Thread-safe.
 */
final class RepairAnswers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RepairAnswers.class);
    private static final long CALL_TIMEOUT_SECONDS = 30;

    private final RedissonClient redisson;
    private final String namespace;
    private final Origin as;
    private final SinkTaskCounters counters;
    private final ExecutorService executor;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    RepairAnswers(RedissonClient redisson, String namespace, String region, SinkTaskCounters counters, String taskName) {
        this.redisson = redisson;
        this.namespace = namespace;
        this.as = Origin.of(region, "ddm-sink");
        this.counters = counters;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "ddm-repair-answers-" + taskName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Queues the answer to {@code request}, unless the same one is pending. */
    void answer(ControlRecord request) {
        String key = request.key();
        if (!pending.add(key)) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    answerNow(request);
                } catch (RuntimeException e) {
                    log.warn("answering region {}'s repair request for {} failed; the request is repeated while the document "
                            + "waits: {}", request.region(), key, e.toString());
                } finally {
                    pending.remove(key);
                }
            });
        } catch (RejectedExecutionException stopping) {
            pending.remove(key);
        }
    }

    private void answerNow(ControlRecord request) {
        SectionStore store = SectionStore.open(redisson, namespace, request.section());
        List<String> ids = request.id() != null ? List.of(request.id()) : await(store.ids());
        int sent = 0;
        for (String id : ids) {
            Optional<?> announced = await(store.announceSnapshot(id, as));
            if (announced.isPresent()) {
                sent++;
                counters.repairsAnswered.incrementAndGet();
            }
        }
        log.info("answered region {}'s repair request for {}: {} snapshot(s) of {} document(s) sent", request.region(),
                request.key(), sent, ids.size());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The section a pending answer concerns, for tests. */
    boolean isPending(SectionId section) {
        return pending.stream().anyMatch(k -> k.startsWith(section.partition() + "/" + section.section()));
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
