package io.github.ddm.connect.source;

import static io.github.ddm.connect.source.SourceTestSupport.REGION;
import static io.github.ddm.connect.source.SourceTestSupport.bump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.PubSubMode;
import io.github.ddm.SectionId;
import io.github.ddm.ValueSharing;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.source.SourceTestSupport.Doc;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The source task alone against a real redis-server, with a stub of Connect's task context (the
 * framework boundary): offsets, skipped origins, bounded polls, stop from another thread, and Redis
 * failures.
 */
class DdmSourceTaskIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final SectionId SECTION = new SectionId("task", "docs");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private DocumentManager<Doc> writer(String region) {
        DocumentManager<Doc> writer = SourceTestSupport.writer(redis.server().uri(), SECTION, region, "n1");
        closeables.add(writer);
        return writer;
    }

    private DdmSourceTask start(Map<Map<String, String>, Map<String, Object>> stored, String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("redis.uri", redis.server().uri(), "ddm.region", REGION,
                "source.sections", "task.docs", "source.poll.interval.ms", "100", "source.topic.template", "ddm.${partition}.${section}",
                DdmSourceTaskConfig.TASK_SECTIONS_CONFIG, "task/docs"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        DdmSourceTask task = new DdmSourceTask();
        task.initialize(new StubContext(props, stored));
        task.start(props);
        closeables.add(task::stop);
        return task;
    }

    /** Polls until {@code count} records came, failing after a while. */
    private static List<SourceRecord> pollAtLeast(DdmSourceTask task, int count) {
        List<SourceRecord> records = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<SourceRecord> batch = task.poll();
            if (batch != null) {
                records.addAll(batch);
            }
            return records.size() >= count;
        });
        return records;
    }

    @Test
    void records_carryTheSectionPartitionAndTheirOwnStreamIdAsOffset() throws Exception {
        DocumentManager<Doc> w = writer(REGION);
        bump(w, "a");
        bump(w, "a");

        List<SourceRecord> records = pollAtLeast(start(Map.of()), 2);

        assertThat(records).hasSize(2);
        for (SourceRecord record : records) {
            ChangeEvent event = ChangeEventData.toEvent(record.value());
            assertThat(record.sourcePartition()).isEqualTo(Map.of("namespace", "ddm", "partition", "task", "section", "docs"));
            assertThat(record.sourceOffset()).as("the entry's stream id, and the section's epoch")
                    .isEqualTo(Map.of("streamId", event.streamId(), "epoch", event.epoch()));
            assertThat(record.topic()).isEqualTo("ddm.task.docs");
            assertThat(record.key()).isEqualTo("task/docs/a");
            assertThat(record.timestamp()).isEqualTo(event.time().toEpochMilli());
            assertThat(record.headers().lastWithName("ddm.version").value()).isEqualTo(event.version());
            assertThat(record.headers().lastWithName("ddm.origin").value()).isEqualTo("eu/n1");
        }
    }

    @Test
    void otherRegionsEvents_areSkipped_andTheNextRecordsOffsetCoversThem_andARestartSkipsThemAgain() throws Exception {
        DocumentManager<Doc> local = writer(REGION);
        DocumentManager<Doc> remote = writer("us");
        bump(local, "a");
        bump(remote, "r");
        bump(remote, "r");
        bump(local, "a");
        bump(remote, "r");

        DdmSourceTask first = start(Map.of());
        List<SourceRecord> records = pollAtLeast(first, 2);
        assertThat(records).extracting(r -> ChangeEventData.toEvent(r.value()).origin().region()).containsOnly(REGION);
        assertThat(records).extracting(r -> ChangeEventData.toEvent(r.value()).version()).containsExactly(1L, 2L);
        first.stop();

        // Restarted from the last record's offset: the trailing remote event is read and skipped again, nothing repeats.
        Map<String, Object> offset = new HashMap<>(records.get(1).sourceOffset());
        DdmSourceTask second = start(Map.of(SourceOffsets.partition("ddm", SECTION), offset));
        bump(local, "b");
        List<SourceRecord> after = pollAtLeast(second, 1);
        assertThat(after).extracting(SourceRecord::key).containsExactly("task/docs/b");
    }

    @Test
    void startLatest_exportsOnlyLaterChanges() throws Exception {
        DocumentManager<Doc> w = writer(REGION);
        bump(w, "old");
        DdmSourceTask task = start(Map.of(), "source.start", "latest");
        assertThat(task.poll()).isNull(); // resolves the head: nothing yet

        bump(w, "new");
        assertThat(pollAtLeast(task, 1)).extracting(SourceRecord::key).containsExactly("task/docs/new");
    }

    @Test
    void idlePoll_returnsWithinThePollInterval() throws Exception {
        DdmSourceTask task = start(Map.of(), "source.poll.interval.ms", "300");
        task.poll(); // connects

        long started = System.nanoTime();
        assertThat(task.poll()).isNull();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(millis).isBetween(250L, 2_000L);
    }

    @Test
    void aChangeCommittedWhileAPollWaits_endsTheWait_withoutWaitingOutThePollInterval() throws Exception {
        DocumentManager<Doc> w = writer(REGION);
        DdmSourceTask task = start(Map.of(), "source.poll.interval.ms", "60000");
        ExecutorService poller = Executors.newSingleThreadExecutor();
        try {
            Future<List<SourceRecord>> waiting = poller.submit(task::poll); // connects, finds the log empty, waits
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());

            bump(w, "a");

            // The blocking XREAD wakes the poll; without it the poll would sleep for the whole minute.
            await().atMost(Duration.ofSeconds(15)).until(waiting::isDone);
            List<SourceRecord> records = new ArrayList<>();
            if (waiting.get() != null) {
                records.addAll(waiting.get());
            }
            if (records.isEmpty()) {
                records.addAll(poller.submit(task::poll).get(15, TimeUnit.SECONDS));
            }
            assertThat(records).extracting(SourceRecord::key).containsExactly("task/docs/a");
        } finally {
            poller.shutdownNow();
        }
    }

    /**
     * A task with more sections than one sweep reads and a poll interval of a minute: a change in a
     * section that no blocking read watches is found through its broadcast ({@link ChangeSignals})
     * within seconds, not at the next sweep; a writer in sharded mode, whose broadcast no pattern
     * matches, is found by the sweep, which reads every section within a few intervals.
     */
    @Test
    void manySections_aChangeIsFoundByItsBroadcast_andASectionWithoutOneByTheSweep() throws Exception {
        int count = SectionRounds.SWEEP_SLICE * 2 + 100;
        List<String> names = new ArrayList<>();
        List<String> assigned = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(String.format("many.s%04d", i));
            assigned.add(String.format("many/s%04d", i));
        }
        // In the middle: neither in the first sweep's slice nor among the sections watched by a blocking read (the newest).
        SectionId quiet = new SectionId("many", String.format("s%04d", SectionRounds.SWEEP_SLICE + 50));
        DocumentManager<Doc> classic = SourceTestSupport.writer(redis.server().uri(), quiet, REGION, "n1");
        closeables.add(classic);
        DdmSourceTask task = start(Map.of(), "source.sections", String.join(",", names),
                DdmSourceTaskConfig.TASK_SECTIONS_CONFIG, String.join(",", assigned), "source.poll.interval.ms", "60000");
        ExecutorService poller = Executors.newSingleThreadExecutor();
        try {
            Future<List<SourceRecord>> waiting = poller.submit(task::poll); // connects, reads every log once, waits
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(20)).until(() -> !waiting.isDone());

            bump(classic, "a");

            List<SourceRecord> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15)).until(waiting::isDone);
            if (waiting.get() != null) {
                records.addAll(waiting.get());
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                List<SourceRecord> batch = poller.submit(task::poll).get(20, TimeUnit.SECONDS);
                if (batch != null) {
                    records.addAll(batch);
                }
                return !records.isEmpty();
            });
            assertThat(records).extracting(SourceRecord::key).containsExactly(quiet.partition() + "/" + quiet.section() + "/a");
        } finally {
            poller.shutdownNow();
        }

        SectionId sharded = new SectionId("many", String.format("s%04d", SectionRounds.SWEEP_SLICE + 60));
        DocumentManager<Doc> shardedWriter = DocumentManager.builder(Doc.class).redisUri(redis.server().uri())
                .section(sharded.partition(), sharded.section()).origin(REGION, "n2").valueSharing(ValueSharing.SHARED)
                .pubSubMode(PubSubMode.SHARDED).build();
        closeables.add(shardedWriter);
        DdmSourceTask sweeping = start(Map.of(), "source.sections", String.join(",", names),
                DdmSourceTaskConfig.TASK_SECTIONS_CONFIG, String.join(",", assigned), "source.poll.interval.ms", "200");
        sweeping.poll(); // connects and reads every log once (the classic writer's record)
        bump(shardedWriter, "b");
        List<SourceRecord> swept = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<SourceRecord> batch = sweeping.poll();
            if (batch != null) {
                batch.stream().filter(r -> String.valueOf(r.key()).startsWith("many/" + sharded.section() + "/")).forEach(swept::add);
            }
            return !swept.isEmpty();
        });
        assertThat(swept).extracting(SourceRecord::key).containsExactly("many/" + sharded.section() + "/b");
    }

    /** The task a connector runs before any section exists (it exports repair requests only) polls like any other. */
    @Test
    void aTaskWithoutSections_pollsEmptyHanded_withoutFailing() throws Exception {
        DdmSourceTask task = start(Map.of(), DdmSourceTaskConfig.TASK_SECTIONS_CONFIG, "",
                DdmSourceTaskConfig.TASK_REPAIRS_CONFIG, "true", "source.poll.interval.ms", "50");

        for (int i = 0; i < 3; i++) {
            assertThat(task.poll()).isNull();
        }
    }

    @Test
    void stop_wakesAPollThatWaits() throws Exception {
        DdmSourceTask task = start(Map.of(), "source.poll.interval.ms", "60000");
        ExecutorService poller = Executors.newSingleThreadExecutor();
        try {
            Future<List<SourceRecord>> poll = poller.submit(task::poll);
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !poll.isDone());

            long started = System.nanoTime();
            task.stop();

            assertThat(poll.get(5, TimeUnit.SECONDS)).isNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
            assertThat(task.poll()).isNull();
        } finally {
            poller.shutdownNow();
        }
    }

    /** The ACL docs/connector.md gives a source's Redis user: core's minimum plus XREAD and XINFO STREAM. */
    static final String[] SOURCE_RULES = {
        "resetkeys", "~ddm:*", "resetchannels", "&ddm:*", "&ddm:{*}:ch", "-@all",
        "+ping", "+auth",
        "+evalsha", "+evalsha_ro", "+script|load",
        "+get", "+set", "+hget", "+hgetall", "+hmget", "+hkeys", "+hset", "+hdel",
        "+xadd", "+xrange", "+xrevrange", "+scan",
        "+publish", "+subscribe", "+unsubscribe", "+spublish", "+ssubscribe", "+sunsubscribe",
        "+xread", "+xinfo|stream", "+psubscribe", "+punsubscribe",
    };

    @Test
    void aSourceUserWithTheDocumentedAcl_exportsSnapshotsOfAnEmptiedLog_thenOnlyTheNextChange_withoutSnapshottingAgain() throws Exception {
        try (RedisServer secured = RedisServer.builder().aclUser("bridge", "bridge-Pa55", SOURCE_RULES).start();
             LogCapture logs = LogCapture.warnings()) {
            DocumentManager<Doc> w = SourceTestSupport.writer(secured.uri(), SECTION, REGION, "n1");
            closeables.add(w);
            for (int i = 0; i < 12; i++) {
                bump(w, "k" + (i % 4));
            }
            try (var admin = secured.client()) {
                admin.call("XTRIM", "ddm:{task:docs}:log", "MAXLEN", "0");
            }
            DdmSourceTask task = start(Map.of(), "redis.uri", secured.uri(), "redis.user", "bridge", "redis.password", "bridge-Pa55");

            List<SourceRecord> snapshots = pollAtLeast(task, 4);
            assertThat(snapshots).extracting(r -> ChangeEventData.toEvent(r.value()).op().name()).containsOnly("SNAPSHOT");
            assertThat(snapshots).extracting(SourceRecord::key)
                    .containsExactlyInAnyOrder("task/docs/k0", "task/docs/k1", "task/docs/k2", "task/docs/k3");

            assertThat(task.poll()).isNull(); // caught up: a blocking wait on the log
            bump(w, "k9");
            assertThat(pollAtLeast(task, 1)).extracting(SourceRecord::key).containsExactly("task/docs/k9");
            // The change broadcast subscription works under the documented ACL too (else a warning names it).
            assertThat(logs.text()).doesNotContain("cannot subscribe");
        }
    }

    @Test
    void unreachableRedis_isRetriable_thenFailsTheTaskNamingTheSetting() {
        RedisServer gone = RedisServer.builder().start();
        String uri = gone.uri();
        gone.close();
        DdmSourceTask task = start(Map.of(), "redis.uri", uri, "redis.retry.max.attempts", "1", "redis.retry.backoff.ms", "50");

        List<RuntimeException> failures = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                task.poll(); // null while backing off
            } catch (ConnectException e) { // RetriableException is one too
                failures.add(e);
            }
            return !failures.isEmpty() && !(failures.get(failures.size() - 1) instanceof RetriableException);
        });

        assertThat(failures).hasSize(2);
        assertThat(failures.get(0)).isInstanceOf(RetriableException.class).hasMessageContaining("Redis at " + uri + " is unavailable");
        assertThat(failures.get(1)).isExactlyInstanceOf(ConnectException.class)
                .hasMessageContaining("Redis at " + uri + " is unavailable: 2 consecutive attempts failed")
                .hasMessageContaining("redis.retry.max.attempts=1");
    }

    /** Connect's side of a task: its configs and a fixed offset store. */
    private static final class StubContext implements SourceTaskContext {
        private final Map<String, String> configs;
        private final Map<Map<String, String>, Map<String, Object>> offsets;

        StubContext(Map<String, String> configs, Map<Map<String, String>, Map<String, Object>> offsets) {
            this.configs = configs;
            this.offsets = offsets;
        }

        @Override
        public Map<String, String> configs() {
            return configs;
        }

        @Override
        public OffsetStorageReader offsetStorageReader() {
            return new OffsetStorageReader() {
                @Override
                public <T> Map<String, Object> offset(Map<String, T> partition) {
                    return offsets.get(partition);
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                    Map<Map<String, T>, Map<String, Object>> found = new HashMap<>();
                    for (Map<String, T> partition : partitions) {
                        found.put(partition, offsets.get((Map<String, String>) (Map<?, ?>) partition));
                    }
                    return found;
                }
            };
        }

        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }
}
