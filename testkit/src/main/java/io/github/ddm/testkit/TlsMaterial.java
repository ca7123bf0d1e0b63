package io.github.ddm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate and key for {@code 127.0.0.1}, made with the JDK alone: {@code keytool}
 * (from {@code java.home}) writes a PKCS12 keystore, which is then read with {@link KeyStore} to
 * write the PEM files redis-server loads and a PKCS12 truststore that holds only the certificate.
 * No openssl, no third-party crypto library.
 *
 * <p>The certificate is its own CA: clients trust exactly it (as {@code tls-ca-cert-file} or in a
 * truststore). It names {@code IP:127.0.0.1} and {@code DNS:localhost}, so clients that verify the
 * host name accept it. Immutable once created.
 */
final class TlsMaterial {

    private static final String ALIAS = "redis";
    private static final String KEYSTORE = "server.p12";
    private static final String TRUSTSTORE = "truststore.p12";
    private static final String CERTIFICATE = "redis.crt";
    private static final String PRIVATE_KEY = "redis.key";

    private final Path certificate;
    private final Path privateKey;
    private final Path truststore;
    private final String password;

    private TlsMaterial(Path certificate, Path privateKey, Path truststore, String password) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.truststore = truststore;
        this.password = password;
    }

    /**
     * Generates the material in {@code directory} (created if needed).
     *
     * @throws IllegalStateException if keytool fails or the keystore cannot be read
     */
    static TlsMaterial generate(Path directory) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try {
            Files.createDirectories(directory);
            Path keystore = directory.resolve(KEYSTORE);
            runKeytool(keystore, password);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, password.toCharArray());
            }
            Key key = store.getKey(ALIAS, password.toCharArray());
            Certificate cert = store.getCertificate(ALIAS);
            if (!(key instanceof PrivateKey) || cert == null) {
                throw new IllegalStateException("keytool wrote no key pair under alias " + ALIAS + " in " + keystore);
            }
            Path certificate = directory.resolve(CERTIFICATE);
            Path privateKey = directory.resolve(PRIVATE_KEY);
            Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            // key.getEncoded() of a private key is PKCS#8, which is what "BEGIN PRIVATE KEY" holds.
            Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            Path truststore = directory.resolve(TRUSTSTORE);
            try (OutputStream out = Files.newOutputStream(truststore)) {
                trust.store(out, password.toCharArray());
            }
            return new TlsMaterial(certificate, privateKey, truststore, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TLS material in " + directory, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keystore keytool wrote in " + directory, e);
        }
    }

    private static void runKeytool(Path keystore, String password) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=127.0.0.1, O=DDM testkit",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password, "-keypass", password));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool could not create a certificate: " + output.strip());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /** The certificate, PEM; also the CA file clients trust. */
    Path certificate() {
        return certificate;
    }

    /** The PKCS#8 private key, PEM, unencrypted. */
    Path privateKey() {
        return privateKey;
    }

    /** A PKCS12 truststore holding only the certificate. */
    Path truststore() {
        return truststore;
    }

    /** The truststore's password. */
    String truststorePassword() {
        return password;
    }

    /** A TLS context that trusts exactly this certificate. */
    SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(truststore)) {
                trust.load(in, password.toCharArray());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + truststore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context from " + truststore, e);
        }
    }
}
