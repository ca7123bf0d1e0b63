package io.github.ddm.testkit;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect cluster in this JVM: Kafka's own {@code EmbeddedConnectCluster} (distributed
 * workers with their REST API) on its own in-JVM KRaft Kafka.
 *
 * <p>Workers use {@code plugin.discovery=service_load}, so connectors are found through their
 * {@code META-INF/services} entries, on the classpath or, with {@link Builder#pluginPath(Path)}, in
 * an installed plugin directory or archive, exactly as a production worker finds them.
 *
 * <pre>{@code
 * try (ConnectCluster connect = ConnectCluster.builder().workers(1).start()) {
 *     connect.cluster().configureConnector("my-source", config);
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the workers before the broker (the other order hangs while clients retry).
 * Thread-safe as far as {@code EmbeddedConnectCluster} is.
 */
public final class ConnectCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectCluster.class);

    private final EmbeddedConnectCluster cluster;
    private final KafkaCluster kafkaView;
    private boolean closed;

    private ConnectCluster(EmbeddedConnectCluster cluster) {
        this.cluster = cluster;
        this.kafkaView = new EmbeddedKafkaView(cluster);
    }

    /** Settings for a new cluster; call {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The underlying {@code EmbeddedConnectCluster}: REST calls, connector status, assertions. */
    public EmbeddedConnectCluster cluster() {
        return cluster;
    }

    /** The Kafka cluster the workers use (stopped by {@link #close()}, not by closing the view). */
    public KafkaCluster kafka() {
        return kafkaView;
    }

    /** The REST URL of one running worker, such as {@code http://127.0.0.1:40123/}. */
    public String restUrl() {
        return cluster.workers().stream().findFirst()
                .map(WorkerHandle::url)
                .map(Object::toString)
                .orElseThrow(() -> new IllegalStateException("no worker is running"));
    }

    /** Deletes every connector (between tests). */
    public void deleteAllConnectors() {
        for (String name : cluster.connectors()) {
            cluster.deleteConnector(name);
        }
    }

    /** Stops the workers, then the broker. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cluster.stop();
        }
    }

    /** Settings of a {@link ConnectCluster}. Not thread-safe. */
    public static final class Builder {
        private String name = "ddm-connect";
        private int workers = 1;
        // Must stay mutable: EmbeddedConnectCluster adds its own keys to this map.
        private final Map<String, String> workerProps = new HashMap<>();
        private final Properties brokerProps = new Properties();

        private Builder() {
            // One broker: the transaction log must fit it, or exactly-once workers cannot start.
            brokerProps.setProperty("transaction.state.log.replication.factor", "1");
            brokerProps.setProperty("transaction.state.log.min.isr", "1");
            workerProps.put("plugin.discovery", "service_load");
            workerProps.put("offset.flush.interval.ms", "1000");
            workerProps.put("scheduled.rebalance.max.delay.ms", "5000");
        }

        /** The cluster name, used for its internal topics' names. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Number of workers (default 1). */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** Sets one worker property (for example {@code exactly.once.source.support=enabled}). */
        public Builder workerProperty(String key, String value) {
            workerProps.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets one broker property. */
        public Builder brokerProperty(String key, String value) {
            brokerProps.setProperty(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Installs plugins from this {@code plugin.path} directory instead of the classpath. */
        public Builder pluginPath(Path pluginPath) {
            return workerProperty("plugin.path", pluginPath.toAbsolutePath().toString());
        }

        /**
         * Starts Kafka and the workers, and waits until every worker answers on its REST API.
         *
         * @throws IllegalStateException if the cluster does not start
         */
        public ConnectCluster start() {
            EmbeddedConnectCluster cluster = new EmbeddedConnectCluster.Builder()
                    .name(name)
                    .numWorkers(workers)
                    .numBrokers(1)
                    .workerProps(new HashMap<>(workerProps))
                    .brokerProps(brokerProps)
                    .build();
            try {
                long started = System.nanoTime();
                cluster.start();
                cluster.assertions().assertAtLeastNumWorkersAreUp(workers, "the Connect workers did not start");
                log.debug("Connect cluster {} with {} worker(s) ready in {} ms", name, workers, (System.nanoTime() - started) / 1_000_000);
                return new ConnectCluster(cluster);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cluster.stop();
                throw new IllegalStateException("interrupted while starting Connect", e);
            } catch (RuntimeException | AssertionError e) {
                cluster.stop();
                throw new IllegalStateException("cannot start the Connect cluster: " + e.getMessage(), e);
            }
        }
    }

    /** A {@link KafkaCluster} view of the broker inside an {@code EmbeddedConnectCluster}. */
    private static final class EmbeddedKafkaView extends AbstractKafkaCluster {
        private final EmbeddedConnectCluster cluster;

        EmbeddedKafkaView(EmbeddedConnectCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public KafkaMode mode() {
            return KafkaMode.KRAFT;
        }

        @Override
        public String bootstrapServers() {
            return cluster.kafka().bootstrapServers();
        }

        @Override
        public void close() {
            // The broker belongs to the ConnectCluster, which stops it.
        }
    }
}
