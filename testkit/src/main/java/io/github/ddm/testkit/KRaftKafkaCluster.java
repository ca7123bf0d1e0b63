package io.github.ddm.testkit;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One combined KRaft broker and controller in this JVM, through Kafka's own {@code KafkaClusterTestKit}. */
final class KRaftKafkaCluster extends AbstractKafkaCluster {

    private static final Logger log = LoggerFactory.getLogger(KRaftKafkaCluster.class);

    private final KafkaClusterTestKit cluster;
    private boolean closed;

    private KRaftKafkaCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static KRaftKafkaCluster start() {
        long started = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            cluster = new KafkaClusterTestKit.Builder(nodes)
                    // One broker: every internal topic must live with a single replica.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("num.partitions", "1")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            log.debug("KRaft Kafka ready at {} in {} ms", cluster.bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
            return new KRaftKafkaCluster(cluster);
        } catch (Exception e) {
            closeQuietly(cluster);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the in-JVM KRaft Kafka", e);
        }
    }

    @Override
    public KafkaMode mode() {
        return KafkaMode.KRAFT;
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(cluster);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            log.warn("stopping the KRaft Kafka failed", e);
        }
    }
}
