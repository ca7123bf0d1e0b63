package io.github.ddm.connect.sink;

import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.connect.DdmConnectorVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DDM sink connector: applies change events from Kafka topics to this region's Redis through
 * core's commit script (see {@link DdmSinkTask} and {@link DdmSinkConfig}). Every task gets the same
 * settings; Kafka spreads the topic partitions over them, so each key stays with one task and its
 * events stay in order.
 *
 * <p>Connect calls its methods from one thread at a time.
 */
public final class DdmSinkConnector extends SinkConnector {

    private static final Logger log = LoggerFactory.getLogger(DdmSinkConnector.class);

    private Map<String, String> settings;

    @Override
    public String version() {
        return DdmConnectorVersion.get();
    }

    /** @throws org.apache.kafka.common.config.ConfigException naming the bad key */
    @Override
    public void start(Map<String, String> props) {
        DdmSinkConfig config = new DdmSinkConfig(props);
        settings = Map.copyOf(props);
        log.info("DDM sink connector {} started for region {} (Redis {}, namespace {})", config.connectorName(),
                config.region(), config.redisUri(), config.namespace());
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DdmSinkTask.class;
    }

    /** The connector's settings for every task, each numbered (for its counters' JMX name). */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> task = new HashMap<>(settings);
            task.put(DdmSinkConfig.TASK_INDEX_CONFIG, Integer.toString(i));
            configs.add(task);
        }
        return configs;
    }

    @Override
    public void stop() {
        settings = null;
    }

    @Override
    public ConfigDef config() {
        return DdmSinkConfig.CONFIG;
    }

    /** Checks each key, then the rules between keys, reporting every problem against the key to change. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> byName = new HashMap<>();
        for (ConfigValue value : config.configValues()) {
            byName.put(value.name(), value);
        }
        Map<String, String> problems = DdmSinkConfig.crossFieldProblems(key -> {
            ConfigValue value = byName.get(key);
            return value == null || !value.errorMessages().isEmpty() ? null : value.value();
        });
        problems.forEach((key, message) -> byName.get(key).addErrorMessage(message));
        DdmConnectorConfig.addRedisProblems(byName);
        return config;
    }
}
