package io.github.ddm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.internal.store.RedisConnections;
import io.github.ddm.internal.sync.DocumentWriter;
import io.github.ddm.internal.sync.SectionSettings;
import io.github.ddm.schema.Names;
import io.github.ddm.schema.Origin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.api.RedissonClient;

/**
 * Settings of a {@link DocumentManager}. Every setter checks its argument at once;
 * {@link #build()} checks the combination and names the setting that is wrong or missing.
 *
 * <pre>{@code
 * DocumentManager<OrderBook> books = DocumentManager.builder(OrderBook.class)
 *         .redisson(redissonClient)          // or .redisUri("redis://127.0.0.1:6379")
 *         .namespace("ddm")
 *         .section("orders", "book")
 *         .origin("eu-west", "pricer-1")
 *         .build();
 * }</pre>
 *
 * <p>Not thread-safe: configure on one thread, then build.
 *
 * @param <T> the document type
 */
public final class DocumentManagerBuilder<T> {

    final Class<T> type;
    RedissonClient redisson;
    String redisUri;
    RedisDeployment redis;
    String namespace = "ddm";
    String partition;
    String section;
    Origin origin;
    Executor executor;
    Clock clock = Clock.systemUTC();
    ObjectMapper objectMapper;
    ValueSharing valueSharing = ValueSharing.COPY_ON_READ;
    PubSubMode pubSubMode = PubSubMode.AUTO;
    ConflictResolver<T> conflictResolver = ConflictResolver.lastWriterWins();
    long maxDocumentBytes = 1024 * 1024;
    long cacheMaximumSize = 100_000;
    Duration cacheIdleExpiry = Duration.ofHours(6);
    long logMaxLength = 10_000;
    int fullStateEvery = 1_000;
    int maxWriteAttempts = 32;
    Duration retryBackoffBase = Duration.ofMillis(1);
    Duration retryBackoffMax = Duration.ofMillis(50);
    Duration subscribeTimeout = Duration.ofSeconds(10);
    int changeBufferSize = 50;
    Duration changeBufferTtl = Duration.ofHours(1);
    long changeBufferMaxEvents = 100_000;
    long maxPendingChanges = 100_000;
    Duration headCheckInterval = Duration.ofSeconds(2);
    Duration versionCheckInterval = Duration.ofSeconds(30);
    Duration bufferTrimInterval = Duration.ofMinutes(1);
    int catchUpBatchSize = 1_000;
    SyncService syncService;
    HistorySource historySource;

    DocumentManagerBuilder(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * The Redisson client to use. The manager does not shut it down. Exclusive with {@link #redis}
     * and {@link #redisUri}.
     */
    public DocumentManagerBuilder<T> redisson(RedissonClient redisson) {
        this.redisson = Objects.requireNonNull(redisson, "redisson");
        return this;
    }

    /**
     * The Redis deployment to reach (one server, a Redis Cluster or a Sentinel-managed master, with
     * credentials and TLS); the manager creates its own Redisson client and shuts it down on close.
     * Exclusive with {@link #redisson} and {@link #redisUri}.
     */
    public DocumentManagerBuilder<T> redis(RedisDeployment redis) {
        this.redis = Objects.requireNonNull(redis, "redis");
        return this;
    }

    /**
     * A shorthand for {@link #redis} with one server: a Redis URI ({@code redis://host:port},
     * {@code rediss://} for TLS, credentials as {@code redis://user:password@host:port}); the
     * manager creates its own Redisson client and shuts it down on close. Exclusive with
     * {@link #redisson} and {@link #redis}.
     */
    public DocumentManagerBuilder<T> redisUri(String redisUri) {
        Objects.requireNonNull(redisUri, "redisUri");
        if (!redisUri.startsWith("redis://") && !redisUri.startsWith("rediss://")) {
            throw new IllegalArgumentException("redisUri must start with redis:// or rediss://");
        }
        RedisDeployment.single(redisUri); // fails now, naming what is wrong, rather than at build()
        this.redisUri = redisUri;
        return this;
    }

    /** The prefix of every Redis key ({@code [A-Za-z0-9._-]{1,64}}, default {@code ddm}). */
    public DocumentManagerBuilder<T> namespace(String namespace) {
        this.namespace = Names.requireShortName("namespace", namespace);
        return this;
    }

    /** The section this manager serves: its partition and section names ({@code [A-Za-z0-9._-]{1,64}}). Required. */
    public DocumentManagerBuilder<T> section(String partition, String section) {
        this.partition = Names.requireShortName("partition", partition);
        this.section = Names.requireShortName("section", section);
        return this;
    }

    /** This writer's region and node ({@code [A-Za-z0-9._-]{1,64}} each); travels with every change. Required. */
    public DocumentManagerBuilder<T> origin(String region, String node) {
        this.origin = Origin.of(region, node);
        return this;
    }

    /**
     * The executor that runs DDM's work: applying changes, mutators, listeners. By default the
     * {@link #syncService} executor, shared by every manager of that service; a manager without a
     * service owns a small daemon pool ({@code max(2, cores)} threads) and shuts it down on close.
     * The manager never shuts down an executor given here.
     */
    public DocumentManagerBuilder<T> executor(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /** The clock for change times and cache idle expiry (default: system UTC). */
    public DocumentManagerBuilder<T> clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** The Jackson mapper between {@code T} and JSON (default: a plain {@code ObjectMapper}). */
    public DocumentManagerBuilder<T> objectMapper(ObjectMapper objectMapper) {
        this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
        return this;
    }

    /** How cached values are held and handed out (default {@link ValueSharing#COPY_ON_READ}). */
    public DocumentManagerBuilder<T> valueSharing(ValueSharing valueSharing) {
        this.valueSharing = Objects.requireNonNull(valueSharing, "valueSharing");
        return this;
    }

    /** Classic or sharded pub/sub (default {@link PubSubMode#AUTO}: sharded on a cluster). */
    public DocumentManagerBuilder<T> pubSubMode(PubSubMode pubSubMode) {
        this.pubSubMode = Objects.requireNonNull(pubSubMode, "pubSubMode");
        return this;
    }

    /** What a blind {@code set} does when it meets a newer version (default: last writer wins). */
    public DocumentManagerBuilder<T> conflictResolver(ConflictResolver<T> conflictResolver) {
        this.conflictResolver = Objects.requireNonNull(conflictResolver, "conflictResolver");
        return this;
    }

    /** The largest document accepted, in bytes of JSON (default 1 MiB). */
    public DocumentManagerBuilder<T> maxDocumentBytes(long maxDocumentBytes) {
        this.maxDocumentBytes = positive("maxDocumentBytes", maxDocumentBytes);
        return this;
    }

    /** The most documents the local cache holds (default 100,000); least recently used go first. */
    public DocumentManagerBuilder<T> cacheMaximumSize(long cacheMaximumSize) {
        this.cacheMaximumSize = positive("cacheMaximumSize", cacheMaximumSize);
        return this;
    }

    /**
     * Cached documents not read or written for this long are evicted by the periodic work (default
     * 6 h; zero: never). Reads are stamped with the time of the last periodic tick, so idle time is
     * measured to the tick interval (1 s by default) rather than exactly.
     */
    public DocumentManagerBuilder<T> cacheIdleExpiry(Duration cacheIdleExpiry) {
        this.cacheIdleExpiry = notNegative("cacheIdleExpiry", cacheIdleExpiry);
        return this;
    }

    /** Approximate number of entries the section log keeps (XADD MAXLEN ~; default 10,000; 0: unbounded). */
    public DocumentManagerBuilder<T> logMaxLength(long logMaxLength) {
        if (logMaxLength < 0) {
            throw new IllegalArgumentException("logMaxLength must be >= 0, got " + logMaxLength);
        }
        this.logMaxLength = logMaxLength;
        return this;
    }

    /** Every Nth version of an update carries the full state besides the patch (default 1,000; 0: never). Each one costs a message the size of the document, so a small N weighs on every change's average bytes. */
    public DocumentManagerBuilder<T> fullStateEvery(int fullStateEvery) {
        if (fullStateEvery < 0) {
            throw new IllegalArgumentException("fullStateEvery must be >= 0, got " + fullStateEvery);
        }
        this.fullStateEvery = fullStateEvery;
        return this;
    }

    /** Compare-and-set attempts per write before {@link VersionConflictException} (default 32). */
    public DocumentManagerBuilder<T> maxWriteAttempts(int maxWriteAttempts) {
        this.maxWriteAttempts = (int) positive("maxWriteAttempts", maxWriteAttempts);
        return this;
    }

    /** Jittered exponential backoff between write attempts: from {@code base} up to {@code max} (default 1 ms to 50 ms). */
    public DocumentManagerBuilder<T> retryBackoff(Duration base, Duration max) {
        this.retryBackoffBase = notNegative("retryBackoff base", base);
        this.retryBackoffMax = notNegative("retryBackoff max", max);
        return this;
    }

    /** How long {@link #build()} waits for Redis to confirm the subscription (default 10 s). */
    public DocumentManagerBuilder<T> subscribeTimeout(Duration subscribeTimeout) {
        this.subscribeTimeout = notNegative("subscribeTimeout", subscribeTimeout);
        return this;
    }

    /**
     * The change buffer that serves late subscribers: the newest {@code perKey} changes of each key
     * (default 50), each kept for {@code ttl} (default 1 h), at most {@code maxEvents} changes in all
     * (default 100,000; beyond that whole keys are evicted).
     */
    public DocumentManagerBuilder<T> changeBuffer(int perKey, Duration ttl, long maxEvents) {
        this.changeBufferSize = (int) positive("changeBuffer perKey", perKey);
        this.changeBufferTtl = positiveDuration("changeBuffer ttl", ttl);
        this.changeBufferMaxEvents = positive("changeBuffer maxEvents", maxEvents);
        return this;
    }

    /**
     * The most received changes waiting to be applied (default 100,000). Beyond it, live messages
     * are dropped and read from the section log instead, so a slow consumer never blocks Redis's
     * connection or grows memory without bound.
     */
    public DocumentManagerBuilder<T> maxPendingChanges(long maxPendingChanges) {
        this.maxPendingChanges = positive("maxPendingChanges", maxPendingChanges);
        return this;
    }

    /**
     * How often the periodic work runs: the log head check that notices lost messages (default
     * 2 s), the version check that compares every cached version with Redis (default 30 s), and
     * change-buffer trimming (default 1 min).
     */
    public DocumentManagerBuilder<T> checkIntervals(Duration headCheck, Duration versionCheck, Duration bufferTrim) {
        this.headCheckInterval = positiveDuration("headCheck interval", headCheck);
        this.versionCheckInterval = positiveDuration("versionCheck interval", versionCheck);
        this.bufferTrimInterval = positiveDuration("bufferTrim interval", bufferTrim);
        return this;
    }

    /** Log entries read per round trip when catching up (default 1,000). */
    public DocumentManagerBuilder<T> catchUpBatchSize(int catchUpBatchSize) {
        this.catchUpBatchSize = (int) positive("catchUpBatchSize", catchUpBatchSize);
        return this;
    }

    /**
     * Where late subscribers' history comes from when the change buffer and the Redis log do not
     * reach back far enough (typically the connector's Kafka replay). Without one they get a snapshot.
     */
    public DocumentManagerBuilder<T> historySource(HistorySource historySource) {
        this.historySource = Objects.requireNonNull(historySource, "historySource");
        return this;
    }

    /**
     * The service that runs this manager's periodic work and closes it with the others. Its clock is
     * used for due times. Unless this builder names an executor or a client of its own, the manager
     * runs on the service's threads and, if the service has one, its Redis client, so that many
     * managers share one set of resources. Without a service, the manager runs a private one
     * ticking every second, with threads of its own.
     */
    public DocumentManagerBuilder<T> syncService(SyncService syncService) {
        this.syncService = Objects.requireNonNull(syncService, "syncService");
        return this;
    }

    /**
     * Applies the settings of a configuration file: every key that starts with {@code prefix}
     * (for example {@code ddm.redis.uri}, {@code ddm.section}); see {@link ManagerProperties} for the
     * keys and {@code config/ddm-service.properties} for a sample. Later calls override them.
     *
     * @throws IllegalArgumentException naming the key that is unknown or has a bad value
     */
    public DocumentManagerBuilder<T> properties(java.util.Properties properties, String prefix) {
        return ManagerProperties.apply(this, Objects.requireNonNull(properties, "properties"), prefix);
    }

    // ---- Secure connections (TLS trust for redisUri) ----

    TrustManagerFactory tlsTrust;
    String tlsTrustSetting;

    /**
     * The certificates a {@code rediss://} {@link #redisUri} server must present, from a keystore
     * file (PKCS12 or JKS; the type is detected): the server's certificate must be one of them or
     * signed by one, and must name the host of the URI. Without this or
     * {@link #tlsTrustedCertificates}, the JVM's default trust (its public CAs) applies. Replaces an
     * earlier {@code tlsTrustedCertificates(...)}. The file is read now; the password is not kept.
     * Only with {@link #redisUri}: a client given to {@link #redisson} carries its own TLS settings.
     *
     * @param password the keystore's password (may be empty, never null)
     * @throws IllegalArgumentException if the file is not readable, the password is wrong, or it holds
     *     no certificate (the message never contains the password)
     */
    public DocumentManagerBuilder<T> tlsTruststore(Path truststore, String password) {
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(password, "password");
        this.tlsTrust = RedisConnections.trustFromKeystore(truststore, password.toCharArray());
        this.tlsTrustSetting = "tlsTruststore";
        return this;
    }

    /**
     * The certificates a {@code rediss://} {@link #redisUri} server must present, from a PEM file of
     * one or more {@code -----BEGIN CERTIFICATE-----} blocks (the format of Redis's
     * {@code tls-ca-cert-file}). Otherwise as {@link #tlsTruststore}, which it replaces.
     *
     * @throws IllegalArgumentException if the file is not readable or holds no PEM certificate
     */
    public DocumentManagerBuilder<T> tlsTrustedCertificates(Path pemFile) {
        Objects.requireNonNull(pemFile, "pemFile");
        this.tlsTrust = RedisConnections.trustFromPem(pemFile);
        this.tlsTrustSetting = "tlsTrustedCertificates";
        return this;
    }

    private void requireTlsTrustOnlyWithUri() {
        if (tlsTrust != null && redisUri == null) {
            throw new IllegalStateException(tlsTrustSetting + "(...) applies to redisUri(...) only;"
                    + (redisson != null ? " configure TLS on the Redisson client given to redisson(...)"
                    : " give the trust to the RedisDeployment given to redis(...)"));
        }
    }

    /** The deployment the manager opens its own client to, or null when given a client. */
    RedisDeployment deployment() {
        if (redis != null || redisUri == null) {
            return redis;
        }
        RedisDeployment.Builder single = RedisDeployment.single(redisUri);
        return (tlsTrust == null ? single : single.trust(tlsTrust)).build();
    }

    /**
     * Validates the settings, subscribes to the section's changes and returns a running manager.
     * Blocks until Redis confirms the subscription.
     *
     * @throws IllegalStateException naming the setting that is missing or inconsistent
     * @throws StoreUnavailableException if Redis cannot be reached
     */
    public DocumentManager<T> build() {
        int clients = (redisson != null ? 1 : 0) + (redis != null ? 1 : 0) + (redisUri != null ? 1 : 0);
        if (clients > 1 || (clients == 0 && (syncService == null || syncService.redisson() == null))) {
            throw new IllegalStateException("set exactly one of redisson(...), redis(...) and redisUri(...),"
                    + " or none and a syncService(...) built with a Redis client");
        }
        requireTlsTrustOnlyWithUri();
        if (partition == null) {
            throw new IllegalStateException("section(partition, section) is required");
        }
        if (origin == null) {
            throw new IllegalStateException("origin(region, node) is required");
        }
        if (retryBackoffMax.compareTo(retryBackoffBase) < 0) {
            throw new IllegalStateException("retryBackoff max (" + retryBackoffMax + ") is below its base (" + retryBackoffBase + ")");
        }
        if (subscribeTimeout.isZero()) {
            throw new IllegalStateException("subscribeTimeout must be positive");
        }
        return new DocumentManager<>(this);
    }

    /**
     * The section engine's settings, built once from this builder's validated values, in groups
     * that name what they hold. {@code serviceClock} runs the periodic work (the sync service's); the
     * writer keeps this builder's own clock.
     */
    SectionSettings<T> sectionSettings(boolean sharded, ObjectMapper mapper, Clock serviceClock, Executor executor) {
        return new SectionSettings<>(
                new SectionSettings.Identity(namespace, partition, section, sharded),
                new SectionSettings.Documents<>(type, mapper, valueSharing, conflictResolver),
                new SectionSettings.Cache(cacheMaximumSize, cacheIdleExpiry),
                new SectionSettings.Buffer(changeBufferSize, changeBufferTtl, changeBufferMaxEvents),
                new SectionSettings.Sync(logMaxLength, maxPendingChanges, catchUpBatchSize, historySource),
                new SectionSettings.Intervals(headCheckInterval, versionCheckInterval, bufferTrimInterval),
                new SectionSettings.Threads(serviceClock, executor),
                new DocumentWriter.Settings(origin, clock, executor, maxDocumentBytes, fullStateEvery, maxWriteAttempts,
                        retryBackoffBase, retryBackoffMax));
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
        return value;
    }

    private static Duration positiveDuration(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }
}
