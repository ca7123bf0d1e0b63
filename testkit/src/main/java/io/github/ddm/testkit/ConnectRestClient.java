package io.github.ddm.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A small client for one Kafka Connect worker's REST API, over {@code java.net.http}: create a
 * connector, read its status and committed offsets, wait until it runs, or make any other call.
 * Answers are Kafka's own REST entities ({@link ConnectorStateInfo}, {@link ConnectorOffsets}).
 *
 * <pre>{@code
 * ConnectRestClient rest = worker.rest();               // or ConnectRestClient.of(url)
 * rest.putConnector("source", config);
 * rest.awaitRunning("source", 1, Duration.ofSeconds(60));
 * rest.call("GET", "connector-plugins", null).requireSuccess().body();
 * }</pre>
 *
 * <p>Thread-safe. Arguments must not be null, except a request body. A worker that does not answer
 * makes a call throw {@link UncheckedIOException}; a refusal makes the typed calls throw
 * {@link IllegalStateException} with the worker's answer.
 */
public final class ConnectRestClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<String> url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ConnectRestClient(Supplier<String> url) {
        this.url = url;
    }

    /** A client for the worker at {@code restUrl}, such as {@code http://127.0.0.1:8083/}. */
    public static ConnectRestClient of(String restUrl) {
        String base = Objects.requireNonNull(restUrl, "restUrl").endsWith("/") ? restUrl : restUrl + "/";
        return new ConnectRestClient(() -> base);
    }

    /** The worker's REST URL, ending with {@code /}. */
    public String url() {
        return url.get();
    }

    /** One call: {@code method} on {@code path} (relative to {@link #url()}, may hold a query), with an optional JSON body. */
    public RestResponse call(String method, String path, String jsonBody) {
        HttpRequest.BodyPublisher body = jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + (path.startsWith("/") ? path.substring(1) : path)))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, body)
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new RestResponse(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + request.uri(), e);
        }
    }

    /** Creates or updates a connector ({@code PUT /connectors/<name>/config}). */
    public void putConnector(String name, Map<String, String> config) {
        call("PUT", "connectors/" + encode(name) + "/config", toJson(new LinkedHashMap<>(config))).requireSuccess();
    }

    /** The connector's and its tasks' states ({@code GET /connectors/<name>/status}). */
    public ConnectorStateInfo connectorStatus(String name) {
        return fromJson(call("GET", "connectors/" + encode(name) + "/status", null).requireSuccess().body(),
                ConnectorStateInfo.class);
    }

    /** The connector's committed offsets: source offsets, or a sink's consumer group offsets ({@code GET /connectors/<name>/offsets}). */
    public ConnectorOffsets connectorOffsets(String name) {
        return fromJson(call("GET", "connectors/" + encode(name) + "/offsets", null).requireSuccess().body(),
                ConnectorOffsets.class);
    }

    /**
     * Waits until the connector and exactly {@code tasks} tasks are RUNNING.
     *
     * @throws ConditionTimeoutException if they are not within {@code timeout}; the message holds the last answer
     */
    public void awaitRunning(String name, int tasks, Duration timeout) {
        AtomicReference<String> last = new AtomicReference<>("no answer");
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        try {
                            ConnectorStateInfo status = connectorStatus(name);
                            last.set(status.toString());
                            return "RUNNING".equals(status.connector().state()) && status.tasks().size() == tasks
                                    && status.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
                        } catch (RuntimeException e) {
                            last.set(e.getMessage());
                            return false;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new ConditionTimeoutException(name + " and " + tasks + " task(s) not RUNNING at " + url() + " within "
                    + timeout + "; last answer: " + last.get());
        }
    }

    @Override
    public String toString() {
        return "ConnectRestClient[" + url() + "]";
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
        }
    }

    private static <T> T fromJson(String body, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unexpected answer from the worker: " + body, e);
        }
    }

    /** The status and body of one answer. */
    public record RestResponse(int status, String body) {

        /** Whether the status is 2xx. */
        public boolean isSuccess() {
            return status / 100 == 2;
        }

        /**
         * Returns this answer if it is a success.
         *
         * @throws IllegalStateException naming the status and body otherwise
         */
        public RestResponse requireSuccess() {
            if (!isSuccess()) {
                throw new IllegalStateException("the worker answered " + status + ": " + body);
            }
            return this;
        }
    }
}
