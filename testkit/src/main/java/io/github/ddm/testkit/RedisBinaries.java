package io.github.ddm.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the Redis executables that testkit runs.
 *
 * <p>{@code redis-server} comes from, in order: the system property {@code ddm.redis.server}
 * (a path); {@code PATH}, unless {@code ddm.redis.embedded=true}; the binary shipped in the
 * {@code org.signal:embedded-redis} artifact (Redis 7.0.15 for Linux and macOS, x86-64 and arm64),
 * extracted once under {@code java.io.tmpdir}. So tests run on a machine with JDK 17 alone.
 *
 * <p>{@code redis-cli} is optional: it is only used to join clusters when present.
 *
 * <p>Thread-safe.
 */
public final class RedisBinaries {

    /** System property naming an explicit {@code redis-server} path. */
    public static final String SERVER_PROPERTY = "ddm.redis.server";
    /** System property that forces the binary shipped in {@code org.signal:embedded-redis}. */
    public static final String EMBEDDED_PROPERTY = "ddm.redis.embedded";

    private static final String EMBEDDED_VERSION = "7.0.15";
    private static volatile Path extracted;

    private RedisBinaries() {
    }

    /**
     * The {@code redis-server} executable to run.
     *
     * @throws IllegalStateException if none can be found or extracted for this platform
     */
    public static Path redisServer() {
        String explicit = System.getProperty(SERVER_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(SERVER_PROPERTY + " names " + path + ", which is not an executable file");
            }
            return path;
        }
        if (!Boolean.getBoolean(EMBEDDED_PROPERTY)) {
            Optional<Path> onPath = onPath("redis-server");
            if (onPath.isPresent()) {
                return onPath.get();
            }
        }
        return embeddedRedisServer();
    }

    /** {@code redis-cli} from {@code PATH}, if installed (the embedded artifact has none). */
    public static Optional<Path> redisCli() {
        if (Boolean.getBoolean(EMBEDDED_PROPERTY)) {
            return Optional.empty();
        }
        return onPath("redis-cli");
    }

    /** True when the server binary is the one shipped in {@code org.signal:embedded-redis}. */
    public static boolean isEmbedded(Path server) {
        return server.getFileName().toString().startsWith("redis-server-" + EMBEDDED_VERSION + "-");
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static synchronized Path embeddedRedisServer() {
        if (extracted != null && Files.isExecutable(extracted)) {
            return extracted;
        }
        String resource = "redis-server-" + EMBEDDED_VERSION + "-" + platform();
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "ddm-testkit", "bin");
        Path target = dir.resolve(resource);
        try (InputStream in = RedisBinaries.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on PATH and no " + resource
                        + " resource on the classpath: add org.signal:embedded-redis or install Redis");
            }
            Files.createDirectories(dir);
            if (!Files.isExecutable(target)) {
                // Extract to a private file first, so that concurrent JVMs never run a half-written binary.
                Path tmp = Files.createTempFile(dir, resource, ".part");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (!tmp.toFile().setExecutable(true)) {
                    throw new IOException("cannot make " + tmp + " executable");
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded redis-server to " + target, e);
        }
        extracted = target;
        return target;
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osPart;
        if (os.contains("linux")) {
            osPart = "linux";
        } else if (os.contains("mac") || os.contains("darwin")) {
            osPart = "darwin";
        } else {
            throw new IllegalStateException("no embedded redis-server for " + os + "; install Redis and put redis-server on PATH");
        }
        String archPart;
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            archPart = "amd64";
        } else if (arch.equals("aarch64") || arch.equals("arm64")) {
            archPart = "arm64";
        } else if (arch.equals("x86") || arch.equals("i386")) {
            archPart = "386";
        } else {
            throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch + "; install Redis");
        }
        return osPart + "-" + archPart;
    }
}
