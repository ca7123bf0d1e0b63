package io.github.ddm.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for an answer from a server, and turns a missing or failed one into a message that names what was asked. Stateless. */
final class Futures {

    private Futures() {
    }

    /**
     * The future's value.
     *
     * @param what what was asked, for the message ("reading section shop.carts at redis://...")
     * @throws IllegalStateException naming {@code what} if it failed or gave no answer within {@code timeout}
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) throws InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException(what + ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()),
                    cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new IllegalStateException("no answer within " + timeout.toMillis() + " ms " + what, e);
        }
    }
}
