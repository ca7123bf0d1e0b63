package io.github.ddm.connect.sink;

import io.github.ddm.CorruptDocumentException;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ControlRecord;
import io.github.ddm.schema.Origin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers other regions' repair requests (docs/regions.md, "Repair"): for each requested document,
 * or every document of a requested section, appends a snapshot of this region's copy (its merge
 * state included) to the section's log, which this region's source exports to its change topic.
 * The asking region's sink joins it with its own copy. Runs on one thread of its own, so answering a
 * large section never holds up the task; a request already pending is not queued twice.
 *
 * <p>A request for a whole section is made once (by a region that lost its data), so its answer must
 * not be lost: it is tried again, with a growing pause, until it is sent, and its record's offset is
 * held back ({@link #heldOffsets}) until then, so that a task that stops or crashes before reads the
 * request again. A request for one document is repeated by the asking region while it waits, so a
 * failed answer to it is only logged. A document that cannot be read is left out of an answer.
 * Thread-safe.
 */
final class RepairAnswers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RepairAnswers.class);
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final long FIRST_RETRY_MS = 500;
    private static final long MAX_RETRY_MS = 30_000;

    private final RedissonClient redisson;
    private final String namespace;
    private final Origin as;
    private final SinkTaskCounters counters;
    private final ScheduledExecutorService executor;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** Per control topic partition, the offsets of whole-section requests whose answer is not sent yet. */
    private final Map<TopicPartition, ConcurrentSkipListSet<Long>> held = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong failedAttempts = new java.util.concurrent.atomic.AtomicLong();

    RepairAnswers(RedissonClient redisson, String namespace, String region, SinkTaskCounters counters, String taskName) {
        this.redisson = redisson;
        this.namespace = namespace;
        this.as = Origin.of(region, "ddm-sink");
        this.counters = counters;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ddm-repair-answers-" + taskName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Queues the answer to {@code request}, read from {@code from} at {@code offset}, unless the same
     * one is pending.
     */
    void answer(ControlRecord request, TopicPartition from, long offset) {
        String key = request.key();
        if (!pending.add(key)) {
            return;
        }
        boolean wholeSection = request.id() == null;
        if (wholeSection) {
            held.computeIfAbsent(from, p -> new ConcurrentSkipListSet<>()).add(offset);
        }
        schedule(request, from, offset, 0);
    }

    private void schedule(ControlRecord request, TopicPartition from, long offset, int failures) {
        long pause = failures == 0 ? 0 : Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(failures - 1, 10));
        try {
            executor.schedule(() -> attempt(request, from, offset, failures), pause, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            done(request, from, offset); // stopping: the held offset was not committed, so the request is read again
        }
    }

    private void attempt(ControlRecord request, TopicPartition from, long offset, int failures) {
        try {
            answerNow(request);
        } catch (RuntimeException e) {
            failedAttempts.incrementAndGet();
            if (request.id() == null && !executor.isShutdown()) {
                log.warn("answering region {}'s request for the whole section {} failed (attempt {}); trying again: {}",
                        request.region(), request.key(), failures + 1, e.toString());
                schedule(request, from, offset, failures + 1);
                return;
            }
            log.warn("answering region {}'s repair request for {} failed; the request is repeated while the document "
                    + "waits: {}", request.region(), request.key(), e.toString());
        }
        done(request, from, offset);
    }

    private void done(ControlRecord request, TopicPartition from, long offset) {
        if (request.id() == null) {
            ConcurrentSkipListSet<Long> offsets = held.get(from);
            if (offsets != null) {
                offsets.remove(offset);
            }
        }
        pending.remove(request.key());
    }

    /** Attempts to answer that failed so far (Redis unreachable, say). */
    long failedAttempts() {
        return failedAttempts.get();
    }

    /**
     * Per control topic partition, the earliest offset of a whole-section request whose answer is
     * not sent yet: the task commits offsets only before it.
     */
    Map<TopicPartition, Long> heldOffsets() {
        Map<TopicPartition, Long> earliest = new HashMap<>();
        held.forEach((partition, offsets) -> {
            Long first = offsets.ceiling(Long.MIN_VALUE); // null when empty; first() would throw if emptied meanwhile
            if (first != null) {
                earliest.put(partition, first);
            }
        });
        return earliest;
    }

    private void answerNow(ControlRecord request) {
        SectionStore store = SectionStore.open(redisson, namespace, request.section());
        List<String> ids = request.id() != null ? List.of(request.id()) : await(store.ids());
        int sent = 0;
        for (String id : ids) {
            Optional<?> announced;
            try {
                announced = await(store.announceSnapshot(id, as));
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof java.util.concurrent.ExecutionException failed
                        && failed.getCause() instanceof CorruptDocumentException corrupt)) {
                    throw e;
                }
                log.warn("region {}'s repair request for {}: document {} cannot be read, left out of the answer: {}",
                        request.region(), request.key(), id, corrupt.getMessage());
                continue;
            }
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
