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
import javax.net.ssl.KeyManagerFactory;
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
 * host name accept it. For servers that require client certificates, a second self-signed pair is
 * made for the client (PEM files and a PKCS12 keystore); the server's CA file then holds both
 * certificates, so it accepts exactly that client. Immutable once created.
 */
final class TlsMaterial {

    private static final String ALIAS = "redis";
    private static final String KEYSTORE = "server.p12";
    private static final String TRUSTSTORE = "truststore.p12";
    private static final String CERTIFICATE = "redis.crt";
    private static final String PRIVATE_KEY = "redis.key";
    private static final String CLIENT_ALIAS = "client";
    private static final String CLIENT_KEYSTORE = "client.p12";
    private static final String CLIENT_CERTIFICATE = "client.crt";
    private static final String CLIENT_KEY = "client.key";
    private static final String CA_FILE = "ca.pem";

    private final Path certificate;
    private final Path privateKey;
    private final Path truststore;
    private final String password;
    private final Path caFile;
    private final Path clientCertificate;
    private final Path clientKey;
    private final Path clientKeystore;

    private TlsMaterial(Path certificate, Path privateKey, Path truststore, String password, Path caFile,
                        Path clientCertificate, Path clientKey, Path clientKeystore) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.truststore = truststore;
        this.password = password;
        this.caFile = caFile;
        this.clientCertificate = clientCertificate;
        this.clientKey = clientKey;
        this.clientKeystore = clientKeystore;
    }

    /**
     * Generates the material in {@code directory} (created if needed).
     *
     * @throws IllegalStateException if keytool fails or the keystore cannot be read
     */
    static TlsMaterial generate(Path directory, boolean withClient) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try {
            Files.createDirectories(directory);
            Path keystore = directory.resolve(KEYSTORE);
            runKeytool(keystore, ALIAS, "CN=127.0.0.1, O=DDM testkit", password);
            Certificate cert = writePair(keystore, ALIAS, password, directory.resolve(CERTIFICATE), directory.resolve(PRIVATE_KEY));
            Path certificate = directory.resolve(CERTIFICATE);
            Path privateKey = directory.resolve(PRIVATE_KEY);
            Path caFile = certificate;
            Path clientCertificate = null;
            Path clientKey = null;
            Path clientKeystore = null;
            if (withClient) {
                clientKeystore = directory.resolve(CLIENT_KEYSTORE);
                clientCertificate = directory.resolve(CLIENT_CERTIFICATE);
                clientKey = directory.resolve(CLIENT_KEY);
                runKeytool(clientKeystore, CLIENT_ALIAS, "CN=ddm-client, O=DDM testkit", password);
                Certificate client = writePair(clientKeystore, CLIENT_ALIAS, password, clientCertificate, clientKey);
                caFile = directory.resolve(CA_FILE);
                Files.writeString(caFile, pem("CERTIFICATE", cert.getEncoded()) + pem("CERTIFICATE", client.getEncoded()),
                        StandardCharsets.US_ASCII);
            }

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, cert);
            Path truststore = directory.resolve(TRUSTSTORE);
            try (OutputStream out = Files.newOutputStream(truststore)) {
                trust.store(out, password.toCharArray());
            }
            return new TlsMaterial(certificate, privateKey, truststore, password, caFile, clientCertificate, clientKey,
                    clientKeystore);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TLS material in " + directory, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keystore keytool wrote in " + directory, e);
        }
    }

    /** Reads the key pair keytool wrote and writes it as PEM files; returns the certificate. */
    private static Certificate writePair(Path keystore, String alias, String password, Path certificate, Path privateKey)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        Key key = store.getKey(alias, password.toCharArray());
        Certificate cert = store.getCertificate(alias);
        if (!(key instanceof PrivateKey) || cert == null) {
            throw new IllegalStateException("keytool wrote no key pair under alias " + alias + " in " + keystore);
        }
        Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
        // key.getEncoded() of a private key is PKCS#8, which is what "BEGIN PRIVATE KEY" holds.
        Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        return cert;
    }

    private static void runKeytool(Path keystore, String alias, String subject, String password) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", subject,
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

    /** The file the server trusts client certificates from: the server's certificate, and the client's if any. */
    Path caFile() {
        return caFile;
    }

    /** True if a client certificate was made. */
    boolean hasClient() {
        return clientKeystore != null;
    }

    /** The client's certificate, PEM, or null. */
    Path clientCertificate() {
        return clientCertificate;
    }

    /** The client's PKCS#8 private key, PEM, unencrypted, or null. */
    Path clientKey() {
        return clientKey;
    }

    /** A PKCS12 keystore with the client's key and certificate (password {@link #truststorePassword()}), or null. */
    Path clientKeystore() {
        return clientKeystore;
    }

    /** A TLS context that trusts exactly this certificate, and presents the client certificate if there is one. */
    SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(truststore)) {
                trust.load(in, password.toCharArray());
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            KeyManagerFactory keys = null;
            if (clientKeystore != null) {
                KeyStore client = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(clientKeystore)) {
                    client.load(in, password.toCharArray());
                }
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(client, password.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + truststore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context from " + truststore, e);
        }
    }
}
