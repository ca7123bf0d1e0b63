package io.github.ddm;

import io.github.ddm.internal.store.RedisConnections;
import java.nio.file.Path;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.api.RedissonClient;

/**
 * Redisson clients opened the way {@link DocumentManagerBuilder#redisUri(String)} opens them: for
 * tools and plugins (the Kafka bridge) that need a client of their own. Credentials come from the
 * URI's user info ({@code redis://user:password@host:port}) and are never logged; {@code rediss://}
 * means TLS. The caller shuts the client down. Stateless and thread-safe.
 */
public final class RedisClients {

    private RedisClients() {
    }

    /**
     * A client for one server, trusting the JVM's default certificate authorities for TLS.
     *
     * @throws IllegalArgumentException if the URI is malformed
     * @throws StoreUnavailableException if the server cannot be reached, refuses the credentials or
     *     fails the TLS handshake; the message names host and user, never the password
     */
    public static RedissonClient create(String redisUri) {
        return RedisConnections.create(redisUri, null);
    }

    /** A client for one {@code rediss://} server whose certificate {@code trust} accepts. */
    public static RedissonClient create(String redisUri, TrustManagerFactory trust) {
        return RedisConnections.create(redisUri, trust);
    }

    /** Trust for the certificates in a PKCS12 or JKS truststore. */
    public static TrustManagerFactory trustFromKeystore(Path truststore, char[] password) {
        return RedisConnections.trustFromKeystore(truststore, password);
    }

    /** Trust for the certificates in a PEM file (as Redis's {@code tls-ca-cert-file}). */
    public static TrustManagerFactory trustFromPem(Path pemFile) {
        return RedisConnections.trustFromPem(pemFile);
    }

    /** The URI with its user info masked, for messages and logs. */
    public static String redact(String redisUri) {
        return RedisConnections.redact(redisUri);
    }
}
