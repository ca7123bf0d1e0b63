package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.testkit.junit.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaClusterIT {

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create(KafkaMode.KRAFT);

    @Test
    void produceAndConsume_roundTripsRecordsInOrder() {
        KafkaCluster cluster = kafka.server();
        cluster.createTopic("orders", 3);
        for (int i = 0; i < 10; i++) {
            cluster.produce("orders", "key-1", "v" + i);
        }

        List<ConsumerRecord<String, String>> records = cluster.consume("orders", 10, Duration.ofSeconds(30));

        assertThat(records).extracting(ConsumerRecord::key).containsOnly("key-1");
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(records.get(0).partition());
    }

    @Test
    void createTopic_createsThePartitionsAndConfig() throws Exception {
        KafkaCluster cluster = kafka.server();
        cluster.createTopic("snapshots", 2, Map.of("cleanup.policy", "compact"));
        try (Admin admin = cluster.admin()) {
            var description = admin.describeTopics(List.of("snapshots")).allTopicNames().get(30, TimeUnit.SECONDS).get("snapshots");
            assertThat(description.partitions()).hasSize(2);
        }
        assertThat(cluster.mode()).isEqualTo(KafkaMode.KRAFT);
        assertThat(cluster.bootstrapServers()).isNotBlank();
    }

    @Test
    void consume_failsClearlyWhenTooFewRecordsArrive() {
        KafkaCluster cluster = kafka.server();
        cluster.createTopic("sparse");
        cluster.produce("sparse", "k", "only-one");

        assertThatThrownBy(() -> cluster.consume("sparse", 2, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 2 records in sparse")
                .hasMessageContaining("got 1");
    }

    @Test
    void topicsFromEarlierTests_areDeletedBeforeEachTest() throws Exception {
        KafkaCluster cluster = kafka.server();
        cluster.createTopic("left-behind");
        cluster.deleteUserTopics();
        try (Admin admin = cluster.admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("left-behind", "orders", "snapshots", "sparse");
        }
    }

    @Test
    void containerMode_startsWhereDockerRuns_elseExplainsWhy() {
        KafkaCluster container;
        try {
            container = KafkaCluster.start(KafkaMode.CONTAINER);
        } catch (IllegalStateException e) {
            assertThat(e).hasMessageContaining("Docker").hasMessageContaining(KafkaMode.PROPERTY);
            return;
        }
        try (container) {
            container.createTopic("t");
            container.produce("t", "k", "v");
            assertThat(container.consume("t", 1, Duration.ofSeconds(60))).extracting(ConsumerRecord::value).containsExactly("v");
        }
    }

    @Test
    void mode_isReadFromTheSystemPropertyAndRejectsUnknownValues() {
        try (SystemProperty mode = SystemProperty.set(KafkaMode.PROPERTY, null)) {
            assertThat(KafkaMode.fromSystemProperty()).isEqualTo(KafkaMode.KRAFT);
            System.setProperty(KafkaMode.PROPERTY, "Container");
            assertThat(KafkaMode.fromSystemProperty()).isEqualTo(KafkaMode.CONTAINER);
            System.setProperty(KafkaMode.PROPERTY, "zookeeper");
            assertThatThrownBy(KafkaMode::fromSystemProperty).hasMessageContaining("ddm.kafka").hasMessageContaining("zookeeper");
        }
    }
}
