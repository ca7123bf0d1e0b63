package io.github.ddm.connect.source;

import io.github.ddm.StoreUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.errors.ConnectException;
import org.redisson.client.RedisException;

/** Bounded waits for core's futures, with Redis failures as {@link StoreUnavailableException}. Stateless. */
final class RedisWait {

    private RedisWait() {
    }

    /**
     * The future's value, waiting at most {@code timeout}.
     *
     * @throws StoreUnavailableException if Redis failed or did not answer in time
     * @throws RuntimeException the future's own unchecked failure otherwise
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) throws InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new StoreUnavailableException("Redis did not answer within " + timeout.toMillis() + " ms (" + what + ")", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RedisException redis) {
                // Calls that core runs through SCAN iterators report Redisson's own exceptions.
                throw new StoreUnavailableException("Redis failed (" + what + "): " + redis.getMessage(), redis);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new ConnectException(what + " failed: " + cause, cause);
        }
    }
}
