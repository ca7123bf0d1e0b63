package io.github.ddm.connect;

import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.ConnectCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** What the multi-region ITs share: a region's connector config, and waiting until a connector runs. Stateless. */
final class RegionConnectors {

    private RegionConnectors() {
    }

    /**
     * A one-task connector of {@code connectorClass} for {@code region}'s Redis at {@code redisUri}, with
     * string keys and the change-event converter; {@code more} adds (name, value) pairs.
     */
    static Map<String, String> config(String connectorClass, String region, String redisUri, String... more) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.put("redis.uri", redisUri);
        config.put("ddm.region", region);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", ChangeEventConverter.class.getName());
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    /** Waits (up to a minute) until the connector and every one of its tasks, at least one, are RUNNING. */
    static void awaitRunning(ConnectCluster connect, String name) {
        await(name + " running").atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                var status = connect.cluster().connectorStatus(name);
                return "RUNNING".equals(status.connector().state()) && !status.tasks().isEmpty()
                        && status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
            } catch (RuntimeException notYet) {
                return false; // the REST API may answer 404/409 during a rebalance
            }
        });
    }
}
