package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.ConnectCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the multi-region ITs share: a region's connector config, waiting until a connector runs,
 * and reading a topic to its end. Stateless.
 */
final class RegionConnectors {

    private RegionConnectors() {
    }

    /**
     * A one-task connector of {@code connectorClass} for {@code region}'s Redis at {@code redisUri}, with
     * string keys and the change-event converter; {@code more} adds (name, value) pairs.
     */
    static Map<String, String> config(String connectorClass, String region, String redisUri, String... more) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.put("redis.uri", redisUri);
        config.put("ddm.region", region);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", ChangeEventConverter.class.getName());
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    /** Waits (up to a minute) until the connector and every one of its tasks, at least one, are RUNNING. */
    static void awaitRunning(ConnectCluster connect, String name) {
        await(name + " running").atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                var status = connect.cluster().connectorStatus(name);
                return "RUNNING".equals(status.connector().state()) && !status.tasks().isEmpty()
                        && status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
            } catch (RuntimeException notYet) {
                return false; // the REST API may answer 404/409 during a rebalance
            }
        });
    }

    /**
     * Every committed record of every partition of {@code topic}, from its start to its current end;
     * checks that the topic has {@code partitions} partitions, unless that is 0.
     */
    static List<ConsumerRecord<String, String>> readToEnd(ConnectCluster connect, String topic, int partitions) {
        Map<String, Object> props = new HashMap<>(connect.kafka().clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "region-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> assigned = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions > 0) {
                assertThat(assigned).as("partitions of %s", topic).hasSize(partitions);
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            await("reading " + topic + " to its end " + end).atMost(Duration.ofSeconds(60))
                    .pollInSameThread().pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return assigned.stream().allMatch(p -> consumer.position(p) >= end.get(p));
                    });
        }
        return records;
    }
}
