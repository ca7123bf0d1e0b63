package io.github.ddm.cli;

import io.github.ddm.ConfigReferences;
import io.github.ddm.RedisClients;
import io.github.ddm.RedisDeployment;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Option;

/**
 * How a tool reaches one region's Redis, described as a {@link RedisDeployment}: either a file of
 * {@code redis.*} settings ({@code --redis-config}, the keys of a service's configuration file,
 * with {@code ${env:...}} and {@code ${file:...}} values), or the address(es) and a few flags. A
 * secret never comes from the command line, where {@code ps} and the shell's history would show
 * it: the password comes from {@code $DDM_REDIS_PASSWORD}, a file ({@code --redis-password-file})
 * or the config file, and a URI with a password on the command line is refused. Mutable option
 * holder filled by picocli; not thread-safe.
 */
final class RedisOptions {

    /** The environment variable that holds the Redis password. */
    static final String PASSWORD_VARIABLE = "DDM_REDIS_PASSWORD";
    private static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    @Option(names = "--redis", paramLabel = "URI[,URI...]", defaultValue = "${env:DDM_REDIS_URI:-redis://127.0.0.1:6379}",
            // The description must not show the resolved default: $DDM_REDIS_URI may hold a password.
            description = "Redis: redis://host:port, rediss:// for TLS; for --redis-mode cluster some nodes, for sentinel the "
                    + "sentinels, comma-separated (default: $$DDM_REDIS_URI, else redis://127.0.0.1:6379). No password here: "
                    + "use $$" + PASSWORD_VARIABLE + " or --redis-password-file.")
    String uri;

    @Option(names = "--redis-mode", paramLabel = "MODE", description = "single (default), cluster or sentinel.")
    String mode;

    @Option(names = "--sentinel-master", paramLabel = "NAME", description = "With --redis-mode sentinel: the master's name.")
    String sentinelMaster;

    @Option(names = "--redis-user", paramLabel = "USER", description = "The ACL user (default: default).")
    String user;

    @Option(names = "--redis-password-file", paramLabel = "FILE",
            description = "A file holding the Redis password (else $$" + PASSWORD_VARIABLE + ", if set).")
    Path passwordFile;

    @Option(names = "--tls-trust", paramLabel = "PEM", description = "A PEM file of the certificates to trust for rediss://.")
    Path trust;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "A client certificate (PEM), for servers that require one.")
    Path clientCertificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The client certificate's PKCS#8 private key (PEM).")
    Path clientKey;

    @Option(names = "--redis-config", paramLabel = "FILE",
            description = "A file of redis.* settings, as in a service's configuration file (ddm. prefix optional; a value may"
                    + " refer to an environment variable or a file, as there), instead of the Redis options above.")
    Path configFile;

    @Option(names = "--namespace", paramLabel = "NAME", defaultValue = "ddm",
            description = "The namespace the services use (default: ${DEFAULT-VALUE}).")
    String namespace;

    private RedisDeployment deployment;

    /**
     * The deployment these options describe; read once.
     *
     * @throws IllegalArgumentException naming the option or setting that is wrong
     */
    RedisDeployment deployment() {
        if (deployment == null) {
            deployment = configFile != null ? fromFile() : fromOptions();
        }
        return deployment;
    }

    private RedisDeployment fromFile() {
        if (fromCommandLine() || mode != null || sentinelMaster != null || user != null
                || passwordFile != null || trust != null || clientCertificate != null || clientKey != null) {
            throw error("--redis-config holds every Redis setting: give it without --redis, --redis-mode, --sentinel-master,"
                    + " --redis-user, --redis-password-file, --tls-trust, --tls-cert or --tls-key");
        }
        return readConfigFile(configFile, this::error);
    }

    /** A deployment from a file of {@code redis.*} (or {@code ddm.redis.*}) settings, references resolved. */
    static RedisDeployment readConfigFile(Path file, java.util.function.Function<String, ? extends RuntimeException> error) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw error.apply("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            String key = name.startsWith("ddm.redis.") ? name.substring(4) : name;
            if (key.startsWith("redis.")) {
                values.put(key, properties.getProperty(name));
            }
        }
        try {
            return RedisDeployment.fromProperties(ConfigReferences.resolve(values), "");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw error.apply(file + ": " + e.getMessage());
        }
    }

    private RedisDeployment fromOptions() {
        Map<String, String> values = new LinkedHashMap<>();
        if (fromCommandLine() && RedisClients.redact(uri).contains("***@")) {
            throw error("--redis must not carry credentials, which ps and the shell's history would show: give the user with"
                    + " --redis-user and the password in $" + PASSWORD_VARIABLE + " or --redis-password-file");
        }
        values.put(RedisDeployment.URI, uri);
        put(values, RedisDeployment.MODE, mode);
        put(values, RedisDeployment.SENTINEL_MASTER, sentinelMaster);
        put(values, RedisDeployment.USER, user);
        String password = passwordFile != null ? ConfigReferences.resolve(Map.of("--redis-password-file",
                "${file:" + passwordFile + "}")).get("--redis-password-file") : System.getenv(PASSWORD_VARIABLE);
        put(values, RedisDeployment.PASSWORD, password);
        put(values, RedisDeployment.TLS_CERTIFICATES, trust == null ? null : trust.toString());
        put(values, RedisDeployment.TLS_CLIENT_CERTIFICATE, clientCertificate == null ? null : clientCertificate.toString());
        put(values, RedisDeployment.TLS_CLIENT_KEY, clientKey == null ? null : clientKey.toString());
        try {
            return RedisDeployment.fromProperties(values, "");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw error(e.getMessage().replace(RedisDeployment.URI, "--redis").replace(RedisDeployment.MODE, "--redis-mode")
                    .replace(RedisDeployment.SENTINEL_MASTER, "--sentinel-master")
                    .replace(RedisDeployment.TLS_CLIENT_CERTIFICATE, "--tls-cert").replace(RedisDeployment.TLS_CLIENT_KEY, "--tls-key")
                    .replace(RedisDeployment.TLS_CERTIFICATES, "--tls-trust"));
        }
    }

    private static void put(Map<String, String> values, String key, String value) {
        if (value != null) {
            values.put(key, value);
        }
    }

    /** True if {@code --redis} was given on the command line (its default is the environment's, or the local server). */
    private boolean fromCommandLine() {
        String fromEnvironment = System.getenv("DDM_REDIS_URI");
        return !uri.equals(fromEnvironment == null ? DEFAULT_URI : fromEnvironment);
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message);
    }

    /** A client for the deployment; the caller shuts it down. */
    RedissonClient connect() {
        return RedisClients.create(deployment());
    }

    SectionStore section(RedissonClient redisson, SectionId section) {
        return SectionStore.open(redisson, namespace, section);
    }

    /** The deployment without secrets, for output. */
    String redacted() {
        return deployment().toString();
    }
}
