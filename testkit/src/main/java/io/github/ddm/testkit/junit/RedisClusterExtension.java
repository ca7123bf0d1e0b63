package io.github.ddm.testkit.junit;

import io.github.ddm.testkit.RedisCluster;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One real Redis Cluster per test class (3 masters unless the settings say otherwise), flushed
 * before each test ({@link RedisCluster#flushAll()}: every running master, and so its replicas).
 * A failover or slot migration a test makes stays for the tests after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisClusterExtension cluster = RedisClusterExtension.create();
 * }</pre>
 */
public final class RedisClusterExtension extends ServerExtension<RedisCluster> {

    private final Consumer<RedisCluster.Builder> settings;

    private RedisClusterExtension(Consumer<RedisCluster.Builder> settings) {
        super(RedisCluster.class);
        this.settings = settings;
    }

    /** A cluster with the default settings. */
    public static RedisClusterExtension create() {
        return new RedisClusterExtension(builder -> { });
    }

    /** A cluster with custom settings. */
    public static RedisClusterExtension create(Consumer<RedisCluster.Builder> settings) {
        return new RedisClusterExtension(Objects.requireNonNull(settings, "settings"));
    }

    @Override
    RedisCluster startServer() {
        RedisCluster.Builder builder = RedisCluster.builder();
        settings.accept(builder);
        return builder.start();
    }

    @Override
    void reset(RedisCluster cluster) {
        cluster.flushAll();
    }
}
