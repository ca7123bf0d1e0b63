package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.schema.Origin;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        // The sample's CA file and password file do not exist here; everything else is applied as written.
        sample.remove("ddm.redis.tls.certificates");
        assertThat(sample.getProperty("ddm.redis.password")).isEqualTo("${file:/run/secrets/ddm-redis-password}");
        Path secret = Files.createTempFile("ddm-redis-password", "");
        Files.writeString(secret, "s3cret-from-file\n");
        sample.setProperty("ddm.redis.password", "${file:" + secret + "}");
        DocumentManagerBuilder<Doc> builder = DocumentManager.builder(Doc.class).properties(sample, "ddm.");
        assertThat(builder.redis.addresses()).containsExactly("rediss://redis.eu-west.internal:6380");
        assertThat(builder.redis.user()).as("the user is pricer, not a password for default").isEqualTo("pricer");
        assertThat(builder.redis.password()).isEqualTo("s3cret-from-file");
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
    void everyKey_reachesItsOwnSetting() {
        Map<String, String> all = new java.util.HashMap<>();
        all.put("ddm.redis.uri", "redis://10.0.0.7:7000");
        all.put("ddm.namespace", "ns1");
        all.put("ddm.section", "p1/s.1");
        all.put("ddm.origin.region", "r1");
        all.put("ddm.origin.node", "n1");
        all.put("ddm.value.sharing", "copy-on-read");
        all.put("ddm.pubsub.mode", "sharded");
        all.put("ddm.document.max.bytes", "2001");
        all.put("ddm.cache.max.size", "2002");
        all.put("ddm.cache.idle.expiry", "2003ms");
        all.put("ddm.log.max.length", "2004");
        all.put("ddm.full.state.every", "2005");
        all.put("ddm.write.max.attempts", "2006");
        all.put("ddm.write.backoff.base", "2007ms");
        all.put("ddm.write.backoff.max", "2008ms");
        all.put("ddm.subscribe.timeout", "2009ms");
        all.put("ddm.buffer.per.key", "2010");
        all.put("ddm.buffer.ttl", "2011ms");
        all.put("ddm.buffer.max.events", "2012");
        all.put("ddm.pending.max.changes", "2013");
        all.put("ddm.check.head.interval", "2014ms");
        all.put("ddm.check.version.interval", "2015ms");
        all.put("ddm.check.buffer.trim.interval", "2016ms");
        all.put("ddm.catchup.batch.size", "2017");
        assertThat(all.keySet()).as("every key, and redis.uri (RedisDeploymentTest reads the other redis.* keys)")
                .hasSize(ManagerProperties.KEYS.size() + 1);
        DocumentManagerBuilder<Doc> b = apply(all);
        assertThat(b.redis.addresses()).containsExactly("redis://10.0.0.7:7000");
        assertThat(b.namespace).isEqualTo("ns1");
        assertThat(b.partition + "|" + b.section).isEqualTo("p1|s.1");
        assertThat(b.origin).isEqualTo(Origin.of("r1", "n1"));
        assertThat(b.valueSharing).isEqualTo(ValueSharing.COPY_ON_READ);
        assertThat(b.pubSubMode).isEqualTo(PubSubMode.SHARDED);
        assertThat(List.of(b.maxDocumentBytes, b.cacheMaximumSize, b.logMaxLength, (long) b.fullStateEvery, (long) b.maxWriteAttempts,
                (long) b.changeBufferSize, b.changeBufferMaxEvents, b.maxPendingChanges, (long) b.catchUpBatchSize))
                .containsExactly(2001L, 2002L, 2004L, 2005L, 2006L, 2010L, 2012L, 2013L, 2017L);
        assertThat(List.of(b.cacheIdleExpiry, b.retryBackoffBase, b.retryBackoffMax, b.subscribeTimeout, b.changeBufferTtl,
                b.headCheckInterval, b.versionCheckInterval, b.bufferTrimInterval).stream().map(Duration::toMillis).toList())
                .containsExactly(2003L, 2007L, 2008L, 2009L, 2011L, 2014L, 2015L, 2016L);
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
    void anUnknownKey_isNamed_withItsPrefix_beforeAnySettingIsApplied() {
        DocumentManagerBuilder<Doc> builder = DocumentManager.builder(Doc.class);
        assertThatThrownBy(() -> ManagerProperties.apply(builder, Map.of("ddm.cache.maxsize", "10", "ddm.namespace", "x"), "ddm."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ddm.cache.maxsize").hasMessageContaining("unknown");
        assertThat(builder.namespace).as("nothing applied").isEqualTo("ddm");
    }

    @Test
    void aBadRedisUri_isNamed_withoutItsPassword() {
        assertThatThrownBy(() -> apply(Map.of("ddm.redis.uri", "no-scheme-ops:s3cret-pw@host:6379")))
                .hasMessageContaining("ddm.redis.uri").hasMessageNotContaining("s3cret-pw");
        assertThatThrownBy(() -> apply(Map.of("ddm.redis.uri", "redis://ops:s3cret-pw@host:6379", "ddm.namespace", "bad name")))
                .hasMessageContaining("ddm.namespace").hasMessageNotContaining("s3cret-pw");
    }

    @Test
    void bothWaysOfNamingTrustedCertificates_areRejected() {
        assertThatThrownBy(() -> apply(Map.of("ddm.redis.tls.certificates", "/a.pem", "ddm.redis.tls.truststore.path", "/b.p12")))
                .hasMessageContaining("ddm.redis.tls.certificates").hasMessageContaining("set one");
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
        assertThatThrownBy(() -> apply(Map.of("ddm.origin.region", "eu", "ddm.origin.node", "bad node")))
                .hasMessageContaining("ddm.origin.node = 'bad node'");
        assertThatThrownBy(() -> apply(Map.of("ddm.buffer.ttl", "soon", "ddm.buffer.per.key", "5")))
                .hasMessageStartingWith("ddm.buffer.ttl = 'soon' is not a duration");
        assertThatThrownBy(() -> apply(Map.of("ddm.cache.idle.expiry", "999999999999999d"))).hasMessageContaining("ddm.cache.idle.expiry");
        assertThatThrownBy(() -> apply(Map.of("ddm.namespace", "has space"))).hasMessageContaining("ddm.namespace = 'has space'");
    }

    @Test
    void aTruststorePassword_isNeverInAMessage() {
        assertThatThrownBy(() -> apply(Map.of("ddm.redis.uri", "rediss://h:1", "ddm.redis.tls.truststore.path", "/no/such/truststore.p12",
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
