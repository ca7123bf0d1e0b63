package io.github.ddm.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

class RedisConnectionsTest {

    @Test
    void parse_takesCredentialsOutOfTheAddress() {
        RedisConnections.ParsedUri parsed = RedisConnections.parse("rediss://app:s3cret@redis.example:6380");
        assertThat(parsed.address()).isEqualTo("rediss://redis.example:6380");
        assertThat(parsed.user()).isEqualTo("app");
        assertThat(parsed.password()).isEqualTo("s3cret");
        assertThat(parsed.tls()).isTrue();
        assertThat(parsed.toString()).isEqualTo("rediss://redis.example:6380 as user 'app'").doesNotContain("s3cret");
    }

    @Test
    void parse_decodesEscapes_andKeepsPlusSigns() {
        RedisConnections.ParsedUri parsed = RedisConnections.parse("redis://us%40er:p%3Aa%40ss+word@127.0.0.1:6379");
        assertThat(parsed.user()).isEqualTo("us@er");
        assertThat(parsed.password()).isEqualTo("p:a@ss+word");
        assertThat(parsed.address()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(parsed.tls()).isFalse();
    }

    @Test
    void parse_passwordOnly_isForTheDefaultUser_andAUserInfoWithoutColonIsRefused() {
        assertThat(RedisConnections.parse("redis://:pw@h:1")).satisfies(p -> {
            assertThat(p.user()).isNull();
            assertThat(p.password()).isEqualTo("pw");
        });
        assertThatThrownBy(() -> RedisConnections.parse("redis://pw@h:1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unclear whether it is a user or a password")
                .hasMessageNotContaining("pw@");
        assertThat(RedisConnections.parse("redis://h:1")).satisfies(p -> {
            assertThat(p.user()).isNull();
            assertThat(p.password()).isNull();
        });
    }

    @Test
    void parse_rejectsWhatIsNoUri_withoutEchoingThePassword() {
        assertThatThrownBy(() -> RedisConnections.parse("redis://app:topsecret@"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no host")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void redact_hidesTheUserInfo() {
        assertThat(RedisConnections.redact("rediss://app:pw@h:1")).isEqualTo("rediss://***@h:1");
        assertThat(RedisConnections.redact("redis://h:1")).isEqualTo("redis://h:1");
        assertThat(RedisConnections.redact("app:pw@h:1")).as("a scheme left out").isEqualTo("***@h:1");
    }

    @Test
    void describe_namesUserAndServer_neverThePassword() {
        Config single = new Config();
        single.useSingleServer().setAddress("redis://127.0.0.1:6379");
        single.setUsername("app").setPassword("pw-123");
        assertThat(RedisConnections.describe(single)).isEqualTo("user 'app' at redis://127.0.0.1:6379");

        Config cluster = new Config();
        cluster.useClusterServers().addNodeAddress("redis://127.0.0.1:7000", "redis://127.0.0.1:7001");
        assertThat(RedisConnections.describe(cluster))
                .isEqualTo("user 'default' at [redis://127.0.0.1:7000, redis://127.0.0.1:7001]");
    }
}
