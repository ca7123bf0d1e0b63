package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.schema.Origin;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A configuration file's keys reach the builder, and a bad key or value is named. No network. */
class ManagerPropertiesTest {

    /** A document type for the builder. */
    record Doc(long n) {
    }

    private static DocumentManagerBuilder<Doc> apply(Map<String, String> properties) {
        return ManagerProperties.apply(DocumentManager.builder(Doc.class), properties, "ddm.");
    }

    @Test
    void theSampleServiceConfig_isRead_intoEverySetting() throws Exception {
        Properties sample = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("..", "config", "ddm-service.properties"))) {
            sample.load(in);
        }
        // The sample's CA file does not exist here; everything else is applied as written.
        sample.remove("ddm.redis.tls.certificates");
        DocumentManagerBuilder<Doc> builder = DocumentManager.builder(Doc.class).properties(sample, "ddm.");
        assertThat(builder.redisUri).isEqualTo("rediss://pricer@redis.eu-west.internal:6380");
        assertThat(builder.namespace).isEqualTo("ddm");
        assertThat(builder.partition).isEqualTo("orders");
        assertThat(builder.section).isEqualTo("book");
        assertThat(builder.origin).isEqualTo(Origin.of("eu-west", "pricer-1"));
        assertThat(builder.valueSharing).isEqualTo(ValueSharing.SHARED);
        assertThat(builder.cacheMaximumSize).isEqualTo(100_000);
        assertThat(builder.cacheIdleExpiry).isEqualTo(Duration.ofHours(6));
        assertThat(builder.maxDocumentBytes).isEqualTo(1_048_576);
        assertThat(builder.retryBackoffBase).isEqualTo(Duration.ofMillis(1));
        assertThat(builder.retryBackoffMax).isEqualTo(Duration.ofMillis(50));
        assertThat(builder.changeBufferTtl).isEqualTo(Duration.ofHours(1));
        assertThat(builder.bufferTrimInterval).isEqualTo(Duration.ofMinutes(1));
        assertThat(builder.logMaxLength).isEqualTo(10_000);
    }

    @Test
    void aGroupSetOnlyInPart_keepsTheOtherValues() {
        DocumentManagerBuilder<Doc> builder = apply(Map.of("ddm.buffer.ttl", "PT10M", "ddm.check.version.interval", "250ms",
                "other.key", "ignored"));
        assertThat(builder.changeBufferTtl).isEqualTo(Duration.ofMinutes(10));
        assertThat(builder.changeBufferSize).isEqualTo(50);
        assertThat(builder.changeBufferMaxEvents).isEqualTo(100_000);
        assertThat(builder.versionCheckInterval).isEqualTo(Duration.ofMillis(250));
        assertThat(builder.headCheckInterval).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anUnknownKey_isNamed_withItsPrefix() {
        assertThatThrownBy(() -> apply(Map.of("ddm.cache.maxsize", "10", "ddm.namespace", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ddm.cache.maxsize").hasMessageContaining("unknown");
    }

    @Test
    void badValues_areNamed_withTheKeyAndWhy() {
        assertThatThrownBy(() -> apply(Map.of("ddm.cache.max.size", "lots"))).hasMessageContaining("ddm.cache.max.size = 'lots'")
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> apply(Map.of("ddm.cache.max.size", "0"))).hasMessageContaining("ddm.cache.max.size = '0'");
        assertThatThrownBy(() -> apply(Map.of("ddm.buffer.ttl", "10 minutes"))).hasMessageContaining("ddm.buffer.ttl")
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> apply(Map.of("ddm.value.sharing", "sometimes"))).hasMessageContaining("ddm.value.sharing")
                .hasMessageContaining("copy-on-read").hasMessageContaining("shared");
        assertThatThrownBy(() -> apply(Map.of("ddm.section", "a.b.c"))).hasMessageContaining("ddm.section")
                .hasMessageContaining("partition/section");
        assertThatThrownBy(() -> apply(Map.of("ddm.origin.region", "eu"))).hasMessageContaining("ddm.origin.node is required");
        assertThatThrownBy(() -> apply(Map.of("ddm.namespace", "has space"))).hasMessageContaining("ddm.namespace = 'has space'");
    }

    @Test
    void aTruststorePassword_isNeverInAMessage() {
        assertThatThrownBy(() -> apply(Map.of("ddm.redis.tls.truststore.path", "/no/such/truststore.p12",
                "ddm.redis.tls.truststore.password", "hunter2-secret")))
                .hasMessageContaining("ddm.redis.tls.truststore.path").hasMessageNotContaining("hunter2-secret");
    }

    @Test
    void durations_readIsoAndShortForms() {
        assertThat(ManagerProperties.parseDuration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
        assertThat(ManagerProperties.parseDuration("pt6h")).isEqualTo(Duration.ofHours(6));
        assertThat(ManagerProperties.parseDuration("1_500ms")).isEqualTo(Duration.ofMillis(1_500));
        assertThat(ManagerProperties.parseDuration("2d")).isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> ManagerProperties.parseDuration("5 weeks")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ManagerProperties.parseDuration("h")).isInstanceOf(IllegalArgumentException.class);
    }
}
