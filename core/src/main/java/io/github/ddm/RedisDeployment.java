package io.github.ddm;

import io.github.ddm.internal.store.RedisConnections;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;
import org.redisson.config.SentinelServersConfig;
import org.redisson.config.SubscriptionMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a DDM component finds Redis and how it logs in: a single server, a Redis Cluster (seed
 * nodes) or a Sentinel-managed master (the master's name and the sentinels), with a user and
 * password, TLS (the certificates to trust and, for mutual TLS, a client certificate, as PEM files
 * or key stores) and timeouts. The same description, under the same {@code redis.*} keys, serves a
 * service's {@link DocumentManagerBuilder#redis(RedisDeployment) manager}, its configuration file
 * ({@link ManagerProperties}), the Kafka Connect source and sink, replay and every CLI tool.
 *
 * <pre>{@code
 * RedisDeployment.single("rediss://redis.eu.internal:6380").user("pricer").password(secret)
 *         .trustPem(Path.of("/etc/ddm/redis-ca.pem")).build();
 * RedisDeployment.cluster("redis://10.0.0.1:7000", "redis://10.0.0.2:7000").build();
 * RedisDeployment.sentinel("orders", "redis://s1:26379", "redis://s2:26379", "redis://s3:26379").build();
 * }</pre>
 *
 * <p>As keys ({@link #fromProperties}): {@code redis.uri} (one address, or a comma-separated
 * list for a cluster's seed nodes or the sentinels), {@code redis.mode} ({@code single},
 * {@code cluster} or {@code sentinel}), {@code redis.sentinel.master}, {@code redis.user},
 * {@code redis.password}, {@code redis.sentinel.user}, {@code redis.sentinel.password},
 * {@code redis.tls.certificates} (PEM) or {@code redis.tls.truststore.path} and
 * {@code .password}, {@code redis.tls.client.certificate} and {@code redis.tls.client.key} (PEM) or
 * {@code redis.tls.keystore.path} and {@code .password}, {@code redis.connect.timeout.ms} and
 * {@code redis.timeout.ms}.
 *
 * <p>Reads go to masters only, in every topology: a replica may lag behind a commit DDM has just
 * made. Passwords never appear in {@link #toString()}, in messages or in logs. TLS files are read
 * when the deployment is built, so a missing or unreadable file fails there, naming its setting.
 * Immutable and thread-safe.
 */
public final class RedisDeployment {

    private static final Logger log = LoggerFactory.getLogger(RedisDeployment.class);

    /** How the Redis servers are arranged. */
    public enum Topology {
        /** One server (it may have replicas DDM does not use). */
        SINGLE,
        /** A Redis Cluster; the addresses are seed nodes, the rest is discovered. */
        CLUSTER,
        /** A master and replicas watched by Redis Sentinel; the addresses are the sentinels. */
        SENTINEL
    }

    /** Key: the address(es), {@code redis://host:port} or {@code rediss://host:port} for TLS. */
    public static final String URI = "redis.uri";
    /** Key: {@code single} (default), {@code cluster} or {@code sentinel}. */
    public static final String MODE = "redis.mode";
    /** Key: the name of the master the sentinels watch (their {@code sentinel monitor} name). */
    public static final String SENTINEL_MASTER = "redis.sentinel.master";
    /** Key: the ACL user; empty or absent for {@code default}. */
    public static final String USER = "redis.user";
    /** Key: the password of the user (or {@code requirepass}). */
    public static final String PASSWORD = "redis.password";
    /** Key: the ACL user on the sentinels, if they require one. */
    public static final String SENTINEL_USER = "redis.sentinel.user";
    /** Key: the password on the sentinels, if they require one. */
    public static final String SENTINEL_PASSWORD = "redis.sentinel.password";
    /** Key: a PEM file of the certificates to trust (Redis's {@code tls-ca-cert-file}). */
    public static final String TLS_CERTIFICATES = "redis.tls.certificates";
    /** Key: a PKCS12 or JKS truststore, instead of {@link #TLS_CERTIFICATES}. */
    public static final String TLS_TRUSTSTORE_PATH = "redis.tls.truststore.path";
    /** Key: the password of {@link #TLS_TRUSTSTORE_PATH}. */
    public static final String TLS_TRUSTSTORE_PASSWORD = "redis.tls.truststore.password";
    /** Key: the client's certificate chain, PEM, for servers that require client certificates. */
    public static final String TLS_CLIENT_CERTIFICATE = "redis.tls.client.certificate";
    /** Key: the client's private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public static final String TLS_CLIENT_KEY = "redis.tls.client.key";
    /** Key: a PKCS12 or JKS keystore with the client's key and certificate, instead of PEM files. */
    public static final String TLS_KEYSTORE_PATH = "redis.tls.keystore.path";
    /** Key: the password of {@link #TLS_KEYSTORE_PATH} (and of the key in it). */
    public static final String TLS_KEYSTORE_PASSWORD = "redis.tls.keystore.password";
    /** Key: how long to wait for a connection, in milliseconds (default 10,000). */
    public static final String CONNECT_TIMEOUT_MS = "redis.connect.timeout.ms";
    /** Key: how long to wait for a command's reply, in milliseconds (default 3,000). */
    public static final String TIMEOUT_MS = "redis.timeout.ms";

    /** Every key {@link #fromProperties} reads. */
    public static final Set<String> KEYS = Set.of(URI, MODE, SENTINEL_MASTER, USER, PASSWORD, SENTINEL_USER, SENTINEL_PASSWORD,
            TLS_CERTIFICATES, TLS_TRUSTSTORE_PATH, TLS_TRUSTSTORE_PASSWORD, TLS_CLIENT_CERTIFICATE, TLS_CLIENT_KEY,
            TLS_KEYSTORE_PATH, TLS_KEYSTORE_PASSWORD, CONNECT_TIMEOUT_MS, TIMEOUT_MS);

    /** The keys whose values are secret: never shown in messages. */
    public static final Set<String> SECRET_KEYS = Set.of(PASSWORD, SENTINEL_PASSWORD, TLS_TRUSTSTORE_PASSWORD, TLS_KEYSTORE_PASSWORD);

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    private final Topology topology;
    private final List<String> addresses;
    private final boolean tls;
    private final String masterName;
    private final String user;
    private final String password;
    private final String sentinelUser;
    private final String sentinelPassword;
    private final TrustManagerFactory trust;
    private final String trustSource;
    private final KeyManagerFactory clientKey;
    private final String clientKeySource;
    private final Duration connectTimeout;
    private final Duration timeout;

    private RedisDeployment(Builder b) {
        this.topology = b.topology;
        this.addresses = List.copyOf(b.addresses);
        this.tls = b.tls;
        this.masterName = b.masterName;
        this.user = b.user;
        this.password = b.password;
        this.sentinelUser = b.sentinelUser;
        this.sentinelPassword = b.sentinelPassword;
        this.trust = b.trust;
        this.trustSource = b.trustSource;
        this.clientKey = b.clientKey;
        this.clientKeySource = b.clientKeySource;
        this.connectTimeout = b.connectTimeout;
        this.timeout = b.timeout;
    }

    /**
     * One server. The URI may carry {@code user:password@} or {@code :password@} (better: use
     * {@link Builder#user} and {@link Builder#password}, which keep the secret out of the address).
     *
     * @throws IllegalArgumentException if the URI is malformed (the message never holds the password)
     */
    public static Builder single(String uri) {
        return new Builder(Topology.SINGLE, List.of(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * A Redis Cluster reached through one or more of its nodes (every master and replica is then
     * discovered, and slot moves and failovers are followed).
     *
     * @throws IllegalArgumentException if no address is given or one is malformed
     */
    public static Builder cluster(String... seedUris) {
        return new Builder(Topology.CLUSTER, List.of(seedUris));
    }

    /** As {@link #cluster(String...)}, from a list. */
    public static Builder cluster(List<String> seedUris) {
        return new Builder(Topology.CLUSTER, seedUris);
    }

    /**
     * The master the sentinels know as {@code masterName}; a failover is followed.
     *
     * @throws IllegalArgumentException if the name is blank, no sentinel is given or one is malformed
     */
    public static Builder sentinel(String masterName, String... sentinelUris) {
        return sentinel(masterName, List.of(sentinelUris));
    }

    /** As {@link #sentinel(String, String...)}, from a list. */
    public static Builder sentinel(String masterName, List<String> sentinelUris) {
        Objects.requireNonNull(masterName, "masterName");
        if (masterName.isBlank()) {
            throw new IllegalArgumentException("the sentinel master name is blank");
        }
        Builder builder = new Builder(Topology.SENTINEL, sentinelUris);
        builder.masterName = masterName.strip();
        return builder;
    }

    /**
     * A deployment from the {@code redis.*} keys (see the class comment), each looked up as
     * {@code prefix + key}; other keys are ignored, and values are taken literally (resolve
     * references such as {@code ${env:...}} first, with {@link ConfigReferences}).
     *
     * @param prefix for example {@code "ddm."}; may be empty
     * @throws IllegalArgumentException naming the key (with the prefix) that is missing, unknown
     *     under {@code redis.}, or invalid, and why; never a secret's value
     */
    public static RedisDeployment fromProperties(Map<String, String> properties, String prefix) {
        return read(properties, prefix, true);
    }

    /**
     * Checks the {@code redis.*} keys as {@link #fromProperties} reads them, every rule included,
     * but without opening the TLS files: for a place that validates settings where the files need
     * not exist (Kafka Connect's {@code validate()}, which may run on another worker).
     *
     * @throws IllegalArgumentException as {@link #fromProperties} does
     */
    public static void check(Map<String, String> properties, String prefix) {
        read(properties, prefix, false);
    }

    private static RedisDeployment read(Map<String, String> properties, String prefix, boolean readFiles) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(prefix, "prefix");
        Map<String, String> values = new LinkedHashMap<>();
        TreeSet<String> unknown = new TreeSet<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(prefix + "redis.")) {
                String own = key.substring(prefix.length());
                if (!KEYS.contains(own)) {
                    unknown.add(key);
                } else if (value != null && !(SECRET_KEYS.contains(own) ? value.isEmpty() : value.isBlank())) {
                    values.put(own, SECRET_KEYS.contains(own) ? value : value.strip()); // a password keeps its spaces
                }
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown Redis setting(s) " + unknown + "; the keys are " + new TreeSet<>(KEYS)
                    .stream().map(k -> prefix + k).toList());
        }
        return new PropertyReader(values, prefix, readFiles).read();
    }

    /** How the servers are arranged. */
    public Topology topology() {
        return topology;
    }

    /** The addresses without credentials: the server, the cluster's seed nodes or the sentinels. */
    public List<String> addresses() {
        return addresses;
    }

    /** True for {@code rediss://}. */
    public boolean isTls() {
        return tls;
    }

    /** The sentinels' name for the master, or null unless {@link Topology#SENTINEL}. */
    public String masterName() {
        return masterName;
    }

    /** The ACL user, or null for {@code default}. */
    public String user() {
        return user;
    }

    /** True if a password is set (the password itself is not exposed). */
    public boolean hasPassword() {
        return password != null;
    }

    /** True if a client certificate is presented (mutual TLS). */
    public boolean hasClientCertificate() {
        return clientKey != null;
    }

    /** How long to wait for a connection. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long to wait for a command's reply. */
    public Duration timeout() {
        return timeout;
    }

    /** The password, for tests in this package; never exposed. */
    String password() {
        return password;
    }

    /** Channels per pub/sub connection of the clients DDM opens (Redisson's default is 5). */
    static final int SUBSCRIPTIONS_PER_CONNECTION = 100;

    /**
     * Opens a Redisson client for this deployment: reads from masters only, credentials and TLS as
     * described. The caller shuts it down.
     *
     * @throws StoreUnavailableException if no server can be reached, the credentials are refused or
     *     the TLS handshake fails; the message names the deployment, never the password
     */
    RedissonClient open() {
        // Redisson's default (5 channels on each of at most 50 pub/sub connections) holds 250
        // channels; each manager subscribes two, so a client shared by 125 managers refused the
        // next. 100 per connection keeps the same pool for 2,500 sections.
        Config config = new Config();
        int connectMillis = (int) connectTimeout.toMillis();
        int timeoutMillis = (int) timeout.toMillis();
        switch (topology) {
            case SINGLE -> config.useSingleServer().setAddress(addresses.get(0))
                    .setSubscriptionsPerConnection(SUBSCRIPTIONS_PER_CONNECTION)
                    .setConnectTimeout(connectMillis).setTimeout(timeoutMillis);
            case CLUSTER -> {
                ClusterServersConfig cluster = config.useClusterServers()
                        .setReadMode(ReadMode.MASTER).setSubscriptionMode(SubscriptionMode.MASTER)
                        .setSubscriptionsPerConnection(SUBSCRIPTIONS_PER_CONNECTION)
                        .setConnectTimeout(connectMillis).setTimeout(timeoutMillis);
                cluster.setNodeAddresses(new ArrayList<>(addresses));
            }
            case SENTINEL -> {
                SentinelServersConfig sentinels = config.useSentinelServers().setMasterName(masterName)
                        .setReadMode(ReadMode.MASTER).setSubscriptionMode(SubscriptionMode.MASTER)
                        .setSubscriptionsPerConnection(SUBSCRIPTIONS_PER_CONNECTION)
                        .setConnectTimeout(connectMillis).setTimeout(timeoutMillis);
                sentinels.setSentinelAddresses(new ArrayList<>(addresses));
                if (sentinelUser != null) {
                    sentinels.setSentinelUsername(sentinelUser);
                }
                if (sentinelPassword != null) {
                    sentinels.setSentinelPassword(sentinelPassword);
                }
            }
            default -> throw new IllegalStateException("unknown topology " + topology);
        }
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        if (trust != null) {
            config.setSslTrustManagerFactory(trust);
        }
        if (clientKey != null) {
            config.setSslKeyManagerFactory(clientKey);
        }
        try {
            RedissonClient client = Redisson.create(config);
            log.debug("connected to {}", this);
            return client;
        } catch (RuntimeException e) {
            throw new StoreUnavailableException(RedisConnections.failure("cannot connect to " + this, e, tls,
                    clientKey != null, password, sentinelPassword), e);
        }
    }

    /**
     * For messages and logs: topology, addresses, user and TLS setup, never a password, e.g.
     * {@code cluster [redis://a:7000, redis://b:7000] as user 'app'} or
     * {@code sentinel master 'orders' via [...] as user 'default' over TLS (trust: PEM /etc/ca.pem; client certificate: keystore /etc/me.p12)}.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        switch (topology) {
            case SINGLE -> text.append(addresses.get(0));
            case CLUSTER -> text.append("cluster ").append(addresses);
            case SENTINEL -> text.append("sentinel master '").append(masterName).append("' via ").append(addresses);
            default -> throw new IllegalStateException("unknown topology " + topology);
        }
        text.append(" as user '").append(user == null ? "default" : user).append('\'');
        if (tls) {
            text.append(" over TLS");
            List<String> parts = new ArrayList<>();
            if (trustSource != null) {
                parts.add("trust: " + trustSource);
            }
            if (clientKeySource != null) {
                parts.add("client certificate: " + clientKeySource);
            }
            if (!parts.isEmpty()) {
                text.append(" (").append(String.join("; ", parts)).append(')');
            }
        }
        return text.toString();
    }

    /**
     * Builds a {@link RedisDeployment}. Each setter validates its own argument; {@link #build()}
     * checks the combination. Not thread-safe.
     */
    public static final class Builder {
        private final Topology topology;
        private final List<String> addresses = new ArrayList<>();
        private final boolean tls;
        private String masterName;
        private String user;
        private String password;
        private String sentinelUser;
        private String sentinelPassword;
        private TrustManagerFactory trust;
        private String trustSource;
        private KeyManagerFactory clientKey;
        private String clientKeySource;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(Topology topology, List<String> uris) {
            this.topology = topology;
            Objects.requireNonNull(uris, "uris");
            if (uris.isEmpty()) {
                throw new IllegalArgumentException(switch (topology) {
                    case CLUSTER -> "a cluster needs at least one seed node address";
                    case SENTINEL -> "a sentinel deployment needs at least one sentinel address";
                    default -> "a Redis address is required";
                });
            }
            Boolean secure = null;
            for (String uri : uris) {
                RedisConnections.ParsedUri parsed = RedisConnections.parse(Objects.requireNonNull(uri, "uri"));
                if (secure != null && secure != parsed.tls()) {
                    throw new IllegalArgumentException("the addresses mix redis:// and rediss://: " + uris.stream()
                            .map(RedisConnections::redact).toList() + "; use one scheme for all");
                }
                secure = parsed.tls();
                if (parsed.user() != null || parsed.password() != null) {
                    if (topology != Topology.SINGLE) {
                        throw new IllegalArgumentException("credentials in " + RedisConnections.redact(uri)
                                + ": put them in user(...) and password(...), which apply to every node");
                    }
                    user = parsed.user();
                    password = parsed.password();
                }
                addresses.add(parsed.address());
            }
            if (topology == Topology.SINGLE && addresses.size() > 1) {
                throw new IllegalArgumentException("a single server has one address, not " + addresses
                        + "; for several use cluster(...) or sentinel(...)");
            }
            this.tls = secure;
        }

        /** The ACL user; null or empty for {@code default}. */
        public Builder user(String user) {
            this.user = user == null || user.isEmpty() ? null : user;
            return this;
        }

        /** The password of the user (or {@code requirepass}); null or empty for none. */
        public Builder password(String password) {
            this.password = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /**
         * The user and password on the sentinels, if they require their own ({@code requirepass} in
         * sentinel.conf); null or empty for none.
         *
         * @throws IllegalStateException unless this is a sentinel deployment
         */
        public Builder sentinelCredentials(String user, String password) {
            if (topology != Topology.SENTINEL) {
                throw new IllegalStateException("sentinel credentials apply to sentinel(...) deployments only, not " + topology);
            }
            this.sentinelUser = user == null || user.isEmpty() ? null : user;
            this.sentinelPassword = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /**
         * Trusts the certificates in a PEM file (Redis's {@code tls-ca-cert-file}) instead of the
         * JVM's certificate authorities.
         *
         * @throws IllegalArgumentException if the file cannot be read or holds no certificate
         */
        public Builder trustPem(Path pemFile) {
            return trust(RedisConnections.trustFromPem(Objects.requireNonNull(pemFile, "pemFile")), "PEM " + pemFile);
        }

        /**
         * Trusts the certificates in a PKCS12 or JKS truststore.
         *
         * @throws IllegalArgumentException if the file cannot be read, the password is wrong, or it holds no certificate
         */
        public Builder truststore(Path truststore, String password) {
            Objects.requireNonNull(truststore, "truststore");
            return trust(RedisConnections.trustFromKeystore(truststore, password == null ? new char[0] : password.toCharArray()),
                    "truststore " + truststore);
        }

        /** Trusts what {@code trust} trusts (for example {@link RedisClients#trustFromPem}). */
        public Builder trust(TrustManagerFactory trust) {
            return trust(Objects.requireNonNull(trust, "trust"), "given in code");
        }

        private Builder trust(TrustManagerFactory factory, String source) {
            if (this.trustSource != null) {
                throw new IllegalStateException("the certificates to trust are set twice (" + trustSource + ", then " + source
                        + "): set one");
            }
            this.trust = factory;
            this.trustSource = source;
            return this;
        }

        /**
         * Presents a client certificate (mutual TLS, for servers with {@code tls-auth-clients yes}):
         * the certificate chain and its unencrypted PKCS#8 private key, as PEM files (the format of
         * Redis's {@code tls-cert-file} and {@code tls-key-file}).
         *
         * @throws IllegalArgumentException if a file cannot be read, or the key does not match the certificate
         */
        public Builder clientCertificatePem(Path certificateChain, Path privateKey) {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
            return clientKey(RedisConnections.keyFromPem(certificateChain, privateKey), "PEM " + certificateChain);
        }

        /**
         * Presents the client certificate and key held in a PKCS12 or JKS keystore (the key's
         * password must be the store's).
         *
         * @throws IllegalArgumentException if the file cannot be read, the password is wrong, or it holds no key
         */
        public Builder clientKeystore(Path keystore, String password) {
            Objects.requireNonNull(keystore, "keystore");
            return clientKey(RedisConnections.keyFromKeystore(keystore, password == null ? new char[0] : password.toCharArray()),
                    "keystore " + keystore);
        }

        private Builder clientKey(KeyManagerFactory factory, String source) {
            if (this.clientKeySource != null) {
                throw new IllegalStateException("the client certificate is set twice (" + clientKeySource + ", then " + source
                        + "): set one");
            }
            this.clientKey = factory;
            this.clientKeySource = source;
            return this;
        }

        /** How long to wait for a connection (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** How long to wait for a command's reply (default 3 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must be positive and at most " + Integer.MAX_VALUE + " ms, not " + value);
            }
            return value;
        }

        /**
         * The deployment.
         *
         * @throws IllegalStateException if TLS material is set for plain {@code redis://} addresses
         */
        public RedisDeployment build() {
            if (!tls && (trustSource != null || clientKeySource != null)) {
                throw new IllegalStateException((trustSource != null ? "TLS trust (" + trustSource + ")" : "a client certificate ("
                        + clientKeySource + ")") + " is set, but " + addresses + (addresses.size() == 1 ? " is" : " are")
                        + " plain redis://; use rediss:// for TLS");
            }
            return new RedisDeployment(this);
        }
    }

    /** Reads the {@code redis.*} keys, naming the key in every error. */
    private static final class PropertyReader {
        private final Map<String, String> values;
        private final String prefix;
        private final boolean readFiles;

        PropertyReader(Map<String, String> values, String prefix, boolean readFiles) {
            this.values = values;
            this.prefix = prefix;
            this.readFiles = readFiles;
        }

        RedisDeployment read() {
            exclusive(TLS_CERTIFICATES, TLS_TRUSTSTORE_PATH, "name the certificates to trust");
            exclusive(TLS_CLIENT_CERTIFICATE, TLS_KEYSTORE_PATH, "name the client certificate");
            String uri = values.get(URI);
            if (uri == null) {
                throw new IllegalArgumentException(prefix + URI + " is required (redis://host:port, or rediss:// for TLS)");
            }
            List<String> uris = new ArrayList<>();
            for (String part : uri.split(",")) {
                if (!part.isBlank()) {
                    uris.add(part.strip());
                }
            }
            Topology topology = topology();
            Builder builder = at(URI, () -> switch (topology) {
                case SINGLE -> {
                    if (uris.size() != 1) {
                        throw new IllegalArgumentException("a single server has one address, not " + uris.stream()
                                .map(RedisConnections::redact).toList() + "; for several, set " + prefix + MODE + " to cluster or sentinel");
                    }
                    yield single(uris.get(0));
                }
                case CLUSTER -> cluster(uris);
                case SENTINEL -> {
                    String master = values.get(SENTINEL_MASTER);
                    if (master == null) {
                        throw new IllegalArgumentException(prefix + SENTINEL_MASTER + " is required when " + prefix + MODE + " is sentinel");
                    }
                    yield sentinel(master, uris);
                }
            });
            if (topology != Topology.SENTINEL) {
                for (String key : List.of(SENTINEL_MASTER, SENTINEL_USER, SENTINEL_PASSWORD)) {
                    if (values.containsKey(key)) {
                        throw new IllegalArgumentException(prefix + key + " applies only when " + prefix + MODE + " is sentinel, not "
                                + topology.name().toLowerCase(Locale.ROOT));
                    }
                }
            }
            if (values.containsKey(USER) || values.containsKey(PASSWORD)) {
                at(USER + ", " + PASSWORD, () -> {
                    if (builder.user != null || builder.password != null) {
                        throw new IllegalArgumentException(prefix + URI + " carries credentials too: set them in one place");
                    }
                    return builder.user(values.get(USER)).password(values.get(PASSWORD));
                });
            }
            if (values.containsKey(SENTINEL_USER) || values.containsKey(SENTINEL_PASSWORD)) {
                builder.sentinelCredentials(values.get(SENTINEL_USER), values.get(SENTINEL_PASSWORD));
            }
            // Without readFiles, only where the material comes from is recorded, so that build() checks the rules.
            if (values.containsKey(TLS_CERTIFICATES)) {
                Path pem = Path.of(values.get(TLS_CERTIFICATES));
                at(TLS_CERTIFICATES, () -> readFiles ? builder.trustPem(pem) : builder.trust(null, "PEM " + pem));
            }
            if (values.containsKey(TLS_TRUSTSTORE_PATH) || values.containsKey(TLS_TRUSTSTORE_PASSWORD)) {
                Path path = Path.of(required(TLS_TRUSTSTORE_PATH, TLS_TRUSTSTORE_PASSWORD));
                at(TLS_TRUSTSTORE_PATH, () -> readFiles ? builder.truststore(path, values.get(TLS_TRUSTSTORE_PASSWORD))
                        : builder.trust(null, "truststore " + path));
            }
            if (values.containsKey(TLS_CLIENT_CERTIFICATE) || values.containsKey(TLS_CLIENT_KEY)) {
                Path certificate = Path.of(required(TLS_CLIENT_CERTIFICATE, TLS_CLIENT_KEY));
                Path key = Path.of(required(TLS_CLIENT_KEY, TLS_CLIENT_CERTIFICATE));
                at(TLS_CLIENT_CERTIFICATE, () -> readFiles ? builder.clientCertificatePem(certificate, key)
                        : builder.clientKey(null, "PEM " + certificate));
            }
            if (values.containsKey(TLS_KEYSTORE_PATH) || values.containsKey(TLS_KEYSTORE_PASSWORD)) {
                Path path = Path.of(required(TLS_KEYSTORE_PATH, TLS_KEYSTORE_PASSWORD));
                at(TLS_KEYSTORE_PATH, () -> readFiles ? builder.clientKeystore(path, values.get(TLS_KEYSTORE_PASSWORD))
                        : builder.clientKey(null, "keystore " + path));
            }
            if (values.containsKey(CONNECT_TIMEOUT_MS)) {
                at(CONNECT_TIMEOUT_MS, () -> builder.connectTimeout(Duration.ofMillis(millis(CONNECT_TIMEOUT_MS))));
            }
            if (values.containsKey(TIMEOUT_MS)) {
                at(TIMEOUT_MS, () -> builder.timeout(Duration.ofMillis(millis(TIMEOUT_MS))));
            }
            return at(URI, builder::build);
        }

        private Topology topology() {
            String mode = values.getOrDefault(MODE, "single");
            try {
                return Topology.valueOf(mode.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + MODE + " = '" + mode + "' is not one of single, cluster, sentinel", e);
            }
        }

        private long millis(String key) {
            String value = values.get(key);
            try {
                return Long.parseLong(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not a whole number of milliseconds", e);
            }
        }

        private void exclusive(String one, String other, String what) {
            if (values.containsKey(one) && values.containsKey(other)) {
                throw new IllegalArgumentException(prefix + one + " and " + prefix + other + " both " + what + ": set one");
            }
        }

        private String required(String key, String because) {
            String value = values.get(key);
            if (value == null) {
                throw new IllegalArgumentException(prefix + key + " is required when " + prefix + because + " is set");
            }
            return value;
        }

        /** Runs a builder step; a refusal names the key(s) it came from. */
        private <R> R at(String keys, java.util.function.Supplier<R> step) {
            try {
                return step.get();
            } catch (IllegalArgumentException | IllegalStateException e) {
                if (String.valueOf(e.getMessage()).startsWith(prefix + "redis.")) {
                    throw e; // already names its key
                }
                List<String> named = new ArrayList<>();
                for (String key : keys.split(", ")) {
                    named.add(prefix + key);
                }
                throw new IllegalArgumentException(String.join(", ", named) + ": " + e.getMessage(), e);
            }
        }
    }
}
