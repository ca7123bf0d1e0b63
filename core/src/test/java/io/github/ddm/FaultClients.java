package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/** Redisson clients that notice a dead connection within about a second, and pub/sub connection faults. */
final class FaultClients {

    /** Fast periodic work, so that repairs happen within the tests' patience. */
    static final Duration HEAD_CHECK = Duration.ofMillis(200);
    static final Duration VERSION_CHECK = Duration.ofMillis(500);
    static final Duration BUFFER_TRIM = Duration.ofSeconds(1);

    private FaultClients() {
    }

    /** A client named {@code name} (CLIENT SETNAME), so its connections can be found in CLIENT LIST. */
    static RedissonClient fast(String uri, String name) {
        Config config = new Config();
        config.useSingleServer().setAddress(uri).setClientName(name)
                .setConnectionMinimumIdleSize(1).setConnectionPoolSize(8)
                .setSubscriptionConnectionMinimumIdleSize(1).setSubscriptionConnectionPoolSize(2)
                .setPingConnectionInterval(500).setTimeout(1000).setConnectTimeout(1000)
                .setRetryAttempts(4).setRetryDelay(new ConstantDelay(Duration.ofMillis(250)))
                .setReconnectionDelay(new ConstantDelay(Duration.ofMillis(100)));
        return Redisson.create(config);
    }

    /** A manager builder on a fast client (tracked by the fixture), with fast checks. */
    static <T> DocumentManagerBuilder<T> builder(RedisFixture fixture, String uri, Class<T> type, String node) {
        RedissonClient client = fast(uri, node);
        fixture.track(client::shutdown);
        return DocumentManager.builder(type).redisson(client).section("test", "docs").origin("local", node)
                .checkIntervals(HEAD_CHECK, VERSION_CHECK, BUFFER_TRIM);
    }

    /** Ids of the connections named {@code name} that hold a (sharded) pub/sub subscription. */
    static List<String> subscriberConnections(RedisServer server, String name) {
        String list = (String) server.call("CLIENT", "LIST");
        List<String> ids = new ArrayList<>();
        for (String line : list.split("\n")) {
            if (line.contains(" name=" + name + " ")
                    && (count(line, "sub") > 0 || count(line, "ssub") > 0 || count(line, "psub") > 0)) {
                ids.add(field(line, "id").orElseThrow());
            }
        }
        return ids;
    }

    /** Kills the pub/sub connection(s) of the client named {@code name} (CLIENT KILL ID); returns how many. */
    static int killSubscriberConnection(RedisServer server, String name) {
        List<String> ids = subscriberConnections(server, name);
        assertThat(ids).as("the pub/sub connection of %s in CLIENT LIST", name).isNotEmpty();
        int killed = 0;
        for (String id : ids) {
            Object reply = server.call("CLIENT", "KILL", "ID", id);
            killed += reply instanceof Long n ? n.intValue() : 0;
        }
        return killed;
    }

    private static long count(String line, String name) {
        return field(line, name).map(Long::parseLong).orElse(0L);
    }

    private static Optional<String> field(String line, String name) {
        for (String part : line.trim().split(" ")) {
            if (part.startsWith(name + "=")) {
                return Optional.of(part.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }
}
