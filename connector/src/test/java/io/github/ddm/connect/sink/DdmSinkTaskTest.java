package io.github.ddm.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The task's decisions that need no Redis: malformed records and the loop rule. Redis is configured at
 * a port nothing listens on, so a test that reached Redis would fail with a retriable error.
 */
class DdmSinkTaskTest {

    /** Connect's side of the task: records what the task asks of it. */
    static final class StubContext implements SinkTaskContext {
        final List<String> reported = new ArrayList<>();
        final ErrantRecordReporter reporter;
        long timeout = -1;

        StubContext(boolean withReporter) {
            reporter = withReporter ? (record, error) -> {
                reported.add(record.kafkaOffset() + ": " + error.getMessage());
                return CompletableFuture.completedFuture(null);
            } : null;
        }

        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
        }

        @Override
        public void offset(TopicPartition tp, long offset) {
        }

        @Override
        public void timeout(long timeoutMs) {
            timeout = timeoutMs;
        }

        @Override
        public Set<TopicPartition> assignment() {
            return Set.of();
        }

        @Override
        public void pause(TopicPartition... partitions) {
        }

        @Override
        public void resume(TopicPartition... partitions) {
        }

        @Override
        public void requestCommit() {
        }

        @Override
        public ErrantRecordReporter errantRecordReporter() {
            return reporter;
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }

    private final DdmSinkTask task = new DdmSinkTask();

    @AfterEach
    void stop() {
        task.stop();
    }

    private StubContext start(boolean withReporter) {
        StubContext context = new StubContext(withReporter);
        task.initialize(context);
        Map<String, String> props = new HashMap<>();
        props.put("name", "unit-" + System.nanoTime());
        props.put(DdmConnectorConfig.REDIS_URI_CONFIG, "redis://127.0.0.1:1");
        props.put(DdmConnectorConfig.REDIS_PASSWORD_CONFIG, "pw-never-shown");
        props.put(DdmConnectorConfig.REGION_CONFIG, "us");
        task.start(props);
        return context;
    }

    private static SinkRecord record(long offset, Object value) {
        return new SinkRecord("changes", 0, null, "p/s/k", null, value, offset);
    }

    private static String event(String region, String id) {
        ChangeEvent event = ChangeEvent.create("e-" + id, DataKey.of("p", "s", id), 1, 0, "ep", Instant.EPOCH,
                Origin.of(region, "n1"), new ObjectMapper().createObjectNode().put("n", 1));
        return ChangeEventCodec.encodeToString(event);
    }

    @Test
    void malformedRecords_goToTheReporterWithTheirReason_andAreCounted() {
        StubContext context = start(true);

        String futureSchema = event("eu", "a").replace("\"schema\":1", "\"schema\":2");
        task.put(List.of(record(0, "not JSON"), record(1, null), record(2, 42), record(3, "{\"schema\":1}"),
                record(4, futureSchema), record(5, event("eu", "a").replace("\"op\":\"c\"", "\"op\":\"x\"")
                        .getBytes(StandardCharsets.UTF_8)),
                record(6, "{\"control\":\"heartbeat\",\"region\":\"eu\",\"namespace\":\"ddm\",\"partition\":\"p\",\"section\":\"s\"}")));

        assertThat(context.reported).hasSize(7);
        assertThat(context.reported.get(0)).startsWith("0: not a valid DDM change event");
        assertThat(context.reported.get(1)).startsWith("1: the record has no value");
        assertThat(context.reported.get(2)).startsWith("2: a DDM change event was expected, got a java.lang.Integer");
        assertThat(context.reported.get(3)).startsWith("3: not a valid DDM change event");
        assertThat(context.reported.get(4)).startsWith("4: not a valid DDM change event").contains("schema");
        assertThat(context.reported.get(5)).startsWith("5: not a valid DDM change event").contains("op", "'x'");
        assertThat(context.reported.get(6)).as("a control record's own defect, not 'not an event'")
                .startsWith("6: ").contains("needs the integer field 'time'");
        assertThat(task.counters().getMalformed()).isEqualTo(7);
        assertThat(task.counters().getErrant()).isEqualTo(7);
    }

    @Test
    void malformedRecord_withoutAReporter_failsTheTask_namingTheRecordAndTheFix() {
        start(false);

        assertThatThrownBy(() -> task.put(List.of(record(7, "not JSON"))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("record changes-0@7 cannot be applied: not a valid DDM change event")
                .hasMessageContaining("errors.deadletterqueue.topic.name");
    }

    @Test
    void eventsFromTheSinksOwnRegion_areSkippedAndCounted_withoutTouchingRedis() {
        StubContext context = start(true);

        task.put(List.of(record(0, event("us", "a")), record(1, ChangeEventData.toStruct(ChangeEventCodec.decode(event("us", "b"))))));

        assertThat(task.counters().getSkipped()).isEqualTo(2);
        assertThat(context.reported).isEmpty();
        assertThat(context.timeout).as("no retry was asked for").isEqualTo(-1);
    }
}
