package io.github.ddm.internal.store;

import io.github.ddm.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the Redisson client a manager owns ({@code redisUri(...)}), with credentials and TLS trust,
 * and checks at start that the connected user may run what DDM runs on a section.
 *
 * <p>Credentials are taken out of the URI and handed to Redisson as settings, so the address
 * Redisson keeps (and may log) never holds them; every message this class builds names the user and
 * the host, never the password. Stateless and thread-safe.
 */
public final class RedisConnections {

    private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);
    private static final LuaScript ACCESS = LuaScript.load("access.lua");
    private static final String DEFAULT_USER = "default";

    private RedisConnections() {
    }

    /** A {@code redis://} or {@code rediss://} URI taken apart; {@code user} and {@code password} may be null. */
    public record ParsedUri(String address, String user, String password, boolean tls) {

        /** The address and user, for messages: never the password. */
        public String describe() {
            return address + " as user '" + (user == null ? DEFAULT_USER : user) + "'";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * Parses {@code scheme://[[user]:password@]host:port}; {@code %}-escapes are decoded. A user
     * info without a colon is refused: some clients read it as a user, others as a password.
     *
     * @throws IllegalArgumentException if the text is no Redis URI; the message never holds the password
     */
    public static ParsedUri parse(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            throw new IllegalArgumentException("not a Redis URI (redis://host:port, or rediss:// for TLS): " + redact(uri));
        }
        String prefix = uri.substring(0, scheme + 3);
        String rest = uri.substring(scheme + 3);
        int at = rest.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the user info of " + redact(uri) + " has no ':', so it is unclear whether"
                        + " it is a user or a password: write user:password@, :password@ for the default user, or set the"
                        + " user and password separately (redis.user, redis.password)");
            } else {
                user = colon == 0 ? null : decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("the Redis URI names no host: " + redact(uri));
        }
        String lower = prefix.toLowerCase(Locale.ROOT);
        if (!lower.equals("redis://") && !lower.equals("rediss://")) {
            throw new IllegalArgumentException("not a Redis URI (redis://host:port, or rediss:// for TLS): " + redact(uri));
        }
        int port = rest.lastIndexOf(':');
        if (port < 0 || port == rest.length() - 1 || rest.contains("/") || !rest.substring(port + 1).chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("the Redis URI must name a host and a port, like redis://host:6379: " + redact(uri));
        }
        return new ParsedUri(prefix + rest, user, password == null || password.isEmpty() ? null : password,
                prefix.toLowerCase(Locale.ROOT).startsWith("rediss"));
    }

    private static String decode(String text) {
        // URLDecoder turns '+' into a space, which URI user info does not mean.
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URI without its user info, for messages; also for text that is not a valid URI (a scheme left out). */
    public static String redact(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.lastIndexOf('@');
        if (at < 0) {
            return uri;
        }
        return scheme >= 0 && at > scheme ? uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1) : "***@" + uri.substring(at + 1);
    }

    /**
     * The message for a client that could not connect: {@code what}, then why, in words an operator
     * can act on, with every secret replaced by {@code ***}. {@code clientCertificate} says whether
     * the client presented one (a TLS server that wants one answers nothing otherwise).
     */
    public static String failure(String what, Throwable error, boolean tls, boolean clientCertificate, String... secrets) {
        String message = what + ": " + reason(error, tls);
        if (tls && !clientCertificate && message.contains("timeout")) {
            // With TLS 1.3 a server that requires a client certificate refuses it after the handshake:
            // the client sees no alert, only its first command going unanswered.
            message += " (if the server requires client certificates, tls-auth-clients yes, present one: "
                    + "redis.tls.client.certificate and redis.tls.client.key, or redis.tls.keystore.path)";
        }
        for (String secret : secrets) {
            message = scrub(message, secret);
        }
        return message;
    }

    /** Why a connection failed, in words an operator can act on. */
    private static String reason(Throwable error, boolean tls) {
        String root = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? null : replyOf(t);
            if (t instanceof SSLException) {
                String text = String.valueOf(message);
                if (text.contains("PKIX") || text.contains("certification path")) {
                    return "the TLS handshake failed: the server's certificate is not trusted (" + text + "); set"
                            + " the trust to the CA that signed it (redis.tls.certificates or redis.tls.truststore.path;"
                            + " trustPem(...) or truststore(...) in code)";
                }
                if (text.contains("subject alternative") || text.contains("No name matching")) {
                    return "the TLS handshake failed: the server's certificate does not name the host of redisUri (" + text + ")";
                }
                if (text.contains("timed out")) {
                    return "the server did not answer the TLS handshake (" + text + "); is the port a TLS port?";
                }
                return "the TLS handshake failed (" + text + ")";
            }
            if (message != null) {
                for (String code : List.of("WRONGPASS", "NOAUTH")) {
                    int at = message.indexOf(code);
                    if (at >= 0) {
                        return "authentication failed (" + message.substring(at) + "); check the user and password (redis.user and redis.password)";
                    }
                }
                root = message;
            }
        }
        String text = root == null ? error.toString() : root;
        return !tls && text.contains("timeout") ? text + " (if the server speaks TLS only, use rediss://)" : text;
    }

    private static String scrub(String message, String password) {
        return password == null || password.isEmpty() ? message : message.replace(password, "***");
    }

    /**
     * Checks, with one script run on the section's node, that the connected user may run every
     * command DDM runs on the section: the commands its scripts run on the section's keys, the log
     * reads, publishing and subscribing on its channel, and EVALSHA, EVALSHA_RO and SCRIPT LOAD. On
     * Redis before 7 (no {@code redis.acl_check_cmd}) only the check script's own EVALSHA is tested.
     *
     * @throws StoreUnavailableException naming the user, the server and the commands denied
     */
    public static void checkAccess(RedissonClient redisson, RedisLayout layout, boolean sharded, Duration timeout) {
        String who = describe(redisson.getConfig());
        RScript script = redisson.getScript(StringCodec.INSTANCE);
        String routingKey = layout.logKey();
        List<Object> keys = List.of();
        Object[] args = {layout.documentKey("access-check"), layout.logKey(), layout.epochKey(), layout.channel(),
            sharded ? "SPUBLISH" : "PUBLISH", sharded ? "SSUBSCRIBE" : "SUBSCRIBE", ACCESS.sha()};
        CompletableFuture<List<Object>> check = script.<List<Object>>evalShaAsync(routingKey, RScript.Mode.READ_WRITE,
                        ACCESS.sha(), RScript.ReturnType.LIST, keys, args).toCompletableFuture()
                .exceptionallyCompose(error -> {
                    String message = String.valueOf(RedisDocumentStore.unwrap(error).getMessage());
                    if (!message.startsWith("NOSCRIPT")) {
                        return CompletableFuture.failedFuture(error);
                    }
                    return script.scriptLoadAsync(routingKey, ACCESS.text()).toCompletableFuture()
                            .thenCompose(sha -> script.<List<Object>>evalShaAsync(routingKey, RScript.Mode.READ_WRITE,
                                    ACCESS.sha(), RScript.ReturnType.LIST, keys, args).toCompletableFuture());
                });
        List<Object> denied;
        try {
            denied = check.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while checking the permissions of " + who, e);
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("checking the permissions of " + who + " on " + layout
                    + " got no answer within " + timeout, e);
        } catch (Exception e) {
            Throwable cause = RedisDocumentStore.unwrap(e);
            String message = replyOf(cause);
            if (message.contains("NOPERM")) {
                throw new StoreUnavailableException(who + " may not run DDM's scripts (EVALSHA and SCRIPT LOAD"
                        + " on " + layout + "): " + message, cause);
            }
            if (message.contains("NOAUTH") || message.contains("WRONGPASS")) {
                throw new StoreUnavailableException("cannot authenticate " + who + ": " + message, cause);
            }
            throw new StoreUnavailableException("cannot check the permissions of " + who + ": " + message, cause);
        }
        if (denied != null && !denied.isEmpty()) {
            throw new StoreUnavailableException(who + " lacks permissions DDM needs on " + layout + ": may not run "
                    + String.join(", ", denied.stream().map(String::valueOf).toList())
                    + " (see docs/operations.md, 'Secure connections', for the ACL rules)", null);
        }
    }

    /** Redis's reply in a Redisson exception, without the channel and command details Redisson appends. */
    private static String replyOf(Throwable error) {
        String message = String.valueOf(error.getMessage());
        int details = message.indexOf(". channel: [");
        return details > 0 ? message.substring(0, details) : message;
    }

    /** "user 'x' at redis://host:port": for messages, from a client's settings, without secrets. */
    @SuppressWarnings("deprecation") // older configs set the user on the server settings, which Redisson still honours
    static String describe(Config config) {
        String user = config.getUsername();
        Collection<String> addresses;
        if (config.isSingleConfig()) {
            addresses = Collections.singletonList(config.useSingleServer().getAddress());
            user = user != null ? user : config.useSingleServer().getUsername();
        } else if (config.isClusterConfig()) {
            addresses = config.useClusterServers().getNodeAddresses();
            user = user != null ? user : config.useClusterServers().getUsername();
        } else if (config.isSentinelConfig()) {
            addresses = config.useSentinelServers().getSentinelAddresses();
            user = user != null ? user : config.useSentinelServers().getUsername();
        } else {
            addresses = List.of("the configured Redis servers");
        }
        List<String> shown = addresses.stream().map(a -> a == null ? "?" : redact(a)).toList();
        return "user '" + (user == null ? DEFAULT_USER : user) + "' at " + (shown.size() == 1 ? shown.get(0) : shown.toString());
    }

    /**
     * Trust for TLS from a keystore file (PKCS12 or JKS; the type is detected).
     *
     * @throws IllegalArgumentException if the file cannot be read, the password is wrong, or it holds no certificate
     */
    public static TrustManagerFactory trustFromKeystore(Path file, char[] password) {
        requireReadable("tlsTruststore", file);
        KeyStore store;
        try {
            store = KeyStore.getInstance(file.toFile(), password);
        } catch (IOException e) {
            throw new IllegalArgumentException("tlsTruststore: cannot open " + file
                    + " (wrong password, or not a PKCS12/JKS keystore): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsTruststore: " + file + " is not a PKCS12 or JKS keystore: " + e.getMessage(), e);
        }
        return trustManagers("tlsTruststore", file, store);
    }

    /**
     * Trust for TLS from PEM certificates (one or more {@code -----BEGIN CERTIFICATE-----} blocks,
     * the format of Redis's {@code tls-ca-cert-file}).
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     */
    public static TrustManagerFactory trustFromPem(Path file) {
        requireReadable("tlsTrustedCertificates", file);
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            return trustManagers("tlsTrustedCertificates", file, store);
        } catch (IOException e) {
            throw new IllegalArgumentException("tlsTrustedCertificates: cannot read " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsTrustedCertificates: " + file + " is not PEM X.509 certificates: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A client certificate for mutual TLS from PEM files: the certificate chain and its unencrypted
     * PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or EdDSA).
     *
     * @throws IllegalArgumentException if a file cannot be read, holds no certificate or no PKCS#8
     *     key, or the key does not belong to the certificate
     */
    public static KeyManagerFactory keyFromPem(Path certificateChain, Path privateKey) {
        requireReadable("tlsClientCertificate", certificateChain);
        requireReadable("tlsClientKey", privateKey);
        List<Certificate> chain;
        try (InputStream in = Files.newInputStream(certificateChain)) {
            chain = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsClientCertificate: " + certificateChain + " is not PEM X.509 certificates: "
                    + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("tlsClientCertificate: " + certificateChain + " holds no certificate");
        }
        PrivateKey key = readPrivateKey(privateKey);
        if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("tlsClientKey: the " + key.getAlgorithm() + " key in " + privateKey
                    + " does not belong to the " + chain.get(0).getPublicKey().getAlgorithm() + " certificate in " + certificateChain);
        }
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsClientCertificate: cannot use the key in " + privateKey + " with the certificate in "
                    + certificateChain + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("tlsClientKey: cannot read " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    ? " (it holds a PKCS#1/SEC1 key: convert it with openssl pkcs8 -topk8 -nocrypt)"
                    : text.contains("BEGIN ENCRYPTED PRIVATE KEY") ? " (it is encrypted: use a keystore with a password instead)" : "";
            throw new IllegalArgumentException("tlsClientKey: " + file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)"
                    + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tlsClientKey: " + file + " is not valid PEM: " + e.getMessage(), e);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm; try the next
            }
        }
        throw new IllegalArgumentException("tlsClientKey: " + file + " holds no RSA, EC or EdDSA PKCS#8 key");
    }

    /**
     * A client certificate for mutual TLS from a PKCS12 or JKS keystore (the type is detected)
     * whose key has the store's password.
     *
     * @throws IllegalArgumentException if the file cannot be read, the password is wrong, or it holds no key
     */
    public static KeyManagerFactory keyFromKeystore(Path file, char[] password) {
        requireReadable("tlsKeystore", file);
        KeyStore store;
        try {
            store = KeyStore.getInstance(file.toFile(), password);
        } catch (IOException e) {
            throw new IllegalArgumentException("tlsKeystore: cannot open " + file
                    + " (wrong password, or not a PKCS12/JKS keystore): " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsKeystore: " + file + " is not a PKCS12 or JKS keystore: " + e.getMessage(), e);
        }
        try {
            boolean any = false;
            for (String alias : Collections.list(store.aliases())) {
                any |= store.isKeyEntry(alias);
            }
            if (!any) {
                throw new IllegalArgumentException("tlsKeystore: " + file + " holds no private key");
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsKeystore: cannot use the key in " + file + " (is its password the store's?): "
                    + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustManagers(String setting, Path file, KeyStore store) {
        try {
            boolean any = false;
            for (String alias : Collections.list(store.aliases())) {
                any |= store.getCertificate(alias) != null;
            }
            if (!any) {
                throw new IllegalArgumentException(setting + ": " + file + " holds no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + ": cannot use the certificates in " + file + ": " + e.getMessage(), e);
        }
    }

    private static void requireReadable(String setting, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(setting + ": " + file + " is not a readable file");
        }
    }
}
