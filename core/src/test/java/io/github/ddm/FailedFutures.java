package io.github.ddm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** What a future that must fail failed with. */
final class FailedFutures {

    private FailedFutures() {
    }

    /**
     * The cause the future failed with.
     *
     * @throws AssertionError if it completed normally
     */
    static Throwable failure(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the future to fail");
    }
}
