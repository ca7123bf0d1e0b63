package io.github.ddm;

import io.github.ddm.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Redisson clients and managers for tests, each with its own connections; closes them all. */
final class RedisFixture implements AutoCloseable {

    private final String uri;
    private final List<AutoCloseable> resources = new ArrayList<>();

    RedisFixture(RedisServer server) {
        this.uri = server.uri();
    }

    RedisFixture(String uri) {
        this.uri = uri;
    }

    RedissonClient client() {
        Config config = new Config();
        config.useSingleServer().setAddress(uri).setConnectionMinimumIdleSize(2).setConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(1);
        RedissonClient client = Redisson.create(config);
        resources.add(client::shutdown);
        return client;
    }

    <T> DocumentManagerBuilder<T> builder(Class<T> type, String node) {
        return DocumentManager.builder(type).redisson(client()).section("test", "docs").origin("local", node);
    }

    <T> DocumentManager<T> manager(Class<T> type, String node) {
        DocumentManager<T> manager = builder(type, node).build();
        resources.add(manager);
        return manager;
    }

    <M extends AutoCloseable> M track(M resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}
