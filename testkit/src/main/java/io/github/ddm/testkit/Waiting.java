package io.github.ddm.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Polls the state of Redis processes until it is the one wanted, for {@link RedisCluster},
 * {@link SlotMigration} and {@link RedisSentinel}. A timeout says what was still missing at the
 * last look, which is what a failing test needs to know.
 */
final class Waiting {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    /** One look at the state: null when it is as wanted, else what is still missing. */
    @FunctionalInterface
    interface Check {
        String missing();
    }

    private Waiting() {
    }

    /**
     * Calls {@code check} every 50 ms until it returns null. A check that throws (a node that
     * does not answer yet, an error reply) counts as not done; its exception is the last state.
     *
     * @throws IllegalStateException if the check does not pass within {@code timeout}
     */
    static void until(String what, Duration timeout, Check check) {
        AtomicReference<String> last = new AtomicReference<>("not looked at yet");
        try {
            Awaitility.await(what).atMost(timeout).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL)
                    .until(() -> {
                        String missing;
                        try {
                            missing = check.missing();
                        } catch (RuntimeException e) {
                            missing = e.toString();
                        }
                        last.set(missing);
                        return missing == null;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(what + ": not done within " + timeout + "; last state: " + last.get(), e);
        }
    }
}
