package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.schema.TopicTemplate;
import io.github.ddm.testkit.ConnectRestClient;
import io.github.ddm.testkit.ConnectWorkerProcess;
import io.github.ddm.testkit.KafkaCluster;
import io.github.ddm.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every connector sample in {@code config/} runs on a real Kafka Connect worker, and that worker is
 * the worker sample {@code config/connect-distributed.properties}: a process of its own whose class
 * path holds no DDM class, so that it loads the plugin from {@code plugin.path} (the archive the build
 * made, unzipped), as a production worker does. Each sample is posted to {@code POST /connectors},
 * and the connector and each of its tasks must reach RUNNING. One worker serves every sample; the
 * samples of one directory run together (one region's source can share a name with a sample in
 * another directory).
 *
 * <p><b>What is substituted.</b> Only what differs per machine, by the same rules in every file; every
 * other key and value is posted (or given to the worker) exactly as the file has it, and a value
 * that still names a {@code .internal} host fails the test:
 * <ul>
 *   <li>{@code bootstrap.servers}: the in-JVM KRaft broker;</li>
 *   <li>the host and port of {@code redis.uri}: one TLS redis-server (its scheme, {@code rediss}, is
 *       kept), which every region's samples share, with the samples' ACL user {@code ddm-bridge} and
 *       the documented source ACL (docs/connector.md, "Security");</li>
 *   <li>the directory {@value #SECRETS}, in {@code ${file:...}} references and in file paths alike:
 *       a temporary directory holding the files the samples name;</li>
 *   <li>{@code plugin.path}: a temporary directory with the plugin archive unzipped into it;</li>
 *   <li>in {@code listeners}, each listener's host and port: {@code 127.0.0.1} and a free port;</li>
 *   <li>every {@code *.replication.factor}: 1, as the test's Kafka has one broker.</li>
 * </ul>
 *
 * <p>A source makes one task per section up to {@code tasks.max}, so the test creates as many empty
 * section logs as the largest {@code tasks.max}, and each source finds them through TLS, its ACL
 * user and the password from the file provider. It also creates the topics the sources write to
 * (empty logs write no change, but heartbeats go to the control topics), as docs/connector.md asks
 * an operator to.
 */
class SamplesOnWorkerIT {

    private static final Path CONFIG = Path.of("..", "config");
    private static final Path WORKER_SAMPLE = CONFIG.resolve("connect-distributed.properties");
    /** The secrets directory the samples name. */
    private static final String SECRETS = "/etc/kafka-connect/secrets";
    private static final String ACL_USER = "ddm-bridge";
    /** The source ACL of docs/connector.md, "Security" (the sink's is a subset). */
    private static final String[] SOURCE_ACL = ("resetkeys ~ddm:* resetchannels &ddm:* -@all +ping +auth +evalsha +evalsha_ro"
            + " +script|load +get +set +hget +hgetall +hmget +hkeys +hset +hdel +xadd +xrange +xrevrange +scan"
            + " +publish +subscribe +unsubscribe +spublish +ssubscribe +sunsubscribe +xread +xinfo|stream").split(" ");
    private static final Pattern REDIS_ADDRESS = Pattern.compile("^(rediss?://)[^/?#]+");
    private static final Pattern LISTENER = Pattern.compile("^(https?)://[^/]*$");
    private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KafkaCluster kafka;
    private static RedisServer redis;
    private static ConnectWorkerProcess worker;
    @TempDir
    static Path work;
    private static Path secrets;
    private static Path plugins;
    private static String restKeyPassword;
    private static int httpsPort;

    @BeforeAll
    static void startWorkerFromTheSample() throws Exception {
        secrets = Files.createDirectories(work.resolve("secrets"));
        plugins = PluginArchive.installInto(Files.createDirectories(work.resolve("plugins")));
        String redisPassword = UUID.randomUUID().toString().replace("-", "");
        redis = RedisServer.builder().tls(true).aclUser(ACL_USER, redisPassword, SOURCE_ACL).start();
        kafka = KafkaCluster.start();

        Files.copy(redis.tlsTruststore(), secrets.resolve("redis-truststore.p12"));
        writeProperties(secrets.resolve("redis.properties"),
                Map.of("password", redisPassword, "truststore.password", redis.tlsTruststorePassword()));
        restKeyPassword = UUID.randomUUID().toString().replace("-", "");
        writeRestTls(restKeyPassword);
        writeProperties(secrets.resolve("connect-rest.properties"),
                Map.of("keystore.password", restKeyPassword, "truststore.password", restKeyPassword));

        List<Sample> samples = samples().toList();
        List<String> sections = seedSections(samples);
        createSourceTopics(samples, sections);

        Map<String, String> sample = readProperties(WORKER_SAMPLE);
        worker = ConnectWorkerProcess.builder(kafka).name("samples").workerConfig(port -> workerConfig(sample, port)).start();
    }

    @AfterAll
    static void stopAll() {
        for (AutoCloseable closeable : new AutoCloseable[] {worker, kafka, redis}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop " + closeable, e);
            }
        }
    }

    @AfterEach
    void deleteConnectors() throws IOException {
        ConnectRestClient rest = worker.rest();
        for (JsonNode name : JSON.readTree(rest.call("GET", "connectors", null).requireSuccess().body())) {
            rest.call("DELETE", "connectors/" + name.asText(), null).requireSuccess();
        }
        await("every connector deleted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> JSON.readTree(rest.call("GET", "connectors", null).requireSuccess().body()).isEmpty());
    }

    /** The directories of config/ that hold connector samples: config/ itself and config/regions-3/ today. */
    static Stream<String> sampleDirectories() throws IOException {
        return sampleFiles().stream().map(f -> CONFIG.getParent().relativize(f.getParent()).toString().replace('\\', '/')).distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sampleDirectories")
    void everySampleOfTheDirectory_runsWithEachTask_onTheSampleWorker(String directory) throws IOException {
        List<Sample> samples = samples().filter(s -> s.file().getParent().equals(CONFIG.getParent().resolve(directory))).toList();
        assertThat(samples).as("connector samples in %s", directory).isNotEmpty();

        for (Sample sample : samples) {
            ConnectRestClient.RestResponse created = worker.rest().call("POST", "connectors", JSON.writeValueAsString(sample.posted()));
            assertThat(created.status()).as("POST %s: %s", sample.file(), created.body()).isEqualTo(201);
        }
        for (Sample sample : samples) {
            worker.rest().awaitRunning(sample.name(), sample.tasksMax(), RUNNING_TIMEOUT);
        }
    }

    /**
     * The hardening holds on the running worker: its HTTPS listener answers only a client with a
     * certificate it trusts, and a connector config that overrides a client setting is refused.
     * (ConfigSamplesTest checks the file's settings themselves.)
     */
    @Test
    void restApi_onHttpsOnlyWithAClientCertificate_andNoClientOverride() throws Exception {
        HttpRequest root = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + "/")).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> withCertificate = HttpClient.newBuilder().sslContext(restTlsContext(true)).build()
                .send(root, HttpResponse.BodyHandlers.ofString());
        assertThat(withCertificate.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> HttpClient.newBuilder().sslContext(restTlsContext(false)).build()
                .send(root, HttpResponse.BodyHandlers.ofString()))
                .as("HTTPS without a client certificate").isInstanceOf(IOException.class);

        Sample sink = samples().filter(s -> s.file().equals(CONFIG.resolve("ddm-sink.json"))).findFirst().orElseThrow();
        Map<String, String> config = JSON.convertValue(sink.posted().get("config"), JSON.getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, String.class));
        config.put("name", sink.name());
        String override = "consumer.override.isolation.level";
        config.put(override, "read_uncommitted");
        JsonNode answer = JSON.readTree(worker.rest().call("PUT", "connector-plugins/" + config.get("connector.class")
                + "/config/validate", JSON.writeValueAsString(config)).requireSuccess().body());
        List<String> errors = new ArrayList<>();
        for (JsonNode value : answer.get("configs")) {
            value.path("value").path("errors").forEach(e -> errors.add(value.path("value").path("name").asText() + ": " + e.asText()));
        }
        assertThat(errors).as("validation errors of the sink sample with %s", override).isNotEmpty()
                .allSatisfy(e -> assertThat(e).startsWith(override + ": "));
    }

    /** One connector sample: its file, and what the test posts (the file with the substitutions above). */
    private record Sample(Path file, ObjectNode posted) {

        String name() {
            return posted.get("name").asText();
        }

        int tasksMax() {
            return Integer.parseInt(config("tasks.max"));
        }

        boolean isSource() {
            return config("connector.class").endsWith(".DdmSourceConnector");
        }

        String config(String key) {
            JsonNode value = posted.get("config").get(key);
            assertThat(value).as("%s in %s", key, file).isNotNull();
            return value.asText();
        }
    }

    /** Every *.json under config/. */
    private static List<Path> sampleFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(CONFIG)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Every *.json under config/, substituted. */
    private static Stream<Sample> samples() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (Path file : sampleFiles()) {
            ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            assertThat(root.path("name").asText()).as("%s names its connector", file).isNotBlank();
            ObjectNode config = (ObjectNode) root.get("config");
            assertThat(config).as("%s has a config object", file).isNotNull();
            List<String> keys = new ArrayList<>();
            config.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                config.put(key, substitute(file, key, config.get(key).asText()));
            }
            samples.add(new Sample(file, root));
        }
        return samples.stream();
    }

    /** The substitutions every file shares (the class comment lists them); fails on a production host left over. */
    private static String substitute(Path file, String key, String value) {
        String result = value.replace(SECRETS, secrets.toString());
        if (key.equals("redis.uri")) {
            Matcher address = REDIS_ADDRESS.matcher(result);
            assertThat(address.find()).as("%s: %s is a redis:// or rediss:// URI", file, key).isTrue();
            assertThat(address.group(1)).as("%s: the TLS samples run against a TLS redis-server", file).isEqualTo("rediss://");
            result = address.replaceFirst("$1" + redis.host() + ":" + redis.port());
        }
        if (key.endsWith(".replication.factor")) {
            result = "1";
        }
        assertThat(result).as("%s: %s names a host the test does not substitute", file, key).doesNotContain(".internal");
        return result;
    }

    private static Map<String, String> workerConfig(Map<String, String> sample, int restPort) {
        httpsPort = freePort();
        Map<String, String> config = new LinkedHashMap<>();
        sample.forEach((key, value) -> {
            String result = switch (key) {
                case "bootstrap.servers" -> kafka.bootstrapServers();
                case "plugin.path" -> plugins.toString();
                case "listeners" -> Stream.of(value.split(",")).map(String::strip).map(listener -> {
                    Matcher m = LISTENER.matcher(listener);
                    assertThat(m.matches()).as("listener %s", listener).isTrue();
                    return m.group(1) + "://127.0.0.1:" + (m.group(1).equals("http") ? restPort : httpsPort);
                }).collect(Collectors.joining(","));
                default -> value;
            };
            config.put(key, substitute(WORKER_SAMPLE, key, result));
        });
        return config;
    }

    /** Empty logs of as many sections as the largest tasks.max of a source (in the namespace of each source). */
    private static List<String> seedSections(List<Sample> samples) {
        int count = samples.stream().filter(Sample::isSource).mapToInt(Sample::tasksMax).max().orElse(1);
        Set<String> namespaces = samples.stream().filter(Sample::isSource).map(s -> s.config("ddm.namespace"))
                .collect(Collectors.toCollection(TreeSet::new));
        List<String> sections = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            sections.add("samples.s" + i);
        }
        for (String namespace : namespaces) {
            for (String section : sections) {
                String tag = namespace + ":{" + section.replace('.', ':') + "}";
                redis.call("SET", tag + ":epoch", "Esamples");
                redis.call("XGROUP", "CREATE", tag + ":log", "samples", "$", "MKSTREAM");
            }
        }
        return sections;
    }

    /** Every source's change topics for the seeded sections, and its control topic. */
    private static void createSourceTopics(List<Sample> samples, List<String> sections) throws Exception {
        Set<String> topics = new TreeSet<>();
        for (Sample source : samples.stream().filter(Sample::isSource).toList()) {
            String namespace = source.config("ddm.namespace");
            String region = source.config("ddm.region");
            TopicTemplate changes = TopicTemplate.parse(source.config("source.topic.template"));
            for (String section : sections) {
                String[] name = section.split("\\.");
                topics.add(changes.topic(namespace, region, name[0], name[1]));
            }
            topics.add(TopicTemplate.parse(source.config("source.control.topic")).topic(namespace, region, "-", "-"));
        }
        try (Admin admin = kafka.admin()) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** The worker's REST certificate (its own CA, for 127.0.0.1) in a PKCS12 keystore, and a truststore with it. */
    private static void writeRestTls(String password) throws Exception {
        Path keystore = secrets.resolve("connect-rest-keystore.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-noprompt", "-alias", "connect",
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2", "-dname", "CN=127.0.0.1, O=DDM samples",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password, "-keypass", password).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as("keytool: %s", output).isTrue();
        KeyStore keys = load(keystore, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", keys.getCertificate("connect"));
        try (OutputStream out = Files.newOutputStream(secrets.resolve("connect-rest-truststore.p12"))) {
            trust.store(out, password.toCharArray());
        }
    }

    /** A client context that trusts the worker's certificate and, if asked, presents it as its own. */
    private static SSLContext restTlsContext(boolean withCertificate) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(secrets.resolve("connect-rest-truststore.p12"), restKeyPassword));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(secrets.resolve("connect-rest-keystore.p12"), restKeyPassword), restKeyPassword.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(withCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private static Map<String, String> readProperties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> map.put(k, properties.getProperty(k)));
        return map;
    }

    private static void writeProperties(Path file, Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, null);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
