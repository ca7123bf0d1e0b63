package io.github.ddm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Redis's own text formats, as {@link RedisServer}, {@link RedisCluster}, {@link RedisSentinel}
 * and {@link SentinelProcess} read and write them: config files, their values, the log a process
 * writes, and {@code INFO}-style replies.
 */
final class RedisText {

    private RedisText() {
    }

    /** A value for a config file line, quoted as Redis reads it (so a password or a path may hold spaces). */
    static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** The value of {@code name} in a reply of {@code name:value} lines ({@code INFO}, {@code CLUSTER INFO}), or null. */
    static String field(String reply, String name) {
        for (String line : reply.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    /**
     * The config lines every process testkit starts shares: listen on {@code host} only, stay in the
     * foreground, keep files in {@code directory}, log to standard output (which testkit redirects
     * to a file).
     */
    static List<String> processConfig(String host, Path directory) {
        return List.of("bind " + host, "protected-mode no", "daemonize no", "dir " + quote(directory.toString()), "logfile \"\"");
    }

    /** Writes a config file of {@code lines} as {@code file} in {@code directory}. */
    static void writeConfig(Path directory, String file, List<String> lines) {
        try {
            Files.write(directory.resolve(file), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " in " + directory, e);
        }
    }

    /** The last 15 lines of a process's log file, for an error message. */
    static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
