package io.github.ddm.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A real Kafka cluster for tests: by default an in-JVM KRaft broker ({@link KafkaMode#KRAFT});
 * with {@code -Dddm.kafka=container} and a reachable Docker engine, a Testcontainers Kafka
 * ({@link KafkaMode#CONTAINER}). Both behave the same through this interface.
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.start()) {
 *     kafka.createTopic("orders", 3);
 *     kafka.produce("orders", "k", "v");
 *     List<ConsumerRecord<String, String>> records = kafka.consume("orders", 1, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface KafkaCluster extends AutoCloseable {

    /**
     * Starts a cluster in the mode named by the {@code ddm.kafka} system property (default
     * {@code kraft}).
     *
     * @throws IllegalStateException if the mode cannot run here (for example no Docker engine)
     */
    static KafkaCluster start() {
        return start(KafkaMode.fromSystemProperty());
    }

    /** Starts a cluster in the given mode. */
    static KafkaCluster start(KafkaMode mode) {
        return mode == KafkaMode.CONTAINER ? ContainerKafkaCluster.start() : KRaftKafkaCluster.start();
    }

    /** The mode this cluster runs in. */
    KafkaMode mode();

    /** The {@code bootstrap.servers} value for clients. */
    String bootstrapServers();

    /** Client properties that reach this cluster ({@code bootstrap.servers}, and security settings if any). */
    default Map<String, Object> clientProperties() {
        return Map.of("bootstrap.servers", bootstrapServers());
    }

    /** A new admin client; the caller closes it. */
    Admin admin();

    /** Creates a topic (replication factor 1) and waits until it exists. */
    void createTopic(String name, int partitions, Map<String, String> config);

    /** Creates a topic with one partition. */
    default void createTopic(String name) {
        createTopic(name, 1, Map.of());
    }

    /** Creates a topic with {@code partitions} partitions. */
    default void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Deletes every topic whose name does not start with {@code _} or {@code connect-} and waits until they are gone. */
    void deleteUserTopics();

    /** Sends one record (UTF-8 strings) and waits for the acknowledgement ({@code acks=all}). */
    void produce(String topic, String key, String value);

    /**
     * Reads {@code count} records from the beginning of {@code topic} (all partitions).
     *
     * @throws AssertionError if fewer arrive within {@code timeout}, naming how many did
     */
    List<ConsumerRecord<String, String>> consume(String topic, int count, Duration timeout);

    /** Stops the cluster and deletes its data. Idempotent. */
    @Override
    void close();
}
