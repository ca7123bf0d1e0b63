package io.github.ddm.connect.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.SectionId;
import io.github.ddm.schema.TopicTemplate;
import io.github.ddm.connect.source.DdmSourceConfig.ExportOrigins;
import io.github.ddm.connect.source.DdmSourceConfig.StartPosition;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;

class DdmSourceConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> props = new HashMap<>();
        props.put("redis.uri", "redis://127.0.0.1:6379");
        props.put("ddm.region", "eu-west");
        props.put("source.sections", "orders.book");
        return props;
    }

    private static Map<String, String> with(String... keyValues) {
        Map<String, String> props = minimal();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                props.remove(keyValues[i]);
            } else {
                props.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return props;
    }

    @Test
    void defaults_areTypedAndDocumented() {
        DdmSourceConfig config = new DdmSourceConfig(minimal());

        assertThat(config.sections()).containsExactly(new SectionId("orders", "book"));
        assertThat(config.sectionPattern()).isNull();
        assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(DdmSourceConfig.POLL_INTERVAL_MS_DEFAULT));
        assertThat(config.discoveryInterval()).isEqualTo(Duration.ofMillis(DdmSourceConfig.DISCOVERY_INTERVAL_MS_DEFAULT));
        assertThat(config.batchSize()).isEqualTo(DdmSourceConfig.BATCH_SIZE_DEFAULT);
        assertThat(config.pollMaxRecords()).isEqualTo(DdmSourceConfig.POLL_MAX_RECORDS_DEFAULT);
        assertThat(config.exportOrigins()).isEqualTo(ExportOrigins.LOCAL);
        assertThat(config.startPosition()).isEqualTo(StartPosition.EARLIEST);
        assertThat(config.topicOf(new SectionId("orders", "book"))).isEqualTo("ddm.eu-west.orders.book");
        assertThat(config.controlTopic()).isEqualTo("ddm.eu-west.control");
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(DdmSourceConfig.HEARTBEAT_INTERVAL_MS_DEFAULT));
        assertThat(config.namespace()).isEqualTo("ddm");
    }

    @Test
    void everySourceKey_hasTypeDefaultValidatorImportanceDocGroupAndDisplayName() {
        List<ConfigDef.ConfigKey> own = DdmSourceConfig.CONFIG.configKeys().values().stream()
                .filter(k -> k.name.startsWith("source.")).collect(Collectors.toList());

        assertThat(own).extracting(k -> k.name).containsExactlyInAnyOrder("source.sections", "source.sections.pattern",
                "source.discovery.interval.ms", "source.topic.template", "source.batch.size", "source.poll.interval.ms",
                "source.export.origins", "source.start", "source.control.topic", "source.heartbeat.interval.ms",
                "source.poll.max.records");
        for (ConfigDef.ConfigKey key : own) {
            assertThat(key.hasDefault()).as(key.name).isTrue();
            assertThat(key.validator).as(key.name).isNotNull();
            assertThat(key.importance).as(key.name).isNotNull();
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.group).as(key.name).isEqualTo(DdmSourceConfig.SOURCE_GROUP);
            assertThat(key.displayName).as(key.name).isNotBlank();
        }
        // The shared keys come from the base, once.
        assertThat(DdmSourceConfig.CONFIG.configKeys()).containsKeys("redis.uri", "redis.password", "ddm.region", "ddm.namespace");
        assertThat(DdmSourceConfig.CONFIG.configKeys().get("redis.password").type).isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(DdmSourceConfig.CONFIG.configKeys().get("redis.tls.truststore.password").type).isEqualTo(ConfigDef.Type.PASSWORD);
    }

    @Test
    void password_isNeverPrinted() {
        DdmSourceConfig config = new DdmSourceConfig(with("redis.password", "s3cr3t-value"));

        assertThat(config.values().toString()).doesNotContain("s3cr3t-value");
        assertThat(config.toString()).doesNotContain("s3cr3t-value");
    }

    @Test
    void sections_acceptDotOrSlash_andRejectAmbiguity() {
        DdmSourceConfig config = new DdmSourceConfig(with("source.sections", "orders.book, eu.orders/book ,fx.quotes"));
        assertThat(config.sections()).containsExactly(new SectionId("orders", "book"), new SectionId("eu.orders", "book"),
                new SectionId("fx", "quotes"));

        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "eu.orders.book")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source.sections").hasMessageContaining("ambiguous");
        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "orders")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source.sections");
        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "orders.bo ok")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source.sections");
        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "a.b,a.b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
    }

    @Test
    void pattern_isPartitionGlobDotSectionGlob() {
        DdmSourceConfig config = new DdmSourceConfig(with("source.sections", "", "source.sections.pattern", "orders.*"));
        assertThat(config.sectionPattern()).isEqualTo(new SectionPattern("orders", "*"));
        assertThat(SectionPattern.parse("eu.*/b?ok")).isEqualTo(new SectionPattern("eu.*", "b?ok"));

        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "", "source.sections.pattern", "a:b.*")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source.sections.pattern");
        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "", "source.sections.pattern", "{x}.*")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source.sections.pattern");
    }

    @Test
    void crossField_neitherOrBoth_namesTheKeyToFix() {
        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("source.sections").hasMessageContaining("source.sections.pattern");
        assertThatThrownBy(() -> new DdmSourceConfig(with("source.sections.pattern", "*.*")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Invalid value *.* for configuration source.sections.pattern");
    }

    @Test
    void validate_reportsCrossFieldErrorsAgainstTheRightKey() {
        DdmSourceConnector connector = new DdmSourceConnector();

        assertThat(errors(connector.validate(with("source.sections", "")))).containsOnlyKeys("source.sections");
        assertThat(errors(connector.validate(with("source.sections.pattern", "*.*")))).containsOnlyKeys("source.sections.pattern");
        assertThat(errors(connector.validate(with("source.sections", "", "source.sections.pattern", "*.*")))).isEmpty();
        assertThat(errors(connector.validate(minimal()))).isEmpty();
    }

    @Test
    void validate_reportsSingleKeyErrorsByName() {
        DdmSourceConnector connector = new DdmSourceConnector();

        Map<String, List<String>> errors = errors(connector.validate(with("redis.uri", "localhost:6379",
                "source.export.origins", "mine", "source.topic.template", "ddm.${zone}", "source.poll.interval.ms", "0",
                "ddm.region", null)));

        assertThat(errors).containsOnlyKeys("redis.uri", "source.export.origins", "source.topic.template",
                "source.poll.interval.ms", "ddm.region");
        assertThat(errors.get("redis.uri")).singleElement().asString().contains("redis.uri").contains("redis://");
        assertThat(errors.get("source.topic.template")).singleElement().asString().contains("${zone}");
    }

    @Test
    void enums_areCaseInsensitive_withRootLocale() {
        DdmSourceConfig config = new DdmSourceConfig(with("source.export.origins", "ALL", "source.start", "Latest"));

        assertThat(config.exportOrigins()).isEqualTo(ExportOrigins.ALL);
        assertThat(config.startPosition()).isEqualTo(StartPosition.LATEST);
        assertThat(ExportOrigins.LOCAL.configValue()).isEqualTo("local");
    }

    @Test
    void topicTemplate_perSectionOrFixed_andRejectsIllegalNames() {
        SectionId section = new SectionId("eu.orders", "book");
        assertThat(TopicTemplate.parse("${namespace}-${region}-${partition}-${section}").topic("ns", "us", "eu.orders", "book"))
                .isEqualTo("ns-us-eu.orders-book");
        TopicTemplate fixed = TopicTemplate.parse("ddm.changes");
        assertThat(fixed.topic("ddm", "us", section.partition(), section.section())).isEqualTo("ddm.changes");
        assertThat(fixed.isSingleTopic()).isTrue();
        assertThat(TopicTemplate.parse(TopicTemplate.DEFAULT).matches("ddm.us.orders.book")).isTrue();
        assertThat(TopicTemplate.parse(TopicTemplate.DEFAULT).matches("ddm.us.control")).isFalse();

        assertThatThrownBy(() -> TopicTemplate.parse("ddm changes")).hasMessageContaining("[A-Za-z0-9._-]");
        assertThatThrownBy(() -> TopicTemplate.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> TopicTemplate.parse("x${id}")).hasMessageContaining("${id}");
        assertThatThrownBy(() -> TopicTemplate.parse("x".repeat(200) + "${partition}${section}").topic("ddm", "eu",
                "p".repeat(30), "s".repeat(30))).hasMessageContaining("249");
        assertThatThrownBy(() -> new DdmSourceConfig(with(DdmSourceConfig.CONTROL_TOPIC_CONFIG, "ddm.${section}.control")))
                .hasMessageContaining("one control topic serves every section");
    }

    @Test
    void taskConfigs_spreadSectionsRoundRobin() {
        List<SectionId> sections = List.of(new SectionId("p", "a"), new SectionId("p", "b"), new SectionId("eu.p", "c"),
                new SectionId("p", "d"), new SectionId("p", "e"));

        List<Map<String, String>> two = DdmSourceConnector.taskConfigs(minimal(), sections, 2);
        assertThat(two).hasSize(2);
        assertThat(new DdmSourceTaskConfig(two.get(0)).assignedSections()).containsExactly(sections.get(0), sections.get(2),
                sections.get(4));
        assertThat(new DdmSourceTaskConfig(two.get(1)).assignedSections()).containsExactly(sections.get(1), sections.get(3));
        assertThat(two.get(0)).containsEntry("redis.uri", "redis://127.0.0.1:6379");

        assertThat(DdmSourceConnector.taskConfigs(minimal(), sections, 10)).hasSize(5);
        assertThat(two).extracting(t -> t.get(DdmSourceTaskConfig.TASK_REPAIRS_CONFIG)).as("one task exports repair requests")
                .containsExactly("true", "false");
        List<Map<String, String>> none = DdmSourceConnector.taskConfigs(minimal(), List.of(), 4);
        assertThat(none).as("a task even without sections: it exports the repair requests").hasSize(1);
        assertThat(new DdmSourceTaskConfig(none.get(0)).assignedSections()).isEmpty();
        assertThat(new DdmSourceTaskConfig(none.get(0)).exportsRepairs()).isTrue();
    }

    @Test
    void connector_declaresExactlyOnceSupport_andChecksAlteredOffsets() {
        DdmSourceConnector connector = new DdmSourceConnector();
        assertThat(connector.exactlyOnceSupport(minimal())).isEqualTo(ExactlyOnceSupport.SUPPORTED);
        assertThat(connector.version()).isNotBlank();

        Map<String, String> partition = SourceOffsets.partition("ddm", new SectionId("p", "s"));
        assertThat(connector.alterOffsets(minimal(), Map.of(partition, Map.of("streamId", "0-0")))).isTrue();
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(partition, null);
        assertThat(connector.alterOffsets(minimal(), reset)).isTrue();
        assertThatThrownBy(() -> connector.alterOffsets(minimal(), Map.of(partition, Map.of("streamId", "soon"))))
                .isInstanceOf(ConnectException.class).hasMessageContaining("streamId");
        assertThatThrownBy(() -> connector.alterOffsets(minimal(), Map.of(Map.of("file", "x"), Map.of("streamId", "1-0"))))
                .isInstanceOf(ConnectException.class).hasMessageContaining("partition");
    }

    @Test
    void streamIds_compareNumerically() {
        assertThat(SourceOffsets.compare("10-0", "9-5")).isPositive();
        assertThat(SourceOffsets.compare("9-10", "9-9")).isPositive();
        assertThat(SourceOffsets.compare("0-0", "0-0")).isZero();
        assertThat(SourceOffsets.compare("18446744073709551615-0", "1-0")).isPositive();
    }

    @Test
    void sourcePartition_serializesTheSameInEveryJvm_andAfterConnectReadsItBack() {
        // Connect finds a stored offset by the serialized [connector, partition] key. Map.of, whose order
        // changes from one JVM to the next, would lose every offset when a worker restarts; and Connect's
        // REST offsets API re-serializes the partitions it deserialized (JsonConverter makes HashMaps).
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "false"), true);
        Map<String, String> partition = SourceOffsets.partition("ddm", new SectionId("orders", "book"));

        byte[] written = json.fromConnectData("offsets", null, List.of("name", partition));
        List<?> readBack = (List<?>) json.toConnectData("offsets", written).value();

        assertThat(new String(written, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("[\"name\",{\"partition\":\"orders\",\"namespace\":\"ddm\",\"section\":\"book\"}]");
        assertThat(json.fromConnectData("offsets", null, List.of("name", readBack.get(1)))).isEqualTo(written);
    }

    private static Map<String, List<String>> errors(Config config) {
        return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }
}
