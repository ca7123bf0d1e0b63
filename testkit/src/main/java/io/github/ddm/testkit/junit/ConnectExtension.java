package io.github.ddm.testkit.junit;

import io.github.ddm.testkit.ConnectCluster;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One real Kafka Connect cluster (with its own in-JVM Kafka) per test class. Before each test,
 * every connector is deleted and every user topic too.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ConnectExtension connect = ConnectExtension.create(b -> b.workers(2));
 * }</pre>
 */
public final class ConnectExtension extends ServerExtension<ConnectCluster> {

    private final Consumer<ConnectCluster.Builder> settings;

    private ConnectExtension(Consumer<ConnectCluster.Builder> settings) {
        super(ConnectCluster.class);
        this.settings = settings;
    }

    /** One worker with the default settings. */
    public static ConnectExtension create() {
        return new ConnectExtension(builder -> { });
    }

    /** A cluster with custom settings. */
    public static ConnectExtension create(Consumer<ConnectCluster.Builder> settings) {
        return new ConnectExtension(Objects.requireNonNull(settings, "settings"));
    }

    @Override
    ConnectCluster startServer() {
        ConnectCluster.Builder builder = ConnectCluster.builder();
        settings.accept(builder);
        return builder.start();
    }

    @Override
    void reset(ConnectCluster connect) {
        connect.deleteAllConnectors();
        connect.kafka().deleteUserTopics();
    }
}
