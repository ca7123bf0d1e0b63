package io.github.ddm.benchmarks;

import io.github.ddm.DocumentManager;
import io.github.ddm.DocumentManagerBuilder;
import io.github.ddm.ValueSharing;
import io.github.ddm.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The Redis side of a benchmark run: its own {@code redis-server} on a free loopback port (testkit),
 * Redisson clients with Redisson's default settings, and DDM managers over them. Closing it closes
 * what it created, newest first.
 *
 * <p>Every DDM key lives under namespace {@value #NAMESPACE} and partition {@value #PARTITION}; a
 * benchmark picks the section. Not thread-safe: set up and tear down on one thread.
 */
public final class BenchRedis implements AutoCloseable {

    /** The DDM namespace of every benchmark key. */
    public static final String NAMESPACE = "ddm";
    /** The DDM partition of every benchmark key. */
    public static final String PARTITION = "bench";
    /** The region of every benchmark writer. */
    public static final String REGION = "eu-west-1";

    private final RedisServer server;
    private final List<AutoCloseable> owned = new ArrayList<>();

    private BenchRedis(RedisServer server) {
        this.server = server;
    }

    /** Starts a redis-server (the one on PATH, else testkit's shipped 7.0.15). */
    public static BenchRedis start() {
        return new BenchRedis(RedisServer.start());
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return server.uri();
    }

    /** Sends one command to the server over testkit's own connection (for INFO, CONFIG RESETSTAT and the like). */
    public Object call(String... command) {
        return server.call(command);
    }

    /** The server's version, for reports. */
    public String version() {
        return server.version();
    }

    /** A new Redisson client with default settings (as DDM's {@code redisUri(...)} creates), shut down on close. */
    public RedissonClient newClient() {
        Config config = new Config();
        config.useSingleServer().setAddress(server.uri());
        RedissonClient client = Redisson.create(config);
        owned.add(() -> client.shutdown(0, 2, TimeUnit.SECONDS));
        return client;
    }

    /**
     * A manager of {@link OrderBook}s in section {@code section} of partition {@value #PARTITION},
     * writing as node {@code node}; closed on close.
     */
    public DocumentManager<OrderBook> manager(RedissonClient client, String section, ValueSharing sharing, String node) {
        return manager(client, section, sharing, node, UnaryOperator.identity());
    }

    /** As {@link #manager(RedissonClient, String, ValueSharing, String)}, with more settings applied by {@code settings}. */
    public DocumentManager<OrderBook> manager(RedissonClient client, String section, ValueSharing sharing, String node,
                                              UnaryOperator<DocumentManagerBuilder<OrderBook>> settings) {
        DocumentManager<OrderBook> manager = settings.apply(DocumentManager.builder(OrderBook.class)
                .redisson(client)
                .namespace(NAMESPACE)
                .section(PARTITION, section)
                .origin(REGION, node)
                .valueSharing(sharing))
                .build();
        owned.add(manager);
        return manager;
    }

    /**
     * DDM's channel name for a section of partition {@value #PARTITION}. Core's RedisLayout owns this
     * format and is internal; the smoke test proves this copy still matches by receiving on it.
     */
    public static String channel(String section) {
        return NAMESPACE + ":{" + PARTITION + ":" + section + "}:ch";
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a benchmark resource failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        owned.clear();
        server.close();
        if (failure != null) {
            throw failure;
        }
    }
}
