package io.github.ddm.testkit.junit;

import io.github.ddm.testkit.RedisServer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One real {@code redis-server} per test class, flushed ({@code FLUSHALL}) before each test and
 * restarted first if a test stopped or killed it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.create();
 *
 * @Test
 * void works() {
 *     String uri = redis.server().uri();
 * }
 * }</pre>
 */
public final class RedisServerExtension extends ServerExtension<RedisServer> {

    private final Consumer<RedisServer.Builder> settings;

    private RedisServerExtension(Consumer<RedisServer.Builder> settings) {
        super(RedisServer.class);
        this.settings = settings;
    }

    /** A server with the default settings. */
    public static RedisServerExtension create() {
        return new RedisServerExtension(builder -> { });
    }

    /** A server with custom settings, for example {@code b -> b.password("secret")}. */
    public static RedisServerExtension create(Consumer<RedisServer.Builder> settings) {
        return new RedisServerExtension(Objects.requireNonNull(settings, "settings"));
    }

    @Override
    RedisServer startServer() {
        RedisServer.Builder builder = RedisServer.builder();
        settings.accept(builder);
        return builder.start();
    }

    @Override
    void reset(RedisServer server) {
        server.resume();
        server.flushAll();
    }
}
