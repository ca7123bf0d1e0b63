package io.github.ddm.connect.source;

import static io.github.ddm.connect.source.SourceTestSupport.REGION;
import static io.github.ddm.connect.source.SourceTestSupport.TIMEOUT;
import static io.github.ddm.connect.source.SourceTestSupport.assertEveryVersionExported;
import static io.github.ddm.connect.source.SourceTestSupport.contractJson;
import static io.github.ddm.connect.source.SourceTestSupport.readAll;
import static io.github.ddm.connect.source.SourceTestSupport.storedVersions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.PluginArchive;
import io.github.ddm.connect.source.SourceTestSupport.BackgroundWriter;
import io.github.ddm.connect.source.SourceTestSupport.Doc;
import io.github.ddm.connect.source.SourceTestSupport.Exported;
import io.github.ddm.testkit.ConnectWorkerProcess;
import io.github.ddm.testkit.junit.KafkaExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/**
 * The source connector under a real crash: its Connect worker runs in another JVM (installed from
 * the plugin archive, as in production) and is killed with SIGKILL twice while a writer keeps
 * changing documents. Nothing of the worker runs after the signal: no task stop, no offset flush,
 * no transaction commit or abort. ({@link DdmSourceExactlyOnceIT} removes a worker gracefully,
 * which flushes and commits on the way out, so it cannot tell exactly-once from luck.)
 *
 * <p><b>Making the kill land mid-transaction.</b> With exactly-once support the task commits one
 * Kafka transaction per {@code transaction.boundary.interval.ms} (2 s here, with {@code
 * transaction.boundary=interval}) instead of one per poll, and the writer changes up to 100
 * documents a second, so a transaction holds hundreds of records that a {@code read_uncommitted}
 * consumer already sees and a {@code read_committed} one does not: the topic's high watermark runs
 * ahead of its last stable offset. The test watches both (summed over the partitions) every 50 ms
 * and kills when (1) the worker has committed since it started (the last stable offset moved), (2)
 * that commit is less than half an interval old, so the next one is at least 1 s away, but complete
 * (the last stable offset has not moved for 250 ms), and (3) at least {@link #AT_RISK} records sit
 * in the open transaction. Once the process is dead nobody writes the topic, so the gap measured
 * right after the kill is exactly the dead transaction's records; the test asserts it is not
 * empty, for each kill. When the worker comes back, the new task's producer (same transactional
 * id) fences the dead one, which aborts that transaction, and the task exports those versions again
 * from the committed offset: the topic then holds them twice, {@code read_uncommitted} shows both
 * copies, and {@code read_committed} only the second.
 *
 * <p><b>The control.</b> Without exactly-once support, source offsets are flushed every
 * {@code offset.flush.interval.ms} (2 s too) and records are visible at once. The same rule, with
 * the committed source offset (read from the worker's offsets topic) in place of the last stable
 * offset, kills early in a flush interval with {@link #AT_RISK} records exported past the committed
 * offset; the restarted task sends them again, and {@code read_committed} sees the duplicates. So
 * the exactly-once test could fail.
 */
class DdmSourceCrashIT {

    /** How many records a kill puts at risk at least: exported, but past the last commit. */
    private static final long AT_RISK = 50;
    /** Transaction boundary (exactly-once) and offset flush interval (control) alike. */
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(2);
    /** How long the last commit must be past (its markers all written) before a kill. */
    private static final Duration SETTLE = Duration.ofMillis(250);
    private static final int PARTITIONS = 3;
    private static final int KEYS = 40;
    private static final Path WORK = Path.of("target", "crash-it");

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create();

    @TempDir
    static Path pluginPath;

    @BeforeAll
    static void installPlugin() throws Exception {
        PluginArchive.installInto(pluginPath);
    }

    @Test
    void sigkill_midTransaction_twice_readCommittedSeesEachVersionOnce() throws Exception {
        CrashRun run = crashTwice("eos", true);

        assertThat(run.openAfterKill()).as("records of the killed worker's open transaction, per kill")
                .hasSize(2).allSatisfy(open -> assertThat(open).isPositive());
        assertEveryVersionExported(run.committed(), run.stored(), true);
        assertThat(run.committed()).as("read_committed: no duplicate").hasSize(run.distinctCommitted());
        assertThat((long) run.uncommitted().size() - run.committed().size())
                .as("aborted records, still in the log: read_uncommitted sees them, read_committed does not")
                .isGreaterThanOrEqualTo(run.openAfterKill().stream().mapToLong(Long::longValue).sum());
        assertThat(run.duplicatesUncommitted()).as("versions exported twice, once in an aborted transaction").isPositive();
    }

    @Test
    void sigkill_twice_withoutExactlyOnce_readCommittedSeesDuplicates() throws Exception {
        CrashRun run = crashTwice("control", false);

        assertEveryVersionExported(run.committed(), run.stored(), false); // at least once: none missing
        assertThat(run.duplicatesCommitted()).as("versions exported again after a kill, visible to read_committed").isPositive();
        assertThat(run.uncommitted()).as("no transactions: read_uncommitted sees the same").hasSameSizeAs(run.committed());
    }

    /** What a run leaves: the stored versions, the topic read both ways, and each kill's open transaction. */
    private record CrashRun(Map<String, Long> stored, List<Exported> committed, List<Exported> uncommitted,
                            List<Long> openAfterKill) {

        int distinctCommitted() {
            return distinct(committed);
        }

        int duplicatesCommitted() {
            return committed.size() - distinct(committed);
        }

        int duplicatesUncommitted() {
            return uncommitted.size() - distinct(uncommitted);
        }

        private static int distinct(List<Exported> records) {
            return (int) records.stream().map(r -> r.key() + "@" + r.event().version()).distinct().count();
        }
    }

    /**
     * Runs the source in a worker process, writes continuously, SIGKILLs and restarts the worker
     * twice (each time early in a commit interval, with {@link #AT_RISK} records past the last
     * commit), stops writing, lets the export drain and reads the topic back.
     */
    private CrashRun crashTwice(String name, boolean exactlyOnce) throws Exception {
        long t0 = System.nanoTime();
        SectionId section = new SectionId("crash", name);
        String topic = "ddm-crash-" + name;
        kafka.server().createTopic(topic, PARTITIONS);
        RedissonClient redisson = RedisClients.create(redis.server().uri());
        SectionStore store = SectionStore.open(redisson, "ddm", section);
        List<Long> openAfterKill = new ArrayList<>();
        try (DocumentManager<Doc> writer = SourceTestSupport.writer(redis.server().uri(), section, REGION, "w1", 0);
             ConnectWorkerProcess worker = ConnectWorkerProcess.builder(kafka.server())
                     .name("ddm-crash-" + name)
                     .directory(WORK.resolve("worker-" + name))
                     .pluginPath(pluginPath)
                     .workerProperty("exactly.once.source.support", exactlyOnce ? "enabled" : "disabled")
                     .workerProperty("offset.flush.interval.ms", Long.toString(COMMIT_INTERVAL.toMillis()))
                     .start();
             Probe probe = new Probe(topic, worker.workerProperties().get("offset.storage.topic"), name, store.logKey())) {
            // The worker's class path has no DDM classes: the connector can only come from plugin.path.
            assertThat(worker.rest().call("GET", "connector-plugins", null).requireSuccess().body())
                    .as("the worker's connector plugins").contains(DdmSourceConnector.class.getName());
            assertThat(Files.readString(worker.logFile())).as("the worker's log")
                    .contains("Loading plugin from: " + pluginPath.resolve("ddm-connector"));
            worker.rest().putConnector(name, connectorConfig(section, topic, exactlyOnce));
            worker.rest().awaitRunning(name, 1, TIMEOUT);

            try (BackgroundWriter writing = new BackgroundWriter(writer, KEYS, 2, Duration.ofMillis(20),
                    Executors.newSingleThreadScheduledExecutor())) {
                Reading start = new Reading(0, 0, 0, System.nanoTime());
                for (int kill = 1; kill <= 2; kill++) {
                    KillTrigger trigger = new KillTrigger(exactlyOnce, start);
                    Reading before = await("a commit, then " + AT_RISK + "+ records past it early in the interval (kill " + kill + ")")
                            .atMost(TIMEOUT).pollInSameThread().pollInterval(Duration.ofMillis(50))
                            .until(probe::read, trigger);
                    worker.kill();
                    // Nobody writes the topic or the offsets now: this reading is exact.
                    Reading after = probe.read();
                    openAfterKill.add(after.open());
                    System.out.printf("CRASH %s kill %d: %d ms after a commit, %d records past it; after the kill %d records"
                                    + " in an open transaction (%d changes written so far)%n", name, kill,
                            (before.at() - trigger.commitSeenAt()) / 1_000_000, trigger.atRisk(before), after.open(), writing.commits());
                    worker.resume();
                    worker.rest().awaitRunning(name, 1, TIMEOUT);
                    start = after;
                }
            }

            String head = store.logHead().join();
            await("the committed source offset reaches the log's head " + head).atMost(TIMEOUT)
                    .pollInSameThread().pollInterval(Duration.ofMillis(100))
                    .until(() -> head.equals(probe.committedStreamId()));
            assertThat(worker.rest().connectorOffsets(name).offsets()).as("the committed offset, as the worker's REST API reports it")
                    .singleElement().satisfies(o -> assertThat(o.offset().get(SourceOffsets.STREAM_ID)).isEqualTo(head));
            Map<String, Long> stored = storedVersions(redisson, section);
            String bootstrap = kafka.server().bootstrapServers();
            List<Exported> committed = readAll(bootstrap, topic, contractJson(), IsolationLevel.READ_COMMITTED);
            List<Exported> uncommitted = readAll(bootstrap, topic, contractJson(), IsolationLevel.READ_UNCOMMITTED);
            CrashRun run = new CrashRun(stored, committed, uncommitted, openAfterKill);
            System.out.printf("CRASH %s: %d versions of %d keys stored; read_committed %d records (%d duplicates),"
                            + " read_uncommitted %d (%d duplicates); %.1f s%n", name, stored.values().stream().mapToLong(Long::longValue).sum(),
                    stored.size(), committed.size(), run.duplicatesCommitted(), uncommitted.size(), run.duplicatesUncommitted(),
                    (System.nanoTime() - t0) / 1e9);
            return run;
        } finally {
            redisson.shutdown();
        }
    }

    private Map<String, String> connectorConfig(SectionId section, String topic, boolean exactlyOnce) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", DdmSourceConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "io.github.ddm.connect.ChangeEventConverter");
        config.put("redis.uri", redis.server().uri());
        config.put("ddm.region", REGION);
        config.put("source.sections", section.partition() + "." + section.section());
        // A fixed name, independent of the default template's placeholders.
        config.put("source.topic.template", topic);
        config.put("source.start", "earliest");
        config.put("source.poll.interval.ms", "50");
        if (exactlyOnce) {
            config.put("exactly.once.support", "required");
            // Long transactions: one per interval rather than one per poll, so that a kill finds one open.
            config.put("transaction.boundary", "interval");
            config.put("transaction.boundary.interval.ms", Long.toString(COMMIT_INTERVAL.toMillis()));
        }
        return config;
    }

    /**
     * Where the export stands at one moment. {@code highWatermark} and {@code lastStable} are the
     * topic's end offsets for read_uncommitted and read_committed consumers, summed over its
     * partitions: they differ only while a transaction is open, and then by that transaction's
     * records so far (the task is the topic's only producer). {@code committedEntries}: how many log
     * entries the committed source offset covers. {@code at}: {@link System#nanoTime()}.
     */
    private record Reading(long highWatermark, long lastStable, long committedEntries, long at) {

        /** Records in the open transaction. */
        long open() {
            return highWatermark - lastStable;
        }
    }

    /**
     * Decides when to kill one incarnation of the worker (started from {@code start}, the reading
     * after the previous kill): when it has committed at least once, the last commit was seen less
     * than half an interval ago (so the next one is at least half an interval away: Connect starts
     * the interval when it decides to commit) but at least {@link #SETTLE} ago, and at least
     * {@link #AT_RISK} records are past it. The settling matters with exactly-once: a commit writes
     * its markers partition by partition, so for a moment the last stable offset has moved on one
     * partition while the other partitions still show the committing transaction's records as open;
     * every move of the last stable offset restarts the settling. Evaluated by one thread.
     */
    private static final class KillTrigger implements Predicate<Reading> {
        private final boolean exactlyOnce;
        private final Reading start;
        private long mark;
        private long commitSeenAt = -1;

        KillTrigger(boolean exactlyOnce, Reading start) {
            this.exactlyOnce = exactlyOnce;
            this.start = start;
            // A restart's fencing aborts the dead transaction, which writes up to one marker per
            // partition and moves the last stable offset: that is no commit of the new incarnation.
            this.mark = exactlyOnce ? start.highWatermark() + PARTITIONS : start.committedEntries();
        }

        @Override
        public boolean test(Reading r) {
            long now = exactlyOnce ? r.lastStable() : r.committedEntries();
            if (now > mark) {
                mark = now;
                commitSeenAt = r.at();
            }
            long sinceCommit = r.at() - commitSeenAt;
            return commitSeenAt >= 0 && sinceCommit >= SETTLE.toNanos() && sinceCommit < COMMIT_INTERVAL.toNanos() / 2
                    && atRisk(r) >= AT_RISK;
        }

        long commitSeenAt() {
            return commitSeenAt;
        }

        /**
         * Records that a crash now would make the restarted task send again. With exactly-once: the
         * open transaction's. Without: those this incarnation exported past its committed offset
         * (there are no transaction markers to skew the count).
         */
        long atRisk(Reading r) {
            return exactlyOnce ? r.open()
                    : (r.highWatermark() - start.highWatermark()) - (r.committedEntries() - start.committedEntries());
        }
    }

    /**
     * Reads the topic's end offsets and the connector's committed source offset, straight from the
     * worker's offsets topic, so that it also works while the worker is dead and costs the worker nothing.
     */
    private static final class Probe implements AutoCloseable {
        // Log entries up to and including a stream id, counted in Redis in one step.
        private static final String ENTRIES_THROUGH =
                "return redis.call('XLEN', KEYS[1]) - #redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+')";
        private static final Pattern STREAM_ID = Pattern.compile("\"" + SourceOffsets.STREAM_ID + "\"\\s*:\\s*\"([0-9]+-[0-9]+)\"");

        private final Admin admin;
        private final List<TopicPartition> partitions;
        private final KafkaConsumer<String, String> offsets;
        private final String connectorKey;
        private final String logKey;
        private String streamId = SourceOffsets.LOG_START;

        Probe(String topic, String offsetsTopic, String connector, String logKey) {
            this.admin = kafka.server().admin();
            this.partitions = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
            Map<String, Object> props = new HashMap<>(kafka.server().clientProperties());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "ddm-crash-probe-" + UUID.randomUUID());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            // A reading must be quick: do not let the broker hold an empty fetch for the default 500 ms.
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
            this.offsets = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
            List<TopicPartition> offsetPartitions = offsets.partitionsFor(offsetsTopic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(offsetsTopic, p.partition())).toList();
            offsets.assign(offsetPartitions);
            offsets.seekToBeginning(offsetPartitions);
            // Connect's offset keys are JSON: ["<connector>", {<source partition>}].
            this.connectorKey = "[\"" + connector + "\"";
            this.logKey = logKey;
        }

        Reading read() throws Exception {
            long highWatermark = end(IsolationLevel.READ_UNCOMMITTED);
            long lastStable = end(IsolationLevel.READ_COMMITTED);
            long committed = (Long) redis.server().call("EVAL", ENTRIES_THROUGH, "1", logKey, committedStreamId());
            return new Reading(highWatermark, lastStable, committed, System.nanoTime());
        }

        /** The committed source offset's stream id ({@code 0-0} before the first commit). */
        String committedStreamId() {
            Map<TopicPartition, Long> end = offsets.endOffsets(offsets.assignment());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (end.entrySet().stream().anyMatch(e -> offsets.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read the offsets topic to its end " + end);
                }
                for (ConsumerRecord<String, String> record : offsets.poll(Duration.ofMillis(100))) {
                    Matcher m = record.value() == null ? null : STREAM_ID.matcher(record.value());
                    if (record.key() != null && record.key().startsWith(connectorKey) && m != null && m.find()) {
                        streamId = m.group(1);
                    }
                }
            }
            return streamId;
        }

        private long end(IsolationLevel isolation) throws InterruptedException, ExecutionException, TimeoutException {
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                            new ListOffsetsOptions(isolation))
                    .all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        }

        @Override
        public void close() {
            offsets.close();
            admin.close();
        }
    }
}
