package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.RawSection.LoggedEvent;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Guarantee 2 (issue #3): a commit's state, version, log entry and broadcast agree. After a
 * concurrent storm of updates, sets and deletes from several managers, the broadcast and the log
 * carry the same events in the same order, and replaying the log from version 1 rebuilds exactly
 * the document and version each hash holds.
 */
class AtomicCommitIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** A document whose members come and go: null members are not written, so a set can remove them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Doc(long n, String label, Map<String, Long> tags, List<String> marks) {
    }

    private RedisFixture fixture;
    private RawSection raw;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    /** One write the storm issued: who, what, and how it ended. */
    private record Outcome(String node, String id, String kind, Object result, Throwable error) {
    }

    @Test
    void writeStorm_stateVersionLogAndBroadcastAgree() throws Exception {
        RedissonClient subscriberClient = fixture.client();
        List<String> published = new CopyOnWriteArrayList<>();
        subscriberClient.getTopic(raw.channel(), StringCodec.INSTANCE).addListener(String.class, (channel, message) -> published.add(message));

        int managers = 3;
        int keys = 8;
        int writesPerManager = 400;
        List<DocumentManager<Doc>> writers = new ArrayList<>();
        for (int m = 0; m < managers; m++) {
            writers.add(fixture.track(fixture.builder(Doc.class, "w" + m)
                    .logMaxLength(0)
                    .fullStateEvery(7)
                    .maxWriteAttempts(100_000)
                    .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10))
                    .build()));
        }

        // One thread per manager issues its writes as fast as it can; the managers run at once.
        List<List<CompletableFuture<Outcome>>> perManager = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int m = 0; m < managers; m++) {
            DocumentManager<Doc> writer = writers.get(m);
            String node = "w" + m;
            Random random = new Random(42 + m);
            List<CompletableFuture<Outcome>> mine = new ArrayList<>();
            perManager.add(mine);
            threads.add(new Thread(() -> {
                for (int i = 0; i < writesPerManager; i++) {
                    mine.add(randomWrite(writer, node, "k" + random.nextInt(keys), random));
                }
            }, "storm-" + node));
        }
        // Meanwhile a raw reader takes atomic snapshots of one hash together with the log's newest entry.
        AtomicBoolean stormOver = new AtomicBoolean();
        List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> sample(keys, stormOver, snapshots));
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("%s finished issuing", thread.getName()).isFalse();
        }
        List<CompletableFuture<Outcome>> storm = new ArrayList<>();
        perManager.forEach(storm::addAll);
        try {
            CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            stormOver.set(true);
        }
        sampler.get(10, TimeUnit.SECONDS);
        List<Outcome> outcomes = storm.stream().map(CompletableFuture::join).collect(Collectors.toList());

        Map<String, Integer> unexpected = new HashMap<>();
        for (Outcome outcome : outcomes) {
            if (outcome.error() != null && !(outcome.error() instanceof DocumentNotFoundException && outcome.kind().equals("update"))) {
                unexpected.merge(outcome.kind() + ": " + outcome.error(), 1, Integer::sum);
            }
        }
        assertThat(unexpected).as("writes that failed for a reason other than updating a deleted document").isEmpty();

        List<LoggedEvent> log = raw.log();
        long commits = writers.stream().mapToLong(w -> w.stats().commits()).sum();
        assertThat((long) log.size()).as("log entries = commits reported by the managers").isEqualTo(commits);
        assertThat(log.stream().map(e -> e.event().op()).distinct()).as("the storm exercised every op")
                .contains(ChangeOp.CREATE, ChangeOp.UPDATE, ChangeOp.DELETE);
        assertThat(log).as("a deleted key was re-created")
                .anyMatch(e -> e.event().op() == ChangeOp.CREATE && e.event().version() > 1);
        assertThat(log).as("some updates carry the full state besides the patch")
                .anyMatch(e -> e.event().op() == ChangeOp.UPDATE && e.event().state() != null);

        // (a) The broadcast is the log: same events, same order, each published one carrying its entry's id.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(published).as("messages published on %s, one per log entry", raw.channel()).hasSameSizeAs(log));
        List<ChangeEvent> broadcast = published.stream().map(text -> ChangeEventCodec.decode(text, raw.section()))
                .collect(Collectors.toList());
        for (int i = 0; i < log.size(); i++) {
            LoggedEvent logged = log.get(i);
            ChangeEvent sent = broadcast.get(i);
            assertThat(logged.event().streamId()).as("the log entry itself names no stream id").isNull();
            assertThat(sent.streamId()).as("message %d carries its log entry's id", i).isEqualTo(logged.streamId());
            assertThat(sent.eventId()).as("message %d event id", i).isEqualTo(logged.event().eventId());
            assertThat(sent).as("message %d is the logged event %s", i, logged.streamId())
                    .isEqualTo(logged.event().withStreamId(logged.streamId()));
        }
        assertThat(log.stream().map(e -> e.event().eventId())).as("event ids").doesNotHaveDuplicates();

        // (b) Replaying the log rebuilds every hash, its version and metadata.
        Map<String, List<LoggedEvent>> byId = new LinkedHashMap<>();
        log.forEach(e -> byId.computeIfAbsent(e.event().key().id(), id -> new ArrayList<>()).add(e));
        Map<String, List<ObjectNode>> replayed = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            String id = "k" + k;
            List<LoggedEvent> entries = byId.getOrDefault(id, List.of());
            RawSection.assertContiguous(id, entries);
            List<ObjectNode> states = RawSection.replay(id, entries);
            replayed.put(id, states);
            if (entries.isEmpty()) {
                assertThat(raw.document(id)).as("%s was never written", id).isEmpty();
                continue;
            }
            ChangeEvent last = entries.get(entries.size() - 1).event();
            RawSection.RawDocument stored = raw.document(id).orElseThrow();
            assertThat(stored.version()).as("%s: hash version = last logged version", id).isEqualTo(last.version());
            assertThat(stored.origin()).as("%s: hash origin", id)
                    .isEqualTo(last.origin().region() + "/" + last.origin().node());
            assertThat(stored.timeMillis()).as("%s: hash change time", id).isEqualTo(last.time().toEpochMilli());
            ObjectNode expected = states.get(states.size() - 1);
            if (expected == null) {
                assertThat(stored.deleted()).as("%s: deleted per the log", id).isTrue();
                assertThat(stored.members()).as("%s: a tombstone keeps no members", id).isEmpty();
            } else {
                assertThat(stored.deleted()).as("%s: live per the log", id).isFalse();
                assertThat(RawSection.normalize(stored.members())).as("%s: hash = replay of the log", id).isEqualTo(expected);
            }
        }

        // Every snapshot taken during the storm shows a hash whose version, state and log entry agree:
        // the entry of that version was already in the log, the next one was not yet.
        assertThat(snapshots).as("snapshots taken during the storm").hasSizeGreaterThan(20);
        Map<String, Integer> logPosition = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            logPosition.put(log.get(i).streamId(), i);
        }
        for (Snapshot snapshot : snapshots) {
            List<LoggedEvent> entries = byId.getOrDefault(snapshot.id(), List.of());
            int newestLogged = snapshot.logTail() == null ? -1 : logPosition.get(snapshot.logTail());
            String what = snapshot.id() + " as of log entry " + snapshot.logTail();
            if (snapshot.document() == null) {
                assertThat(entries.isEmpty() || logPosition.get(entries.get(0).streamId()) > newestLogged)
                        .as("%s: no hash, so no logged version yet", what).isTrue();
                continue;
            }
            long v = snapshot.document().version();
            assertThat(v).as("%s: hash version is a logged version", what).isBetween(1L, (long) entries.size());
            assertThat(logPosition.get(entries.get((int) v - 1).streamId()))
                    .as("%s: the log already had v%d", what, v).isLessThanOrEqualTo(newestLogged);
            if (v < entries.size()) {
                assertThat(logPosition.get(entries.get((int) v).streamId()))
                        .as("%s: the log did not have v%d yet", what, v + 1).isGreaterThan(newestLogged);
            }
            ObjectNode expected = replayed.get(snapshot.id()).get((int) v);
            if (expected == null) {
                assertThat(snapshot.document().deleted()).as("%s v%d is a tombstone", what, v).isTrue();
                assertThat(snapshot.document().members()).as("%s v%d has no members", what, v).isEmpty();
            } else {
                assertThat(snapshot.document().deleted()).as("%s v%d is live", what, v).isFalse();
                assertThat(RawSection.normalize(snapshot.document().members())).as("%s: state at v%d", what, v)
                        .isEqualTo(expected);
            }
        }

        // Every writer was told a version whose logged state is the value it was handed.
        int deletes = 0;
        for (Outcome outcome : outcomes) {
            if (outcome.error() != null) {
                continue;
            }
            if (outcome.result() instanceof Versioned<?> versioned) {
                List<ObjectNode> states = replayed.get(outcome.id());
                assertThat(versioned.version()).as("%s %s by %s", outcome.kind(), outcome.id(), outcome.node())
                        .isLessThan(states.size());
                assertThat(states.get((int) versioned.version())).as("%s %s v%d by %s: the logged state", outcome.kind(),
                        outcome.id(), versioned.version(), outcome.node()).isEqualTo(RawSection.treeOf(versioned.value()));
            } else if (Boolean.TRUE.equals(outcome.result())) {
                deletes++;
            }
        }
        assertThat(log.stream().filter(e -> e.event().op() == ChangeOp.DELETE).count())
                .as("logged deletes = deletes reported as done").isEqualTo(deletes);
    }

    /** A hash and the newest log entry id, read in one MULTI/EXEC; document null if there was no hash. */
    private record Snapshot(String id, RawSection.RawDocument document, String logTail) {
    }

    private void sample(int keys, AtomicBoolean stop, List<Snapshot> snapshots) {
        Random random = new Random(1);
        try (RespClient client = redis.server().client()) {
            while (!stop.get() && snapshots.size() < 5000) {
                String id = "k" + random.nextInt(keys);
                client.call("MULTI");
                client.call("HGETALL", raw.documentKey(id));
                client.call("XREVRANGE", raw.logKey(), "+", "-", "COUNT", "1");
                List<?> replies = (List<?>) client.call("EXEC");
                List<?> tail = (List<?>) replies.get(1);
                String logTail = tail.isEmpty() ? null : (String) ((List<?>) tail.get(0)).get(0);
                snapshots.add(new Snapshot(id, RawSection.parseHash(raw.documentKey(id), (List<?>) replies.get(0)).orElse(null), logTail));
            }
        }
    }

    private static CompletableFuture<Outcome> randomWrite(DocumentManager<Doc> writer, String node, String id, Random random) {
        int dice = random.nextInt(100);
        CompletableFuture<?> write;
        String kind;
        if (dice < 60) {
            kind = "update";
            int variant = random.nextInt(4);
            String tag = "t" + random.nextInt(4);
            String mark = node + "-" + random.nextInt(1000);
            write = writer.update(id, doc -> mutate(doc, variant, tag, mark));
        } else if (dice < 90) {
            kind = "set";
            write = writer.set(id, randomDoc(node, random));
        } else {
            kind = "delete";
            write = writer.delete(id);
        }
        return write.handle((result, error) -> new Outcome(node, id, kind, result,
                error == null ? null : io.github.ddm.internal.store.RedisDocumentStore.unwrap(error)));
    }

    /** Changes at the top level, in a nested object and in an array, adding and removing members. */
    private static Doc mutate(Doc doc, int variant, String tag, String mark) {
        Map<String, Long> tags = doc.tags() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(doc.tags());
        List<String> marks = doc.marks() == null ? new ArrayList<>() : new ArrayList<>(doc.marks());
        switch (variant) {
            case 0:
                return new Doc(doc.n() + 1, doc.label(), doc.tags(), doc.marks());
            case 1:
                tags.merge(tag, 1L, Long::sum);
                return new Doc(doc.n() + 1, doc.label(), tags, doc.marks());
            case 2:
                tags.remove(tag);
                return new Doc(doc.n(), doc.label() == null ? "relabelled" : null, tags.isEmpty() ? null : tags, doc.marks());
            default:
                marks.add(0, mark);
                if (marks.size() > 4) {
                    marks.remove(marks.size() - 1);
                }
                return new Doc(doc.n() + 1, doc.label(), doc.tags(), marks);
        }
    }

    private static Doc randomDoc(String node, Random random) {
        Map<String, Long> tags = null;
        if (random.nextBoolean()) {
            tags = new LinkedHashMap<>();
            for (int i = random.nextInt(3); i >= 0; i--) {
                tags.put("t" + random.nextInt(4), (long) random.nextInt(10));
            }
        }
        List<String> marks = random.nextBoolean() ? List.of("set-" + node, "m" + random.nextInt(5)) : null;
        return new Doc(random.nextInt(100), random.nextBoolean() ? "set by " + node : null, tags, marks);
    }
}
