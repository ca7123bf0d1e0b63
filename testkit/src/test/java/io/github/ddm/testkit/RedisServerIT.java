package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RedisServerIT {

    @Test
    void start_answersPingAndReportsVersion() {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(redis.call("PING")).isEqualTo("PONG");
            assertThat(redis.version()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.call("CONFIG", "GET", "appendonly")).asList().containsExactly("appendonly", "no");
            assertThat(redis.call("CONFIG", "GET", "save")).asList().containsExactly("save", "");
        }
    }

    @Test
    void twoServers_getDistinctPortsAndDirectories() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            assertThat(a.port()).isNotEqualTo(b.port());
            assertThat(a.directory()).isNotEqualTo(b.directory());
            a.call("SET", "k", "a");
            assertThat(b.call("GET", "k")).isNull();
        }
    }

    @Test
    void close_stopsTheProcessAndDeletesItsDirectory() {
        RedisServer redis = RedisServer.start();
        long pid = redis.pid();
        Path dir = redis.directory();
        assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        redis.close();

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.exists(dir)).isFalse();
        assertThat(redis.isRunning()).isFalse();
        redis.close(); // idempotent
    }

    @Test
    void restart_keepsThePortAndLosesDataWithoutPersistence() {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            long pid = redis.pid();
            redis.call("SET", "k", "v");

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(pid);
            assertThat(redis.call("GET", "k")).isNull();
        }
    }

    @Test
    void restart_withPersistence_keepsData() {
        try (RedisServer redis = RedisServer.builder().persistence(true).start()) {
            redis.call("SET", "k", "v");

            redis.restart();

            assertThat(redis.call("GET", "k")).isEqualTo("v");
        }
    }

    @Test
    void kill_thenResume_comesBackOnTheSamePort() {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            long pid = redis.pid();

            redis.kill();
            assertThat(redis.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThatThrownBy(() -> RespClient.connect("127.0.0.1", port, java.time.Duration.ofMillis(500)).call("PING"))
                    .isInstanceOf(java.io.UncheckedIOException.class);

            redis.resume();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void password_isRequiredAndAWrongOneIsRefused() {
        try (RedisServer redis = RedisServer.builder().password("s3cret").start()) {
            assertThat(redis.call("PING")).isEqualTo("PONG");
            try (RespClient anonymous = RespClient.connect(redis.host(), redis.port(), java.time.Duration.ofSeconds(5))) {
                assertThatThrownBy(() -> anonymous.call("GET", "k"))
                        .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOAUTH"));
                assertThatThrownBy(() -> anonymous.auth(null, "wrong"))
                        .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));
            }
        }
    }

    @Test
    void aclUser_isLimitedToItsKeyPattern() {
        try (RedisServer redis = RedisServer.builder().aclUser("app", "apppass", "~ddm:*", "+@all").start();
             RespClient app = RespClient.connect(redis.host(), redis.port(), java.time.Duration.ofSeconds(5))) {
            app.auth("app", "apppass");
            assertThat(app.call("SET", "ddm:x", "1")).isEqualTo("OK");
            assertThatThrownBy(() -> app.call("SET", "other:x", "1"))
                    .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOPERM"));
        }
    }

    @Test
    void embeddedBinary_isUsedWhenAskedFor_andRunsRedis7() {
        try (SystemProperty embedded = SystemProperty.set(RedisBinaries.EMBEDDED_PROPERTY, "true")) {
            Path binary = RedisBinaries.redisServer();
            assertThat(RedisBinaries.isEmbedded(binary)).isTrue();
            assertThat(RedisBinaries.redisCli()).isEmpty();
            try (RedisServer redis = RedisServer.start()) {
                assertThat(redis.version()).isEqualTo("7.0.15");
                assertThat(ProcessHandle.of(redis.pid()).flatMap(p -> p.info().command()))
                        .hasValueSatisfying(command -> assertThat(command).isEqualTo(binary.toString()));
            }
        }
    }

    @Test
    void builder_rejectsBadSettingsByName() {
        assertThatThrownBy(() -> RedisServer.builder().port(70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> RedisServer.builder().password("")).hasMessageContaining("password");
        assertThatThrownBy(() -> RedisServer.builder().aclUser("a b", "p")).hasMessageContaining("spaces");
    }

    @Test
    void startFailure_reportsTheServerLog() {
        assertThatThrownBy(() -> RedisServer.builder().config("no-such-directive", "1").start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-directive");
    }
}
