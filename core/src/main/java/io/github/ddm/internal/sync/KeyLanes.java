package io.github.ddm.internal.sync;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-key ordered execution on a shared executor: tasks for one key run one at a time in
 * submission order; tasks for different keys run in parallel. Keys are striped over a fixed
 * number of lanes, so two keys may share a lane (and then also run in order).
 *
 * <p>A lane never blocks a thread while idle and never runs on the submitting thread. Tasks must
 * not block: they would hold up every key of their lane. A task that throws is logged and the
 * lane goes on. Thread-safe.
 */
final class KeyLanes {

    private static final Logger log = LoggerFactory.getLogger(KeyLanes.class);

    private final Lane[] lanes;
    private final Executor executor;
    /** Tasks submitted and not yet run, over all lanes: read for every change message, so kept, not summed. */
    private final AtomicInteger backlog = new AtomicInteger();

    public KeyLanes(Executor executor, int laneCount) {
        if (Integer.bitCount(laneCount) != 1) {
            throw new IllegalArgumentException("laneCount must be a power of two, got " + laneCount);
        }
        this.executor = executor;
        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane();
        }
    }

    /** Runs {@code task} after every task submitted earlier for the same key. */
    public void execute(String key, Runnable task) {
        int h = key.hashCode();
        lanes[(h ^ (h >>> 16)) & (lanes.length - 1)].submit(task);
    }

    /** Tasks waiting in all lanes (approximate). */
    public int backlog() {
        return backlog.get();
    }

    private final class Lane implements Runnable {
        private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger pending = new AtomicInteger();

        void submit(Runnable task) {
            queue.add(task);
            backlog.incrementAndGet();
            if (pending.getAndIncrement() == 0) {
                schedule();
            }
        }

        private void schedule() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                // The executor is shut down: the manager is closing, and queued work is dropped with it.
                log.debug("lane task rejected; the executor is shut down", e);
                queue.clear();
                backlog.addAndGet(-pending.getAndSet(0));
            }
        }

        @Override
        public void run() {
            // Run a bounded batch, then yield the thread so one busy lane cannot starve the others.
            for (int i = 0; i < 64; i++) {
                Runnable task = queue.poll();
                if (task == null) {
                    return; // cannot happen while pending > 0, but never spin
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    log.error("a key-ordered task failed; the lane continues", e);
                }
                backlog.decrementAndGet();
                if (pending.decrementAndGet() == 0) {
                    return;
                }
            }
            schedule();
        }
    }
}
