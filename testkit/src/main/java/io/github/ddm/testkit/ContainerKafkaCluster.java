package io.github.ddm.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka in a Docker container through Testcontainers. Used only when asked for
 * ({@code -Dddm.kafka=container}); the image is {@code apache/kafka} at the version named by
 * {@code -Dddm.kafka.image} (default {@value #DEFAULT_IMAGE}).
 */
final class ContainerKafkaCluster extends AbstractKafkaCluster {

    static final String IMAGE_PROPERTY = "ddm.kafka.image";
    static final String DEFAULT_IMAGE = "apache/kafka:4.1.0";

    private final KafkaContainer container;

    private ContainerKafkaCluster(KafkaContainer container) {
        this.container = container;
    }

    static ContainerKafkaCluster start() {
        try {
            Class.forName("org.testcontainers.kafka.KafkaContainer");
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(KafkaMode.PROPERTY + "=container needs org.testcontainers:kafka on the test classpath", e);
        }
        return startContainer();
    }

    private static ContainerKafkaCluster startContainer() {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            docker = false;
        }
        if (!docker) {
            throw new IllegalStateException(KafkaMode.PROPERTY + "=container needs a reachable Docker engine, and none was found;"
                    + " run without -D" + KafkaMode.PROPERTY + " to use the in-JVM KRaft broker");
        }
        KafkaContainer container = new KafkaContainer(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE));
        container.start();
        return new ContainerKafkaCluster(container);
    }

    @Override
    public KafkaMode mode() {
        return KafkaMode.CONTAINER;
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public synchronized void close() {
        container.stop();
    }
}
