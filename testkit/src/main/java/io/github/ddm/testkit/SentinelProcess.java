package io.github.ddm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis Sentinel: {@code redis-server sentinel.conf --sentinel} (the same binary as
 * {@link RedisServer}, so the Redis shipped in {@code org.signal:embedded-redis} works too) on a
 * free loopback port, with its own directory. Sentinel rewrites its config file as it learns the
 * topology, so the file lives in that directory.
 */
final class SentinelProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SentinelProcess.class);
    private static final String HOST = "127.0.0.1";
    private static final String CONFIG_FILE = "sentinel.conf";
    private static final String LOG_FILE = "sentinel.log";
    private static final int MAX_PORT_ATTEMPTS = 5;

    private final Path directory;
    private int port;
    private Process process;
    private boolean closed;

    private SentinelProcess(Path directory) {
        this.directory = directory;
    }

    /**
     * Starts a sentinel with {@code monitorLines} (the {@code sentinel ...} directives) and waits
     * until it answers PING.
     *
     * @throws IllegalStateException if it does not start (the message includes its log)
     */
    static SentinelProcess start(List<String> monitorLines, Duration startupTimeout) {
        Path directory;
        try {
            directory = Files.createTempDirectory("ddm-sentinel-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for a sentinel", e);
        }
        SentinelProcess sentinel = new SentinelProcess(directory);
        try {
            sentinel.launch(monitorLines, startupTimeout);
            return sentinel;
        } catch (RuntimeException e) {
            sentinel.close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    String host() {
        return HOST;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A fresh connection; the caller closes it. */
    RespClient client() {
        return RespClient.connect(HOST, port, Duration.ofSeconds(5));
    }

    Object call(String... command) {
        try (RespClient client = client()) {
            return client.call(command);
        }
    }

    /** Stops the process (SIGTERM) and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (process != null) {
            ChildProcesses.stop(process, 10_000);
            process = null;
        }
        RedisServer.deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return "Sentinel[" + HOST + ":" + port + "]";
    }

    private synchronized void launch(List<String> monitorLines, Duration startupTimeout) {
        Path binary = RedisBinaries.redisServer();
        for (int attempt = 1; ; attempt++) {
            port = FreePorts.any();
            writeConfig(monitorLines);
            try {
                process = new ProcessBuilder(binary.toString(), directory.resolve(CONFIG_FILE).toString(), "--sentinel")
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve(LOG_FILE).toFile()))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + binary, e);
            }
            ChildProcesses.register(process);
            String failure = awaitReady(startupTimeout);
            if (failure == null) {
                log.debug("sentinel ready on port {} ({})", port, binary);
                return;
            }
            ChildProcesses.stop(process, 1_000);
            process = null;
            if (!(failure.contains("Address already in use") && attempt < MAX_PORT_ATTEMPTS)) {
                throw new IllegalStateException("redis-server --sentinel did not start on port " + port + ": " + failure);
            }
        }
    }

    /** Returns null when the sentinel answers, else why it did not. */
    private String awaitReady(Duration startupTimeout) {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return "the process exited with code " + process.exitValue() + "; log tail:\n" + logTail();
            }
            try (RespClient client = RespClient.connect(HOST, port, Duration.ofMillis(500))) {
                client.call("PING");
                return null;
            } catch (UncheckedIOException e) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // not listening yet
            }
        }
        return "no answer within " + startupTimeout + "; log tail:\n" + logTail();
    }

    private void writeConfig(List<String> monitorLines) {
        List<String> lines = new ArrayList<>();
        lines.add("port " + port);
        lines.addAll(RedisText.processConfig(HOST, directory));
        lines.addAll(monitorLines);
        RedisText.writeConfig(directory, CONFIG_FILE, lines);
    }

    private String logTail() {
        return RedisText.logTail(directory.resolve(LOG_FILE));
    }
}
