package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.RedisReplyException;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Issue #4, secure connections: Redis AUTH with ACL users and TLS ({@code rediss://}). A user
 * limited to DDM's namespace works end to end; a wrong password, a user without the permissions DDM
 * needs, and a server certificate the client does not trust all fail at {@code build()} with a
 * message that names the user and the host, and no secret appears in any message, stack trace or
 * log line.
 */
class SecureConnectionIT {

    /** The ACL rules documented in docs/operations.md ("Secure connections") as the minimum DDM needs. */
    static final String[] MINIMAL_RULES = {
        "resetkeys", "~ddm:*", "resetchannels", "&ddm:*", "-@all",
        "+ping", "+auth",
        "+evalsha", "+evalsha_ro", "+script|load",
        "+get", "+set", "+hget", "+hgetall", "+hmget", "+hkeys", "+hset", "+hdel",
        "+xadd", "+xrange", "+xrevrange", "+scan",
        "+publish", "+subscribe", "+unsubscribe", "+spublish", "+ssubscribe", "+sunsubscribe",
    };
    private static final String ADMIN_PASSWORD = "admin-Pa55word";
    private static final String APP_PASSWORD = "app-S3cret-Value";
    private static final String WRONG_PASSWORD = "not-the-Right-0ne";

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create(b -> b
            .password(ADMIN_PASSWORD)
            .aclUser("app", APP_PASSWORD, MINIMAL_RULES)
            .aclUser("othernamespace", APP_PASSWORD, "~other:*", "&other:*", "+@all")
            .aclUser("readonly", APP_PASSWORD, "%R~ddm:*", "&ddm:*", "+@all")
            .aclUser("nochannels", APP_PASSWORD, "~ddm:*", "resetchannels", "+@all")
            .aclUser("noscripts", APP_PASSWORD, "~ddm:*", "&ddm:*", "+@all", "-@scripting")
            .aclUser("categories", APP_PASSWORD, "~ddm:*", "&ddm:*", "+@read", "+@write", "+@scripting", "+@pubsub",
                    "+@connection"));

    @RegisterExtension
    static final RedisServerExtension tlsRedis = RedisServerExtension.create(b -> b
            .tls(true)
            .password(ADMIN_PASSWORD)
            .aclUser("app", APP_PASSWORD, MINIMAL_RULES));

    @RegisterExtension
    static final RedisServerExtension mtlsRedis = RedisServerExtension.create(b -> b
            .requireClientCertificates(true)
            .password(ADMIN_PASSWORD)
            .aclUser("app", APP_PASSWORD, MINIMAL_RULES));

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void resetAclLogs() {
        redis.server().call("ACL", "LOG", "RESET");
        tlsRedis.server().call("ACL", "LOG", "RESET");
        mtlsRedis.server().call("ACL", "LOG", "RESET");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static String uri(RedisServer server, String user, String password) {
        return (server.isTls() ? "rediss://" : "redis://") + user + ":" + password + "@" + server.host() + ":" + server.port();
    }

    private DocumentManagerBuilder<Counter> builder(String uri, String node) {
        return DocumentManager.builder(Counter.class).redisUri(uri).section("test", "docs").origin("local", node);
    }

    private DocumentManager<Counter> track(DocumentManager<Counter> manager) {
        resources.add(manager);
        return manager;
    }

    @Test
    void aclUserLimitedToTheNamespace_worksEndToEnd() throws Exception {
        RedisServer server = redis.server();
        try (LogCapture logs = LogCapture.ddmAndRedisson()) {
            DocumentManager<Counter> a = track(builder(uri(server, "app", APP_PASSWORD), "a").build());
            DocumentManager<Counter> b = track(builder(uri(server, "app", APP_PASSWORD), "b").build());
            assertEndToEnd(a, b);
            assertThat(logs.lines()).as("log lines").noneMatch(line -> line.contains(APP_PASSWORD));
        }
        assertThat(aclDenials(server)).as("ACL LOG of the server: nothing DDM ran was denied").isEmpty();
        // The user really is limited: nothing outside the namespace.
        try (RespClient app = server.client()) {
            app.auth("app", APP_PASSWORD);
            assertThatThrownBy(() -> app.call("GET", "other:key"))
                    .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOPERM"));
            assertThatThrownBy(() -> app.call("FLUSHALL"))
                    .isInstanceOfSatisfying(RedisReplyException.class, e -> assertThat(e.code()).isEqualTo("NOPERM"));
        }
    }

    /** Set, update, get; the second manager follows; a late subscriber reads the log; delete. */
    private static void assertEndToEnd(DocumentManager<Counter> a, DocumentManager<Counter> b) throws Exception {
        assertThat(b.get("k").get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(a.set("k", new Counter(1, "secure")).get(10, TimeUnit.SECONDS).version()).isEqualTo(1);
        assertThat(a.update("k", Counter::increment).get(10, TimeUnit.SECONDS).version()).isEqualTo(2);
        assertThat(a.get("k").get(10, TimeUnit.SECONDS).orElseThrow().value().count).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.getCached("k"))
                .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(2)));
        assertThat(b.stats().received()).as("b followed over pub/sub").isPositive();
        assertThat(b.update("k", Counter::increment).get(10, TimeUnit.SECONDS).value().count).isEqualTo(3);

        // b's own change comes back over pub/sub too; subscribe late once b has seen it.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(b.bufferedChanges("k")).extracting(ChangeEvent::version).contains(3L));
        List<ChangeEvent> late = new CopyOnWriteArrayList<>();
        b.changes("k", 0, late::add);
        List<ChangeEvent> section = new CopyOnWriteArrayList<>();
        b.changesSince(Instant.EPOCH, section::add);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(late).extracting(ChangeEvent::version).containsExactly(1L, 2L, 3L);
            // The log cannot reach back to 1970: a snapshot of every document (found by SCAN) comes first.
            assertThat(section).extracting(ChangeEvent::op, ChangeEvent::version).containsExactly(tuple(ChangeOp.SNAPSHOT, 3L));
        });
        assertThat(a.delete("k").get(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.get("k").get(5, TimeUnit.SECONDS)).isEmpty());
    }

    /** Coarser category rules work too (they grant more than DDM needs; the docs prefer the list). */
    @Test
    void categoryRules_alsoWork() throws Exception {
        DocumentManager<Counter> a = track(builder(uri(redis.server(), "categories", APP_PASSWORD), "a").build());
        DocumentManager<Counter> b = track(builder(uri(redis.server(), "categories", APP_PASSWORD), "b").build());
        assertEndToEnd(a, b);
        assertThat(aclDenials(redis.server())).isEmpty();
    }

    @Test
    void wrongPassword_failsAtBuild_namingUserAndHostButNotThePassword() {
        RedisServer server = redis.server();
        try (LogCapture logs = LogCapture.ddmAndRedisson()) {
            assertThatThrownBy(() -> track(builder(uri(server, "app", WRONG_PASSWORD), "a").build()))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("user 'app'")
                    .hasMessageContaining("127.0.0.1:" + server.port())
                    .hasMessageContaining("WRONGPASS")
                    .satisfies(e -> assertThat(fullTrace(e)).doesNotContain(WRONG_PASSWORD));
            assertThat(logs.lines()).as("log lines").noneMatch(line -> line.contains(WRONG_PASSWORD));
        }
    }

    @Test
    void userWithoutPermissionOnTheSectionKeys_failsAtBuild_namingWhatIsDenied() {
        RedisServer server = redis.server();
        assertThatThrownBy(() -> track(builder(uri(server, "othernamespace", APP_PASSWORD), "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("user 'othernamespace'")
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("HSET ddm:{test:docs}:s:")
                .hasMessageContaining("XADD ddm:{test:docs}:log")
                .hasMessageContaining("PUBLISH ddm:{test:docs}:ch")
                .satisfies(e -> assertThat(fullTrace(e)).doesNotContain(APP_PASSWORD));
        // The same check guards a client the caller made, with credentials in its settings.
        Config config = new Config();
        config.useSingleServer().setAddress(server.uri());
        config.setUsername("othernamespace").setPassword(APP_PASSWORD);
        RedissonClient client = Redisson.create(config);
        resources.add(client::shutdown);
        assertThatThrownBy(() -> track(DocumentManager.builder(Counter.class).redisson(client).section("test", "docs")
                .origin("local", "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("user 'othernamespace' at " + server.uri())
                .hasMessageContaining("HGETALL ddm:{test:docs}:s:");
        assertThat(redis.server().call("DBSIZE")).as("the failed builds wrote nothing").isEqualTo(0L);
    }

    @Test
    void readOnlyUser_failsAtBuild_beforeAnyWriteIsTried() {
        assertThatThrownBy(() -> track(builder(uri(redis.server(), "readonly", APP_PASSWORD), "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("user 'readonly'")
                .hasMessageContaining("HSET ddm:{test:docs}:s:")
                .hasMessageContaining("XADD ddm:{test:docs}:log")
                .hasMessageContaining("SET ddm:{test:docs}:epoch")
                .hasMessageNotContaining("HGETALL");
    }

    @Test
    void userWithoutChannelPermission_failsAtBuild() {
        assertThatThrownBy(() -> track(builder(uri(redis.server(), "nochannels", APP_PASSWORD), "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("user 'nochannels'")
                .hasMessageContaining("PUBLISH ddm:{test:docs}:ch")
                .hasMessageContaining("SUBSCRIBE ddm:{test:docs}:ch")
                .hasMessageNotContaining("HSET");
    }

    @Test
    void userWithoutScripting_failsAtBuild() {
        assertThatThrownBy(() -> track(builder(uri(redis.server(), "noscripts", APP_PASSWORD), "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("user 'noscripts'")
                .hasMessageContaining("may not run DDM's scripts")
                .hasMessageContaining("NOPERM");
    }

    @Test
    void tls_withTruststore_worksEndToEnd() throws Exception {
        RedisServer server = tlsRedis.server();
        try (LogCapture logs = LogCapture.ddmAndRedisson()) {
            DocumentManager<Counter> a = track(builder(uri(server, "app", APP_PASSWORD), "a")
                    .tlsTruststore(server.tlsTruststore(), server.tlsTruststorePassword()).build());
            DocumentManager<Counter> b = track(builder(uri(server, "app", APP_PASSWORD), "b")
                    .tlsTrustedCertificates(server.tlsCertificate()).build());
            assertEndToEnd(a, b);
            assertThat(logs.lines()).noneMatch(line -> line.contains(APP_PASSWORD) || line.contains(server.tlsTruststorePassword()));
        }
        assertThat(aclDenials(server)).isEmpty();
    }

    @Test
    void tls_clientNotTrustingTheCertificate_failsAtBuildClearly() {
        RedisServer server = tlsRedis.server();
        assertThatThrownBy(() -> track(builder(uri(server, "app", APP_PASSWORD), "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("rediss://127.0.0.1:" + server.port())
                .hasMessageContaining("user 'app'")
                .hasMessageContaining("TLS handshake failed: the server's certificate is not trusted")
                .hasMessageContaining("redis.tls.certificates or redis.tls.truststore.path")
                .satisfies(e -> assertThat(fullTrace(e)).doesNotContain(APP_PASSWORD));
        // Trusting another server's certificate is no better.
        try (RedisServer other = RedisServer.builder().tls(true).start()) {
            assertThatThrownBy(() -> track(builder(uri(server, "app", APP_PASSWORD), "a")
                    .tlsTrustedCertificates(other.tlsCertificate()).build()))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("TLS handshake failed");
        }
    }

    /**
     * Mutual TLS: a server that requires client certificates accepts a manager that presents one,
     * from PEM files (builder) or a PKCS12 keystore (the service config's keys, password read from
     * a file), and the two follow each other.
     */
    @Test
    void mutualTls_clientCertificateAsPemOrKeystore_worksEndToEnd(@TempDir Path dir) throws Exception {
        RedisServer server = mtlsRedis.server();
        Path passwordFile = dir.resolve("redis-password");
        java.nio.file.Files.writeString(passwordFile, APP_PASSWORD + "\n");
        try (LogCapture logs = LogCapture.ddmAndRedisson()) {
            RedisDeployment pem = RedisDeployment.single(server.tlsUri()).user("app").password(APP_PASSWORD)
                    .trustPem(server.tlsCertificate())
                    .clientCertificatePem(server.tlsClientCertificate(), server.tlsClientKey()).build();
            assertThat(pem.hasClientCertificate()).isTrue();
            assertThat(pem.toString()).contains("client certificate: PEM").doesNotContain(APP_PASSWORD);
            DocumentManager<Counter> a = track(DocumentManager.builder(Counter.class).redis(pem)
                    .section("test", "docs").origin("local", "a").build());
            java.util.Properties file = new java.util.Properties();
            file.setProperty("ddm.redis.uri", server.tlsUri());
            file.setProperty("ddm.redis.user", "app");
            file.setProperty("ddm.redis.password", "${file:" + passwordFile + "}");
            file.setProperty("ddm.redis.tls.truststore.path", server.tlsTruststore().toString());
            file.setProperty("ddm.redis.tls.truststore.password", server.tlsTruststorePassword());
            file.setProperty("ddm.redis.tls.keystore.path", server.tlsClientKeystore().toString());
            file.setProperty("ddm.redis.tls.keystore.password", server.tlsTruststorePassword());
            file.setProperty("ddm.section", "test.docs");
            file.setProperty("ddm.origin.region", "local");
            file.setProperty("ddm.origin.node", "b");
            DocumentManager<Counter> b = track(DocumentManager.builder(Counter.class).properties(file, "ddm.").build());
            assertEndToEnd(a, b);
            assertThat(logs.lines()).noneMatch(line -> line.contains(APP_PASSWORD) || line.contains(server.tlsTruststorePassword()));
        }
        assertThat(aclDenials(server)).isEmpty();
    }

    @Test
    void mutualTls_withoutClientCertificate_failsAtBuild_namingTheServerAndTheFix() {
        RedisServer server = mtlsRedis.server();
        RedisDeployment noCertificate = RedisDeployment.single(server.tlsUri()).user("app").password(APP_PASSWORD)
                .trustPem(server.tlsCertificate()).connectTimeout(Duration.ofSeconds(2)).timeout(Duration.ofSeconds(2)).build();
        assertThatThrownBy(() -> track(DocumentManager.builder(Counter.class).redis(noCertificate)
                .section("test", "docs").origin("local", "a").build()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("rediss://127.0.0.1:" + server.port())
                .hasMessageContaining("user 'app'")
                .hasMessageContaining("if the server requires client certificates")
                .hasMessageContaining("redis.tls.client.certificate")
                .satisfies(e -> assertThat(fullTrace(e)).doesNotContain(APP_PASSWORD));
    }

    private static String fullTrace(Throwable error) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    @Test
    void tlsSettings_areValidatedWithoutRevealingThePassword() {
        RedisServer server = tlsRedis.server();
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).tlsTruststore(server.tlsTruststore(), WRONG_PASSWORD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tlsTruststore")
                .hasMessageContaining("wrong password")
                .satisfies(e -> assertThat(fullTrace(e)).doesNotContain(WRONG_PASSWORD));
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).tlsTruststore(Path.of("/no/such/file.p12"), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a readable file");
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).tlsTrustedCertificates(server.tlsTruststore()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tlsTrustedCertificates");
        // TLS trust with a plain redis:// URI, or with a caller's own client, is a mistake, named at build().
        assertThatThrownBy(() -> builder(uri(redis.server(), "app", APP_PASSWORD), "a")
                .tlsTrustedCertificates(server.tlsCertificate()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("rediss://")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(APP_PASSWORD));
        RedissonClient client = Redisson.create(singleServer(redis.server().uri()));
        resources.add(client::shutdown);
        assertThatThrownBy(() -> DocumentManager.builder(Counter.class).redisson(client).section("test", "docs")
                .origin("local", "a").tlsTrustedCertificates(server.tlsCertificate()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tlsTrustedCertificates(...) applies to redisUri");
    }

    private static Config singleServer(String address) {
        Config config = new Config();
        config.useSingleServer().setAddress(address);
        config.setPassword(ADMIN_PASSWORD);
        return config;
    }

    /**
     * The server's ACL LOG entries: commands, keys or channels it denied, as "reason object (user)",
     * except the one EVAL every Redisson 4.7 client sends when it starts (a capability probe on
     * keys test1/test2 that Redisson tolerates being refused; DDM does not need it).
     */
    static List<String> aclDenials(RedisServer server) {
        List<String> denials = new ArrayList<>();
        for (Object entry : (List<?>) server.call("ACL", "LOG")) {
            List<?> fields = (List<?>) entry;
            String reason = null;
            String object = null;
            String user = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (String.valueOf(fields.get(i))) {
                    case "reason":
                        reason = String.valueOf(fields.get(i + 1));
                        break;
                    case "object":
                        object = String.valueOf(fields.get(i + 1));
                        break;
                    case "username":
                        user = String.valueOf(fields.get(i + 1));
                        break;
                    default:
                        break;
                }
            }
            boolean redissonProbe = ("command".equals(reason) && "eval".equals(object))
                    || ("key".equals(reason) && ("test1".equals(object) || "test2".equals(object)));
            if (!redissonProbe) {
                denials.add(reason + " " + object + " (" + user + ")");
            }
        }
        return denials;
    }
}
