package io.github.ddm.testkit;

/**
 * Redis's own text formats, as {@link RedisCluster}, {@link RedisSentinel} and
 * {@link SentinelProcess} read and write them: config file values and {@code INFO}-style replies.
 */
final class RedisText {

    private RedisText() {
    }

    /**
     * A value for a config file line, quoted as Redis reads it (so a password may hold spaces),
     * the way {@link RedisServer} writes {@code requirepass}.
     */
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
}
