package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.KafkaExtension;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Connect worker in its own JVM: it answers on its REST API, runs without DDM's classes, dies
 * at once on SIGKILL and comes back with the same port, group and connectors.
 */
class ConnectWorkerProcessIT {

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create();

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void start_answersOnItsRestApi_fromAClasspathWithoutDdmClasses() throws Exception {
        try (ConnectWorkerProcess worker = ConnectWorkerProcess.builder(kafka.server()).name("testkit-worker-a").start()) {
            assertThat(worker.rest().call("GET", "", null).requireSuccess().body()).contains("kafka_cluster_id");
            assertThat(worker.rest().call("GET", "connector-plugins?connectorsOnly=false", null).requireSuccess().body())
                    .as("service-loaded plugins of the worker's class path")
                    .contains("org.apache.kafka.connect.json.JsonConverter");
            assertThat(ProcessHandle.of(worker.pid()).flatMap(h -> h.info().commandLine()))
                    .as("a separate JVM running ConnectDistributed").hasValueSatisfying(c -> assertThat(c)
                            .contains(ConnectWorkerProcess.MAIN_CLASS).contains(worker.directory().resolve("worker.properties").toString()));
            assertThat(worker.pid()).isNotEqualTo(ProcessHandle.current().pid());

            // This test JVM has testkit's classes on its class path; the worker's has none of DDM's.
            assertThat(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)))
                    .anyMatch(e -> Files.isDirectory(Path.of(e, "io", "github", "ddm", "testkit")) || e.contains("ddm-testkit"));
            assertThat(worker.classpath()).isNotEmpty()
                    .noneMatch(p -> Files.isDirectory(p.resolve("io/github/ddm")) || p.getFileName().toString().startsWith("ddm-"))
                    .anyMatch(p -> p.getFileName().toString().startsWith("connect-runtime-"));
            assertThat(Files.readString(worker.directory().resolve("jvm.args"))).doesNotContain("ddm-testkit")
                    .doesNotContain("testkit" + File.separator + "target" + File.separator + "classes");

            assertThat(worker.logFile()).isNotEmptyFile();
            assertThat(worker.workerProperties()).containsEntry("group.id", "testkit-worker-a")
                    .containsEntry("plugin.discovery", "service_load");
        }
    }

    @Test
    void kill_isACrash_andResumeComesBackWithTheSamePortGroupAndConnectors() throws Exception {
        try (ConnectWorkerProcess worker = ConnectWorkerProcess.builder(kafka.server()).name("testkit-worker-b").start()) {
            // A sink from Kafka's own test jar that does nothing: enough to see a connector survive a crash.
            kafka.server().createTopic("unused");
            worker.rest().putConnector("sample", Map.of("connector.class",
                    "org.apache.kafka.connect.integration.ConnectWorkerIntegrationTest$EmptyTaskConfigsConnector",
                    "topics", "unused", "tasks.max", "1"));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> "RUNNING".equals(worker.rest().connectorStatus("sample").connector().state()));
            assertThat(worker.rest().connectorOffsets("sample").offsets()).as("GET /connectors/sample/offsets").isNotNull();
            long firstPid = worker.pid();
            String url = worker.restUrl();

            worker.kill();

            assertThat(alive(firstPid)).as("SIGKILL leaves nothing running").isFalse();
            assertThat(worker.isRunning()).isFalse();
            assertThatThrownBy(() -> worker.rest().call("GET", "", null)).isInstanceOf(UncheckedIOException.class);

            worker.resume();

            assertThat(worker.restUrl()).isEqualTo(url);
            assertThat(worker.pid()).isNotEqualTo(firstPid);
            // The connector comes back from the group's config topic, and runs on the new process.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> "RUNNING".equals(worker.rest().connectorStatus("sample").connector().state()));
            assertThat(Files.readString(worker.logFile())).contains("==== start 1 ").contains("==== start 2 ");
        }
    }
}
