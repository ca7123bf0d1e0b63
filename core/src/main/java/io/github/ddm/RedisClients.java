package io.github.ddm;

import io.github.ddm.internal.store.RedisConnections;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.api.RedissonClient;

/**
 * Redisson clients opened the way a {@link DocumentManager} opens its own: for tools and plugins
 * (the Kafka bridge) that need a client of their own. A {@link RedisDeployment} describes any
 * topology; the URI forms are shorthands for one server, whose credentials come from the URI's
 * user info ({@code redis://user:password@host:port}). Passwords are never logged;
 * {@code rediss://} means TLS. The caller shuts the client down. Stateless and thread-safe.
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
        return RedisDeployment.single(redisUri).build().open();
    }

    /**
     * A client for one {@code rediss://} server whose certificate {@code trust} accepts.
     *
     * @throws IllegalStateException if the URI is plain {@code redis://}
     */
    public static RedissonClient create(String redisUri, TrustManagerFactory trust) {
        return RedisDeployment.single(redisUri).trust(trust).build().open();
    }

    /**
     * A client for a deployment: a single server, a Redis Cluster or a Sentinel-managed master, with
     * its credentials, TLS and timeouts. Reads go to masters only.
     *
     * @throws StoreUnavailableException if it cannot be reached, refuses the credentials or fails
     *     the TLS handshake; the message names the deployment, never the password
     */
    public static RedissonClient create(RedisDeployment deployment) {
        return Objects.requireNonNull(deployment, "deployment").open();
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
