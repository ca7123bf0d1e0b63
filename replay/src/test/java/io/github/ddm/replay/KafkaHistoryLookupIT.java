package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.HistorySource;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import io.github.ddm.testkit.junit.KafkaExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * The history source's lookups without rescans (issue 11): a key's history is read from its
 * records alone, found through the key index, among many records of other documents; the index
 * reads only what is new at each call; a full index falls back to reading what it no longer
 * covers; and a section subscriber whose Redis log is too short is served from Kafka too.
 */
class KafkaHistoryLookupIT {

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create();
    /** Small stream nodes, so that {@code XADD MAXLEN ~ 5} really trims to about five entries. */
    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create(b -> b.config("stream-node-max-entries", "4"));

    private static final String NS = "ddm";
    private static final String REGION = "region-a";
    private static final SectionId SECTION = new SectionId("orders", "book");
    private static final java.util.concurrent.atomic.AtomicInteger TOPICS = new java.util.concurrent.atomic.AtomicInteger();
    private static final DataKey K = DataKey.of("orders", "book", "k");

    private final List<AutoCloseable> resources = new ArrayList<>();
    /** Each test its own topics: no topic is deleted and created again under a producer's feet. */
    private TopicNaming naming;
    private String topic;
    private RedissonClient client;
    private LogPublisher publisher;
    private DocumentManager<Item> writer;

    @BeforeEach
    void setUp() {
        naming = TopicNaming.template("t" + TOPICS.incrementAndGet() + ".${region}.${partition}.${section}");
        topic = naming.topicFor(REGION, SECTION);
        client = RedisClients.create(redis.server().uri());
        client.getKeys().flushall();
        resources.add(client::shutdown);
        publisher = track(new LogPublisher(kafka.server().clientProperties(), client, NS));
        kafka.server().createTopic(topic, 3);
        writer = track(DocumentManager.builder(Item.class).redisson(client).namespace(NS).section("orders", "book")
                .origin(REGION, "writer").logMaxLength(5).fullStateEvery(4).build());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void oneKeysHistory_amongManyOtherRecords_isReadFromItsOwnRecordsOnly() throws Exception {
        publisher.produceOthers(topic, SECTION, "before-", 20_000, REGION);
        List<ChangeEvent> published = write("k", 1, 40, 0);
        publisher.produceOthers(topic, SECTION, "after-", 20_000, REGION);
        long records = 40_000 + published.size();

        try (KafkaHistorySource history = source().build()) {
            assertThat(history.index(SECTION).get(60, TimeUnit.SECONDS)).isTrue();
            assertThat(history.indexStats().indexed()).as("every record's key indexed once").isEqualTo(records);
            assertThat(history.indexStats().entries()).isEqualTo(records);

            List<ChangeEvent> events = history.changes(K, 10).get(30, TimeUnit.SECONDS);

            assertThat(events).extracting(ChangeEvent::eventId).as("versions 11..40, the committed events")
                    .containsExactlyElementsOf(idsOf(published, "k", 10));
            assertThat(events).extracting(ChangeEvent::op).containsOnly(ChangeOp.UPDATE);
            KafkaHistorySource.IndexStats stats = history.indexStats();
            assertThat(stats.readBack()).as("only k's 40 records were read back").isEqualTo(40);
            assertThat(stats.indexed()).as("nothing new to index").isEqualTo(records);
            assertThat(stats.readBeforeIndex()).isZero();
            assertThat(history.changes(DataKey.of("orders", "book", "nobody"), 0).get(30, TimeUnit.SECONDS))
                    .as("a key without records: nothing read").isEmpty();
            assertThat(history.indexStats().readBack()).isEqualTo(40);
        }
    }

    @Test
    void aKeyWhoseHistorySpansTheTopic_withOtherKeysBeforeBetweenAndAfter_isFoundWhole() throws Exception {
        publisher.produceOthers(topic, SECTION, "before-", 5_000, REGION);
        // 150 versions (more than one chunk of the index), 200 other records after each.
        List<ChangeEvent> published = write("k", 1, 150, 200);
        publisher.produceOthers(topic, SECTION, "after-", 5_000, REGION);

        try (KafkaHistorySource history = source().build()) {
            List<ChangeEvent> whole = history.changes(K, 0).get(60, TimeUnit.SECONDS);
            assertThat(whole).extracting(ChangeEvent::version).as("versions 1..150")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 150).boxed().toList());
            assertThat(whole).extracting(ChangeEvent::eventId).containsExactlyElementsOf(idsOf(published, "k", 0));

            List<ChangeEvent> late = history.changes(K, 70).get(30, TimeUnit.SECONDS);
            assertThat(late).extracting(ChangeEvent::eventId).as("versions 71..150").containsExactlyElementsOf(idsOf(published, "k", 70));
            assertThat(late.get(0).prevVersion()).isEqualTo(70);
            assertThat(history.indexStats().readBack()).as("k's records: 150 for the whole history, then 80 and one chunk")
                    .isLessThanOrEqualTo(150 + 80 + KafkaHistorySource.CHUNK);
            assertThat(history.changes(K, 150).get(30, TimeUnit.SECONDS)).as("nothing after the newest version").isEmpty();
        }
    }

    @Test
    void recordsWrittenBetweenTwoLookups_areSeen_andOnlyTheyAreIndexedAgain() throws Exception {
        publisher.produceOthers(topic, SECTION, "before-", 10_000, REGION);
        List<ChangeEvent> published = new ArrayList<>(write("k", 1, 20, 10));

        try (KafkaHistorySource history = source().build()) {
            assertThat(history.changes(K, 5).get(60, TimeUnit.SECONDS)).extracting(ChangeEvent::eventId)
                    .containsExactlyElementsOf(idsOf(published, "k", 5));
            long indexed = history.indexStats().indexed();
            assertThat(indexed).isEqualTo(10_000 + 20 + 20 * 10);

            published.addAll(write("k", 21, 30, 10));
            publisher.produceOthers(topic, SECTION, "later-", 1_000, REGION);

            List<ChangeEvent> second = history.changes(K, 5).get(30, TimeUnit.SECONDS);
            assertThat(second).extracting(ChangeEvent::eventId).as("versions 6..30: the new ones are seen")
                    .containsExactlyElementsOf(idsOf(published, "k", 5));
            assertThat(history.indexStats().indexed() - indexed).as("only the records written since the first call were read")
                    .isEqualTo(10 + 10 * 10 + 1_000);
        }
    }

    @Test
    void aFullIndex_stillFindsTheWholeHistory_byReadingThePartItNoLongerCovers() throws Exception {
        List<ChangeEvent> published = write("k", 1, 30, 5);
        publisher.produceOthers(topic, SECTION, "after-", 2_000, REGION);

        try (KafkaHistorySource history = source().indexCapacity(500).build()) {
            List<ChangeEvent> events = history.changes(K, 3).get(60, TimeUnit.SECONDS);

            assertThat(events).extracting(ChangeEvent::eventId).containsExactlyElementsOf(idsOf(published, "k", 3));
            KafkaHistorySource.IndexStats stats = history.indexStats();
            assertThat(stats.entries()).isEqualTo(500);
            assertThat(stats.readBeforeIndex()).as("k's records are older than what the index holds").isPositive();
        }
    }

    @Test
    void aRecreatedTopic_withFewerPartitions_isIndexedAgainFromItsStart() throws Exception {
        publisher.produceOthers(topic, SECTION, "old-", 3_000, REGION);
        // "moved" is in partition 1 of 3, which the new topic does not have.
        DataKey moved = DataKey.of("orders", "book", "moved");
        List<ChangeEvent> first = write("moved", 1, 10, 0);
        try (KafkaHistorySource history = source().build()) {
            assertThat(history.changes(moved, 0).get(60, TimeUnit.SECONDS)).extracting(ChangeEvent::eventId)
                    .containsExactlyElementsOf(idsOf(first, "moved", 0));

            kafka.server().deleteUserTopics();
            kafka.server().createTopic(topic, 1); // fewer partitions than before, too
            List<ChangeEvent> firstFour = first.subList(0, 4);
            // A new producer: the old one's metadata still has three partitions.
            try (LogPublisher fresh = new LogPublisher(kafka.server().clientProperties(), client, NS)) {
                fresh.publishAgain(firstFour, topic);
            }

            assertThat(history.changes(moved, 0).get(60, TimeUnit.SECONDS)).extracting(ChangeEvent::eventId)
                    .as("what the new topic holds, not the old offsets").containsExactlyElementsOf(idsOf(firstFour, "moved", 0));
        }
    }

    @Test
    void aSectionSubscriber_whoseLogIsTooShort_getsTheSectionsChangesFromKafka_thenLive() throws Exception {
        List<ChangeEvent> published = new ArrayList<>(write("old", 1, 3, 0)); // only before the instant
        published.addAll(write("a", 1, 3, 0));
        published.addAll(write("b", 1, 2, 0));
        Instant since = pause();
        for (int round = 0; round < 6; round++) {
            published.addAll(write("a", 4 + round, 4 + round, 0));
            published.addAll(write("b", 3 + round, 3 + round, 0));
            published.addAll(write("c", 1 + round, 1 + round, 0));
        }
        publisher.produceOthers(topic, SECTION, "elsewhere-", 500, "region-b"); // another region's: left out

        RecordingHistory history = new RecordingHistory(track(source().build()));
        DocumentManager<Item> fresh = track(DocumentManager.builder(Item.class).redisson(client).namespace(NS)
                .section("orders", "book").origin(REGION, "fresh").historySource(history).build());
        List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
        resources.add(fresh.changesSince(since, seen::add)::close);
        await("the history of a, b and c").atMost(Duration.ofSeconds(30))
                .until(() -> lastVersion(seen, "a") >= 9 && lastVersion(seen, "b") >= 8 && lastVersion(seen, "c") >= 6);
        writer.update("a", item -> { item.count++; return item; }).get(10, TimeUnit.SECONDS);
        await("a's live version 10").atMost(Duration.ofSeconds(10)).until(() -> lastVersion(seen, "a") >= 10);

        assertThat(history.sectionsAsked).as("the section history was asked").containsExactly(since);
        assertThat(versions(seen, "a")).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(versions(seen, "b")).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(versions(seen, "c")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(versions(seen, "old")).as("unchanged since the instant: nothing").isEmpty();
        assertThat(seen).extracting(ChangeEvent::op).as("the committed changes, no snapshot").doesNotContain(ChangeOp.SNAPSHOT);
        List<String> expected = published.stream().filter(e -> !e.key().id().equals("old") && !e.key().id().startsWith("elsewhere")
                && !(e.key().id().equals("a") && e.version() <= 3) && !(e.key().id().equals("b") && e.version() <= 2))
                .map(ChangeEvent::eventId).sorted().toList();
        assertThat(seen.stream().filter(e -> e.version() < 10 || !e.key().id().equals("a")).map(ChangeEvent::eventId).sorted())
                .as("the events committed, by id").containsExactlyElementsOf(expected);
    }

    @Test
    void aSectionSubscriber_whoseKafkaHistoryHasAHoleTheLogCannotFill_getsASnapshotOfThatDocument() throws Exception {
        Instant since = pause();
        for (int round = 1; round <= 8; round++) {
            write("a", round, round, 0);
            write("b", round, round, 0);
        }
        // b's version 9 never reaches Kafka, and the log no longer holds it when the subscriber comes;
        // b's version 10 (a patch) is in both.
        write("b", 9, 9, 0, e -> false);
        write("a", 9, 20, 0);
        write("b", 10, 10, 0);
        assertThat(SectionLogs.versionsOf(client, NS, SECTION, "b")).as("the log lost b's version 9").doesNotContain(9L);

        try (KafkaHistorySource source = source().build()) {
            DocumentManager<Item> fresh = track(DocumentManager.builder(Item.class).redisson(client).namespace(NS)
                    .section("orders", "book").origin(REGION, "fresh").historySource(source).build());
            List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
            resources.add(fresh.changesSince(since, seen::add)::close);
            await("a up to 20, b up to 10").atMost(Duration.ofSeconds(30))
                    .until(() -> lastVersion(seen, "a") >= 20 && lastVersion(seen, "b") >= 10);
            writer.update("b", item -> { item.count++; return item; }).get(10, TimeUnit.SECONDS);
            await("b's live version 11").atMost(Duration.ofSeconds(10)).until(() -> lastVersion(seen, "b") >= 11);

            assertThat(versions(seen, "a")).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
            assertThat(seen.stream().filter(e -> e.key().id().equals("a")).map(ChangeEvent::op)).doesNotContain(ChangeOp.SNAPSHOT);
            List<ChangeEvent> b = seen.stream().filter(e -> e.key().id().equals("b")).toList();
            assertThat(b).extracting(ChangeEvent::version).as("1..8 from Kafka, 10 as a snapshot, 11 live")
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 10L, 11L);
            assertThat(b.get(8).op()).as("the hole is bridged by an explicit snapshot").isEqualTo(ChangeOp.SNAPSHOT);
            assertThat(b.get(8).prevVersion()).as("from the version the subscriber had").isEqualTo(8);
            assertThat(b.get(8).state()).isNotNull();
            assertThat(b.get(9).op()).isEqualTo(ChangeOp.UPDATE);
        }
    }

    // ---- helpers ----

    private KafkaHistorySource.Builder source() {
        return KafkaHistorySource.builder(kafka.server().clientProperties()).topicNaming(naming).region(REGION)
                .timeout(Duration.ofSeconds(60));
    }

    /** An instant strictly between what was written before and what is written after. */
    private static Instant pause() {
        Instant before = Instant.now();
        await().atMost(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(before.plusMillis(2)));
        Instant since = Instant.now();
        await().atMost(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(since.plusMillis(2)));
        return since;
    }

    private List<ChangeEvent> write(String id, int fromVersion, int toVersion, int othersAfterEach) throws Exception {
        return write(id, fromVersion, toVersion, othersAfterEach, e -> true);
    }

    /**
     * Writes {@code id} from version {@code fromVersion} to {@code toVersion}, publishing the log
     * after each write (it keeps about five entries) and then {@code othersAfterEach} records of
     * other documents. Returns what was published of the log.
     */
    private List<ChangeEvent> write(String id, int fromVersion, int toVersion, int othersAfterEach, Predicate<ChangeEvent> include)
            throws Exception {
        List<ChangeEvent> published = new ArrayList<>();
        for (int v = fromVersion; v <= toVersion; v++) {
            int step = v;
            if (v == 1) {
                writer.set(id, new Item(id)).get(10, TimeUnit.SECONDS);
            } else {
                writer.update(id, item -> { item.count += step; return item; }).get(10, TimeUnit.SECONDS);
            }
            WireForm form = v % 2 == 0 ? WireForm.STRUCT_JSON_ENVELOPE : WireForm.CONTRACT;
            published.addAll(publisher.publish(SECTION, topic, n -> form, include));
            if (othersAfterEach > 0) {
                publisher.produceOthers(topic, SECTION, id + "-v" + v + "-", othersAfterEach, REGION);
            }
        }
        return published;
    }

    private static List<String> idsOf(List<ChangeEvent> published, String id, long after) {
        return published.stream().filter(e -> e.key().id().equals(id) && e.version() > after).map(ChangeEvent::eventId)
                .collect(Collectors.toList());
    }

    private static List<Long> versions(List<ChangeEvent> seen, String id) {
        return seen.stream().filter(e -> e.key().id().equals(id)).map(ChangeEvent::version).toList();
    }

    private static long lastVersion(List<ChangeEvent> seen, String id) {
        return seen.stream().filter(e -> e.key().id().equals(id)).mapToLong(ChangeEvent::version).max().orElse(0);
    }

    private <C extends AutoCloseable> C track(C resource) {
        resources.add(resource);
        return resource;
    }

    /** Records the section histories a manager asked for. */
    private static final class RecordingHistory implements HistorySource {
        final KafkaHistorySource delegate;
        final List<Instant> sectionsAsked = new CopyOnWriteArrayList<>();

        RecordingHistory(KafkaHistorySource delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<List<ChangeEvent>> changes(DataKey key, long fromVersion) {
            return delegate.changes(key, fromVersion);
        }

        @Override
        public CompletableFuture<List<ChangeEvent>> sectionChanges(SectionId section, Instant since) {
            sectionsAsked.add(since);
            return delegate.sectionChanges(section, since);
        }
    }
}
