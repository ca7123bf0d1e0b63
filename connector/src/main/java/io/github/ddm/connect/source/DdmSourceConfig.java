package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import io.github.ddm.schema.TopicTemplate;
import io.github.ddm.connect.DdmConnectorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/**
 * The source connector's settings: {@link DdmConnectorConfig#BASE} (Redis, namespace, region,
 * retries) plus which sections to export, where to, how fast, and which origins.
 *
 * <p>Parsing validates every key and then the rules between keys ({@link #crossFieldProblems}); a
 * violation throws {@link ConfigException} naming the key. Immutable once parsed; thread-safe.
 */
public class DdmSourceConfig extends DdmConnectorConfig {

    public static final String SOURCE_GROUP = "Source";

    public static final String SECTIONS_CONFIG = "source.sections";
    public static final String SECTIONS_DOC = "The sections to export, as a comma-separated list of partition.section "
            + "(or partition/section when the partition name itself contains a dot). Empty means: discover the sections "
            + "matching source.sections.pattern. Set exactly one of the two.";
    public static final String SECTIONS_DEFAULT = "";

    public static final String SECTIONS_PATTERN_CONFIG = "source.sections.pattern";
    public static final String SECTIONS_PATTERN_DOC = "Export every section whose change log exists in Redis and matches "
            + "this pattern: a partition glob and a section glob separated by '.' (or '/' when a glob contains a dot), "
            + "with Redis glob syntax (* ? [..]); for example *.* for every section, orders.* for every section of the "
            + "partition orders. Sections are re-discovered every source.discovery.interval.ms; a new one is picked up "
            + "by a task reconfiguration. Used only when source.sections is empty.";
    public static final String SECTIONS_PATTERN_DEFAULT = "";

    public static final String DISCOVERY_INTERVAL_MS_CONFIG = "source.discovery.interval.ms";
    public static final String DISCOVERY_INTERVAL_MS_DOC = "How often the connector scans Redis for sections matching "
            + "source.sections.pattern (a SCAN over the keyspace).";
    public static final long DISCOVERY_INTERVAL_MS_DEFAULT = 30_000;

    public static final String TOPIC_TEMPLATE_CONFIG = "source.topic.template";
    public static final String TOPIC_TEMPLATE_DOC = "The Kafka topic of a section's changes made in this region. "
            + "${namespace}, ${region}, ${partition} and ${section} are replaced by those names; the default makes one "
            + "topic per region and section, so each region's sink reads exactly the other regions' topics "
            + "(docs/regions.md, \"Topology\"). A name without section placeholders, such as ddm.${region}.changes, "
            + "sends every section of the region to one topic. Either way the record key is the document key, so each "
            + "document's changes stay in order.";
    public static final String TOPIC_TEMPLATE_DEFAULT = TopicTemplate.DEFAULT;

    public static final String CONTROL_TOPIC_CONFIG = "source.control.topic";
    public static final String CONTROL_TOPIC_DOC = "The region's control topic (${namespace} and ${region} are replaced): "
            + "heartbeats that carry the offsets of sections whose log held only other regions' changes, and the repair "
            + "requests of this region's sink, which the other regions' sinks answer with snapshots. Other regions' sinks "
            + "must read it (the default matches the change topics' default, ddm.${region}.*).";
    public static final String CONTROL_TOPIC_DEFAULT = TopicTemplate.CONTROL_DEFAULT;

    public static final String HEARTBEAT_INTERVAL_MS_CONFIG = "source.heartbeat.interval.ms";
    public static final String HEARTBEAT_INTERVAL_MS_DOC = "How often, at most, a section whose log holds only other "
            + "regions' changes gets a heartbeat record on the control topic, which moves its offset forward.";
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 10_000;

    public static final String BATCH_SIZE_CONFIG = "source.batch.size";
    public static final String BATCH_SIZE_DOC = "The most log entries read from one section in one poll (XRANGE COUNT), "
            + "and the most snapshot documents read per section per poll.";
    public static final int BATCH_SIZE_DEFAULT = 500;

    public static final String POLL_INTERVAL_MS_CONFIG = "source.poll.interval.ms";
    public static final String POLL_INTERVAL_MS_DOC = "How long a poll waits for a new change when no section has one "
            + "before it returns empty-handed. A change broadcast on a section's channel (classic pub/sub) or a blocking "
            + "read (XREAD BLOCK, on the 16 sections that exported last) ends the wait at once. Each interval also reads "
            + "the next 500 of the task's sections in turn (all of them if there are no more), so every section is read "
            + "at least once per ceil(sections / 500) intervals, also when no broadcast reaches the task.";
    public static final long POLL_INTERVAL_MS_DEFAULT = 100;

    public static final String POLL_MAX_RECORDS_CONFIG = "source.poll.max.records";
    public static final String POLL_MAX_RECORDS_DOC = "About the most log entries one poll reads over all of the task's "
            + "sections (which it reads together, in one pipelined round): each section read in a poll gets an equal "
            + "share, at least 1 and at most source.batch.size. It bounds the memory a poll takes when a task exports "
            + "many sections with a backlog; with few sections, source.batch.size is the limit.";
    public static final int POLL_MAX_RECORDS_DEFAULT = 20_000;

    public static final String EXPORT_ORIGINS_CONFIG = "source.export.origins";
    public static final String EXPORT_ORIGINS_DOC = "Which changes to export. local: only those whose origin region is "
            + "ddm.region, i.e. made in this region, so that changes replicated into this region are not sent back "
            + "(no replication loops). all: every change in the log.";
    public static final String EXPORT_ORIGINS_DEFAULT = "local";

    public static final String START_CONFIG = "source.start";
    public static final String START_DOC = "Where a section without a stored offset starts. earliest: at the start of "
            + "its log; if the log was already trimmed, with a snapshot of every document, then the log (consumers get "
            + "the whole section). latest: at the log's head when the task first reads it, i.e. only the changes made "
            + "from then on (that start point is only remembered once a first change of the section has been "
            + "exported and its offset committed).";
    public static final String START_DEFAULT = "earliest";

    /** The source connector's keys: {@link DdmConnectorConfig#BASE} and its own. */
    public static final ConfigDef CONFIG = new ConfigDef(BASE)
            .define(SECTIONS_CONFIG, Type.LIST, SECTIONS_DEFAULT, ConfigDef.LambdaValidator.with(
                            DdmSourceConfig::validateSections, () -> "partition.section, ..."),
                    Importance.HIGH, SECTIONS_DOC, SOURCE_GROUP, 1, Width.LONG, "Sections")
            .define(SECTIONS_PATTERN_CONFIG, Type.STRING, SECTIONS_PATTERN_DEFAULT, ConfigDef.LambdaValidator.with(
                            DdmSourceConfig::validatePattern, () -> "partitionGlob.sectionGlob, or empty"),
                    Importance.HIGH, SECTIONS_PATTERN_DOC, SOURCE_GROUP, 2, Width.MEDIUM, "Section pattern")
            .define(DISCOVERY_INTERVAL_MS_CONFIG, Type.LONG, DISCOVERY_INTERVAL_MS_DEFAULT,
                    ConfigDef.Range.between(100, 86_400_000), Importance.LOW, DISCOVERY_INTERVAL_MS_DOC,
                    SOURCE_GROUP, 3, Width.SHORT, "Discovery interval (ms)")
            .define(TOPIC_TEMPLATE_CONFIG, Type.STRING, TOPIC_TEMPLATE_DEFAULT, ConfigDef.LambdaValidator.with(
                            DdmSourceConfig::validateTopicTemplate,
                            () -> "a topic name with ${namespace}, ${region}, ${partition}, ${section}"),
                    Importance.HIGH, TOPIC_TEMPLATE_DOC, SOURCE_GROUP, 4, Width.MEDIUM, "Topic template")
            .define(CONTROL_TOPIC_CONFIG, Type.STRING, CONTROL_TOPIC_DEFAULT, ConfigDef.LambdaValidator.with(
                            DdmSourceConfig::validateControlTopic, () -> "a topic name with ${namespace}, ${region}"),
                    Importance.MEDIUM, CONTROL_TOPIC_DOC, SOURCE_GROUP, 9, Width.MEDIUM, "Control topic")
            .define(HEARTBEAT_INTERVAL_MS_CONFIG, Type.LONG, HEARTBEAT_INTERVAL_MS_DEFAULT,
                    ConfigDef.Range.between(100, 86_400_000), Importance.LOW, HEARTBEAT_INTERVAL_MS_DOC,
                    SOURCE_GROUP, 10, Width.SHORT, "Heartbeat interval (ms)")
            .define(BATCH_SIZE_CONFIG, Type.INT, BATCH_SIZE_DEFAULT, ConfigDef.Range.between(1, 100_000),
                    Importance.MEDIUM, BATCH_SIZE_DOC, SOURCE_GROUP, 5, Width.SHORT, "Batch size")
            .define(POLL_INTERVAL_MS_CONFIG, Type.LONG, POLL_INTERVAL_MS_DEFAULT, ConfigDef.Range.between(1, 60_000),
                    Importance.MEDIUM, POLL_INTERVAL_MS_DOC, SOURCE_GROUP, 6, Width.SHORT, "Poll interval (ms)")
            .define(POLL_MAX_RECORDS_CONFIG, Type.INT, POLL_MAX_RECORDS_DEFAULT, ConfigDef.Range.between(1, 1_000_000),
                    Importance.LOW, POLL_MAX_RECORDS_DOC, SOURCE_GROUP, 11, Width.SHORT, "Entries read per poll")
            .define(EXPORT_ORIGINS_CONFIG, Type.STRING, EXPORT_ORIGINS_DEFAULT, ConfigDef.CaseInsensitiveValidString.in(
                            ExportOrigins.LOCAL.configValue(), ExportOrigins.ALL.configValue()),
                    Importance.HIGH, EXPORT_ORIGINS_DOC, SOURCE_GROUP, 7, Width.SHORT, "Exported origins")
            .define(START_CONFIG, Type.STRING, START_DEFAULT, ConfigDef.CaseInsensitiveValidString.in(
                            StartPosition.EARLIEST.configValue(), StartPosition.LATEST.configValue()),
                    Importance.MEDIUM, START_DOC, SOURCE_GROUP, 8, Width.SHORT, "Start position");

    /** Which changes the source exports ({@value #EXPORT_ORIGINS_CONFIG}). */
    public enum ExportOrigins {
        /** Only changes whose origin region is this connector's region. */
        LOCAL,
        /** Every change in the log. */
        ALL;

        /** The value in the configuration. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where a section without a stored offset starts ({@value #START_CONFIG}). */
    public enum StartPosition {
        /** At the start of the log, with a snapshot first if the log was trimmed. */
        EARLIEST,
        /** At the log's head. */
        LATEST;

        /** The value in the configuration. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final List<SectionId> sections;
    private final SectionPattern pattern;
    private final TopicTemplate topicTemplate;

    /**
     * Parses and validates the connector's settings.
     *
     * @throws ConfigException naming the first bad key
     */
    public DdmSourceConfig(Map<?, ?> originals) {
        this(CONFIG, originals);
    }

    DdmSourceConfig(ConfigDef definition, Map<?, ?> originals) {
        super(definition, originals);
        Map<String, String> problems = crossFieldProblems(values());
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            throw new ConfigException(first.getKey(), originals.get(first.getKey()), first.getValue());
        }
        this.sections = List.copyOf(SectionNames.parseSections(getList(SECTIONS_CONFIG)));
        String patternText = getString(SECTIONS_PATTERN_CONFIG).trim();
        this.pattern = patternText.isEmpty() ? null : SectionPattern.parse(patternText);
        this.topicTemplate = TopicTemplate.parse(getString(TOPIC_TEMPLATE_CONFIG));
    }

    /**
     * The rules between keys, given the parsed values of the keys (each valid on its own): key to
     * message, in a stable order; empty when all hold. {@link DdmSourceConnector#validate} reports them against the key.
     */
    static Map<String, String> crossFieldProblems(Map<String, ?> parsed) {
        Map<String, String> problems = new LinkedHashMap<>();
        boolean hasSections = parsed.get(SECTIONS_CONFIG) instanceof List<?> list && !list.isEmpty();
        boolean hasPattern = parsed.get(SECTIONS_PATTERN_CONFIG) instanceof String text && !text.trim().isEmpty();
        if (!hasSections && !hasPattern) {
            problems.put(SECTIONS_CONFIG, "set the sections to export, or " + SECTIONS_PATTERN_CONFIG
                    + " to discover them (for example *.*)");
        } else if (hasSections && hasPattern) {
            problems.put(SECTIONS_PATTERN_CONFIG, "must be empty when " + SECTIONS_CONFIG
                    + " lists the sections; set only one of the two");
        }
        return problems;
    }

    /** The explicitly listed sections; empty when a pattern is used. */
    public List<SectionId> sections() {
        return sections;
    }

    /** The discovery pattern, or null when the sections are listed. */
    public SectionPattern sectionPattern() {
        return pattern;
    }

    /** How often sections are re-discovered. */
    public Duration discoveryInterval() {
        return Duration.ofMillis(getLong(DISCOVERY_INTERVAL_MS_CONFIG));
    }

    /** The topic template. */
    public TopicTemplate topicTemplate() {
        return topicTemplate;
    }

    /** The topic of a section's changes made in this region. */
    public String topicOf(SectionId section) {
        return topicTemplate.topic(namespace(), region(), section.partition(), section.section());
    }

    /** This region's control topic. */
    public String controlTopic() {
        return TopicTemplate.parse(getString(CONTROL_TOPIC_CONFIG)).topic(namespace(), region(), "-", "-");
    }

    /** The longest a section whose log holds only other regions' changes goes without a heartbeat. */
    public Duration heartbeatInterval() {
        return Duration.ofMillis(getLong(HEARTBEAT_INTERVAL_MS_CONFIG));
    }

    /** The most log entries (or snapshot documents) read from a section in one poll. */
    public int batchSize() {
        return getInt(BATCH_SIZE_CONFIG);
    }

    /** The longest a poll waits when there is nothing to export. */
    public Duration pollInterval() {
        return Duration.ofMillis(getLong(POLL_INTERVAL_MS_CONFIG));
    }

    /** About the most log entries one poll reads over all of the task's sections. */
    public int pollMaxRecords() {
        return getInt(POLL_MAX_RECORDS_CONFIG);
    }

    /** Which origins are exported. */
    public ExportOrigins exportOrigins() {
        return ExportOrigins.valueOf(getString(EXPORT_ORIGINS_CONFIG).trim().toUpperCase(Locale.ROOT));
    }

    /** Where a section without a stored offset starts. */
    public StartPosition startPosition() {
        return StartPosition.valueOf(getString(START_CONFIG).trim().toUpperCase(Locale.ROOT));
    }

    private static void validateSections(String name, Object value) {
        if (value == null) {
            throw new ConfigException(name, null, "must be a list (it may be empty)");
        }
        List<String> entries = new ArrayList<>();
        for (Object entry : (List<?>) value) {
            entries.add(String.valueOf(entry));
        }
        try {
            List<SectionId> parsed = SectionNames.parseSections(entries);
            if (parsed.stream().distinct().count() != parsed.size()) {
                throw new ConfigException(name, value, "lists a section twice");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    }

    private static void validatePattern(String name, Object value) {
        String text = value == null ? "" : ((String) value).trim();
        if (text.isEmpty()) {
            return;
        }
        try {
            SectionPattern.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    }

    private static void validateTopicTemplate(String name, Object value) {
        try {
            TopicTemplate.parse((String) value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    }

    private static void validateControlTopic(String name, Object value) {
        TopicTemplate template;
        try {
            template = TopicTemplate.parse((String) value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
        if (template.uses(TopicTemplate.PARTITION) || template.uses(TopicTemplate.SECTION)) {
            throw new ConfigException(name, value, "one control topic serves every section: use only ${namespace} and ${region}");
        }
    }
}
