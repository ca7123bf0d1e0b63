package io.github.ddm.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive the build produces, installed the way an operator installs it: unzipped into
 * a directory on the worker's {@code plugin.path}. This test runs in its own failsafe execution
 * whose class path holds neither the connector's classes nor core's, so the worker can only find
 * them in the installed plugin. Both connectors run from it: a change logged in region A's Redis
 * reaches region B's Redis through Kafka.
 */
class PluginInstallIT {

    private static final String EVENT = "{\"schema\":1,\"eventId\":\"plugin-e1\",\"op\":\"c\","
            + "\"key\":{\"partition\":\"test\",\"section\":\"docs\",\"id\":\"k\"},\"version\":1,\"prevVersion\":0,"
            + "\"epoch\":\"Eplugin\",\"lineage\":\"Lplugin\",\"clock\":{\"eu~Lplugin\":1},\"time\":1700000000000,"
            + "\"origin\":{\"region\":\"eu\",\"node\":\"n1\"},"
            + "\"state\":{\"count\":1,\"label\":\"from the plugin\"}}";

    @TempDir
    Path pluginPath;

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void installedPlugin_runsBothConnectors_fromPluginPathAlone() throws Exception {
        assertThatThrownBy(() -> Class.forName("io.github.ddm.connect.source.DdmSourceConnector"))
                .as("the connector must not be on the test class path").isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.github.ddm.DocumentManager"))
                .as("core must not be on the test class path").isInstanceOf(ClassNotFoundException.class);
        PluginArchive.installInto(pluginPath);
        assertThat(pluginPath.resolve("ddm-connector/manifest.json")).exists();
        try (var jars = Files.list(pluginPath.resolve("ddm-connector/lib"))) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.startsWith("ddm-connector-")).anyMatch(n -> n.startsWith("ddm-core-"))
                    .anyMatch(n -> n.startsWith("redisson-"))
                    .noneMatch(n -> n.startsWith("kafka-clients") || n.startsWith("connect-api") || n.startsWith("slf4j-api"));
        }

        try (RedisServer regionA = RedisServer.start();
             RedisServer regionB = RedisServer.start();
             ConnectCluster connect = ConnectCluster.builder().name("ddm-plugin").pluginPath(pluginPath).start()) {
            String plugins = get(connect.restUrl() + "connector-plugins");
            assertThat(plugins).contains("io.github.ddm.connect.source.DdmSourceConnector", "io.github.ddm.connect.sink.DdmSinkConnector");

            regionA.call("SET", "ddm:{test:docs}:epoch", "Eplugin");
            regionA.call("HSET", "ddm:{test:docs}:s:k", "\u0000v", "1", "\u0000t", "1700000000000", "\u0000o", "eu/n1",
                    "count", "1", "label", "\"from the plugin\"");
            connect.kafka().createTopic("ddm.test.docs", 1);

            Map<String, String> source = new HashMap<>();
            source.put("connector.class", "io.github.ddm.connect.source.DdmSourceConnector");
            source.put("tasks.max", "1");
            source.put("redis.uri", regionA.uri());
            source.put("ddm.region", "eu");
            source.put("source.sections", "test.docs");
            source.put("source.topic.template", "ddm.${partition}.${section}");
            source.put("source.start", "earliest");
            source.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            source.put("value.converter", "io.github.ddm.connect.ChangeEventConverter");
            connect.cluster().configureConnector("ddm-source", source);

            Map<String, String> sink = new HashMap<>();
            sink.put("connector.class", "io.github.ddm.connect.sink.DdmSinkConnector");
            sink.put("tasks.max", "1");
            sink.put("topics", "ddm.test.docs");
            sink.put("redis.uri", regionB.uri());
            sink.put("ddm.region", "us");
            sink.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            sink.put("value.converter", "io.github.ddm.connect.ChangeEventConverter");
            connect.cluster().configureConnector("ddm-sink", sink);

            // The change is logged in region A after both connectors run: the source exports it live.
            regionA.call("XADD", "ddm:{test:docs}:log", "*", "e", EVENT);

            await("region A's change reaches region B through the installed plugin").atMost(Duration.ofSeconds(60))
                    .until(() -> "1".equals(regionB.call("HGET", "ddm:{test:docs}:s:k", "\u0000v")));
            assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", "label")).isEqualTo("\"from the plugin\"");
            assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", "\u0000o")).as("the origin travels").isEqualTo("eu/n1");
            assertThat(get(connect.restUrl() + "connectors/ddm-source/status")).contains("RUNNING").doesNotContain("FAILED");
            assertThat(get(connect.restUrl() + "connectors/ddm-sink/status")).contains("RUNNING").doesNotContain("FAILED");
        }
    }
}
