package io.github.ddm.cli;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * One section of one Redis, as the tools that read a section name it: {@code --redis},
 * {@code --namespace}, {@code --tls-trust}, the {@code SECTION} parameter and {@code --timeout}.
 * Mutable option holder filled by picocli; not thread-safe.
 */
final class SectionTarget {

    @Mixin
    RedisOptions redis;

    @Parameters(index = "0", paramLabel = "SECTION", description = "partition.section, or partition/section when a name has a dot.")
    SectionId section;

    @Option(names = "--timeout", defaultValue = "PT30S", paramLabel = "DURATION", description = "How long to wait for each read (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** A client for the Redis; the caller shuts it down. */
    RedissonClient connect() {
        return redis.connect();
    }

    SectionStore store(RedissonClient client) {
        return redis.section(client, section);
    }

    /** {@code section p.s at redis://host:port (namespace ns)}, for messages. */
    String where() {
        return "section " + section + " at " + redis.redacted() + " (namespace " + redis.namespace + ")";
    }

    /** Waits for a read; a missing or failed answer names {@code doing} and the section. */
    <T> T await(CompletableFuture<T> future, String doing) throws InterruptedException {
        return Futures.await(future, timeout, doing + " of " + where());
    }
}
