package io.github.ddm;

import io.github.ddm.internal.store.RedisDocumentStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where {@link SectionStore}'s blocking {@code SCAN}s run, and how its futures' failures become
 * DDM's exceptions. Thread-safe.
 */
final class SectionScans {

    /** Two daemon threads, idle after 30 s, with a queue of 1,024 scans (see {@link SectionStore#defaultScanExecutor()}). */
    static final Executor DEFAULT_EXECUTOR = create();

    private SectionScans() {
    }

    private static ThreadPoolExecutor create() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1_024), r -> {
            Thread thread = new Thread(r, "ddm-scan-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Runs a blocking scan on {@code executor}; Redis failures and a full executor become {@link StoreUnavailableException}. */
    static <T> CompletableFuture<T> scan(Supplier<T> scan, Executor executor) {
        CompletableFuture<T> result;
        try {
            result = CompletableFuture.supplyAsync(scan, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("cannot start a SCAN: " + e.getMessage(), e));
        }
        return translated(result);
    }

    /** The future, with Redisson's failures translated into DDM's ({@link StoreUnavailableException}...). */
    static <T> CompletableFuture<T> translated(CompletableFuture<T> future) {
        return future.exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }
}
