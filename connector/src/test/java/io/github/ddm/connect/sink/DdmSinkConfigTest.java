package io.github.ddm.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.connect.sink.DdmSinkConfig.OriginFilter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** The sink's ConfigDef, typed accessors and cross-field rules; no network. */
class DdmSinkConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> props = new HashMap<>();
        props.put("name", "sink-test");
        props.put(DdmConnectorConfig.REDIS_URI_CONFIG, "redis://127.0.0.1:6379");
        props.put(DdmConnectorConfig.REGION_CONFIG, "us");
        return props;
    }

    private static Map<String, List<String>> errors(Map<String, String> props) {
        Config config = new DdmSinkConnector().validate(props);
        return config.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    /** The Redis keys are RedisDeployment's, read the way a service's configuration file is read. */
    @Test
    void redisDeployment_clusterAndSentinel_fromTheSameKeysAsTheServiceConfig() {
        Map<String, String> props = minimal();
        props.put("redis.mode", "Cluster");
        props.put("redis.uri", "redis://10.0.0.1:7000,redis://10.0.0.2:7000");
        props.put("redis.user", "bridge");
        props.put("redis.password", "never-Shown-1");
        props.put("redis.timeout.ms", "1500");
        DdmSinkConfig config = new DdmSinkConfig(props);
        assertThat(config.redisDeployment()).satisfies(d -> {
            assertThat(d.topology()).isEqualTo(io.github.ddm.RedisDeployment.Topology.CLUSTER);
            assertThat(d.addresses()).containsExactly("redis://10.0.0.1:7000", "redis://10.0.0.2:7000");
            assertThat(d.user()).isEqualTo("bridge");
            assertThat(d.hasPassword()).isTrue();
            assertThat(d.timeout()).isEqualTo(Duration.ofMillis(1500));
            assertThat(d.toString()).doesNotContain("never-Shown-1");
        });
        props.put("redis.mode", "sentinel");
        props.put("redis.sentinel.master", "orders");
        assertThat(new DdmSinkConfig(props).redisDeployment().masterName()).isEqualTo("orders");
    }

    @Test
    void validate_redisRulesBetweenKeys_reportedAgainstTheKeyToChange() {
        Map<String, String> sentinel = minimal();
        sentinel.put("redis.mode", "sentinel");
        assertThat(errors(sentinel)).containsOnlyKeys("redis.sentinel.master");
        Map<String, String> plainWithTls = minimal();
        plainWithTls.put("redis.tls.certificates", "/etc/ddm/ca.pem");
        assertThat(errors(plainWithTls)).containsOnlyKeys("redis.uri")
                .hasEntrySatisfying("redis.uri", e -> assertThat(e).singleElement().asString().contains("use rediss://"));
        Map<String, String> halfPem = minimal();
        halfPem.put("redis.uri", "rediss://127.0.0.1:6380");
        halfPem.put("redis.tls.client.certificate", "/etc/ddm/me.crt");
        assertThat(errors(halfPem)).containsOnlyKeys("redis.tls.client.key")
                .hasEntrySatisfying("redis.tls.client.key", e -> assertThat(e).singleElement().asString()
                        .contains("redis.tls.client.key is required when redis.tls.client.certificate is set"));
        Map<String, String> credentials = minimal();
        credentials.put("redis.mode", "cluster");
        credentials.put("redis.uri", "redis://10.0.0.1:7000,redis://ops:Secret-9@10.0.0.2:7000");
        assertThat(errors(credentials)).containsOnlyKeys("redis.uri")
                .hasEntrySatisfying("redis.uri", e -> assertThat(e.toString()).contains("must not hold credentials")
                        .doesNotContain("Secret-9"));
        Map<String, String> badMode = minimal();
        badMode.put("redis.mode", "ring");
        assertThat(errors(badMode)).containsOnlyKeys("redis.mode");
    }

    @Test
    void defaults_giveTypedValues() {
        DdmSinkConfig config = new DdmSinkConfig(minimal());
        assertThat(config.applyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.applyParallelism()).isEqualTo(512);
        assertThat(config.originFilter()).isEqualTo(OriginFilter.SKIP_OWN_REGION);
        assertThat(config.skippedOriginRegions()).containsExactly("us");
        assertThat(config.skipsOrigin("us")).isTrue();
        assertThat(config.skipsOrigin("eu")).isFalse();
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.retryMaxAttempts()).isEqualTo(30);
        assertThat(config.namespace()).isEqualTo("ddm");
        assertThat(config.connectorName()).isEqualTo("sink-test");
        assertThat(config.taskIndex()).isZero();
    }

    @Test
    void originFilter_applyAll_skipsNothing_andSkipListAddsRegions() {
        Map<String, String> props = minimal();
        props.put(DdmSinkConfig.ORIGIN_FILTER_CONFIG, "APPLY-ALL");
        assertThat(new DdmSinkConfig(props).skippedOriginRegions()).isEmpty();

        props = minimal();
        props.put(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG, "ap, eu");
        DdmSinkConfig config = new DdmSinkConfig(props);
        assertThat(config.skippedOriginRegions()).containsExactlyInAnyOrder("us", "ap", "eu");
    }

    @Test
    void everySinkKey_hasTypeDefaultValidatorImportanceDocGroupAndDisplayName() {
        for (ConfigDef.ConfigKey key : DdmSinkConfig.CONFIG.configKeys().values()) {
            if (DdmConnectorConfig.BASE.configKeys().containsKey(key.name)) {
                continue;
            }
            assertThat(key.name).startsWith("sink.");
            assertThat(key.validator).as("validator of %s", key.name).isNotNull();
            assertThat(key.documentation).as("doc of %s", key.name).isNotBlank();
            assertThat(key.group).as("group of %s", key.name).isEqualTo(DdmSinkConfig.SINK_GROUP);
            assertThat(key.displayName).as("display name of %s", key.name).isNotBlank();
            assertThat(key.importance).isNotNull();
            assertThat(key.hasDefault()).as("default of %s", key.name).isTrue();
        }
        assertThat(DdmSinkConfig.CONFIG.configKeys()).containsKeys(DdmConnectorConfig.BASE.names().toArray(String[]::new));
    }

    @Test
    void secrets_arePasswords() {
        assertThat(DdmSinkConfig.CONFIG.configKeys().get(DdmConnectorConfig.REDIS_PASSWORD_CONFIG).type)
                .isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(DdmSinkConfig.CONFIG.configKeys().get(DdmConnectorConfig.REDIS_TRUSTSTORE_PASSWORD_CONFIG).type)
                .isEqualTo(ConfigDef.Type.PASSWORD);
        Map<String, String> props = minimal();
        props.put(DdmConnectorConfig.REDIS_PASSWORD_CONFIG, "s3cret");
        DdmSinkConfig config = new DdmSinkConfig(props);
        assertThat(config.getPassword(DdmConnectorConfig.REDIS_PASSWORD_CONFIG).value()).isEqualTo("s3cret");
        assertThat(config.getPassword(DdmConnectorConfig.REDIS_PASSWORD_CONFIG).toString()).doesNotContain("s3cret");
    }

    @Test
    void validate_namesEachBadKey() {
        Map<String, String> props = minimal();
        props.remove(DdmConnectorConfig.REGION_CONFIG);
        props.put(DdmConnectorConfig.REDIS_URI_CONFIG, "http://localhost:6379");
        props.put(DdmSinkConfig.APPLY_TIMEOUT_MS_CONFIG, "5");
        props.put(DdmSinkConfig.APPLY_PARALLELISM_CONFIG, "0");
        props.put(DdmSinkConfig.ORIGIN_FILTER_CONFIG, "everything");
        props.put(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG, "eu,bad region");

        Map<String, List<String>> errors = errors(props);

        assertThat(errors).containsOnlyKeys(DdmConnectorConfig.REGION_CONFIG, DdmConnectorConfig.REDIS_URI_CONFIG,
                DdmSinkConfig.APPLY_TIMEOUT_MS_CONFIG, DdmSinkConfig.APPLY_PARALLELISM_CONFIG,
                DdmSinkConfig.ORIGIN_FILTER_CONFIG, DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG);
        assertThat(errors.get(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG).get(0)).contains("bad region");
        assertThat(errors.get(DdmSinkConfig.ORIGIN_FILTER_CONFIG).get(0)).contains("skip-own-region", "apply-all");
        assertThat(errors.get(DdmConnectorConfig.REDIS_URI_CONFIG).get(0)).contains("redis://");
    }

    @Test
    void validate_reportsCrossFieldRulesAgainstTheKeyToChange() {
        Map<String, String> props = minimal();
        props.put(DdmSinkConfig.ORIGIN_FILTER_CONFIG, "apply-all");
        props.put(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG, "eu");
        props.put(DdmConnectorConfig.REDIS_TRUSTSTORE_PATH_CONFIG, "/etc/ddm/truststore.p12");

        Map<String, List<String>> errors = errors(props);

        assertThat(errors).containsOnlyKeys(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG,
                DdmConnectorConfig.REDIS_TRUSTSTORE_PATH_CONFIG);
        assertThat(errors.get(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG).get(0)).contains("must be empty", "apply-all");
        assertThat(errors.get(DdmConnectorConfig.REDIS_TRUSTSTORE_PATH_CONFIG).get(0)).contains("rediss://");
        assertThatThrownBy(() -> new DdmSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG);
    }

    @Test
    void validate_skipsCrossFieldRulesOnKeysThatAreAlreadyInvalid() {
        Map<String, String> props = minimal();
        props.put(DdmSinkConfig.ORIGIN_FILTER_CONFIG, "nonsense");
        props.put(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG, "eu");
        assertThat(errors(props)).containsOnlyKeys(DdmSinkConfig.ORIGIN_FILTER_CONFIG);
    }

    @Test
    void validate_ofAGoodConfig_hasNoErrors_andConstructorNamesBadKeys() {
        assertThat(errors(minimal())).isEmpty();
        Map<String, String> props = minimal();
        props.put(DdmSinkConfig.APPLY_PARALLELISM_CONFIG, "2000");
        assertThatThrownBy(() -> new DdmSinkConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DdmSinkConfig.APPLY_PARALLELISM_CONFIG);
    }

    @Test
    void connector_givesEveryTaskTheSameSettings_numbered() {
        DdmSinkConnector connector = new DdmSinkConnector();
        Map<String, String> props = minimal();
        props.put(DdmConnectorConfig.REDIS_PASSWORD_CONFIG, "pw");
        connector.start(props);
        List<Map<String, String>> tasks = connector.taskConfigs(3);
        assertThat(tasks).hasSize(3);
        for (int i = 0; i < 3; i++) {
            Map<String, String> task = new HashMap<>(tasks.get(i));
            assertThat(task.remove(DdmSinkConfig.TASK_INDEX_CONFIG)).isEqualTo(Integer.toString(i));
            assertThat(task).isEqualTo(props);
            assertThat(new DdmSinkConfig(tasks.get(i)).taskIndex()).isEqualTo(i);
        }
        assertThat(connector.taskClass()).isEqualTo(DdmSinkTask.class);
        assertThat(connector.config()).isSameAs(DdmSinkConfig.CONFIG);
        assertThat(connector.version()).isNotBlank();
        connector.stop();
    }
}
