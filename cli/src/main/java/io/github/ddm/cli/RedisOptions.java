package io.github.ddm.cli;

import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import java.nio.file.Path;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Option;

/**
 * How a tool reaches one region's Redis: its URI (user and password may be in it, and
 * {@code rediss://} selects TLS), the namespace, and an optional PEM trust file for TLS. Mutable
 * option holder filled by picocli; not thread-safe.
 */
final class RedisOptions {

    @Option(names = "--redis", paramLabel = "URI", defaultValue = "${env:DDM_REDIS_URI:-redis://127.0.0.1:6379}",
            // The description must not show the resolved default: $DDM_REDIS_URI may hold a password.
            description = "Redis URI: redis://[user:password@]host:port, rediss:// for TLS "
                    + "(default: $$DDM_REDIS_URI, else redis://127.0.0.1:6379).")
    String uri;

    @Option(names = "--namespace", paramLabel = "NAME", defaultValue = "ddm",
            description = "The namespace the services use (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--tls-trust", paramLabel = "PEM", description = "A PEM file of the certificates to trust for rediss://.")
    Path trust;

    /** A client for the URI; the caller shuts it down. */
    RedissonClient connect() {
        return trust == null ? RedisClients.create(uri) : RedisClients.create(uri, RedisClients.trustFromPem(trust));
    }

    SectionStore section(RedissonClient redisson, SectionId section) {
        return SectionStore.open(redisson, namespace, section);
    }

    /** The URI without its password, for output. */
    String redacted() {
        return RedisClients.redact(uri);
    }
}
