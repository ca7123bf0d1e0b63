package io.github.ddm.connect.source;

import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.SectionId;
import io.github.ddm.connect.DdmConnectorVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports the change events of DDM sections (their Redis Stream logs) to Kafka topics, keyed by
 * document key. The sections are listed ({@code source.sections}) or discovered with a pattern
 * ({@code source.sections.pattern}) and re-discovered periodically: a changed set of sections
 * triggers a task reconfiguration. Sections are spread round-robin over at most {@code tasks.max}
 * tasks. Offsets are stream ids in Connect's offset store; the connector supports exactly-once
 * delivery (KIP-618) with the default, per-poll transaction boundaries.
 *
 * <p>Lifecycle methods are called by the worker; the discovery thread only calls
 * {@code requestTaskReconfiguration} and {@code raiseError}.
 */
public final class DdmSourceConnector extends SourceConnector {

    private static final Logger log = LoggerFactory.getLogger(DdmSourceConnector.class);

    private Map<String, String> props;
    private DdmSourceConfig config;
    private SectionDiscovery discovery;

    @Override
    public String version() {
        return DdmConnectorVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        long started = System.nanoTime();
        try {
            this.config = new DdmSourceConfig(props);
        } catch (ConfigException e) {
            throw new ConnectException("invalid DDM source connector configuration: " + e.getMessage(), e);
        }
        this.props = Map.copyOf(props);
        if (config.sectionPattern() != null) {
            String name = props.getOrDefault("name", "ddm-source");
            discovery = new SectionDiscovery(config, name, () -> context().requestTaskReconfiguration(),
                    e -> context().raiseError(e));
            try {
                discovery.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                discovery.close();
                throw new ConnectException("interrupted while discovering sections", e);
            }
        }
        log.info("DDM source connector started in {} ms: {} section(s) {}", (System.nanoTime() - started) / 1_000_000,
                sections().size(), config.sectionPattern() == null ? "listed" : "matching " + config.sectionPattern());
    }

    private List<SectionId> sections() {
        return discovery != null ? discovery.sections() : config.sections();
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DdmSourceTask.class;
    }

    /** The sections, round-robin over at most {@code maxTasks} tasks; no task when there is no section. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return taskConfigs(props, sections(), maxTasks);
    }

    static List<Map<String, String>> taskConfigs(Map<String, String> props, List<SectionId> sections, int maxTasks) {
        // At least one task, even with no section yet: it exports the region's repair requests, which a region
        // that lost every section needs most.
        int tasks = Math.max(1, Math.min(maxTasks, sections.size()));
        List<List<SectionId>> groups = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < sections.size(); i++) {
            groups.get(i % tasks).add(sections.get(i));
        }
        List<Map<String, String>> configs = new ArrayList<>(tasks);
        for (List<SectionId> group : groups) {
            Map<String, String> task = new HashMap<>(props);
            task.put(DdmSourceTaskConfig.TASK_SECTIONS_CONFIG, SectionNames.format(group));
            task.put(DdmSourceTaskConfig.TASK_REPAIRS_CONFIG, Boolean.toString(configs.isEmpty()));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
        if (discovery != null) {
            discovery.close();
            discovery = null;
        }
        log.info("DDM source connector stopped");
    }

    @Override
    public ConfigDef config() {
        return DdmSourceConfig.CONFIG;
    }

    /** Each key's own checks, then the rules between keys, reported against the key to fix. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = super.validate(connectorConfigs);
        Map<String, ConfigValue> byName = new HashMap<>();
        for (ConfigValue value : result.configValues()) {
            byName.put(value.name(), value);
        }
        Map<String, Object> parsed = new HashMap<>();
        for (String key : List.of(DdmSourceConfig.SECTIONS_CONFIG, DdmSourceConfig.SECTIONS_PATTERN_CONFIG)) {
            ConfigValue value = byName.get(key);
            if (value == null || !value.errorMessages().isEmpty()) {
                return result; // a key is wrong on its own: that is the error to fix first
            }
            parsed.put(key, value.value());
        }
        DdmSourceConfig.crossFieldProblems(parsed).forEach((key, message) -> byName.get(key).addErrorMessage(message));
        DdmConnectorConfig.addRedisProblems(byName);
        return result;
    }

    /**
     * Supported: a record's offset is the stream id of its own log entry, so with exactly-once
     * enabled, records and offsets commit in one transaction and a restarted task resumes right after
     * the last committed record.
     */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /**
     * Accepts offsets of this connector's shape (REST {@code PATCH /connectors/<name>/offsets}), for
     * example {@code {"streamId": "0-0"}} to export a section's whole log again.
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            try {
                SourceOffsets.section(entry.getKey());
                SourceOffsets.streamId(entry.getValue());
            } catch (IllegalArgumentException e) {
                throw new ConnectException("cannot alter the offset of " + entry.getKey() + ": " + e.getMessage(), e);
            }
        }
        return true;
    }
}
