package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisTlsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void tls_answersPingOverTls_andExposesWhatClientsNeedToTrustIt() throws Exception {
        try (RedisServer redis = RedisServer.builder().tls(true).start()) {
            assertThat(redis.isTls()).isTrue();
            assertThat(redis.tlsUri()).isEqualTo("rediss://127.0.0.1:" + redis.port()).isEqualTo(redis.uri());
            assertThat(redis.call("PING")).isEqualTo("PONG");
            try (RespClient client = RespClient.connectTls(redis.host(), redis.port(), TIMEOUT, redis.tlsContext())) {
                assertThat(client.call("SET", "k", "v")).isEqualTo("OK");
                assertThat(client.call("GET", "k")).isEqualTo("v");
            }
            assertThat(redis.call("CONFIG", "GET", "port")).asList().containsExactly("port", "0");
            assertThat(redis.call("CONFIG", "GET", "tls-port")).asList()
                    .containsExactly("tls-port", Integer.toString(redis.port()));

            // The PEM certificate names 127.0.0.1, and the truststore holds exactly it.
            X509Certificate pem;
            try (InputStream in = Files.newInputStream(redis.tlsCertificate())) {
                pem = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            assertThat(pem.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san).isEqualTo(List.of(7, "127.0.0.1")));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(redis.tlsTruststore())) {
                trust.load(in, redis.tlsTruststorePassword().toCharArray());
            }
            assertThat(trust.size()).isEqualTo(1);
            String alias = trust.aliases().nextElement();
            assertThat(trust.isCertificateEntry(alias)).as("a trusted certificate, no private key").isTrue();
            assertThat(trust.getCertificate(alias)).isEqualTo(pem);
            assertThat(Files.readString(redis.directory().resolve("tls/redis.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        }
    }

    @Test
    void tls_plainTcpToTheTlsPortFails() {
        try (RedisServer redis = RedisServer.builder().tls(true).start()) {
            assertThatThrownBy(() -> {
                try (RespClient plain = RespClient.connect(redis.host(), redis.port(), TIMEOUT, Duration.ofSeconds(5))) {
                    plain.call("PING");
                }
            }).isInstanceOf(UncheckedIOException.class);
        }
    }

    @Test
    void tls_aClientThatDoesNotTrustTheCertificateFailsTheHandshake() throws Exception {
        try (RedisServer redis = RedisServer.builder().tls(true).start()) {
            // The JDK's default trust (the public CAs) does not include the self-signed certificate.
            assertThatThrownBy(() -> RespClient.connectTls(redis.host(), redis.port(), TIMEOUT, SSLContext.getDefault()))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("TLS")
                    .hasCauseInstanceOf(SSLHandshakeException.class);
            // Another server's certificate is not this one's either.
            try (RedisServer other = RedisServer.builder().tls(true).start()) {
                assertThatThrownBy(() -> RespClient.connectTls(redis.host(), redis.port(), TIMEOUT, other.tlsContext()))
                        .hasCauseInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    @Test
    void tls_withPasswordAndAcl_restartAndKeepsItsCertificate() throws Exception {
        try (RedisServer redis = RedisServer.builder().tls(true).password("pw").aclUser("app", "apppw", "~app:*", "+@all").start()) {
            byte[] certificate = Files.readAllBytes(redis.tlsCertificate());
            try (RespClient app = RespClient.connectTls(redis.host(), redis.port(), TIMEOUT, redis.tlsContext())) {
                app.auth("app", "apppw");
                assertThat(app.call("SET", "app:x", "1")).isEqualTo("OK");
            }
            int port = redis.port();
            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(Files.readAllBytes(redis.tlsCertificate())).isEqualTo(certificate);
            assertThat(redis.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void tls_worksWithTheEmbeddedBinary() {
        try (SystemProperty embedded = SystemProperty.set(RedisBinaries.EMBEDDED_PROPERTY, "true");
             RedisServer redis = RedisServer.builder().tls(true).start()) {
            assertThat(ProcessHandle.of(redis.pid()).flatMap(p -> p.info().command()))
                    .hasValueSatisfying(command -> assertThat(RedisBinaries.isEmbedded(Path.of(command))).isTrue());
            assertThat(redis.call("PING")).isEqualTo("PONG");
        }
    }

    /** What a redis-server built without TLS does with a tls-* directive, imitated by a script. */
    @Test
    void tls_withARedisServerBuiltWithoutTls_failsSayingSo(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("redis-server");
        Files.writeString(fake, "#!/bin/sh\n"
                + "echo '*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***'\n"
                + "echo \"Reading the configuration file, at line 2\"\n"
                + "echo \">>> 'tls-port 6380'\"\n"
                + "echo 'Bad directive or wrong number of arguments'\n"
                + "exit 1\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        try (SystemProperty server = SystemProperty.set(RedisBinaries.SERVER_PROPERTY, fake.toString())) {
            assertThatThrownBy(() -> RedisServer.builder().tls(true).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("tls(true) needs a redis-server built with TLS support")
                    .hasMessageContaining(fake.toString())
                    .hasMessageContaining("Bad directive");
        }
    }

    @Test
    void tlsAccessors_onAPlainServer_failClearly_andTlsWithClusterModeIsRefused() {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(redis.isTls()).isFalse();
            assertThatThrownBy(redis::tlsUri).isInstanceOf(IllegalStateException.class).hasMessageContaining("tls(true)");
            assertThatThrownBy(redis::tlsTruststore).hasMessageContaining("tls(true)");
        }
        assertThatThrownBy(() -> RedisServer.builder().tls(true).clusterEnabled(true).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tls");
    }
}
