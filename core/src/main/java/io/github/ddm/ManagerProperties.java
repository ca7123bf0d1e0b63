package io.github.ddm;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Applies a service's configuration file to a {@link DocumentManagerBuilder}: the keys under a
 * prefix (for example {@code ddm.}), one per setting, as in {@code config/ddm-service.properties}.
 * Code can still set what a file cannot hold (a Redisson client, an executor, a resolver) before or
 * after. Stateless.
 *
 * <table>
 *   <caption>Keys (after the prefix)</caption>
 *   <tr><th>key</th><th>builder setting</th><th>value</th></tr>
 *   <tr><td>redis.uri, redis.mode, redis.sentinel.master, redis.user, redis.password,
 *       redis.sentinel.user, redis.sentinel.password, redis.tls.*, redis.connect.timeout.ms,
 *       redis.timeout.ms</td><td>{@code redis}</td><td>a {@link RedisDeployment} (see its keys)</td></tr>
 *   <tr><td>namespace</td><td>{@code namespace}</td><td>a short name</td></tr>
 *   <tr><td>section</td><td>{@code section}</td><td>partition.section (or partition/section)</td></tr>
 *   <tr><td>origin.region, origin.node</td><td>{@code origin}</td><td>short names, both required</td></tr>
 *   <tr><td>value.sharing</td><td>{@code valueSharing}</td><td>copy-on-read or shared</td></tr>
 *   <tr><td>pubsub.mode</td><td>{@code pubSubMode}</td><td>auto, classic or sharded</td></tr>
 *   <tr><td>document.max.bytes</td><td>{@code maxDocumentBytes}</td><td>a number</td></tr>
 *   <tr><td>cache.max.size</td><td>{@code cacheMaximumSize}</td><td>a number</td></tr>
 *   <tr><td>cache.idle.expiry</td><td>{@code cacheIdleExpiry}</td><td>a duration</td></tr>
 *   <tr><td>log.max.length</td><td>{@code logMaxLength}</td><td>a number (0: unbounded)</td></tr>
 *   <tr><td>full.state.every</td><td>{@code fullStateEvery}</td><td>a number (0: never)</td></tr>
 *   <tr><td>write.max.attempts</td><td>{@code maxWriteAttempts}</td><td>a number</td></tr>
 *   <tr><td>write.backoff.base, write.backoff.max</td><td>{@code retryBackoff}</td><td>durations</td></tr>
 *   <tr><td>subscribe.timeout</td><td>{@code subscribeTimeout}</td><td>a duration</td></tr>
 *   <tr><td>buffer.per.key, buffer.ttl, buffer.max.events</td><td>{@code changeBuffer}</td><td>a number, a duration, a number</td></tr>
 *   <tr><td>pending.max.changes</td><td>{@code maxPendingChanges}</td><td>a number</td></tr>
 *   <tr><td>check.head.interval, check.version.interval, check.buffer.trim.interval</td><td>{@code checkIntervals}</td><td>durations</td></tr>
 *   <tr><td>catchup.batch.size</td><td>{@code catchUpBatchSize}</td><td>a number</td></tr>
 * </table>
 *
 * <p>A duration is ISO-8601 ({@code PT6H}, {@code PT0.5S}) or a number with a unit: {@code 250ms},
 * {@code 30s}, {@code 10m}, {@code 6h}, {@code 1d}. Of a group set by one builder call (the backoff,
 * the change buffer, the check intervals), the keys not given keep the builder's current values.
 * Numbers may use {@code _} between digits.
 *
 * <p>Any value may be a reference instead ({@link ConfigReferences}): {@code ${env:NAME}} for an
 * environment variable, {@code ${file:PATH}} for a file's content, so that the file need not hold
 * the password ({@code ddm.redis.password=${file:/run/secrets/redis-password}}).
 */
public final class ManagerProperties {

    /** Every key this class reads (after the prefix). */
    static final Set<String> KEYS = Set.of("namespace", "section", "origin.region", "origin.node", "value.sharing", "pubsub.mode",
            "document.max.bytes", "cache.max.size", "cache.idle.expiry", "log.max.length", "full.state.every",
            "write.max.attempts", "write.backoff.base", "write.backoff.max", "subscribe.timeout", "buffer.per.key", "buffer.ttl",
            "buffer.max.events", "pending.max.changes", "check.head.interval", "check.version.interval",
            "check.buffer.trim.interval", "catchup.batch.size");

    private ManagerProperties() {
    }

    /**
     * Applies the keys of {@code properties} that start with {@code prefix} to {@code builder}; keys
     * without the prefix are ignored.
     *
     * @param prefix for example {@code "ddm."}; may be empty
     * @return the builder
     * @throws IllegalArgumentException naming the key (with the prefix) that is unknown, or whose
     *     value is not valid, and why; the value of a password key is never in the message
     */
    public static <T> DocumentManagerBuilder<T> apply(DocumentManagerBuilder<T> builder, Properties properties, String prefix) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            values.put(name, properties.getProperty(name));
        }
        return apply(builder, values, prefix);
    }

    /** As {@link #apply(DocumentManagerBuilder, Properties, String)}, from a map. */
    public static <T> DocumentManagerBuilder<T> apply(DocumentManagerBuilder<T> builder, Map<String, String> properties,
                                                      String prefix) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(prefix, "prefix");
        Map<String, String> own = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(properties).entrySet()) {
            if (entry.getKey().startsWith(prefix)) {
                String key = entry.getKey().substring(prefix.length());
                String value = Objects.requireNonNull(entry.getValue(), entry.getKey());
                own.put(key, RedisDeployment.SECRET_KEYS.contains(key) ? value : value.trim()); // a password keeps its spaces
            }
        }
        // Before any setting is applied: a typo must not leave the builder half configured.
        TreeSet<String> unknown = new TreeSet<>(own.keySet());
        unknown.removeAll(KEYS);
        unknown.removeAll(RedisDeployment.KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown DDM setting(s) " + unknown.stream().map(k -> prefix + k).toList()
                    + "; see ManagerProperties for the keys");
        }
        Map<String, String> resolved = new LinkedHashMap<>();
        ConfigReferences.resolve(prefixed(own, prefix)).forEach((key, value) -> resolved.put(key.substring(prefix.length()), value));
        new Reader<>(builder, resolved, prefix).apply();
        return builder;
    }

    private static Map<String, String> prefixed(Map<String, String> values, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((key, value) -> out.put(prefix + key, value));
        return out;
    }

    /** Reads one file's keys into the builder, remembering which it used. */
    private static final class Reader<T> {
        private final DocumentManagerBuilder<T> builder;
        private final Map<String, String> values;
        private final String prefix;

        Reader(DocumentManagerBuilder<T> builder, Map<String, String> values, String prefix) {
            this.builder = builder;
            this.values = values;
            this.prefix = prefix;
        }

        void apply() {
            if (values.keySet().stream().anyMatch(RedisDeployment.KEYS::contains)) {
                builder.redis(RedisDeployment.fromProperties(prefixed(values, prefix), prefix));
            }
            text("namespace", builder::namespace);
            text("section", v -> {
                SectionId section = SectionId.parse(v);
                builder.section(section.partition(), section.section());
            });
            if (has("origin.region") || has("origin.node")) {
                String region = required("origin.region", "origin.node");
                String node = required("origin.node", "origin.region");
                set("origin.region, origin.node", () -> builder.origin(region, node));
            }
            text("value.sharing", v -> builder.valueSharing(choice("value.sharing", v, ValueSharing.class)));
            text("pubsub.mode", v -> builder.pubSubMode(choice("pubsub.mode", v, PubSubMode.class)));
            number("document.max.bytes", builder::maxDocumentBytes);
            number("cache.max.size", builder::cacheMaximumSize);
            duration("cache.idle.expiry", builder::cacheIdleExpiry);
            number("log.max.length", builder::logMaxLength);
            number("full.state.every", n -> builder.fullStateEvery(toInt("full.state.every", n)));
            number("write.max.attempts", n -> builder.maxWriteAttempts(toInt("write.max.attempts", n)));
            group(() -> builder.retryBackoff(durationOr("write.backoff.base", builder.retryBackoffBase),
                    durationOr("write.backoff.max", builder.retryBackoffMax)), "write.backoff.base", "write.backoff.max");
            duration("subscribe.timeout", builder::subscribeTimeout);
            group(() -> builder.changeBuffer(toInt("buffer.per.key", numberOr("buffer.per.key", builder.changeBufferSize)),
                    durationOr("buffer.ttl", builder.changeBufferTtl), numberOr("buffer.max.events", builder.changeBufferMaxEvents)),
                    "buffer.per.key", "buffer.ttl", "buffer.max.events");
            number("pending.max.changes", builder::maxPendingChanges);
            group(() -> builder.checkIntervals(durationOr("check.head.interval", builder.headCheckInterval),
                    durationOr("check.version.interval", builder.versionCheckInterval),
                    durationOr("check.buffer.trim.interval", builder.bufferTrimInterval)),
                    "check.head.interval", "check.version.interval", "check.buffer.trim.interval");
            number("catchup.batch.size", n -> builder.catchUpBatchSize(toInt("catchup.batch.size", n)));
        }

        private boolean has(String key) {
            return values.containsKey(key);
        }

        private String required(String key, String because) {
            String value = values.get(key);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(prefix + key + " is required when " + prefix + because + " is set");
            }
            return value;
        }

        private void text(String key, Consumer<String> setter) {
            if (has(key)) {
                String value = values.get(key);
                set(key, () -> setter.accept(value));
            }
        }

        private void number(String key, LongConsumer setter) {
            if (has(key)) {
                long value = parseNumber(key, values.get(key));
                set(key, () -> setter.accept(value));
            }
        }

        private void duration(String key, Consumer<Duration> setter) {
            if (has(key)) {
                Duration value = parseDuration(key, values.get(key));
                set(key, () -> setter.accept(value));
            }
        }

        private void group(Runnable setter, String... keys) {
            boolean any = false;
            for (String key : keys) {
                any |= has(key);
            }
            if (any) {
                set(String.join(", ", Arrays.stream(keys).filter(this::has).toList()), setter);
            }
        }

        private Duration durationOr(String key, Duration current) {
            return has(key) ? parseDuration(key, values.get(key)) : current;
        }

        private long numberOr(String key, long current) {
            return has(key) ? parseNumber(key, values.get(key)) : current;
        }

        /** Runs a builder call, naming the key(s) and their values if the builder refuses them. */
        private void set(String keys, Runnable call) {
            try {
                call.run();
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(prefix) && !prefix.isEmpty()) {
                    throw e; // already names its key (a value that did not parse)
                }
                List<String> shown = new ArrayList<>();
                for (String key : keys.split(", ")) {
                    shown.add(prefix + key + " = '" + shown(key) + "'");
                }
                throw new IllegalArgumentException(String.join(", ", shown) + ": " + e.getMessage(), e);
            }
        }

        /** A value as a message may show it: never a password, a URI without its user info. */
        private String shown(String key) {
            String value = values.get(key);
            if (RedisDeployment.SECRET_KEYS.contains(key)) {
                return "(hidden)";
            }
            return key.equals("redis.uri") ? RedisClients.redact(value) : value;
        }

        private long parseNumber(String key, String value) {
            try {
                return Long.parseLong(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(prefix + key + " = '" + value + "' is not a whole number", e);
            }
        }

        private int toInt(String key, long value) {
            if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
                throw new IllegalArgumentException(prefix + key + " = " + value + " is too large");
            }
            return (int) value;
        }

        private Duration parseDuration(String key, String value) {
            try {
                return ManagerProperties.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + key + " = '" + value + "' is not a duration (ISO-8601 such as PT6H, "
                        + "or a number with ms, s, m, h or d)", e);
            }
        }

        private <E extends Enum<E>> E choice(String key, String value, Class<E> type) {
            String name = value.toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + key + " = '" + value + "' is not one of "
                        + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                        .toList(), e);
            }
        }
    }

    /** ISO-8601 ({@code PT30S}) or a number with {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}. */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        int unit = 0;
        while (unit < value.length() && (Character.isDigit(value.charAt(unit)) || value.charAt(unit) == '_')) {
            unit++;
        }
        if (unit == 0 || unit == value.length()) {
            throw new IllegalArgumentException("no number and unit in '" + text + "'");
        }
        long amount = Long.parseLong(value.substring(0, unit).replace("_", ""));
        String suffix = value.substring(unit);
        try {
            return ofUnit(amount, suffix, text);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration", e);
        }
    }

    private static Duration ofUnit(long amount, String suffix, String text) {
        switch (suffix) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                throw new IllegalArgumentException("unknown unit '" + suffix + "' in '" + text + "'");
        }
    }
}
