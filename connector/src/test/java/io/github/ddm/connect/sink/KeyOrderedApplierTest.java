package io.github.ddm.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.SectionStore.ApplyOutcome;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-key order, stop at a key's first failure, bounded parallelism and timeouts; applies are simulated (no network). */
class KeyOrderedApplierTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    private static SinkItem item(String id, long version, long offset) {
        DataKey key = DataKey.of("p", "s", id);
        Origin origin = Origin.of("eu", "n1");
        ChangeEvent event = version == 1
                ? ChangeEvent.create("e-" + id + version, key, 1, 0, "ep", Instant.EPOCH, origin, JSON.createObjectNode())
                : ChangeEvent.update("e-" + id + version, key, version, version - 1, "ep", Instant.EPOCH, origin,
                        JSON.createArrayNode(), null);
        SinkRecord record = new SinkRecord("t", 0, null, key.toString(), null, null, offset);
        return new SinkItem(record, SinkItem.RecordId.of(record), event, null);
    }

    /** Many keys, several versions each, interleaved as a topic partition would hold them. */
    private static List<SinkItem> batch(int keys, int versions) {
        List<SinkItem> items = new ArrayList<>();
        long offset = 0;
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                items.add(item("k" + k, v, offset++));
            }
        }
        return items;
    }

    @Test
    void eachKeysEvents_areAppliedInRecordOrder_withAtMostParallelismInFlight() {
        Map<String, List<Long>> order = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        KeyOrderedApplier applier = new KeyOrderedApplier(3, Duration.ofSeconds(10), item -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            return CompletableFuture.supplyAsync(() -> {
                order.computeIfAbsent(item.event.key().id(), k -> new CopyOnWriteArrayList<>()).add(item.event.version());
                inFlight.decrementAndGet();
                return new ApplyOutcome.Applied(item.event.version(), "1-0", java.util.List.of(), false);
            }, pool);
        });
        List<SinkItem> items = batch(20, 5);

        applier.applyAll(items);

        assertThat(items).allSatisfy(i -> assertThat(i.outcome()).isInstanceOf(ApplyOutcome.Applied.class));
        assertThat(order).hasSize(20).allSatisfy((id, versions) -> assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L));
        assertThat(maxInFlight.get()).isBetween(1, 3);
    }

    @Test
    void aFailure_stopsItsKey_butNotTheOthers() {
        KeyOrderedApplier applier = new KeyOrderedApplier(4, Duration.ofSeconds(10), item ->
                item.event.key().id().equals("k1") && item.event.version() == 2
                        ? CompletableFuture.failedFuture(new StoreUnavailableException("Redis is unreachable", null))
                        : CompletableFuture.supplyAsync(() -> new ApplyOutcome.Applied(item.event.version(), "1-0", java.util.List.of(), false), pool));
        List<SinkItem> items = batch(3, 3);

        applier.applyAll(items);

        for (SinkItem item : items) {
            String id = item.event.key().id();
            long version = item.event.version();
            if (id.equals("k1") && version == 2) {
                assertThat(item.failure()).isInstanceOf(StoreUnavailableException.class);
            } else if (id.equals("k1") && version == 3) {
                assertThat(item.outcome()).as("not attempted after its key failed").isNull();
                assertThat(item.failure()).isNull();
            } else {
                assertThat(item.outcome()).as("%s v%d", id, version).isInstanceOf(ApplyOutcome.Applied.class);
            }
        }
    }

    @Test
    void anApplyWithoutReply_timesOut() {
        KeyOrderedApplier applier = new KeyOrderedApplier(2, Duration.ofMillis(50), item -> new CompletableFuture<>());
        List<SinkItem> items = batch(2, 2);

        applier.applyAll(items);

        assertThat(items.subList(0, 2)).allSatisfy(i -> assertThat(i.failure()).isInstanceOf(TimeoutException.class));
        assertThat(items.subList(2, 4)).allSatisfy(i -> assertThat(i.outcome()).isNull());
    }

    @Test
    void anApplyThatThrows_isRecordedAsItsFailure() {
        KeyOrderedApplier applier = new KeyOrderedApplier(1, Duration.ofSeconds(1), item -> {
            throw new IllegalArgumentException("bug");
        });
        List<SinkItem> items = batch(1, 1);

        applier.applyAll(items);

        assertThat(items.get(0).failure()).isInstanceOf(IllegalArgumentException.class).hasMessage("bug");
    }
}
