package io.github.ddm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} process on a free loopback port, with its own temporary directory.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().start()) {
 *     String uri = redis.uri();          // redis://127.0.0.1:<port>
 *     redis.restart();                   // same port; data is gone unless persistence(true)
 * }
 * }</pre>
 *
 * <p>With {@link Builder#tls(boolean) tls(true)} the server speaks TLS only, with a self-signed
 * certificate for {@code 127.0.0.1} made by the JDK's keytool ({@link #tlsUri()},
 * {@link #tlsTruststore()}, {@link #tlsCertificate()}, {@link #tlsContext()}).
 *
 * <p>By default nothing is persisted ({@code save ""}, {@code appendonly no}). {@link #close()}
 * stops the process and deletes its directory; the process is also killed when the JVM exits
 * (see {@link RedisBinaries} for where the binary comes from).
 *
 * <p>Thread-safe: lifecycle methods are synchronized.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
    private static final String HOST = "127.0.0.1";
    private static final String CONFIG_FILE = "redis.conf";
    private static final String LOG_FILE = "redis.log";
    private static final String TLS_DIRECTORY = "tls";
    private static final int MAX_PORT_ATTEMPTS = 5;

    private final Builder settings;
    private final Path directory;
    private TlsMaterial tls;
    private int port;
    private Process process;
    private String version;
    private boolean closed;

    private RedisServer(Builder settings) {
        this.settings = settings;
        try {
            this.directory = Files.createTempDirectory("ddm-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for redis-server", e);
        }
    }

    /** Settings for a new server; call {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a server with the default settings. */
    public static RedisServer start() {
        return builder().start();
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The client port (the TLS port when {@link #isTls()}). It stays the same across {@link #restart()}. */
    public synchronized int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, or {@code rediss://127.0.0.1:<port>} when {@link #isTls()} (without credentials). */
    public String uri() {
        return (isTls() ? "rediss://" : "redis://") + HOST + ":" + port();
    }

    /** True if the server speaks TLS only ({@link Builder#tls(boolean)}). */
    public boolean isTls() {
        return settings.tls;
    }

    /**
     * {@code rediss://127.0.0.1:<port>} (without credentials).
     *
     * @throws IllegalStateException if the server was not started with {@code tls(true)}
     */
    public String tlsUri() {
        requireTls();
        return uri();
    }

    /**
     * The server's certificate, PEM. It is self-signed, so it is also the CA certificate a client
     * trusts (what redis-cli takes as {@code --cacert}).
     *
     * @throws IllegalStateException if the server was not started with {@code tls(true)}
     */
    public Path tlsCertificate() {
        return requireTls().certificate();
    }

    /**
     * A PKCS12 truststore holding only the server's certificate, for JVM clients; its password is
     * {@link #tlsTruststorePassword()}.
     *
     * @throws IllegalStateException if the server was not started with {@code tls(true)}
     */
    public Path tlsTruststore() {
        return requireTls().truststore();
    }

    /** The password of {@link #tlsTruststore()} and of {@link #tlsClientKeystore()}. */
    public String tlsTruststorePassword() {
        return requireTls().truststorePassword();
    }

    /**
     * The certificate a client presents, PEM (its own CA).
     *
     * @throws IllegalStateException unless started with {@link Builder#requireClientCertificates(boolean)}
     */
    public Path tlsClientCertificate() {
        return requireClient().clientCertificate();
    }

    /**
     * The client's unencrypted PKCS#8 private key, PEM.
     *
     * @throws IllegalStateException unless started with {@link Builder#requireClientCertificates(boolean)}
     */
    public Path tlsClientKey() {
        return requireClient().clientKey();
    }

    /**
     * A PKCS12 keystore with the client's key and certificate; its password is {@link #tlsTruststorePassword()}.
     *
     * @throws IllegalStateException unless started with {@link Builder#requireClientCertificates(boolean)}
     */
    public Path tlsClientKeystore() {
        return requireClient().clientKeystore();
    }

    private TlsMaterial requireClient() {
        TlsMaterial material = requireTls();
        if (!material.hasClient()) {
            throw new IllegalStateException("this RedisServer was not started with requireClientCertificates(true)");
        }
        return material;
    }

    /**
     * A fresh TLS context that trusts exactly this server's certificate (for {@link RespClient#connectTls}
     * or any JDK client).
     *
     * @throws IllegalStateException if the server was not started with {@code tls(true)}
     */
    public SSLContext tlsContext() {
        return requireTls().clientContext();
    }

    private synchronized TlsMaterial requireTls() {
        if (!settings.tls) {
            throw new IllegalStateException("this RedisServer was not started with tls(true)");
        }
        return tls;
    }

    /** The server's version as reported by {@code INFO server}, for example {@code 7.0.15}. */
    public synchronized String version() {
        return version;
    }

    /** The server's working directory (config, log, and data files when persistence is on). */
    public Path directory() {
        return directory;
    }

    /** The operating-system process id, or -1 when stopped. */
    public synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /** True while the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The password of the default user, or null when the default user needs none. */
    public String password() {
        return settings.password;
    }

    /**
     * Opens an administrative connection, authenticated as the default user when a password is set.
     * The caller closes it.
     */
    public RespClient client() {
        RespClient client = connect(Duration.ofSeconds(5));
        if (settings.password != null) {
            client.auth(null, settings.password);
        }
        return client;
    }

    /** Runs one command on a fresh administrative connection and returns its reply. */
    public Object call(String... command) {
        try (RespClient client = client()) {
            return client.call(command);
        }
    }

    /** Deletes every key ({@code FLUSHALL}). */
    public void flushAll() {
        call("FLUSHALL");
    }

    /** Stops the process gracefully (SIGTERM, which saves if persistence is on). Idempotent. */
    public synchronized void stop() {
        if (process != null) {
            ChildProcesses.stop(process, 10_000);
            process = null;
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public synchronized void kill() {
        if (process != null) {
            ChildProcesses.kill(process);
            process = null;
        }
    }

    /** Stops the process and starts it again on the same port and directory. */
    public synchronized void restart() {
        stop();
        launch(false);
    }

    /** Starts the process again after {@link #stop()} or {@link #kill()}, on the same port. */
    public synchronized void resume() {
        if (!isRunning()) {
            launch(false);
        }
    }

    /** Stops the process and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return "RedisServer[" + HOST + ":" + port + ", " + (isRunning() ? "running" : "stopped") + "]";
    }

    private synchronized RedisServer startFirst() {
        if (settings.tls) {
            tls = TlsMaterial.generate(directory.resolve(TLS_DIRECTORY), settings.clientCertificates);
        }
        launch(settings.port == 0);
        return this;
    }

    /** A connection to the client port, over TLS when the server speaks it. */
    private RespClient connect(Duration timeout) {
        return settings.tls ? RespClient.connectTls(HOST, port(), timeout, tls.clientContext())
                : RespClient.connect(HOST, port(), timeout);
    }

    private void launch(boolean pickPort) {
        if (closed) {
            throw new IllegalStateException("this RedisServer was closed");
        }
        Path binary = RedisBinaries.redisServer();
        for (int attempt = 1; ; attempt++) {
            if (pickPort) {
                port = settings.clusterEnabled ? FreePorts.withClusterBus() : FreePorts.any();
            } else if (port == 0) {
                port = settings.port;
            }
            writeConfig();
            try {
                ProcessBuilder pb = new ProcessBuilder(binary.toString(), directory.resolve(CONFIG_FILE).toString())
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(LOG_FILE).toFile()));
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + binary, e);
            }
            ChildProcesses.register(process);
            String failure = awaitReady();
            if (failure == null) {
                log.debug("redis-server {} ready on port {} ({})", version, port, binary);
                return;
            }
            ChildProcesses.stop(process, 1_000);
            process = null;
            boolean portTaken = failure.contains("Address already in use");
            if (!(pickPort && portTaken && attempt < MAX_PORT_ATTEMPTS)) {
                // A redis-server built without TLS does not know the tls-* directives at all.
                String hint = settings.tls && failure.toLowerCase(Locale.ROOT).contains("tls")
                        ? " (tls(true) needs a redis-server built with TLS support, BUILD_TLS=yes; this one is " + binary + ")"
                        : "";
                throw new IllegalStateException("redis-server did not start on port " + port + hint + ": " + failure);
            }
        }
    }

    /** Returns null when the server answers, else why it did not. */
    private String awaitReady() {
        long deadline = System.nanoTime() + settings.startupTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return "the process exited with code " + process.exitValue() + "; log tail:\n" + logTail();
            }
            try (RespClient client = connect(Duration.ofMillis(500))) {
                if (settings.password != null) {
                    client.auth(null, settings.password);
                }
                client.call("PING");
                version = client.info("server", "redis_version");
                return null;
            } catch (UncheckedIOException e) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            } catch (RedisReplyException e) {
                if (!e.code().equals("LOADING")) {
                    return "the server answered PING with: " + e.getMessage();
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        }
        return "no answer within " + settings.startupTimeout + "; log tail:\n" + logTail();
    }

    private void writeConfig() {
        List<String> lines = new ArrayList<>();
        if (settings.tls) {
            lines.add("port 0");
            lines.add("tls-port " + port);
            lines.add("tls-cert-file " + RedisText.quote(tls.certificate().toString()));
            lines.add("tls-key-file " + RedisText.quote(tls.privateKey().toString()));
            lines.add("tls-ca-cert-file " + RedisText.quote(tls.caFile().toString()));
            lines.add("tls-auth-clients " + (settings.clientCertificates ? "yes" : "no"));
        } else {
            lines.add("port " + port);
        }
        lines.addAll(RedisText.processConfig(HOST, directory));
        lines.add("enable-debug-command local");
        if (settings.persistence) {
            lines.add("appendonly yes");
            lines.add("appendfsync everysec");
            lines.add("save \"\"");
        } else {
            lines.add("appendonly no");
            lines.add("save \"\"");
        }
        if (settings.clusterEnabled) {
            lines.add("cluster-enabled yes");
            lines.add("cluster-config-file nodes.conf");
            lines.add("cluster-node-timeout " + settings.clusterNodeTimeout.toMillis());
        }
        if (settings.password != null) {
            lines.add("requirepass " + RedisText.quote(settings.password));
        }
        lines.addAll(settings.aclUsers);
        lines.addAll(settings.extraConfig);
        RedisText.writeConfig(directory, CONFIG_FILE, lines);
    }

    private String logTail() {
        return RedisText.logTail(directory.resolve(LOG_FILE));
    }


    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete {}", root, e);
        }
    }

    /** Settings of a {@link RedisServer}. Not thread-safe; build on one thread. */
    public static final class Builder {
        private int port;
        private String password;
        private boolean persistence;
        private boolean clusterEnabled;
        private boolean tls;
        private boolean clientCertificates;
        private Duration clusterNodeTimeout = Duration.ofSeconds(5);
        private Duration startupTimeout = Duration.ofSeconds(30);
        private final List<String> aclUsers = new ArrayList<>();
        private final List<String> extraConfig = new ArrayList<>();

        private Builder() {
        }

        /** A fixed port; by default (0) a free one is chosen. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Requires this password for the default user ({@code requirepass}). */
        public Builder password(String password) {
            this.password = requireText("password", password);
            return this;
        }

        /**
         * Adds an ACL user, for example {@code aclUser("app", "s3cret", "~ddm:*", "&ddm:*", "+@all")}.
         *
         * @param rules ACL rules as in {@code ACL SETUSER}, after {@code on >password}
         */
        public Builder aclUser(String name, String password, String... rules) {
            requireText("ACL user name", name);
            requireText("ACL password", password);
            if (name.contains(" ") || password.contains(" ")) {
                throw new IllegalArgumentException("ACL user names and passwords must not contain spaces");
            }
            StringBuilder line = new StringBuilder("user ").append(name).append(" on >").append(password);
            for (String rule : rules) {
                line.append(' ').append(Objects.requireNonNull(rule, "rule"));
            }
            aclUsers.add(line.toString());
            return this;
        }

        /** Keeps data across {@link RedisServer#restart()} (append-only file). Off by default. */
        public Builder persistence(boolean persistence) {
            this.persistence = persistence;
            return this;
        }

        /**
         * Serves TLS only: generates a self-signed certificate and key for {@code 127.0.0.1} with the
         * JDK's keytool, and runs with {@code port 0}, {@code tls-port <port>} and
         * {@code tls-auth-clients no} (clients need no certificate of their own). Off by default.
         * Needs a redis-server built with TLS support; the binaries shipped in
         * {@code org.signal:embedded-redis} are. Not available with {@link #clusterEnabled(boolean)}.
         */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /**
         * Serves TLS only (as {@link #tls(boolean)}) and requires every client to present a
         * certificate ({@code tls-auth-clients yes}, mutual TLS). A second self-signed certificate is
         * made for the client ({@link RedisServer#tlsClientCertificate()}, {@link RedisServer#tlsClientKey()},
         * {@link RedisServer#tlsClientKeystore()}); the server accepts exactly it. Off by default.
         */
        public Builder requireClientCertificates(boolean required) {
            this.clientCertificates = required;
            this.tls |= required;
            return this;
        }

        /** Starts the server in cluster mode (used by {@link RedisCluster}). */
        public Builder clusterEnabled(boolean clusterEnabled) {
            this.clusterEnabled = clusterEnabled;
            return this;
        }

        /** {@code cluster-node-timeout} for cluster mode (default 5 s). */
        public Builder clusterNodeTimeout(Duration timeout) {
            this.clusterNodeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait for the first PONG (default 30 s). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Adds a raw {@code redis.conf} directive, such as {@code config("maxmemory", "64mb")}. */
        public Builder config(String directive, String... arguments) {
            requireText("directive", directive);
            extraConfig.add(directive + (arguments.length == 0 ? "" : " " + String.join(" ", arguments)));
            return this;
        }

        /**
         * Starts the server and waits until it answers PING.
         *
         * @throws IllegalStateException if it does not start (the message includes its log)
         */
        public RedisServer start() {
            if (tls && clusterEnabled) {
                throw new IllegalArgumentException("tls(true) is not supported with clusterEnabled(true)");
            }
            RedisServer server = new RedisServer(this);
            try {
                return server.startFirst();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }

        private static String requireText(String what, String value) {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return value;
        }
    }
}
