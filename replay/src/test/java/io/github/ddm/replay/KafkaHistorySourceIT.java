package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.HistorySource;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import io.github.ddm.testkit.junit.KafkaExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * Late subscribers whose change buffer and Redis log are both too short (issue 5: "A late
 * subscriber whose buffer and Redis log are both too short recovers the missing versions from
 * Kafka"): the writer keeps a five-entry log, every committed event is published to Kafka as the
 * source connector would, and a new manager configured with a {@link KafkaHistorySource} asks for
 * a key's changes from an old version.
 */
class KafkaHistorySourceIT {

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create();
    /** Small stream nodes, so that {@code XADD MAXLEN ~ 5} really trims to about five entries. */
    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create(b -> b.config("stream-node-max-entries", "4"));

    private static final String NS = "ddm";
    private static final SectionId SECTION = new SectionId("orders", "book");
    private static final String TOPIC = "ddm.region-a.orders.book";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private RedissonClient client;
    private LogPublisher publisher;
    private DocumentManager<Item> writer;

    @BeforeEach
    void setUp() {
        client = RedisClients.create(redis.server().uri());
        resources.add(client::shutdown);
        publisher = track(new LogPublisher(kafka.server().clientProperties(), client, NS));
        kafka.server().createTopic(TOPIC, 2);
        writer = track(DocumentManager.builder(Item.class).redisson(client).namespace(NS).section("orders", "book")
                .origin("region-a", "writer").logMaxLength(5).fullStateEvery(4).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void lateSubscriber_bufferAndLogTooShort_recoversVersions4toNFromKafka_asUpdates_thenLive() throws Exception {
        List<ChangeEvent> published = writeAndPublish(30, event -> true);
        assertThat(firstLoggedVersionOf("k")).as("the Redis log lost the early versions").isGreaterThan(4);
        RecordingHistory history = new RecordingHistory(track(KafkaHistorySource.builder(kafka.server().clientProperties())
                .region("region-a").timeout(Duration.ofSeconds(20)).build()));
        DocumentManager<Item> fresh = track(DocumentManager.builder(Item.class).redisson(client).namespace(NS)
                .section("orders", "book").origin("region-a", "fresh").historySource(history).build());
        assertThat(fresh.bufferedChanges("k")).as("a new manager has no history").isEmpty();

        List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
        resources.add(fresh.changes("k", 3, seen::add)::close);
        await("history up to version 30").atMost(Duration.ofSeconds(30)).until(() -> lastVersion(seen) >= 30);
        writer.update("k", item -> { item.count++; return item; }).get(10, TimeUnit.SECONDS);
        writer.update("k", item -> { item.count++; return item; }).get(10, TimeUnit.SECONDS);
        await("live versions 31 and 32").atMost(Duration.ofSeconds(10)).until(() -> lastVersion(seen) >= 32);

        assertThat(seen).extracting(ChangeEvent::version).as("versions 4..32, in order, once each")
                .containsExactlyElementsOf(LongStream.rangeClosed(4, 32).boxed().collect(Collectors.toList()));
        assertThat(seen).extracting(ChangeEvent::op).as("updates, not a snapshot").containsOnly(ChangeOp.UPDATE);
        assertThat(seen.subList(0, 27)).extracting(ChangeEvent::eventId).as("versions 4..30 are the committed events")
                .containsExactlyElementsOf(published.stream().filter(e -> e.key().id().equals("k") && e.version() >= 4)
                        .map(ChangeEvent::eventId).collect(Collectors.toList()));
        assertThat(history.asked).as("the Kafka history was asked").contains("k@3");
    }

    @Test
    void aVersionMissingFromKafka_isBridgedByTheNextWholeDocument_asAnExplicitSnapshot() throws Exception {
        // Versions 5 and 6 never reached Kafka; version 8 carries the whole document (fullStateEvery 4).
        writeAndPublish(12, event -> !(event.key().id().equals("k") && (event.version() == 5 || event.version() == 6)));
        try (KafkaHistorySource history = KafkaHistorySource.builder(kafka.server().clientProperties()).region("region-a")
                .build()) {
            List<ChangeEvent> events = history.changes(DataKey.of("orders", "book", "k"), 3).get(30, TimeUnit.SECONDS);

            assertThat(events).extracting(ChangeEvent::version).containsExactly(4L, 8L, 9L, 10L, 11L, 12L);
            assertThat(events.get(0).op()).isEqualTo(ChangeOp.UPDATE);
            assertThat(events.get(1).op()).as("the jump is explicit").isEqualTo(ChangeOp.SNAPSHOT);
            assertThat(events.get(1).state()).isNotNull();
            assertThat(events.subList(2, 6)).extracting(ChangeEvent::op).containsOnly(ChangeOp.UPDATE);
        }
    }

    @Test
    void anotherRegionsChanges_neverEnterThisRegionsHistory_whateverTheTopicLayout() throws Exception {
        // Region B's changes of k at the same versions, written first: chained by version alone they
        // would be taken for region A's.
        DataKey k = DataKey.of("orders", "book", "k");
        List<ChangeEvent> fromB = new ArrayList<>();
        for (long v = 2; v <= 6; v++) {
            fromB.add(new ChangeEvent("b-" + v, k, ChangeOp.UPDATE, v, v - 1, "e1", java.time.Instant.now(),
                    io.github.ddm.schema.Origin.of("region-b", "w"),
                    Events.json("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"from-b-" + v + "\"}]"), null, null));
        }
        String shared = "ddm.all-regions";
        kafka.server().createTopic(shared, 1);
        kafka.server().createTopic(TopicNaming.perSection().topicFor("region-b", SECTION), 1);
        for (ChangeEvent event : fromB) {
            publisher.produce(shared, k.toString(), WireForm.CONTRACT.encode(event));
            publisher.produce(TopicNaming.perSection().topicFor("region-b", SECTION), k.toString(), WireForm.CONTRACT.encode(event));
        }
        List<ChangeEvent> fromA = writeAndPublish(8, event -> true);
        publisher.publishAgain(fromA, shared);
        List<String> expected = fromA.stream().filter(e -> e.key().equals(k) && e.version() > 1).map(ChangeEvent::eventId).toList();

        try (KafkaHistorySource perRegion = KafkaHistorySource.builder(kafka.server().clientProperties()).region("region-a").build();
             KafkaHistorySource oneTopic = KafkaHistorySource.builder(kafka.server().clientProperties())
                     .topicNaming(TopicNaming.fixed(shared)).region("region-a").build()) {
            assertThat(perRegion.changes(k, 1).get(30, TimeUnit.SECONDS)).extracting(ChangeEvent::eventId)
                    .as("region A's topic").containsExactlyElementsOf(expected);
            assertThat(oneTopic.changes(k, 1).get(30, TimeUnit.SECONDS)).extracting(ChangeEvent::eventId)
                    .as("one topic for every region: region B's events are left out").containsExactlyElementsOf(expected);
        }
        assertThatThrownBy(() -> KafkaHistorySource.builder(kafka.server().clientProperties()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("region(");
    }

    @Test
    void aSectionWithoutATopic_hasNoHistory() throws Exception {
        try (KafkaHistorySource history = KafkaHistorySource.builder(kafka.server().clientProperties())
                .topicNaming(TopicNaming.template("elsewhere.${partition}.${section}")).build()) {
            assertThat(history.changes(DataKey.of("orders", "book", "k"), 0).get(30, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void anUnreachableKafka_failsTheFutureWithinTheTimeout_andCloseFailsLaterCalls() {
        KafkaHistorySource history = KafkaHistorySource.builder(Map.of("bootstrap.servers", "127.0.0.1:" + unusedPort()))
                .region("region-a").timeout(Duration.ofSeconds(2)).build();
        CompletableFuture<List<ChangeEvent>> answer = history.changes(DataKey.of("orders", "book", "k"), 3);
        await("the call gives up soon after its 2 s timeout").atMost(Duration.ofSeconds(6)).until(answer::isDone);
        assertThatThrownBy(answer::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(KafkaReplayException.class);

        history.close();
        assertThat(history.changes(DataKey.of("orders", "book", "k"), 3)).isCompletedExceptionally();
    }

    // ---- helpers ----

    /**
     * Writes key {@code k} up to {@code versions} and key {@code other} a few times, publishing the
     * log after each write (it keeps only about five entries). Returns what was published.
     */
    private List<ChangeEvent> writeAndPublish(int versions, Predicate<ChangeEvent> include) throws Exception {
        List<ChangeEvent> published = new ArrayList<>();
        writer.set("k", new Item("k")).get(10, TimeUnit.SECONDS);
        published.addAll(publisher.publish(SECTION, TOPIC, n -> WireForm.CONTRACT, include));
        for (int v = 2; v <= versions; v++) {
            int step = v;
            writer.update("k", item -> { item.count += step; item.tags.put("t" + (step % 3), (long) step); return item; })
                    .get(10, TimeUnit.SECONDS);
            if (v % 5 == 0) {
                writer.set("other" + v, new Item("other")).get(10, TimeUnit.SECONDS);
            }
            // Struct JSON every other time: the history source reads every wire form.
            WireForm form = v % 2 == 0 ? WireForm.STRUCT_JSON_ENVELOPE : WireForm.CONTRACT;
            published.addAll(publisher.publish(SECTION, TOPIC, n -> form, include));
        }
        return published;
    }

    private long firstLoggedVersionOf(String id) throws Exception {
        return SectionStore.open(client, NS, SECTION).readLog("0-0", 1000).get(10, TimeUnit.SECONDS).events().stream()
                .filter(e -> e.key().id().equals(id)).mapToLong(ChangeEvent::version).min().orElse(Long.MAX_VALUE);
    }

    private static long lastVersion(List<ChangeEvent> events) {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).version();
    }

    private static int unusedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private <C extends AutoCloseable> C track(C resource) {
        resources.add(resource);
        return resource;
    }

    /** Records what the manager asked its history source. */
    private static final class RecordingHistory implements HistorySource {
        final HistorySource delegate;
        final List<String> asked = new CopyOnWriteArrayList<>();

        RecordingHistory(HistorySource delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<List<ChangeEvent>> changes(DataKey key, long fromVersion) {
            asked.add(key.id() + "@" + fromVersion);
            return delegate.changes(key, fromVersion);
        }
    }
}
