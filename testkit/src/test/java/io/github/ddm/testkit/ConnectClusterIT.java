package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.testkit.junit.ConnectExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectClusterIT {

    @RegisterExtension
    static final ConnectExtension connect = ConnectExtension.create();

    private static HttpResponse<String> get(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void workerRestApi_answersWithItsVersionAndClusterId() throws Exception {
        HttpResponse<String> root = get(connect.server().restUrl());

        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.body()).contains("\"version\":\"4.3.1\"").contains("kafka_cluster_id");
    }

    @Test
    void workerRestApi_listsConnectorsAndPlugins() throws Exception {
        String base = connect.server().restUrl();

        HttpResponse<String> connectors = get(base + "connectors");
        HttpResponse<String> plugins = get(base + "connector-plugins?connectorsOnly=false");

        assertThat(connectors.statusCode()).isEqualTo(200);
        assertThat(connectors.body()).isEqualTo("[]");
        assertThat(plugins.statusCode()).isEqualTo(200);
        // Converters found by ServiceLoader: proof that plugin.discovery=service_load scanned the classpath.
        assertThat(plugins.body()).contains("org.apache.kafka.connect.json.JsonConverter");
        assertThat(connect.server().cluster().healthyWorkers()).hasSize(1);
    }

    @Test
    void embeddedKafka_isReachableThroughTheKafkaView() {
        KafkaCluster kafka = connect.server().kafka();
        kafka.createTopic("through-connect");
        kafka.produce("through-connect", "k", "v");

        assertThat(kafka.consume("through-connect", 1, Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value).containsExactly("v");
    }
}
