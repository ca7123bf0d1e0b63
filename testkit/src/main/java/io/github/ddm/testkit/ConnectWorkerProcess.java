package io.github.ddm.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect distributed worker ({@code org.apache.kafka.connect.cli.ConnectDistributed}) in
 * its own JVM process, so that a test can crash it for real: {@link #kill()} is SIGKILL, after
 * which nothing of the worker runs (no task stop, no offset flush, no transaction commit or abort).
 * {@link #resume()} starts it again with the same configuration, REST port and group.
 *
 * <pre>{@code
 * try (ConnectWorkerProcess worker = ConnectWorkerProcess.builder(kafka)
 *         .name("eos")
 *         .pluginPath(installedPlugins)
 *         .workerProperty("exactly.once.source.support", "enabled")
 *         .start()) {
 *     worker.rest().putConnector("source", config);
 *     worker.rest().awaitRunning("source", 1, Duration.ofSeconds(60));
 *     worker.kill();     // SIGKILL, as a crash
 *     worker.resume();   // same config, port and group; returns when its REST API is ready
 * }
 * }</pre>
 *
 * <p>The child JVM's class path is, by default, this JVM's class path without DDM's own classes
 * ({@link #classpathWithoutDdm()}): it holds Kafka Connect's runtime and its dependencies, so a
 * DDM plugin can only be loaded from {@code plugin.path}, as on a production worker. The worker
 * reads a generated {@code worker.properties} in its directory (by default
 * {@code target/connect-workers/<name>} under the working directory) and writes its log, across
 * restarts, to {@code worker.log} there; the directory is kept after {@link #close()}.
 *
 * <p>Lifecycle methods are synchronized; REST calls may come from any thread. Arguments must not
 * be null. The process is registered with testkit's reaper, so it does not outlive the test JVM.
 */
public final class ConnectWorkerProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectWorkerProcess.class);

    /** The main class every worker process runs; the reaper recognises orphans by it. */
    static final String MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectDistributed";

    private static final String HOST = "127.0.0.1";
    private static final String PROPERTIES_FILE = "worker.properties";
    private static final String LOG_CONFIG_FILE = "log4j2.xml";
    private static final String ARGUMENT_FILE = "jvm.args";
    private static final String LOG_FILE = "worker.log";
    private static final String START_MARKER = "==== start ";
    private static final int MAX_PORT_ATTEMPTS = 5;
    private static final String DDM_PACKAGE_PATH = "io/github/ddm";

    private final Builder settings;
    private final Path directory;
    private final List<Path> classpath;
    private final ConnectRestClient rest;
    private int port;
    private Map<String, String> givenConfig;
    private int starts;
    private Process process;
    private boolean closed;

    private ConnectWorkerProcess(Builder settings) {
        this.settings = settings;
        this.directory = settings.directory.toAbsolutePath();
        this.classpath = List.copyOf(settings.classpath != null ? settings.classpath : classpathWithoutDdm());
        this.rest = new ConnectRestClient(this::restUrl);
    }

    /** Settings for a worker that uses this Kafka cluster; call {@link Builder#start()}. */
    public static Builder builder(KafkaCluster kafka) {
        return new Builder(Objects.requireNonNull(kafka, "kafka").bootstrapServers());
    }

    /**
     * This JVM's class path ({@code java.class.path}) without DDM's own classes: directories that
     * hold {@code io/github/ddm} (a module's {@code target/classes} or {@code target/test-classes})
     * and jars named {@code ddm-*} or holding classes under {@code io.github.ddm}. Surefire and
     * failsafe set {@code java.class.path} to the test class path, also when they start the test JVM
     * through a manifest-only jar. What remains is Kafka (Connect runtime, clients, JSON converter),
     * its dependencies, the logging binding and whatever else the test uses.
     */
    public static List<Path> classpathWithoutDdm() {
        List<Path> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath();
            if (Files.exists(path) && !holdsDdmClasses(path)) {
                kept.add(path);
            }
        }
        return kept;
    }

    private static boolean holdsDdmClasses(Path entry) {
        if (Files.isDirectory(entry)) {
            return Files.isDirectory(entry.resolve(DDM_PACKAGE_PATH));
        }
        if (entry.getFileName().toString().startsWith("ddm-")) {
            return true;
        }
        try (ZipFile jar = new ZipFile(entry.toFile())) {
            return jar.stream().anyMatch(e -> e.getName().startsWith(DDM_PACKAGE_PATH + "/"));
        } catch (IOException e) {
            return false; // not a jar: nothing the JVM would load classes from
        }
    }

    /** The REST URL, such as {@code http://127.0.0.1:40123/}; stable across {@link #kill()} and {@link #resume()}. */
    public String restUrl() {
        return "http://" + HOST + ":" + port + "/";
    }

    /** The REST port (also the worker's advertised port). */
    public int port() {
        return port;
    }

    /** The pid of the running process. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("the worker is not running");
        }
        return process.pid();
    }

    /** Whether the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The worker's directory: properties, log configuration, argument file and log. */
    public Path directory() {
        return directory;
    }

    /** The worker's log (stdout and stderr of every start, appended). */
    public Path logFile() {
        return directory.resolve(LOG_FILE);
    }

    /** The child JVM's class path. */
    public List<Path> classpath() {
        return classpath;
    }

    /** The worker configuration as written to {@code worker.properties}. */
    public Map<String, String> workerProperties() {
        return workerConfig();
    }

    /**
     * Kills the process with SIGKILL ({@link Process#destroyForcibly()}), as a crash would, and
     * waits until it is gone. The worker's group membership, open transactions and unflushed
     * offsets are left as they are. Idempotent.
     */
    public synchronized void kill() {
        if (process != null) {
            long pid = process.pid();
            ChildProcesses.kill(process);
            process = null;
            log.info("Connect worker {} (pid {}) killed with SIGKILL", settings.name, pid);
        }
    }

    /** Stops the process gracefully (SIGTERM: tasks stop, offsets flush), SIGKILL after 15 s. Idempotent. */
    public synchronized void stop() {
        if (process != null) {
            ChildProcesses.stop(process, 15_000);
            process = null;
        }
    }

    /**
     * Starts the process again after {@link #kill()} or {@link #stop()}, with the same configuration,
     * port and group, and returns once its REST API reports it ready. Does nothing if it runs.
     *
     * @throws IllegalStateException if the worker does not become ready within the startup timeout
     */
    public synchronized void resume() {
        if (!isRunning()) {
            launch(false);
        }
    }

    /** Stops the process gracefully and starts it again ({@link #stop()}, then {@link #resume()}). */
    public synchronized void restart() {
        stop();
        launch(false);
    }

    /** Stops the process gracefully. Idempotent; the directory (and the log) is kept. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            stop();
        }
    }

    /** A client for this worker's REST API; it follows the worker across {@link #kill()} and {@link #resume()}. */
    public ConnectRestClient rest() {
        return rest;
    }

    @Override
    public String toString() {
        return "ConnectWorkerProcess[" + settings.name + ", " + restUrl() + ", " + (isRunning() ? "running" : "stopped") + "]";
    }

    private synchronized ConnectWorkerProcess startFirst() {
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(logFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + directory, e);
        }
        launch(true);
        return this;
    }

    private void launch(boolean pickPort) {
        if (closed) {
            throw new IllegalStateException("this ConnectWorkerProcess was closed");
        }
        for (int attempt = 1; ; attempt++) {
            if (pickPort) {
                port = FreePorts.any();
                givenConfig = null;
            }
            starts++;
            writeFiles();
            long started = System.nanoTime();
            try {
                Files.writeString(logFile(), START_MARKER + starts + " at " + Instant.now() + " on port " + port + " ====\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                // The class path goes in an argument file: a long one would not fit a command-line argument.
                // The main class stays on the command line, where the reaper looks for it.
                process = new ProcessBuilder(java, "@" + directory.resolve(ARGUMENT_FILE), MAIN_CLASS,
                        directory.resolve(PROPERTIES_FILE).toString())
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Connect worker " + settings.name, e);
            }
            ChildProcesses.register(process);
            String failure = awaitReady();
            if (failure == null) {
                log.info("Connect worker {} (pid {}) ready at {} in {} ms (start {})", settings.name, process.pid(), restUrl(),
                        (System.nanoTime() - started) / 1_000_000, starts);
                return;
            }
            ChildProcesses.kill(process);
            process = null;
            boolean portTaken = logOfThisStart().contains("Address already in use");
            if (!(pickPort && portTaken && attempt < MAX_PORT_ATTEMPTS)) {
                throw new IllegalStateException("the Connect worker " + settings.name + " did not start on port " + port
                        + " (log: " + logFile() + "): " + failure);
            }
        }
    }

    /** Returns null once {@code GET /health} answers 200 (the worker has joined its group and read its topics), else why not. */
    private String awaitReady() {
        try {
            Awaitility.await("Connect worker " + settings.name + " ready")
                    .atMost(settings.startupTimeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive() || healthy());
        } catch (ConditionTimeoutException e) {
            return "not ready within " + settings.startupTimeout + "; log tail:\n" + logTail();
        }
        return process.isAlive() ? null : "the process exited with code " + process.exitValue() + "; log tail:\n" + logTail();
    }

    private boolean healthy() {
        try {
            return rest.call("GET", "health", null).status() == 200;
        } catch (UncheckedIOException e) {
            return false; // not listening yet
        }
    }

    private Map<String, String> workerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        if (settings.configForPort != null) {
            // Asked once per port, so that resume() runs with what the first start ran with.
            if (givenConfig == null) {
                givenConfig = new LinkedHashMap<>(Objects.requireNonNull(settings.configForPort.apply(port), "the worker configuration"));
            }
            config.putAll(givenConfig);
            if (settings.pluginPath != null) {
                config.put("plugin.path", settings.pluginPath.toAbsolutePath().toString());
            }
            config.putAll(settings.workerProps);
            return config;
        }
        String name = settings.name;
        config.put("bootstrap.servers", settings.bootstrapServers);
        config.put("group.id", name);
        config.put("listeners", "http://" + HOST + ":" + port);
        config.put("rest.advertised.host.name", HOST);
        config.put("rest.advertised.port", Integer.toString(port));
        // Internal topics on a one-broker cluster; "connect-" keeps them from deleteUserTopics().
        config.put("config.storage.topic", "connect-" + name + "-configs");
        config.put("offset.storage.topic", "connect-" + name + "-offsets");
        config.put("status.storage.topic", "connect-" + name + "-status");
        config.put("config.storage.replication.factor", "1");
        config.put("offset.storage.replication.factor", "1");
        config.put("status.storage.replication.factor", "1");
        config.put("offset.storage.partitions", "1");
        config.put("status.storage.partitions", "1");
        config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("plugin.discovery", "service_load");
        config.put("offset.flush.interval.ms", "1000");
        // A SIGKILLed worker never leaves its group: the broker drops it after session.timeout.ms
        // (6 s, the broker's minimum) and the rebalance that lets a restarted worker in waits for that.
        config.put("session.timeout.ms", "6000");
        config.put("heartbeat.interval.ms", "1000");
        // Hand a departed worker's connectors and tasks out at once, instead of waiting (5 min by
        // default) for it to come back: the restarted worker is a new group member.
        config.put("scheduled.rebalance.max.delay.ms", "0");
        if (settings.pluginPath != null) {
            config.put("plugin.path", settings.pluginPath.toAbsolutePath().toString());
        }
        config.putAll(settings.workerProps);
        return config;
    }

    private void writeFiles() {
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(PROPERTIES_FILE), workerConfig().entrySet().stream()
                    .map(e -> escapeProperty(e.getKey()) + "=" + escapeProperty(e.getValue()))
                    .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.ISO_8859_1);
            Files.writeString(directory.resolve(LOG_CONFIG_FILE), LOG_CONFIG, StandardCharsets.UTF_8);
            List<String> args = new ArrayList<>(settings.jvmOptions);
            args.add("-Dlog4j2.configurationFile=" + directory.resolve(LOG_CONFIG_FILE));
            args.add("-Dddm.testkit.worker=" + settings.name);
            args.add("-cp");
            args.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
            Files.writeString(directory.resolve(ARGUMENT_FILE),
                    args.stream().map(ConnectWorkerProcess::quoteArgument).collect(Collectors.joining("\n", "", "\n")),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the worker's files in " + directory, e);
        }
    }

    private String logOfThisStart() {
        try {
            String all = Files.readString(logFile(), StandardCharsets.UTF_8);
            return all.substring(Math.max(0, all.lastIndexOf(START_MARKER)));
        } catch (IOException e) {
            return "";
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Escapes a value for a {@code .properties} file. */
    private static String escapeProperty(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                default -> {
                    // Kafka reads the file as ISO-8859-1: anything else is written as a Unicode escape.
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Quotes one argument for a JVM argument file ({@code java @file}). */
    private static String quoteArgument(String arg) {
        return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static final String LOG_CONFIG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Configuration status="WARN">
              <Appenders>
                <Console name="out" target="SYSTEM_OUT">
                  <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n"/>
                </Console>
              </Appenders>
              <Loggers>
                <!-- Client config dumps and connection chatter; the Connect runtime and plugins log at INFO. -->
                <Logger name="org.apache.kafka.clients" level="WARN"/>
                <Logger name="org.apache.kafka.common" level="WARN"/>
                <Root level="INFO">
                  <AppenderRef ref="out"/>
                </Root>
              </Loggers>
            </Configuration>
            """;

    /** Settings of a {@link ConnectWorkerProcess}. Not thread-safe. */
    public static final class Builder {
        private final String bootstrapServers;
        private String name = "ddm-worker";
        private Path directory;
        private Path pluginPath;
        private List<Path> classpath;
        private final Map<String, String> workerProps = new LinkedHashMap<>();
        private IntFunction<Map<String, String>> configForPort;
        private final List<String> jvmOptions = new ArrayList<>(List.of(
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        private Duration startupTimeout = Duration.ofSeconds(90);

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /**
         * The worker's name ({@code [A-Za-z0-9._-]+}, default {@code ddm-worker}): its {@code group.id},
         * the stem of its internal topics ({@code connect-<name>-configs}, {@code -offsets}, {@code -status})
         * and of its default directory. Workers with the same name on one Kafka form one Connect cluster.
         * With {@link #workerConfig(IntFunction)} it names only the directory and the log lines.
         */
        public Builder name(String name) {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("name must match [A-Za-z0-9._-]+, got " + name);
            }
            this.name = name;
            return this;
        }

        /** The directory for the worker's files and log (default {@code target/connect-workers/<name>}). */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Loads plugins from this {@code plugin.path} directory (for example an unzipped plugin archive). */
        public Builder pluginPath(Path pluginPath) {
            this.pluginPath = Objects.requireNonNull(pluginPath, "pluginPath");
            return this;
        }

        /**
         * Sets one worker property, overriding testkit's default (for example
         * {@code exactly.once.source.support=enabled}, {@code offset.flush.interval.ms},
         * {@code plugin.discovery=hybrid_warn}).
         */
        public Builder workerProperty(String key, String value) {
            workerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Runs the worker with the configuration this function returns for its REST port instead of
         * testkit's defaults: for example a worker sample read from a file, with what differs per
         * machine substituted. Nothing of testkit's own {@code worker.properties} is added (not the
         * {@code bootstrap.servers} of the Kafka given to {@link ConnectWorkerProcess#builder}, not
         * {@code group.id}); {@link #pluginPath(Path)} and {@link #workerProperty(String, String)}, if
         * set, still apply on top. The configuration must listen on {@code http://127.0.0.1:<port>}
         * (among its {@code listeners}), where testkit waits for {@code GET /health} and
         * {@link ConnectWorkerProcess#rest()} calls. The function is called once per port picked
         * (again only if the port was taken and another is tried), not at each {@link ConnectWorkerProcess#resume()}.
         */
        public Builder workerConfig(IntFunction<Map<String, String>> configForPort) {
            this.configForPort = Objects.requireNonNull(configForPort, "configForPort");
            return this;
        }

        /** The child JVM's class path (default {@link ConnectWorkerProcess#classpathWithoutDdm()}). */
        public Builder classpath(List<Path> classpath) {
            this.classpath = List.copyOf(classpath);
            return this;
        }

        /** Adds a JVM option for the child, after testkit's (small heap, serial GC, C1 only). */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /** How long a start may take until {@code GET /health} answers (default 90 s). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Writes the worker's files, starts the process and waits until its REST API reports it ready.
         *
         * @throws IllegalStateException if it does not start (the message holds its log tail)
         */
        public ConnectWorkerProcess start() {
            if (directory == null) {
                directory = Path.of("target", "connect-workers", name);
            }
            return new ConnectWorkerProcess(this).startFirst();
        }
    }
}
