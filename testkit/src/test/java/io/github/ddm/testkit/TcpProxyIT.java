package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TcpProxyIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private RespClient viaProxy(TcpProxy proxy, Duration readTimeout) {
        return RespClient.connect(proxy.host(), proxy.port(), Duration.ofSeconds(5), readTimeout);
    }

    private long clientsOnServer() {
        String list = (String) redis.server().call("CLIENT", "LIST");
        return list.lines().count();
    }

    @Test
    void relaysCommandsToTheServer() {
        try (TcpProxy proxy = TcpProxy.to(redis.server()); RespClient client = viaProxy(proxy, Duration.ofSeconds(5))) {
            assertThat(client.call("SET", "k", "v")).isEqualTo("OK");
            assertThat(redis.server().call("GET", "k")).isEqualTo("v");
            assertThat(proxy.openConnections()).isEqualTo(1);
            assertThat(proxy.redisUri()).isEqualTo("redis://127.0.0.1:" + proxy.port());
        }
    }

    @Test
    void pause_holdsBytesUntilResume() {
        try (TcpProxy proxy = TcpProxy.to(redis.server()); RespClient client = viaProxy(proxy, Duration.ofMillis(300))) {
            assertThat(client.call("PING")).isEqualTo("PONG");

            proxy.pause();
            assertThatThrownBy(() -> client.call("SET", "held", "1"))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
            assertThat(redis.server().call("GET", "held")).as("the command must not reach Redis while paused").isNull();

            proxy.resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(redis.server().call("GET", "held")));
        }
    }

    @Test
    void pauseReplies_letsCommandsRunButHoldsTheirRepliesUntilResume() {
        try (TcpProxy proxy = TcpProxy.to(redis.server()); RespClient client = viaProxy(proxy, Duration.ofMillis(300))) {
            assertThat(client.call("PING")).isEqualTo("PONG");

            proxy.pauseReplies();
            assertThat(proxy.isHoldingReplies()).isTrue();
            assertThat(proxy.isPaused()).isFalse();
            assertThatThrownBy(() -> client.call("SET", "ran", "1"))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
            assertThat(redis.server().call("GET", "ran")).as("the command ran while its reply was held").isEqualTo("1");
        }
        try (TcpProxy proxy = TcpProxy.to(redis.server()); RespClient client = viaProxy(proxy, Duration.ofSeconds(5))) {
            proxy.pauseReplies();
            Thread caller = new Thread(() -> client.call("SET", "late", "1"));
            caller.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(redis.server().call("GET", "late")));
            assertThat(caller.isAlive()).as("the caller still waits for the held reply").isTrue();
            proxy.resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> !caller.isAlive());
            assertThat(client.call("GET", "late")).isEqualTo("1");
        }
    }

    @Test
    void cut_closesOpenConnectionsButAcceptsNewOnes() {
        try (TcpProxy proxy = TcpProxy.to(redis.server())) {
            long before = clientsOnServer();
            RespClient client = viaProxy(proxy, Duration.ofSeconds(5));
            assertThat(client.call("PING")).isEqualTo("PONG");
            assertThat(clientsOnServer()).isEqualTo(before + 1);

            assertThat(proxy.cut()).isEqualTo(1);

            assertThatThrownBy(() -> client.call("PING")).isInstanceOf(UncheckedIOException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> clientsOnServer() == before);
            client.close();
            try (RespClient again = viaProxy(proxy, Duration.ofSeconds(5))) {
                assertThat(again.call("PING")).isEqualTo("PONG");
            }
        }
    }

    @Test
    void refuseNewConnections_closesThemAtOnce() {
        try (TcpProxy proxy = TcpProxy.to(redis.server())) {
            proxy.refuseNewConnections(true);
            try (RespClient client = viaProxy(proxy, Duration.ofSeconds(5))) {
                assertThatThrownBy(() -> client.call("PING")).isInstanceOf(UncheckedIOException.class);
            }
            proxy.refuseNewConnections(false);
            try (RespClient client = viaProxy(proxy, Duration.ofSeconds(5))) {
                assertThat(client.call("PING")).isEqualTo("PONG");
            }
            assertThat(proxy.acceptedConnections()).isEqualTo(2);
        }
    }
}
