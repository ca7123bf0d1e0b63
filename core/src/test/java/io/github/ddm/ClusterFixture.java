package io.github.ddm;

import io.github.ddm.testkit.RedisCluster;
import io.github.ddm.testkit.RedisServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson cluster clients and managers for tests against a testkit {@link RedisCluster}: every
 * {@link #client()} is a separate Redisson instance with its own connections to every master, as
 * a separate service would have. Closes what it made, newest first.
 */
final class ClusterFixture implements AutoCloseable {

    private final RedisCluster cluster;
    private final List<AutoCloseable> resources = new ArrayList<>();

    ClusterFixture(RedisCluster cluster) {
        this.cluster = cluster;
    }

    /** A new cluster client seeded with every node's URI. */
    RedissonClient client() {
        Config config = new Config();
        config.useClusterServers()
                .addNodeAddress(cluster.nodeUris().toArray(String[]::new))
                .setMasterConnectionMinimumIdleSize(2)
                .setMasterConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(1);
        RedissonClient client = Redisson.create(config);
        resources.add(client::shutdown);
        return client;
    }

    /** A manager builder on {@code client} for {@code partition/section}; the caller builds and {@link #track}s it. */
    <T> DocumentManagerBuilder<T> builder(RedissonClient client, Class<T> type, String partition, String section, String node) {
        return DocumentManager.builder(type).redisson(client).section(partition, section).origin("local", node);
    }

    <M extends AutoCloseable> M track(M resource) {
        resources.add(resource);
        return resource;
    }

    /** The raw view of a section, read from the one node that owns its hash tag. */
    RawSection raw(String partition, String section) {
        return new RawSection(owner(partition, section), "ddm", partition, section);
    }

    /** The master that owns the slot of {@code {partition:section}}, where every key of the section lives. */
    RedisServer owner(String partition, String section) {
        return cluster.nodeFor("ddm:{" + partition + ":" + section + "}:log");
    }

    /**
     * {@code count} section names {@code prefix0, prefix1, ...} (the first that qualify) whose hash
     * tags {@code {partition:name}} fall on pairwise different masters.
     */
    List<String> sectionsOnDistinctMasters(String partition, String prefix, int count) {
        List<String> chosen = new ArrayList<>();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; chosen.size() < count && i < 1_000; i++) {
            String name = prefix + i;
            if (ports.add(owner(partition, name).port())) {
                chosen.add(name);
            }
        }
        if (chosen.size() < count) {
            throw new IllegalStateException("found only " + chosen + " on distinct masters");
        }
        return chosen;
    }

    @Override
    public void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }
}
