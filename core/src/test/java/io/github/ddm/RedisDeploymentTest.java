package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one description of a Redis deployment, from code and from the {@code redis.*} keys. */
class RedisDeploymentTest {

    private static final String SECRET = "Pa55-w0rd-never-shown";

    private static Map<String, String> keys(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void fromProperties_single_withSeparateCredentials() {
        RedisDeployment d = RedisDeployment.fromProperties(keys("ddm.redis.uri", "redis://10.0.0.1:6379", "ddm.redis.user", "pricer",
                "ddm.redis.password", SECRET, "ddm.namespace", "ignored"), "ddm.");
        assertThat(d.topology()).isEqualTo(RedisDeployment.Topology.SINGLE);
        assertThat(d.addresses()).containsExactly("redis://10.0.0.1:6379");
        assertThat(d.user()).isEqualTo("pricer");
        assertThat(d.hasPassword()).isTrue();
        assertThat(d.isTls()).isFalse();
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.toString()).isEqualTo("redis://10.0.0.1:6379 as user 'pricer'").doesNotContain(SECRET);
    }

    @Test
    void fromProperties_cluster_takesEverySeedNode_andTimeouts() {
        RedisDeployment d = RedisDeployment.fromProperties(keys("redis.mode", "CLUSTER",
                "redis.uri", "redis://a:7000, redis://b:7001,redis://c:7002", "redis.password", SECRET,
                "redis.connect.timeout.ms", "2_500", "redis.timeout.ms", "700"), "");
        assertThat(d.topology()).isEqualTo(RedisDeployment.Topology.CLUSTER);
        assertThat(d.addresses()).containsExactly("redis://a:7000", "redis://b:7001", "redis://c:7002");
        assertThat(d.user()).isNull();
        assertThat(d.connectTimeout()).isEqualTo(Duration.ofMillis(2_500));
        assertThat(d.timeout()).isEqualTo(Duration.ofMillis(700));
        assertThat(d.toString()).isEqualTo("cluster [redis://a:7000, redis://b:7001, redis://c:7002] as user 'default'");
    }

    @Test
    void fromProperties_sentinel_needsTheMasterName() {
        RedisDeployment d = RedisDeployment.fromProperties(keys("redis.mode", "sentinel", "redis.sentinel.master", "orders",
                "redis.uri", "redis://s1:26379,redis://s2:26379", "redis.sentinel.password", SECRET), "");
        assertThat(d.masterName()).isEqualTo("orders");
        assertThat(d.toString()).isEqualTo("sentinel master 'orders' via [redis://s1:26379, redis://s2:26379] as user 'default'");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("x.redis.mode", "sentinel", "x.redis.uri", "redis://s1:26379"), "x."))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("x.redis.sentinel.master is required when x.redis.mode is sentinel");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1", "redis.sentinel.master", "m"), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis.sentinel.master applies only when redis.mode is sentinel");
    }

    @Test
    void fromProperties_badInput_namesTheKey_neverTheSecret() {
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("ddm.redis.password", SECRET), "ddm."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ddm.redis.uri is required");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1", "redis.mode", "ring"), ""))
                .hasMessage("redis.mode = 'ring' is not one of single, cluster, sentinel");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1", "redis.pasword", SECRET), ""))
                .hasMessageContaining("unknown Redis setting(s) [redis.pasword]").satisfies(e -> assertNoSecret(e));
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://a:1,redis://b:2"), ""))
                .hasMessageContaining("redis.uri").hasMessageContaining("set redis.mode to cluster or sentinel");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.mode", "cluster", "redis.uri", "redis://a:1,rediss://b:2"), ""))
                .hasMessageContaining("mix redis:// and rediss://");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.mode", "cluster",
                "redis.uri", "redis://u:" + SECRET + "@a:1"), ""))
                .hasMessageContaining("credentials in redis://***@a:1").satisfies(e -> assertNoSecret(e));
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://u:" + SECRET + "@a:1",
                "redis.password", SECRET), ""))
                .hasMessageContaining("carries credentials too").satisfies(e -> assertNoSecret(e));
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1", "redis.timeout.ms", "soon"), ""))
                .hasMessageContaining("redis.timeout.ms").hasMessageContaining("'soon' is not a whole number");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1", "redis.connect.timeout.ms", "0"), ""))
                .hasMessageContaining("redis.connect.timeout.ms").hasMessageContaining("must be positive");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1",
                "redis.tls.keystore.password", SECRET), ""))
                .hasMessage("redis.tls.keystore.path is required when redis.tls.keystore.password is set");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1",
                "redis.tls.client.certificate", "/c.pem", "redis.tls.keystore.path", "/k.p12"), ""))
                .hasMessageContaining("both name the client certificate");
        assertThatThrownBy(() -> RedisDeployment.fromProperties(keys("redis.uri", "redis://h:1",
                "redis.tls.certificates", "/no/such/ca.pem"), ""))
                .hasMessageContaining("redis.tls.certificates").hasMessageContaining("/no/such/ca.pem is not a readable file");
    }

    @Test
    void uri_userInfoWithoutColon_isRefusedAsAmbiguous() {
        // The old service sample wrote rediss://pricer@host meaning the user; it was read as a password.
        assertThatThrownBy(() -> RedisDeployment.single("rediss://pricer@redis.eu:6380"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unclear whether it is a user or a password")
                .hasMessageNotContaining("pricer");
        assertThat(RedisDeployment.single("redis://:" + SECRET + "@h:1").build())
                .satisfies(d -> assertThat(d.user()).isNull())
                .satisfies(d -> assertThat(d.hasPassword()).isTrue());
        assertThatThrownBy(() -> RedisDeployment.single("http://h:1")).hasMessageContaining("not a Redis URI");
        assertThatThrownBy(() -> RedisDeployment.single("redis://h")).hasMessageContaining("must name a host and a port");
    }

    @Test
    void tlsMaterial_withPlainAddresses_isRefusedAtBuild() {
        RedisDeployment.Builder plain = RedisDeployment.cluster("redis://a:1", "redis://b:2")
                .trust(RedisClients.trustFromPem(pem()));
        assertThatThrownBy(plain::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("use rediss:// for TLS");
        assertThatThrownBy(() -> RedisDeployment.single("redis://h:1").sentinelCredentials("u", SECRET))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sentinel(...) deployments only");
        assertThatThrownBy(() -> RedisDeployment.single("rediss://h:1").trustPem(pem()).trustPem(pem()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("set twice");
    }

    private static java.nio.file.Path pem() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ddm-pem");
            // A throwaway self-signed certificate, written by keytool for the test.
            java.nio.file.Path store = dir.resolve("s.p12");
            Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-noprompt", "-alias", "a", "-keyalg", "EC", "-dname", "CN=t", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
            java.security.KeyStore ks = java.security.KeyStore.getInstance(store.toFile(), "changeit".toCharArray());
            String body = java.util.Base64.getMimeEncoder().encodeToString(ks.getCertificate("a").getEncoded());
            java.nio.file.Path pem = dir.resolve("ca.pem");
            java.nio.file.Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
            return pem;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertNoSecret(Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(SECRET);
    }
}
