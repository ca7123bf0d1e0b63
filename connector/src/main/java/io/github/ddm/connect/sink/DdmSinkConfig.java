package io.github.ddm.connect.sink;

import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.schema.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The sink connector's settings: the shared Redis/DDM keys of {@link DdmConnectorConfig#BASE} plus
 * how events are applied and which origins are skipped.
 *
 * <p><b>Loop rule.</b> Every event names the region that wrote it. By default
 * ({@code sink.origin.filter=skip-own-region}) the sink skips events whose origin region is its own
 * {@code ddm.region}: such an event started in this region's Redis, so applying it again can only
 * echo it (at best a duplicate, at worst a loop through another region's forwarding). Regions in
 * {@code sink.skip.origin.regions} are skipped as well. {@code apply-all} applies every event, which
 * is what rebuilding this region's Redis from Kafka (disaster recovery) needs.
 *
 * <p>Cross-field rules are checked by the constructor ({@link ConfigException} naming the key) and
 * reported against the same key by {@link DdmSinkConnector#validate}. Immutable; thread-safe.
 */
public final class DdmSinkConfig extends DdmConnectorConfig {

    public static final String SINK_GROUP = "Sink";

    public static final String APPLY_TIMEOUT_MS_CONFIG = "sink.apply.timeout.ms";
    public static final String APPLY_TIMEOUT_MS_DOC = "How long one round trip of the sink's pipelined applies (the reads of "
            + "a round's documents, or their commits) may take. Past it Redis counts as unavailable: the batch is retried after redis.retry.backoff.ms, and the task "
            + "fails after redis.retry.max.attempts consecutive failed attempts.";
    public static final long APPLY_TIMEOUT_MS_DEFAULT = 30_000;

    public static final String APPLY_PARALLELISM_CONFIG = "sink.apply.parallelism";
    public static final String APPLY_PARALLELISM_DOC = "How many keys a task applies at once: one round reads the "
            + "keys' documents in one pipeline and sends one commit per key in one pipeline. The events of one key are "
            + "always applied one after another, in record order; only different keys overlap. 1 applies each batch "
            + "strictly in record order.";
    public static final int APPLY_PARALLELISM_DEFAULT = 512;

    public static final String ORIGIN_FILTER_CONFIG = "sink.origin.filter";
    public static final String ORIGIN_FILTER_DOC = "Which events are applied, by the region that wrote them. "
            + "'skip-own-region' skips events whose origin region is ddm.region: they were written in this region, so "
            + "applying them again could only echo or loop. 'apply-all' applies every event, for rebuilding this region's "
            + "Redis from Kafka. Skipped events are counted and logged at DEBUG.";
    public static final String ORIGIN_FILTER_DEFAULT = OriginFilter.SKIP_OWN_REGION.configValue();

    public static final String SKIP_ORIGIN_REGIONS_CONFIG = "sink.skip.origin.regions";
    public static final String SKIP_ORIGIN_REGIONS_DOC = "More regions (comma-separated) whose events are skipped, for "
            + "example a region whose changes reach this one by another path. Must be empty when sink.origin.filter is "
            + "'apply-all'.";
    public static final String SKIP_ORIGIN_REGIONS_DEFAULT = "";

    public static final String REPAIR_AFTER_MS_CONFIG = "sink.repair.after.ms";
    public static final String REPAIR_AFTER_MS_DOC = "How long an event may wait for the changes it depends on (a change "
            + "of its document that has not arrived: lost on the way, or still on another region's topic) before the sink "
            + "asks the other regions for their copies of the document (docs/regions.md, \"Repair\"). The request is "
            + "repeated at this interval while the event waits. Waiting events are tried again whenever their document "
            + "changes, and at least every 500 ms.";
    public static final long REPAIR_AFTER_MS_DEFAULT = 2_000;

    public static final String WAIT_MAX_EVENTS_CONFIG = "sink.wait.max.events";
    public static final String WAIT_MAX_EVENTS_DOC = "The most events a task keeps waiting for changes they depend on. "
            + "When it is full, the longest-waiting event goes to the errant-record reporter (the repair that was asked for "
            + "its document still brings the document up to date).";
    public static final int WAIT_MAX_EVENTS_DEFAULT = 100_000;

    /**
     * Not a user setting: {@link DdmSinkConnector#taskConfigs} numbers its tasks with it, so that each
     * task's counters have their own JMX name.
     */
    static final String TASK_INDEX_CONFIG = "ddm.sink.task.index";

    /** Which events the sink applies, by origin region. */
    public enum OriginFilter {
        /** Skip events written in {@code ddm.region} (and in {@code sink.skip.origin.regions}). */
        SKIP_OWN_REGION,
        /** Apply every event. */
        APPLY_ALL;

        /** The value in the configuration, such as {@code skip-own-region}. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static OriginFilter fromConfig(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        static List<String> configValues() {
            List<String> names = new ArrayList<>();
            for (OriginFilter filter : values()) {
                names.add(filter.configValue());
            }
            return names;
        }
    }

    /** Accepts the {@link OriginFilter} values in any case. */
    private static final class OriginFilterValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof String text) || !OriginFilter.configValues().contains(text.trim().toLowerCase(Locale.ROOT))) {
                throw new ConfigException(name, value, "must be one of " + String.join(", ", OriginFilter.configValues()));
            }
        }

        @Override
        public String toString() {
            return OriginFilter.configValues().toString();
        }
    }

    /** The sink's keys: {@link DdmConnectorConfig#BASE} and its own. */
    public static final ConfigDef CONFIG = new ConfigDef(BASE)
            .define(APPLY_TIMEOUT_MS_CONFIG, Type.LONG, APPLY_TIMEOUT_MS_DEFAULT, ConfigDef.Range.between(100, 600_000),
                    Importance.LOW, APPLY_TIMEOUT_MS_DOC, SINK_GROUP, 1, Width.SHORT, "Apply timeout (ms)")
            .define(APPLY_PARALLELISM_CONFIG, Type.INT, APPLY_PARALLELISM_DEFAULT, ConfigDef.Range.between(1, 1024),
                    Importance.LOW, APPLY_PARALLELISM_DOC, SINK_GROUP, 2, Width.SHORT, "Keys applied at once")
            .define(ORIGIN_FILTER_CONFIG, Type.STRING, ORIGIN_FILTER_DEFAULT,
                    new OriginFilterValidator(),
                    Importance.MEDIUM, ORIGIN_FILTER_DOC, SINK_GROUP, 3, Width.SHORT, "Origin filter")
            .define(SKIP_ORIGIN_REGIONS_CONFIG, Type.LIST, SKIP_ORIGIN_REGIONS_DEFAULT, new RegionListValidator(),
                    Importance.LOW, SKIP_ORIGIN_REGIONS_DOC, SINK_GROUP, 4, Width.MEDIUM, "Skipped origin regions")
            .define(REPAIR_AFTER_MS_CONFIG, Type.LONG, REPAIR_AFTER_MS_DEFAULT, ConfigDef.Range.between(100, 3_600_000),
                    Importance.LOW, REPAIR_AFTER_MS_DOC, SINK_GROUP, 5, Width.SHORT, "Repair after (ms)")
            .define(WAIT_MAX_EVENTS_CONFIG, Type.INT, WAIT_MAX_EVENTS_DEFAULT, ConfigDef.Range.between(1, 10_000_000),
                    Importance.LOW, WAIT_MAX_EVENTS_DOC, SINK_GROUP, 6, Width.SHORT, "Most waiting events");

    private final OriginFilter originFilter;
    private final Set<String> skippedRegions;

    /**
     * Parses and checks the settings.
     *
     * @throws ConfigException naming the first bad key, including cross-field rules
     */
    public DdmSinkConfig(Map<?, ?> originals) {
        super(CONFIG, originals);
        Map<String, String> problems = crossFieldProblems(this::get);
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            throw new ConfigException(first.getKey(), displayValue(first.getKey()), first.getValue());
        }
        originFilter = OriginFilter.fromConfig(getString(ORIGIN_FILTER_CONFIG));
        Set<String> skipped = new LinkedHashSet<>(getList(SKIP_ORIGIN_REGIONS_CONFIG));
        if (originFilter == OriginFilter.SKIP_OWN_REGION) {
            skipped.add(region());
        }
        skippedRegions = Set.copyOf(skipped);
    }

    private Object displayValue(String key) {
        return CONFIG.configKeys().get(key).type == Type.PASSWORD ? "[hidden]" : get(key);
    }

    /**
     * What the cross-field rules find wrong, by the key to report it against (empty when nothing is).
     * {@code parsed} gives a key's parsed value, or null when that value is missing or invalid on its
     * own (then the rules about it are not checked).
     */
    static Map<String, String> crossFieldProblems(Function<String, Object> parsed) {
        Map<String, String> problems = new LinkedHashMap<>();
        Object filter = parsed.apply(ORIGIN_FILTER_CONFIG);
        Object skipped = parsed.apply(SKIP_ORIGIN_REGIONS_CONFIG);
        if (filter instanceof String mode && OriginFilter.fromConfig(mode) == OriginFilter.APPLY_ALL
                && skipped instanceof List<?> regions && !regions.isEmpty()) {
            problems.put(SKIP_ORIGIN_REGIONS_CONFIG, "must be empty when " + ORIGIN_FILTER_CONFIG + " is '"
                    + OriginFilter.APPLY_ALL.configValue() + "' (it would skip " + regions + " anyway); use '"
                    + OriginFilter.SKIP_OWN_REGION.configValue() + "' to skip regions");
        }
        Object uri = parsed.apply(REDIS_URI_CONFIG);
        Object truststore = parsed.apply(REDIS_TRUSTSTORE_PATH_CONFIG);
        if (uri instanceof String redisUri && redisUri.startsWith("redis://")
                && truststore instanceof String path && !path.isEmpty()) {
            problems.put(REDIS_TRUSTSTORE_PATH_CONFIG, "is set, but " + REDIS_URI_CONFIG
                    + " is a plain redis:// URI; use rediss:// for TLS, or leave the truststore empty");
        }
        return problems;
    }

    /** Accepts a list of region names (short names). */
    private static final class RegionListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof List<?> regions)) {
                throw new ConfigException(name, value, "must be a comma-separated list of regions");
            }
            List<Object> bad = new ArrayList<>();
            for (Object region : regions) {
                if (!(region instanceof String text) || !Names.isShortName(text)) {
                    bad.add(region);
                }
            }
            if (!bad.isEmpty()) {
                throw new ConfigException(name, value, "every region must match " + Names.SHORT_NAME_PATTERN
                        + ", these do not: " + bad);
            }
        }

        @Override
        public String toString() {
            return "comma-separated regions, each " + Names.SHORT_NAME_PATTERN;
        }
    }

    /** How long an event waits for the changes it depends on before the other regions are asked for the document. */
    public Duration repairAfter() {
        return Duration.ofMillis(getLong(REPAIR_AFTER_MS_CONFIG));
    }

    /** The most events kept waiting for the changes they depend on. */
    public int waitMaxEvents() {
        return getInt(WAIT_MAX_EVENTS_CONFIG);
    }

    /** How long one event's apply may take before Redis counts as unavailable. */
    public Duration applyTimeout() {
        return Duration.ofMillis(getLong(APPLY_TIMEOUT_MS_CONFIG));
    }

    /** How many keys are applied at once. */
    public int applyParallelism() {
        return getInt(APPLY_PARALLELISM_CONFIG);
    }

    /** The origin filter mode. */
    public OriginFilter originFilter() {
        return originFilter;
    }

    /** Every region whose events are skipped: {@code ddm.region} (unless {@code apply-all}) and the listed ones. */
    public Set<String> skippedOriginRegions() {
        return skippedRegions;
    }

    /** Whether an event written in {@code region} is skipped. */
    public boolean skipsOrigin(String region) {
        return skippedRegions.contains(region);
    }

    /** The name of the connector, from Connect's {@code name} key, or {@code "ddm-sink"} outside Connect. */
    String connectorName() {
        Object name = originals().get("name");
        return name == null ? "ddm-sink" : name.toString();
    }

    /** This task's number among the connector's tasks, or 0. */
    int taskIndex() {
        Object index = originals().get(TASK_INDEX_CONFIG);
        try {
            return index == null ? 0 : Integer.parseInt(index.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
