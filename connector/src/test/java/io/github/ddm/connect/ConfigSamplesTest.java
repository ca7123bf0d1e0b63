package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.connect.sink.DdmSinkConnector;
import io.github.ddm.connect.source.DdmSourceConfig;
import io.github.ddm.connect.source.DdmSourceConnector;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Test;

/** The samples in config/ are accepted by the code that reads them, key for key. */
class ConfigSamplesTest {

    private static final Path CONFIG = Path.of("..", "config");
    /** Keys that belong to Kafka Connect itself, not to the connectors' ConfigDefs. */
    private static final Set<String> FRAMEWORK_KEYS = Set.of("connector.class", "tasks.max", "topics", "topics.regex",
            "key.converter", "value.converter", "header.converter", "exactly.once.support", "transaction.boundary",
            "errors.tolerance", "errors.log.enable", "errors.log.include.messages", "errors.deadletterqueue.topic.name",
            "errors.deadletterqueue.topic.replication.factor", "errors.deadletterqueue.context.headers.enable",
            "errors.retry.timeout", "errors.retry.delay.max.ms", "name");

    private static Map<String, String> connectorConfig(String file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(CONFIG.resolve(file), StandardCharsets.UTF_8));
        assertThat(root.path("name").asText()).as("%s has a connector name", file).isNotBlank();
        Map<String, String> config = new HashMap<>();
        root.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    private static void assertAccepted(String file, Connector connector, ConfigDef definition) throws IOException {
        Map<String, String> config = connectorConfig(file);
        assertThat(config.get("connector.class")).isEqualTo(connector.getClass().getName());
        // No producer.override.*, consumer.override.* or admin.override.* either: the sample worker's
        // connector.client.config.override.policy=None refuses them.
        Set<String> unknown = config.keySet().stream()
                .filter(k -> !FRAMEWORK_KEYS.contains(k) && !definition.names().contains(k))
                .collect(Collectors.toSet());
        assertThat(unknown).as("keys in %s that no ConfigDef defines", file).isEmpty();
        for (ConfigValue value : connector.validate(config).configValues()) {
            assertThat(value.errorMessages()).as("%s: %s", file, value.name()).isEmpty();
        }
        assertThat(definition.configKeys().get(DdmConnectorConfig.REDIS_PASSWORD_CONFIG).type).isEqualTo(ConfigDef.Type.PASSWORD);
    }

    @Test
    void sourceSample_isValid() throws IOException {
        DdmSourceConnector source = new DdmSourceConnector();
        assertAccepted("ddm-source.json", source, source.config());
    }

    @Test
    void sinkSample_isValid_andHasADeadLetterQueue() throws IOException {
        DdmSinkConnector sink = new DdmSinkConnector();
        assertAccepted("ddm-sink.json", sink, sink.config());
        assertThat(connectorConfig("ddm-sink.json")).containsEntry("errors.tolerance", "all")
                .containsKey("errors.deadletterqueue.topic.name");
    }

    /**
     * The three-region set (config/regions-3/): each region's source and sink are valid; each sink's
     * subscription takes in the other regions' change and control topics as their sources name them,
     * never its own region's, and never its own dead-letter topic.
     */
    @Test
    void threeRegionSamples_areValid_andEachSinkReadsExactlyTheOtherRegionsTopics() throws IOException {
        List<String> regions = List.of("eu-west", "us-east", "ap-south");
        for (String region : regions) {
            DdmSourceConnector source = new DdmSourceConnector();
            assertAccepted("regions-3/" + region + "-source.json", source, source.config());
            DdmSinkConnector sink = new DdmSinkConnector();
            assertAccepted("regions-3/" + region + "-sink.json", sink, sink.config());
        }
        for (String region : regions) {
            Map<String, String> sink = connectorConfig("regions-3/" + region + "-sink.json");
            Pattern subscription = Pattern.compile(sink.get("topics.regex"));
            assertThat(sink.get("ddm.region")).isEqualTo(region);
            assertThat(subscription.matcher(sink.get("errors.deadletterqueue.topic.name")).matches())
                    .as("%s's sink must not read its own dead-letter topic", region).isFalse();
            for (String other : regions) {
                DdmSourceConfig source = new DdmSourceConfig(connectorConfig("regions-3/" + other + "-source.json"));
                String changes = source.topicOf(new io.github.ddm.SectionId("orders", "book"));
                String control = source.controlTopic();
                boolean expected = !other.equals(region);
                assertThat(subscription.matcher(changes).matches()).as("%s's sink reads %s", region, changes).isEqualTo(expected);
                assertThat(subscription.matcher(control).matches()).as("%s's sink reads %s", region, control).isEqualTo(expected);
            }
        }
    }

    /** The two-region samples fit each other the same way. */
    @Test
    void twoRegionSamples_sinkReadsTheSourcesTopics_andNotItsDeadLetters() throws IOException {
        Map<String, String> sink = connectorConfig("ddm-sink.json");
        DdmSourceConfig source = new DdmSourceConfig(connectorConfig("ddm-source.json"));
        Pattern subscription = Pattern.compile(sink.get("topics.regex"));
        assertThat(subscription.matcher(source.topicOf(new io.github.ddm.SectionId("orders", "book"))).matches()).isTrue();
        assertThat(subscription.matcher(source.controlTopic()).matches()).isTrue();
        assertThat(subscription.matcher(sink.get("errors.deadletterqueue.topic.name")).matches()).isFalse();
    }

    @Test
    void workerSample_isAValidDistributedWorkerConfig() throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(CONFIG.resolve("connect-distributed.properties"), StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, String> config = new HashMap<>();
        properties.forEach((k, v) -> config.put((String) k, (String) v));

        // Without config.providers: a worker resolves the ${file:...} references as it starts, which needs the
        // secrets directory (SamplesOnWorkerIT starts one); here they stay unresolved text.
        Map<String, String> withoutProviders = new HashMap<>(config);
        withoutProviders.keySet().removeIf(k -> k.startsWith("config.providers"));
        DistributedConfig worker = new DistributedConfig(withoutProviders);

        assertThat(worker.getString("plugin.discovery")).isEqualToIgnoringCase("service_load");
        assertThat(worker.getString("exactly.once.source.support")).isEqualToIgnoringCase("enabled");
        assertThat(config.get("value.converter")).isEqualTo(ChangeEventConverter.class.getName());
        // The sinks read committed records only, set for the worker since connectors may override nothing.
        assertThat(worker.originalsWithPrefix("consumer.")).containsEntry("isolation.level", "read_committed");
        assertThat(worker.getString("connector.client.config.override.policy")).isEqualTo("None");
        assertThat(config).containsEntry("config.providers.file.param.allowed.paths", "/etc/kafka-connect/secrets");
        assertThat(config.get("listeners").split(",")).filteredOn(l -> l.startsWith("http:")).containsExactly("http://127.0.0.1:8083");
        assertThat(config.get("listeners").split(",")).filteredOn(l -> l.startsWith("https:")).hasSize(1);
        assertThat(config).containsEntry("rest.advertised.listener", "https").containsEntry("listeners.https.ssl.client.auth", "required");
    }
}
