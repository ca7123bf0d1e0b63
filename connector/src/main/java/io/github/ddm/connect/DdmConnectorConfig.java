package io.github.ddm.connect;

import io.github.ddm.RedisClients;
import io.github.ddm.schema.Names;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
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

    public static final String REDIS_URI_CONFIG = "redis.uri";
    public static final String REDIS_URI_DOC = "The Redis server: redis://host:port, or rediss://host:port for TLS. Put credentials in "
            + "redis.user and redis.password rather than in the URI, so they stay out of the connector's visible config.";

    public static final String REDIS_USER_CONFIG = "redis.user";
    public static final String REDIS_USER_DOC = "The ACL user to authenticate as; empty for the default user.";
    public static final String REDIS_USER_DEFAULT = "";

    public static final String REDIS_PASSWORD_CONFIG = "redis.password";
    public static final String REDIS_PASSWORD_DOC = "The password of redis.user (or requirepass); empty when Redis needs none. Never logged.";

    public static final String REDIS_TRUSTSTORE_PATH_CONFIG = "redis.tls.truststore.path";
    public static final String REDIS_TRUSTSTORE_PATH_DOC = "A PKCS12 or JKS truststore with the certificates a rediss:// server "
            + "may present; empty to use the JVM's default trust.";
    public static final String REDIS_TRUSTSTORE_PATH_DEFAULT = "";

    public static final String REDIS_TRUSTSTORE_PASSWORD_CONFIG = "redis.tls.truststore.password";
    public static final String REDIS_TRUSTSTORE_PASSWORD_DOC = "The password of redis.tls.truststore.path.";

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

    private static final ConfigDef.Validator SHORT_NAME =
            ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateShortName, () -> Names.SHORT_NAME_PATTERN);

    /** The keys both connectors share. Compose with {@code new ConfigDef(BASE)}. */
    public static final ConfigDef BASE = new ConfigDef()
            .define(REDIS_URI_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                    ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateRedisUri, () -> "redis://host:port or rediss://host:port"),
                    Importance.HIGH, REDIS_URI_DOC, REDIS_GROUP, 1, Width.LONG, "Redis URI")
            .define(REDIS_USER_CONFIG, Type.STRING, REDIS_USER_DEFAULT,
                    ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateUser, () -> "an ACL user name without spaces, or empty"),
                    Importance.MEDIUM, REDIS_USER_DOC, REDIS_GROUP, 2, Width.SHORT, "Redis user")
            .define(REDIS_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.MEDIUM,
                    REDIS_PASSWORD_DOC, REDIS_GROUP, 3, Width.SHORT, "Redis password")
            .define(REDIS_TRUSTSTORE_PATH_CONFIG, Type.STRING, REDIS_TRUSTSTORE_PATH_DEFAULT,
                    ConfigDef.LambdaValidator.with(DdmConnectorConfig::validateTruststore, () -> "a file path, or empty"),
                    Importance.LOW, REDIS_TRUSTSTORE_PATH_DOC, REDIS_GROUP, 4, Width.LONG, "TLS truststore")
            .define(REDIS_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.LOW,
                    REDIS_TRUSTSTORE_PASSWORD_DOC, REDIS_GROUP, 5, Width.SHORT, "TLS truststore password")
            .define(REDIS_RETRY_BACKOFF_MS_CONFIG, Type.LONG, REDIS_RETRY_BACKOFF_MS_DEFAULT, ConfigDef.Range.between(1, 600_000),
                    Importance.LOW, REDIS_RETRY_BACKOFF_MS_DOC, REDIS_GROUP, 6, Width.SHORT, "Retry backoff (ms)")
            .define(REDIS_RETRY_MAX_CONFIG, Type.INT, REDIS_RETRY_MAX_DEFAULT, ConfigDef.Range.atLeast(0),
                    Importance.LOW, REDIS_RETRY_MAX_DOC, REDIS_GROUP, 7, Width.SHORT, "Retry attempts")
            .define(NAMESPACE_CONFIG, Type.STRING, NAMESPACE_DEFAULT, SHORT_NAME,
                    Importance.MEDIUM, NAMESPACE_DOC, DDM_GROUP, 1, Width.SHORT, "Namespace")
            .define(REGION_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, SHORT_NAME,
                    Importance.HIGH, REGION_DOC, DDM_GROUP, 2, Width.SHORT, "Region");

    public DdmConnectorConfig(ConfigDef definition, Map<?, ?> originals) {
        super(definition, originals);
    }

    /** The Redis URI as configured (without credentials). */
    public String redisUri() {
        return getString(REDIS_URI_CONFIG);
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
     * Opens a Redisson client with the configured credentials and trust. The caller shuts it down.
     *
     * @throws io.github.ddm.StoreUnavailableException if Redis cannot be reached or refuses the credentials
     */
    public RedissonClient openRedis() {
        String user = getString(REDIS_USER_CONFIG);
        Password password = getPassword(REDIS_PASSWORD_CONFIG);
        String uri = withCredentials(redisUri(), user, password == null ? "" : password.value());
        String truststore = getString(REDIS_TRUSTSTORE_PATH_CONFIG);
        if (truststore == null || truststore.isEmpty()) {
            return RedisClients.create(uri);
        }
        Password trustPassword = getPassword(REDIS_TRUSTSTORE_PASSWORD_CONFIG);
        TrustManagerFactory trust = RedisClients.trustFromKeystore(Path.of(truststore),
                trustPassword == null ? new char[0] : trustPassword.value().toCharArray());
        return RedisClients.create(uri, trust);
    }

    static String withCredentials(String uri, String user, String password) {
        if ((user == null || user.isEmpty()) && (password == null || password.isEmpty())) {
            return uri;
        }
        int scheme = uri.indexOf("://") + 3;
        String userInfo = encode(user == null ? "" : user) + (password == null || password.isEmpty() ? "" : ":" + encode(password));
        return uri.substring(0, scheme) + userInfo + "@" + uri.substring(scheme);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static void validateRedisUri(String name, Object value) {
        String uri = (String) value;
        if (uri == null) {
            return; // "missing required configuration" says it already
        }
        if (!(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
            throw new ConfigException(name, RedisClients.redact(uri), "must start with redis:// or rediss://");
        }
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, RedisClients.redact(uri), "is not a valid URI: " + e.getMessage());
        }
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            throw new ConfigException(name, RedisClients.redact(uri), "must name a host and a port, like redis://host:6379");
        }
        if (parsed.getUserInfo() != null) {
            throw new ConfigException(name, RedisClients.redact(uri), "must not hold credentials: use redis.user and redis.password");
        }
    }

    static void validateUser(String name, Object value) {
        String user = (String) value;
        if (user != null && (user.chars().anyMatch(Character::isWhitespace) || user.contains(":") || user.contains("@"))) {
            throw new ConfigException(name, value, "must not contain whitespace, ':' or '@'");
        }
    }

    /** Only the form: the file is on the worker, and is read (with a clear error) when a task starts. */
    static void validateTruststore(String name, Object value) {
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
