package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two "regions" (two redis-servers): what one logs, the other applies through the same commit script. */
class SectionStoreIT {

    @RegisterExtension
    static final RedisServerExtension regionA = RedisServerExtension.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SectionId DOCS = new SectionId("test", "docs");
    private static final Origin ELSEWHERE = Origin.of("eu", "writer-1");

    private RedisServer regionB;
    private RedisFixture fixtureA;
    private RedisFixture fixtureB;

    @BeforeEach
    void setUp() {
        regionB = RedisServer.start();
        fixtureA = new RedisFixture(regionA.server());
        fixtureB = new RedisFixture(regionB);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixtureA.close();
        fixtureB.close();
        regionB.close();
    }

    private static ChangeEvent update(long version, String patch) throws Exception {
        return ChangeEvent.update("ev-" + version, DataKey.of("test", "docs", "k"), version, version - 1, "srcEpoch",
                Instant.ofEpochMilli(1_700_000_000_000L + version), ELSEWHERE, JSON.readTree(patch), null);
    }

    @Test
    void logReadInRegionA_appliedInRegionB_givesTheSameDocumentsAndVersions_andBsManagersFollow() {
        DocumentManager<Counter> writer = fixtureA.manager(Counter.class, "a");
        writer.set("k", new Counter(0, "start")).join();
        for (int i = 0; i < 5; i++) {
            writer.update("k", Counter::increment).join();
        }
        writer.set("other", new Counter(7, "other")).join();
        writer.delete("other").join();

        DocumentManager<Counter> readerB = fixtureB.manager(Counter.class, "b");
        List<ChangeEvent> seenInB = new CopyOnWriteArrayList<>();
        readerB.addListener(seenInB::add);
        SectionStore source = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore target = SectionStore.open(fixtureB.client(), "ddm", DOCS);

        SectionStore.LogBatch batch = source.readLog("0-0", 100).join();
        assertThat(batch.entries()).isEqualTo(8);
        assertThat(batch.lastStreamId()).isEqualTo(source.logHead().join());
        for (ChangeEvent event : batch.events()) {
            assertThat(target.apply(event).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        }
        assertThat(source.lineage().join()).as("A's lineage, which its changes carry").contains(batch.events().get(0).lineage());
        assertThat(target.lineage().join()).as("changes taken in from another region start no lineage").isEmpty();
        // Applying the same log again changes nothing: every event is a duplicate now.
        for (ChangeEvent event : batch.events()) {
            assertThat(target.apply(event).join()).isInstanceOf(SectionStore.ApplyOutcome.Duplicate.class);
        }

        Versioned<Counter> inB = readerB.get("k").join().orElseThrow();
        assertThat(inB.version()).isEqualTo(6);
        assertThat(inB.value().count).isEqualTo(5);
        assertThat(inB.origin()).isEqualTo(writer.origin()).as("the origin travels with the change");
        assertThat(readerB.get("other").join()).isEmpty();
        assertThat(regionB.call("HGET", "ddm:{test:docs}:s:other", "\u0000v")).as("the tombstone keeps its version").isEqualTo("2");
        await().atMost(Duration.ofSeconds(10)).until(() -> seenInB.size() == 8);
        // Listeners keep each key's order; different keys are applied in parallel, so only per-key order is promised.
        for (String id : List.of("k", "other")) {
            assertThat(seenInB.stream().filter(e -> e.key().id().equals(id)).map(ChangeEvent::eventId).toList()).as("events of %s", id)
                    .containsExactlyElementsOf(batch.events().stream().filter(e -> e.key().id().equals(id)).map(ChangeEvent::eventId).toList());
        }
        assertThat(seenInB).allSatisfy(e -> assertThat(e.epoch()).isNotEqualTo(batch.events().get(0).epoch()));
    }

    @Test
    void readLog_readsTheCompactForm_andAnOlderNodesContractForm_inOneLog() throws Exception {
        DocumentManager<Counter> writer = fixtureA.manager(Counter.class, "a");
        writer.set("k", new Counter(1, "start")).join();
        writer.update("k", Counter::increment).join();
        ChangeEvent older = update(3, "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":3}]");
        ChangeEvent compact = update(4, "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":4}]");
        String olderId = (String) regionA.server().call("XADD", "ddm:{test:docs}:log", "*", "e",
                io.github.ddm.schema.ChangeEventCodec.encodeToString(older));
        String compactId = (String) regionA.server().call("XADD", "ddm:{test:docs}:log", "*", "e",
                io.github.ddm.schema.ChangeEventCodec.encodeCompact(compact));

        SectionStore source = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore.LogBatch batch = source.readLog("0-0", 10).join();

        assertThat(batch.malformed()).isZero();
        assertThat(batch.events()).hasSize(4);
        assertThat(batch.events().get(1).version()).isEqualTo(2);
        assertThat(batch.events().get(1).clock()).as("the commit's clock, written as 0, comes back whole")
                .isEqualTo(io.github.ddm.schema.VersionVector.of(java.util.Map.of(batch.events().get(1).replica(), 2L)));
        assertThat(batch.events().get(2)).isEqualTo(older.withStreamId(olderId));
        assertThat(batch.events().get(3)).isEqualTo(compact.withStreamId(compactId));
        @SuppressWarnings("unchecked")
        List<Object> first = (List<Object>) ((List<Object>) regionA.server().call("XRANGE", "ddm:{test:docs}:log", "-", "+",
                "COUNT", "1")).get(0);
        String text = (String) ((List<Object>) first.get(1)).get(1);
        assertThat(text).as("the commit script writes the compact form").startsWith("[1,\"").doesNotContain("\"docs\"");
    }

    @Test
    void aChangeWhoseDependenciesAreMissing_waits_andTheOriginsSnapshotRepairsIt() throws Exception {
        DocumentManager<Counter> writer = fixtureA.manager(Counter.class, "a");
        writer.set("k", new Counter(1, "start")).join();
        writer.update("k", Counter::increment).join();
        writer.update("k", Counter::increment).join();
        SectionStore source = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore target = SectionStore.open(fixtureB.client(), "ddm", DOCS);
        List<ChangeEvent> log = source.readLog("0-0", 10).join().events();
        assertThat(log).hasSize(3).allSatisfy(e -> assertThat(e.clock()).isNotNull());

        assertThat(target.apply(log.get(0)).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        SectionStore.ApplyOutcome third = target.apply(log.get(2)).join();
        assertThat(third).isInstanceOf(SectionStore.ApplyOutcome.Missing.class);
        assertThat(((SectionStore.ApplyOutcome.Missing) third).needs()).isEqualTo(log.get(1).clock());
        assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", "count")).as("nothing applied on the wrong base").isEqualTo("1");

        ChangeEvent snapshot = source.snapshot("k").join().orElseThrow();
        assertThat(snapshot.stamps()).containsKey("");
        assertThat(target.apply(snapshot).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        assertThat(target.apply(log.get(2)).join()).isInstanceOf(SectionStore.ApplyOutcome.Duplicate.class);
        assertThat(target.apply(log.get(1)).join()).isInstanceOf(SectionStore.ApplyOutcome.Duplicate.class);
        DocumentManager<Counter> readerB = fixtureB.manager(Counter.class, "b");
        assertThat(readerB.get("k").join()).hasValueSatisfying(v -> {
            assertThat(v.version()).isEqualTo(3);
            assertThat(v.value().count).isEqualTo(3);
        });
        assertThat(regionB.call("HGET", "ddm:{test:docs}:c:k", "v")).as("B's clock is A's")
                .isEqualTo(regionA.server().call("HGET", "ddm:{test:docs}:c:k", "v"));

        writer.update("k", Counter::increment).join();
        ChangeEvent next = source.readLog(log.get(2).streamId(), 10).join().events().get(0);
        ChangeEvent misfit = new ChangeEvent(next.eventId(), next.key(), next.op(), next.version(), next.prevVersion(), next.epoch(),
                next.time(), next.origin(), JSON.readTree("[{\"op\":\"remove\",\"path\":\"/missing\"}]"), null,
                next.streamId(), next.lineage(), next.clock(), null, null);
        assertThat(target.apply(misfit).join()).isInstanceOf(SectionStore.ApplyOutcome.Unappliable.class);
        assertThat(target.apply(update(9, "[{\"op\":\"replace\",\"path\":\"/count\",\"value\":9}]")).join())
                .as("an event without a clock cannot be merged").isInstanceOf(SectionStore.ApplyOutcome.Unappliable.class);
        assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", "\u0000v")).isEqualTo("3");
        assertThat(target.apply(next).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        assertThat(regionB.call("HGET", "ddm:{test:docs}:s:k", "count")).isEqualTo("4");
    }

    @Test
    void sectionAnswers_keepTheLatestRequestPerRegion_inRedis() {
        SectionStore store = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        assertThat(store.sectionAnswers().join()).isEmpty();
        store.recordSectionAnswer("us", 200).join();
        store.recordSectionAnswer("us", 100).join();
        store.recordSectionAnswer("ap", 50).join();
        store.recordSectionAnswer("ap", 70).join();
        SectionStore reopened = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        assertThat(reopened.sectionAnswers().join()).containsExactly(entry("ap", 70L), entry("us", 200L));
        assertThat(SectionStore.open(fixtureA.client(), "ddm", new SectionId("test", "other")).sectionAnswers().join()).isEmpty();
        assertThatThrownBy(() -> store.recordSectionAnswer("us west", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region");
    }

    @Test
    void snapshot_ids_trimming_andDiscovery() {
        DocumentManager<Counter> writer = fixtureA.track(fixtureA.builder(Counter.class, "a").logMaxLength(3).build());
        SectionStore source = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        String start = source.logHead().join();
        assertThat(start).isEqualTo("0-0");
        writer.set("a", new Counter(1, "a")).join();
        String afterFirst = source.logHead().join();
        for (int i = 0; i < 300; i++) {
            writer.update("a", Counter::increment).join();
        }
        writer.set("b", new Counter(2, "b")).join();
        writer.delete("b").join();

        assertThat(source.ids().join()).containsExactlyInAnyOrder("a", "b");
        ChangeEvent snapshot = source.snapshot("a").join().orElseThrow();
        assertThat(snapshot.op()).isEqualTo(ChangeOp.SNAPSHOT);
        assertThat(snapshot.version()).isEqualTo(301);
        assertThat(snapshot.state().get("count").asLong()).isEqualTo(301);
        assertThat(source.snapshot("b").join()).hasValueSatisfying(e -> assertThat(e.op()).isEqualTo(ChangeOp.DELETE));
        assertThat(source.snapshot("never").join()).isEmpty();
        assertThat(source.logTrimmedPast(afterFirst).join()).as("MAXLEN ~ 3 trimmed the early entries").isTrue();
        assertThat(source.logTrimmedPast(source.logHead().join()).join()).isFalse();

        fixtureA.manager(Counter.class, "other-section-writer");
        DocumentManager<Counter> books = fixtureA.track(fixtureA.builder(Counter.class, "a").section("orders", "books").build());
        books.set("x", new Counter(1, "x")).join();
        assertThat(SectionStore.discover(fixtureA.client(), "ddm", "*", "*").join())
                .containsExactly(new SectionId("orders", "books"), new SectionId("test", "docs"));
        assertThat(SectionStore.discover(fixtureA.client(), "ddm", "orders", "*").join()).containsExactly(new SectionId("orders", "books"));
        assertThatThrownBy(() -> SectionStore.open(fixtureA.client(), "ddm", DOCS).apply(
                ChangeEvent.delete("d", DataKey.of("orders", "books", "x"), 2, 1, "e", Instant.now(), ELSEWHERE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orders/books/x");
    }
    /**
     * Scans run on the executor given to the store (never the common ForkJoin pool), and a Redis that
     * went away fails each future with DDM's {@link StoreUnavailableException}, never a Redisson type.
     */
    @Test
    void scansRunOnTheGivenExecutor_andRedisFailuresArriveAsStoreUnavailable() throws Exception {
        java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();
        List<String> threads = new CopyOnWriteArrayList<>();
        java.util.concurrent.Executor counting = task -> {
            scans.incrementAndGet();
            new Thread(() -> {
                threads.add(Thread.currentThread().getName());
                task.run();
            }, "test-scan").start();
        };
        DocumentManager<Counter> writer = fixtureA.track(fixtureA.builder(Counter.class, "a").build());
        writer.set("x", new Counter(1, "x")).join();
        SectionStore store = SectionStore.open(fixtureA.client(), "ddm", DOCS, counting);
        assertThat(store.ids().join()).containsExactly("x");
        assertThat(SectionStore.discover(fixtureA.client(), "ddm", "*", "*", counting).join()).containsExactly(DOCS);
        assertThat(scans).hasValue(2);
        assertThat(threads).containsExactly("test-scan", "test-scan");

        RedisServer doomed = RedisServer.start();
        org.redisson.config.Config config = new org.redisson.config.Config();
        config.useSingleServer().setAddress(doomed.uri()).setTimeout(300).setConnectTimeout(300).setRetryAttempts(0)
                .setConnectionMinimumIdleSize(1).setConnectionPoolSize(2).setSubscriptionConnectionMinimumIdleSize(0);
        org.redisson.api.RedissonClient client = org.redisson.Redisson.create(config);
        ChangeEvent anUpdate = update(2, "[]");
        try {
            SectionStore gone = SectionStore.open(client, "ddm", DOCS);
            doomed.close();
            for (java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>> call : List.<java.util.function.Supplier<
                    java.util.concurrent.CompletableFuture<?>>>of(() -> gone.readLog("0-0", 10), gone::logInfo, gone::logHead,
                    gone::ids, gone::lineage, () -> gone.snapshot("x"), () -> gone.apply(anUpdate))) {
                assertThatThrownBy(() -> call.get().get(30, java.util.concurrent.TimeUnit.SECONDS))
                        .isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .cause().isInstanceOf(StoreUnavailableException.class);
            }
        } finally {
            client.shutdown();
            doomed.close();
        }
    }

    @Test
    void logInfo_tellsAReaderThatKeepsItsCount_exactlyWhetherEntriesAfterItWereLost() {
        SectionStore store = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore.LogInfo absent = store.logInfo().join();
        assertThat(absent.entriesAdded()).isZero();
        assertThat(absent.lastGeneratedId()).isEqualTo("0-0");
        assertThat(absent.lostAfter("0-0", 0)).isFalse();

        String key = "ddm:{test:docs}:log";
        try (var redis = regionA.server().client()) {
            String first = String.valueOf(redis.call("XADD", key, "*", "e", "x"));
            String second = String.valueOf(redis.call("XADD", key, "*", "e", "x"));
            String third = String.valueOf(redis.call("XADD", key, "*", "e", "x"));
            SectionStore.LogInfo full = store.logInfo().join();
            assertThat(full.lastGeneratedId()).isEqualTo(third);
            assertThat(full.entriesAdded()).isEqualTo(3);
            assertThat(full.lostAfter(first, 1)).isFalse();
            assertThat(full.lostAfter(first, -1)).as("the reader's entry is still there: nothing after it was trimmed").isFalse();

            redis.call("XTRIM", key, "MAXLEN", "0");
            SectionStore.LogInfo empty = store.logInfo().join();
            assertThat(empty.length()).isZero();
            assertThat(empty.lostAfter(third, 3)).as("a reader that had everything lost nothing").isFalse();
            assertThat(empty.lostAfter(first, 1)).as("entries 2 and 3 are gone").isTrue();
            assertThat(empty.lostAfter("0-0", 0)).isTrue();
            assertThat(empty.lostAfter(third, -1)).as("without its count a reader cannot tell").isTrue();

            String fourth = String.valueOf(redis.call("XADD", key, "*", "e", "x"));
            SectionStore.LogInfo refilled = store.logInfo().join();
            assertThat(refilled.lostAfter(third, 3)).as("the next entry follows the reader's directly").isFalse();
            assertThat(refilled.lostAfter(second, 2)).as("entry 3 is gone").isTrue();
            assertThat(store.logTrimmedPast(third).join()).as("the count-less check stays cautious").isTrue();

            redis.call("XDEL", key, fourth);
            assertThat(store.logInfo().join().lostAfter(third, 3)).as("an entry after the reader's was deleted").isTrue();
        }
    }

    @Test
    void logReads_ofManySections_goTogether_andAMissingLogFailsNothingElse() {
        DocumentManager<Counter> writer = fixtureA.manager(Counter.class, "a");
        writer.set("k", new Counter(0, "start")).join();
        writer.update("k", Counter::increment).join();
        SectionStore docs = SectionStore.open(fixtureA.client(), "ddm", DOCS);
        SectionStore never = SectionStore.open(fixtureA.client(), "ddm", new SectionId("test", "never-written"));

        SectionStore.LogReads reads = SectionStore.logReads(fixtureA.client());
        var docsBatch = reads.readLog(docs, "0-0", 10);
        var docsInfo = reads.logInfo(docs);
        var neverBatch = reads.readLog(never, "0-0", 10);
        var neverInfo = reads.logInfo(never);
        var firstOnly = reads.readLog(docs, "0-0", 1);
        assertThat(reads.size()).isEqualTo(5);
        assertThat(docsBatch).as("nothing goes out before send()").isNotDone();
        reads.send();

        assertThat(docsBatch.join().entries()).isEqualTo(2);
        assertThat(docsBatch.join().lastStreamId()).isEqualTo(docs.logHead().join());
        assertThat(docsInfo.join().entriesAdded()).isEqualTo(2);
        assertThat(docsInfo.join().lastGeneratedId()).isEqualTo(docs.logHead().join());
        assertThat(neverBatch.join().entries()).isZero();
        assertThat(neverInfo.join()).as("XINFO of a log that does not exist: nothing added, nothing lost")
                .isEqualTo(new SectionStore.LogInfo("0-0", 0, 0, null, "0-0"));
        assertThat(firstOnly.join().events()).extracting(ChangeEvent::version).containsExactly(1L);
        assertThatThrownBy(() -> reads.readLog(docs, "0-0", 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(reads::send).isInstanceOf(IllegalStateException.class);
        SectionStore.LogReads none = SectionStore.logReads(fixtureA.client());
        none.send();
        assertThat(none.size()).isZero();
    }
}
