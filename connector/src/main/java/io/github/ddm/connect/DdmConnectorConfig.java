package io.github.ddm.connect;

import io.github.ddm.RedisClients;
import io.github.ddm.schema.Names;
import io.github.ddm.RedisDeployment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.redisson.api.RedissonClient;

/**
 * The settings both DDM connectors share: how to reach Redis, the namespace, this region, and the
 * retry policy for Redis. {@code DdmSourceConfig} and {@code DdmSinkConfig} compose
 * {@link #BASE} with their own keys ({@code new ConfigDef(BASE)}); no key is declared twice.
 *
 * <p>Immutable once parsed; thread-safe.
 */
public class DdmConnectorConfig extends AbstractConfig {

    public static final String REDIS_GROUP = "Redis";
    public static final String DDM_GROUP = "DDM";

    public static final String REDIS_URI_CONFIG = RedisDeployment.URI;
    public static final String REDIS_URI_DOC = "The Redis server, redis://host:port (rediss://host:port for TLS); with redis.mode "
            + "cluster, some of the cluster's nodes, comma-separated; with sentinel, the sentinels. Put credentials in redis.user "
            + "and redis.password rather than in the URI, so they stay out of the connector's visible config.";

    public static final String REDIS_MODE_CONFIG = RedisDeployment.MODE;
    public static final String REDIS_MODE_DOC = "How the Redis servers are arranged: single (one server), cluster (a Redis Cluster, "
            + "whose slot moves and failovers are followed) or sentinel (a master watched by Redis Sentinel).";
    public static final String REDIS_MODE_DEFAULT = "single";

    public static final String REDIS_SENTINEL_MASTER_CONFIG = RedisDeployment.SENTINEL_MASTER;
    public static final String REDIS_SENTINEL_MASTER_DOC = "With redis.mode sentinel: the sentinels' name for the master.";

    public static final String REDIS_USER_CONFIG = RedisDeployment.USER;
    public static final String REDIS_USER_DOC = "The ACL user to authenticate as; empty for the default user.";
    public static final String REDIS_USER_DEFAULT = "";

    public static final String REDIS_PASSWORD_CONFIG = RedisDeployment.PASSWORD;
    public static final String REDIS_PASSWORD_DOC = "The password of redis.user (or requirepass); empty when Redis needs none. Never logged.";

    public static final String REDIS_SENTINEL_USER_CONFIG = RedisDeployment.SENTINEL_USER;
    public static final String REDIS_SENTINEL_USER_DOC = "With redis.mode sentinel: the user on the sentinels, if they require one.";

    public static final String REDIS_SENTINEL_PASSWORD_CONFIG = RedisDeployment.SENTINEL_PASSWORD;
    public static final String REDIS_SENTINEL_PASSWORD_DOC = "With redis.mode sentinel: the sentinels' password, if they require one.";

    public static final String REDIS_TLS_CERTIFICATES_CONFIG = RedisDeployment.TLS_CERTIFICATES;
    public static final String REDIS_TLS_CERTIFICATES_DOC = "A PEM file (on the worker) with the certificates a rediss:// server "
            + "must present (Redis's tls-ca-cert-file); empty for the JVM's default trust. Exclusive with redis.tls.truststore.path.";

    public static final String REDIS_TRUSTSTORE_PATH_CONFIG = RedisDeployment.TLS_TRUSTSTORE_PATH;
    public static final String REDIS_TRUSTSTORE_PATH_DOC = "A PKCS12 or JKS truststore (on the worker) with the certificates a rediss:// server "
            + "must present; empty for the JVM's default trust.";
    public static final String REDIS_TRUSTSTORE_PATH_DEFAULT = "";

    public static final String REDIS_TRUSTSTORE_PASSWORD_CONFIG = RedisDeployment.TLS_TRUSTSTORE_PASSWORD;
    public static final String REDIS_TRUSTSTORE_PASSWORD_DOC = "The password of redis.tls.truststore.path.";

    public static final String REDIS_TLS_CLIENT_CERTIFICATE_CONFIG = RedisDeployment.TLS_CLIENT_CERTIFICATE;
    public static final String REDIS_TLS_CLIENT_CERTIFICATE_DOC = "For servers that require client certificates (mutual TLS): the "
            + "client's certificate chain, a PEM file on the worker; with redis.tls.client.key.";

    public static final String REDIS_TLS_CLIENT_KEY_CONFIG = RedisDeployment.TLS_CLIENT_KEY;
    public static final String REDIS_TLS_CLIENT_KEY_DOC = "The client certificate's unencrypted PKCS#8 private key, a PEM file on the worker.";

    public static final String REDIS_TLS_KEYSTORE_PATH_CONFIG = RedisDeployment.TLS_KEYSTORE_PATH;
    public static final String REDIS_TLS_KEYSTORE_PATH_DOC = "For mutual TLS, instead of the PEM files: a PKCS12 or JKS keystore on the "
            + "worker with the client's key and certificate.";

    public static final String REDIS_TLS_KEYSTORE_PASSWORD_CONFIG = RedisDeployment.TLS_KEYSTORE_PASSWORD;
    public static final String REDIS_TLS_KEYSTORE_PASSWORD_DOC = "The password of redis.tls.keystore.path and of the key in it.";

    public static final String REDIS_CONNECT_TIMEOUT_MS_CONFIG = RedisDeployment.CONNECT_TIMEOUT_MS;
    public static final String REDIS_CONNECT_TIMEOUT_MS_DOC = "How long to wait for a connection to Redis.";
    public static final long REDIS_CONNECT_TIMEOUT_MS_DEFAULT = 10_000;

    public static final String REDIS_TIMEOUT_MS_CONFIG = RedisDeployment.TIMEOUT_MS;
    public static final String REDIS_TIMEOUT_MS_DOC = "How long to wait for the reply to a Redis command.";
    public static final long REDIS_TIMEOUT_MS_DEFAULT = 3_000;

    public static final String REDIS_RETRY_BACKOFF_MS_CONFIG = "redis.retry.backoff.ms";
    public static final String REDIS_RETRY_BACKOFF_MS_DOC = "How long to wait before retrying when Redis is unreachable.";
    public static final long REDIS_RETRY_BACKOFF_MS_DEFAULT = 1_000;

    public static final String REDIS_RETRY_MAX_CONFIG = "redis.retry.max.attempts";
    public static final String REDIS_RETRY_MAX_DOC = "How many consecutive failed attempts to reach Redis are retried before "
            + "the task fails with a clear error.";
    public static final int REDIS_RETRY_MAX_DEFAULT = 30;

    public static final String NAMESPACE_CONFIG = "ddm.namespace";
    public static final String NAMESPACE_DOC = "The prefix of every DDM key in Redis ([A-Za-z0-9._-]{1,64}), as the services use it.";
    public static final String NAMESPACE_DEFAULT = "ddm";

    public static final String REGION_CONFIG = "ddm.region";
    public static final String REGION_DOC = "The region of the Redis this connector talks to ([A-Za-z0-9._-]{1,64}). The source "
            + "exports the changes made in this region; the sink applies changes from other regions into it.";

    private static final ConfigDef.Validator PATH =
            ConfigDef.LambdaValidator.with(DdmConnectorConfig::validatePath, () -> "a file path on the worker, or empty");

    private static final ConfigDef.Validator SHORT_NAME =
            ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateShortName, () -> Names.SHORT_NAME_PATTERN);

    /** The keys both connectors share. Compose with {@code new ConfigDef(BASE)}. */
    public static final ConfigDef BASE = new ConfigDef()
            .define(REDIS_URI_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateRedisUri,
                            () -> "redis://host:port or rediss://host:port, comma-separated for several"),
                    Importance.HIGH, REDIS_URI_DOC, REDIS_GROUP, 1, Width.LONG, "Redis URI")
            .define(REDIS_MODE_CONFIG, Type.STRING, REDIS_MODE_DEFAULT,
                    ConfigDef.CaseInsensitiveValidString.in("single", "cluster", "sentinel"),
                    Importance.HIGH, REDIS_MODE_DOC, REDIS_GROUP, 2, Width.SHORT, "Redis mode")
            .define(REDIS_SENTINEL_MASTER_CONFIG, Type.STRING, "", new ConfigDef.NonNullValidator(),
                    Importance.MEDIUM, REDIS_SENTINEL_MASTER_DOC, REDIS_GROUP, 3, Width.SHORT, "Sentinel master")
            .define(REDIS_USER_CONFIG, Type.STRING, REDIS_USER_DEFAULT,
                    ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateUser, () -> "an ACL user name without spaces, or empty"),
                    Importance.MEDIUM, REDIS_USER_DOC, REDIS_GROUP, 4, Width.SHORT, "Redis user")
            .define(REDIS_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.MEDIUM,
                    REDIS_PASSWORD_DOC, REDIS_GROUP, 5, Width.SHORT, "Redis password")
            .define(REDIS_SENTINEL_USER_CONFIG, Type.STRING, "",
                    ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateUser, () -> "an ACL user name without spaces, or empty"),
                    Importance.LOW, REDIS_SENTINEL_USER_DOC, REDIS_GROUP, 6, Width.SHORT, "Sentinel user")
            .define(REDIS_SENTINEL_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.LOW,
                    REDIS_SENTINEL_PASSWORD_DOC, REDIS_GROUP, 7, Width.SHORT, "Sentinel password")
            .define(REDIS_TLS_CERTIFICATES_CONFIG, Type.STRING, "", PATH,
                    Importance.LOW, REDIS_TLS_CERTIFICATES_DOC, REDIS_GROUP, 8, Width.LONG, "TLS certificates (PEM)")
            .define(REDIS_TRUSTSTORE_PATH_CONFIG, Type.STRING, REDIS_TRUSTSTORE_PATH_DEFAULT, PATH,
                    Importance.LOW, REDIS_TRUSTSTORE_PATH_DOC, REDIS_GROUP, 9, Width.LONG, "TLS truststore")
            .define(REDIS_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.LOW,
                    REDIS_TRUSTSTORE_PASSWORD_DOC, REDIS_GROUP, 10, Width.SHORT, "TLS truststore password")
            .define(REDIS_TLS_CLIENT_CERTIFICATE_CONFIG, Type.STRING, "", PATH,
                    Importance.LOW, REDIS_TLS_CLIENT_CERTIFICATE_DOC, REDIS_GROUP, 11, Width.LONG, "TLS client certificate (PEM)")
            .define(REDIS_TLS_CLIENT_KEY_CONFIG, Type.STRING, "", PATH,
                    Importance.LOW, REDIS_TLS_CLIENT_KEY_DOC, REDIS_GROUP, 12, Width.LONG, "TLS client key (PEM)")
            .define(REDIS_TLS_KEYSTORE_PATH_CONFIG, Type.STRING, "", PATH,
                    Importance.LOW, REDIS_TLS_KEYSTORE_PATH_DOC, REDIS_GROUP, 13, Width.LONG, "TLS keystore")
            .define(REDIS_TLS_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.LOW,
                    REDIS_TLS_KEYSTORE_PASSWORD_DOC, REDIS_GROUP, 14, Width.SHORT, "TLS keystore password")
            .define(REDIS_CONNECT_TIMEOUT_MS_CONFIG, Type.LONG, REDIS_CONNECT_TIMEOUT_MS_DEFAULT, ConfigDef.Range.between(1, Integer.MAX_VALUE),
                    Importance.LOW, REDIS_CONNECT_TIMEOUT_MS_DOC, REDIS_GROUP, 15, Width.SHORT, "Connect timeout (ms)")
            .define(REDIS_TIMEOUT_MS_CONFIG, Type.LONG, REDIS_TIMEOUT_MS_DEFAULT, ConfigDef.Range.between(1, Integer.MAX_VALUE),
                    Importance.LOW, REDIS_TIMEOUT_MS_DOC, REDIS_GROUP, 16, Width.SHORT, "Command timeout (ms)")
            .define(REDIS_RETRY_BACKOFF_MS_CONFIG, Type.LONG, REDIS_RETRY_BACKOFF_MS_DEFAULT, ConfigDef.Range.between(1, 600_000),
                    Importance.LOW, REDIS_RETRY_BACKOFF_MS_DOC, REDIS_GROUP, 17, Width.SHORT, "Retry backoff (ms)")
            .define(REDIS_RETRY_MAX_CONFIG, Type.INT, REDIS_RETRY_MAX_DEFAULT, ConfigDef.Range.atLeast(0),
                    Importance.LOW, REDIS_RETRY_MAX_DOC, REDIS_GROUP, 18, Width.SHORT, "Retry attempts")
            .define(NAMESPACE_CONFIG, Type.STRING, NAMESPACE_DEFAULT, SHORT_NAME,
                    Importance.MEDIUM, NAMESPACE_DOC, DDM_GROUP, 1, Width.SHORT, "Namespace")
            .define(REGION_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, SHORT_NAME,
                    Importance.HIGH, REGION_DOC, DDM_GROUP, 2, Width.SHORT, "Region");

    public DdmConnectorConfig(ConfigDef definition, Map<?, ?> originals) {
        super(definition, originals);
    }

    /** The Redis address(es) as configured (without credentials), for messages. */
    public String redisUri() {
        return getString(REDIS_URI_CONFIG);
    }

    /**
     * The Redis deployment these settings describe, read with {@link RedisDeployment#fromProperties}
     * from the same keys a service's configuration file uses. TLS files are read now, on the worker.
     *
     * @throws ConfigException naming the setting that is inconsistent or whose file cannot be used
     */
    public RedisDeployment redisDeployment() {
        try {
            return RedisDeployment.fromProperties(redisValues(), "");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private Map<String, String> redisValues() {
        return redisValues(this::get);
    }

    /** The {@code redis.*} values as text, passwords included, empty ones left out. */
    private static Map<String, String> redisValues(java.util.function.Function<String, Object> parsed) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : RedisDeployment.KEYS) {
            Object value = parsed.apply(key);
            String text = value instanceof Password password ? password.value() : value == null ? "" : String.valueOf(value);
            if (!text.isEmpty()) {
                values.put(key, text);
            }
        }
        return values;
    }

    /**
     * Adds the problems between the Redis settings (a sentinel master for sentinel mode, one trust
     * source, PEM client certificate and key together...) to the key to change, without reading any
     * file: for {@code Connector.validate()}. Does nothing while a Redis key is wrong on its own.
     */
    public static void addRedisProblems(Map<String, ConfigValue> byName) {
        for (String key : RedisDeployment.KEYS) {
            ConfigValue value = byName.get(key);
            if (value == null || !value.errorMessages().isEmpty()) {
                return;
            }
        }
        String problem = redisProblem(redisValues(key -> byName.get(key).value()));
        if (problem != null) {
            String target = RedisDeployment.KEYS.stream().filter(problem::startsWith)
                    .max(java.util.Comparator.comparingInt(String::length)).orElse(REDIS_URI_CONFIG);
            byName.get(target).addErrorMessage(problem);
        }
    }

    static String redisProblem(Map<String, String> values) {
        try {
            RedisDeployment.check(values, "");
            return null;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** The namespace of DDM's keys. */
    public String namespace() {
        return getString(NAMESPACE_CONFIG);
    }

    /** This connector's region. */
    public String region() {
        return getString(REGION_CONFIG);
    }

    /** How long to wait before retrying an unreachable Redis. */
    public Duration retryBackoff() {
        return Duration.ofMillis(getLong(REDIS_RETRY_BACKOFF_MS_CONFIG));
    }

    /** Consecutive failed attempts retried before the task fails. */
    public int retryMaxAttempts() {
        return getInt(REDIS_RETRY_MAX_CONFIG);
    }

    /**
     * Opens a Redisson client for {@link #redisDeployment()}. The caller shuts it down.
     *
     * @throws ConfigException if the Redis settings are inconsistent or a TLS file cannot be used
     * @throws io.github.ddm.StoreUnavailableException if Redis cannot be reached or refuses the credentials
     */
    public RedissonClient openRedis() {
        return RedisClients.create(redisDeployment());
    }

    static void validateRedisUri(String name, Object value) {
        String uris = (String) value;
        if (uris == null) {
            return; // "missing required configuration" says it already
        }
        if (uris.isBlank()) {
            throw new ConfigException(name, uris, "must name at least one redis:// or rediss:// address");
        }
        for (String uri : uris.split(",")) {
            if (uri.isBlank()) {
                continue;
            }
            RedisDeployment parsed;
            try {
                parsed = RedisDeployment.single(uri.strip()).build();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, RedisClients.redact(uris), e.getMessage());
            }
            if (parsed.user() != null || parsed.hasPassword()) {
                throw new ConfigException(name, RedisClients.redact(uris), "must not hold credentials: use redis.user and redis.password");
            }
        }
    }

    static void validateUser(String name, Object value) {
        String user = (String) value;
        if (user != null && (user.chars().anyMatch(Character::isWhitespace) || user.contains(":") || user.contains("@"))) {
            throw new ConfigException(name, value, "must not contain whitespace, ':' or '@'");
        }
    }

    /** Only the form: the file is on the worker, and is read (with a clear error) when a task starts. */
    static void validatePath(String name, Object value) {
        String path = (String) value;
        if (path != null && !path.isEmpty() && path.isBlank()) {
            throw new ConfigException(name, value, "must be a file path or empty");
        }
    }

    static void validateShortName(String name, Object value) {
        if (value == null) {
            return; // "missing required configuration" says it already
        }
        if (!Names.isShortName((String) value)) {
            throw new ConfigException(name, value, "must match " + Names.SHORT_NAME_PATTERN);
        }
    }
}
