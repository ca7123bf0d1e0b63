package io.github.ddm.testkit.junit;

import io.github.ddm.testkit.KafkaCluster;
import io.github.ddm.testkit.KafkaMode;

/**
 * One real Kafka cluster per test class ({@link KafkaCluster#start()}: in-JVM KRaft unless
 * {@code -Dddm.kafka=container}). Before each test, every user topic is deleted.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaExtension kafka = KafkaExtension.create();
 * }</pre>
 */
public final class KafkaExtension extends ServerExtension<KafkaCluster> {

    private final KafkaMode mode;

    private KafkaExtension(KafkaMode mode) {
        super(KafkaCluster.class);
        this.mode = mode;
    }

    /** A cluster in the mode named by {@code -Dddm.kafka} (default KRaft). */
    public static KafkaExtension create() {
        return new KafkaExtension(null);
    }

    /** A cluster in the given mode. */
    public static KafkaExtension create(KafkaMode mode) {
        return new KafkaExtension(mode);
    }

    @Override
    KafkaCluster startServer() {
        return mode == null ? KafkaCluster.start() : KafkaCluster.start(mode);
    }

    @Override
    void reset(KafkaCluster kafka) {
        kafka.deleteUserTopics();
    }
}
