package io.github.ddm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure no server process ({@code redis-server}, a {@link ConnectWorkerProcess}) outlives the
 * JVM that started it.
 *
 * <p>Three layers: every owner stops its process in {@code close()}; a shutdown hook kills
 * whatever is still registered when the JVM exits (a failed test, a forgotten close); and since a
 * JVM killed with SIGKILL runs no hook, every process also gets a pid file naming its owner JVM,
 * and the next testkit start kills the orphans whose owner is gone.
 */
final class ChildProcesses {

    private static final Logger log = LoggerFactory.getLogger(ChildProcesses.class);

    private static final Path PID_DIR = Path.of(System.getProperty("java.io.tmpdir"), "ddm-testkit", "pids");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        reapOrphans();
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "ddm-testkit-reaper"));
    }

    private ChildProcesses() {
    }

    static void register(Process process) {
        LIVE.add(process);
        try {
            Files.createDirectories(PID_DIR);
            Files.writeString(PID_DIR.resolve(Long.toString(process.pid())),
                    Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            log.warn("cannot write the pid file of process {}; an orphan would not be reaped", process.pid(), e);
        }
    }

    /** Stops the process: SIGTERM, then SIGKILL after {@code graceMillis}. Waits until it is gone. */
    static void stop(Process process, long graceMillis) {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            unregister(process);
        }
    }

    /** Kills the process at once (SIGKILL), as a crash would, and waits until it is gone. */
    static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unregister(process);
        }
    }

    private static void unregister(Process process) {
        LIVE.remove(process);
        try {
            Files.deleteIfExists(PID_DIR.resolve(Long.toString(process.pid())));
        } catch (IOException e) {
            log.debug("cannot delete the pid file of {}", process.pid(), e);
        }
    }

    private static void killAll() {
        for (Process process : LIVE) {
            process.destroyForcibly();
        }
        for (Process process : LIVE) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                Files.deleteIfExists(PID_DIR.resolve(Long.toString(process.pid())));
            } catch (InterruptedException | IOException e) {
                // the JVM is exiting; nothing more can be done
            }
        }
    }

    /** Kills processes left behind by testkit JVMs that died without running their hooks. */
    static int reapOrphans() {
        if (!Files.isDirectory(PID_DIR)) {
            return 0;
        }
        int reaped = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(PID_DIR)) {
            for (Path file : files) {
                if (reapIfOrphan(file)) {
                    reaped++;
                }
            }
        } catch (IOException e) {
            log.warn("cannot scan {} for orphaned servers", PID_DIR, e);
        }
        if (reaped > 0) {
            log.warn("killed {} server process(es) left behind by a JVM that died", reaped);
        }
        return reaped;
    }

    private static boolean reapIfOrphan(Path file) {
        try {
            long pid = Long.parseLong(file.getFileName().toString());
            long owner = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                return false;
            }
            Optional<ProcessHandle> orphan = ProcessHandle.of(pid).filter(ChildProcesses::isTestkitServer);
            Files.deleteIfExists(file);
            if (orphan.isPresent()) {
                orphan.get().destroyForcibly();
                return true;
            }
        } catch (IOException | NumberFormatException e) {
            log.debug("ignoring unreadable pid file {}", file, e);
        }
        return false;
    }

    private static boolean isTestkitServer(ProcessHandle handle) {
        // Only kill what testkit could have started: pids are reused. Debian links redis-server to
        // redis-check-rdb, so the executable's name alone does not say "redis-server". A Connect
        // worker is a java process with ConnectWorkerProcess's main class on its command line.
        return handle.isAlive() && (handle.info().command().map(c -> c.contains("redis")).orElse(false)
                || handle.info().commandLine().map(c -> c.contains(ConnectWorkerProcess.MAIN_CLASS)).orElse(false));
    }
}
