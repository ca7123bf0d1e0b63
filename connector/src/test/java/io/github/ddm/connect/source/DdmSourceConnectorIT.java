package io.github.ddm.connect.source;

import static io.github.ddm.connect.source.SourceTestSupport.REGION;
import static io.github.ddm.connect.source.SourceTestSupport.TIMEOUT;
import static io.github.ddm.connect.source.SourceTestSupport.assertEveryVersionExported;
import static io.github.ddm.connect.source.SourceTestSupport.awaitRunning;
import static io.github.ddm.connect.source.SourceTestSupport.bump;
import static io.github.ddm.connect.source.SourceTestSupport.byKey;
import static io.github.ddm.connect.source.SourceTestSupport.connectJson;
import static io.github.ddm.connect.source.SourceTestSupport.contractJson;
import static io.github.ddm.connect.source.SourceTestSupport.logByKey;
import static io.github.ddm.connect.source.SourceTestSupport.readAll;
import static io.github.ddm.connect.source.SourceTestSupport.sourceConfig;
import static io.github.ddm.connect.source.SourceTestSupport.storedVersions;
import static io.github.ddm.connect.source.SourceTestSupport.writer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.connect.source.SourceTestSupport.BackgroundWriter;
import io.github.ddm.connect.source.SourceTestSupport.Doc;
import io.github.ddm.connect.source.SourceTestSupport.Exported;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.ConnectExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * The source connector in a real Connect worker (service-loaded, at-least-once), against a real
 * redis-server: what reaches Kafka, restarts, a trimmed log, the origin filter, discovery, and
 * configuration errors.
 */
class DdmSourceConnectorIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    @RegisterExtension
    static final ConnectExtension connect = ConnectExtension.create();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private RedissonClient redisson;

    @BeforeEach
    void openClient() {
        redisson = RedisClients.create(redis.server().uri());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        redisson.shutdown();
    }

    private DocumentManager<Doc> writer(SectionId section, String region, String node) {
        DocumentManager<Doc> writer = SourceTestSupport.writer(redis.server().uri(), section, region, node);
        closeables.add(writer);
        return writer;
    }

    private String bootstrap() {
        return connect.server().kafka().bootstrapServers();
    }

    @Test
    void changes_reachPerSectionTopics_inPerKeyOrder_withKeyHeadersValueAndTime() {
        SectionId orders = new SectionId("shop", "orders");
        SectionId users = new SectionId("shop", "users");
        writeSomeChanges(orders, users);

        connect.server().cluster().configureConnector("per-section",
                sourceConfig(redis.server().uri(), "source.sections", "shop.orders,shop.users"));

        List<ChangeOp> ops = new ArrayList<>();
        for (SectionId section : List.of(orders, users)) {
            String topic = "ddm.shop." + section.section();
            Map<String, List<ChangeEvent>> log = logByKey(redisson, section);
            int expected = log.values().stream().mapToInt(List::size).sum();
            List<Exported> records = await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), topic, contractJson()),
                    r -> r.size() >= expected);
            assertExportedExactlyTheLog(records, log);
            records.forEach(r -> ops.add(r.event().op()));
        }
        assertThat(ops).contains(ChangeOp.CREATE, ChangeOp.UPDATE, ChangeOp.DELETE);
    }

    @Test
    void changes_reachOneFixedTopic_asConnectJsonWithSchema() {
        SectionId orders = new SectionId("shop", "orders");
        SectionId users = new SectionId("shop", "users");
        writeSomeChanges(orders, users);

        connect.server().cluster().configureConnector("single-topic", sourceConfig(redis.server().uri(),
                "source.sections", "shop.orders,shop.users", "source.topic.template", "ddm.changes",
                "value.converter", JsonConverter.class.getName(), "value.converter.schemas.enable", "true"));

        Map<String, List<ChangeEvent>> log = new HashMap<>(logByKey(redisson, orders));
        log.putAll(logByKey(redisson, users));
        int expected = log.values().stream().mapToInt(List::size).sum();
        List<Exported> records = await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), "ddm.changes", connectJson(true)),
                r -> r.size() >= expected);
        assertExportedExactlyTheLog(records, log);
        assertThat(records).extracting(r -> r.event().op()).contains(ChangeOp.CREATE, ChangeOp.UPDATE, ChangeOp.DELETE);
    }

    private void writeSomeChanges(SectionId orders, SectionId users) {
        DocumentManager<Doc> a = writer(orders, REGION, "w1");
        DocumentManager<Doc> b = writer(orders, REGION, "w2");
        DocumentManager<Doc> c = writer(users, REGION, "w3");
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < 8; k++) {
                bump(round % 2 == 0 ? a : b, "o" + k);
                bump(c, "u" + k);
            }
        }
        a.delete("o0").join();
        bump(b, "o0"); // re-created after the delete
    }

    /** Each key's records are the log's events for that key, in order, with the record key, headers and timestamp. */
    private static void assertExportedExactlyTheLog(List<Exported> records, Map<String, List<ChangeEvent>> log) {
        Map<String, List<Exported>> exported = byKey(records);
        assertThat(exported.keySet()).containsExactlyInAnyOrderElementsOf(log.keySet());
        for (Map.Entry<String, List<ChangeEvent>> entry : log.entrySet()) {
            List<Exported> forKey = exported.get(entry.getKey());
            assertThat(forKey).extracting(Exported::event).as("events of %s", entry.getKey()).isEqualTo(entry.getValue());
            for (Exported r : forKey) {
                assertThat(r.key()).isEqualTo(ChangeEventData.key(r.event()));
                assertThat(r.versionHeader()).isEqualTo(Long.toString(r.event().version()));
                assertThat(r.originHeader()).isEqualTo(r.event().origin().region() + "/" + r.event().origin().node());
                assertThat(r.timestamp()).isEqualTo(r.event().time().toEpochMilli());
            }
        }
    }

    @Test
    void restartOfConnectorAndTask_midStream_losesNoVersion() throws Exception {
        SectionId section = new SectionId("restart", "docs");
        String name = "restart-tasks";
        String topic = "ddm.restart.docs";
        DocumentManager<Doc> w = writer(section, REGION, "w1");
        connect.server().cluster().configureConnector(name, sourceConfig(redis.server().uri(), "source.sections", "restart.docs",
                "source.batch.size", "50"));
        awaitRunning(connect.server(), name, 1);

        try (BackgroundWriter writing = new BackgroundWriter(w, 20, Executors.newSingleThreadScheduledExecutor())) {
            awaitExportedAtLeast(topic, 300);
            connect.server().cluster().restartConnectorAndTasks(name, false, true, false);
            long before = readAll(bootstrap(), topic, contractJson()).size();
            awaitRunning(connect.server(), name, 1);
            awaitExportedAtLeast(topic, before + 300);
            connect.server().cluster().pauseConnector(name);
            awaitState(name, "PAUSED");
            long paused = writing.commits();
            await().atMost(TIMEOUT).until(() -> writing.commits() > paused + 200);
            connect.server().cluster().resumeConnector(name);
            awaitRunning(connect.server(), name, 1);
        }
        awaitAllVersionsExported(section, topic, false);
    }

    @Test
    void killingTheOnlyWorker_midStream_losesNoVersion() throws Exception {
        SectionId section = new SectionId("kill", "docs");
        String name = "kill-worker";
        String topic = "ddm.kill.docs";
        DocumentManager<Doc> w = writer(section, REGION, "w1");
        connect.server().cluster().configureConnector(name, sourceConfig(redis.server().uri(), "source.sections", "kill.docs",
                "source.batch.size", "50"));
        awaitRunning(connect.server(), name, 1);

        try (BackgroundWriter writing = new BackgroundWriter(w, 20, Executors.newSingleThreadScheduledExecutor())) {
            awaitExportedAtLeast(topic, 300);
            connect.server().cluster().removeWorker();
            long gone = writing.commits();
            await().atMost(TIMEOUT).until(() -> writing.commits() > gone + 200);
            connect.server().cluster().addWorker();
            awaitRunning(connect.server(), name, 1);
            long back = readAll(bootstrap(), topic, contractJson()).size();
            awaitExportedAtLeast(topic, back + 300);
        }
        awaitAllVersionsExported(section, topic, false);
    }

    private void awaitExportedAtLeast(String topic, long count) {
        await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), topic, contractJson()).size() >= count);
    }

    private void awaitState(String name, String state) {
        await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
            ConnectorStateInfo status = connect.server().cluster().connectorStatus(name);
            assertThat(status.connector().state()).isEqualTo(state);
            assertThat(status.tasks()).allSatisfy(t -> assertThat(t.state()).isEqualTo(state));
        });
    }

    private void awaitAllVersionsExported(SectionId section, String topic, boolean exactlyOnce) {
        Map<String, Long> stored = storedVersions(redisson, section);
        await().atMost(TIMEOUT).untilAsserted(() ->
                assertEveryVersionExported(readAll(bootstrap(), topic, contractJson()), stored, false));
        assertEveryVersionExported(readAll(bootstrap(), topic, contractJson()), stored, exactlyOnce);
    }

    @Test
    void logTrimmedPastTheOffset_emitsSnapshotsOfEveryKey_thenContinues() throws Exception {
        SectionId section = new SectionId("trim", "docs");
        String name = "trim";
        String topic = "ddm.trim.docs";
        DocumentManager<Doc> w = SourceTestSupport.writer(redis.server().uri(), section, REGION, "w1", 5);
        closeables.add(w);
        for (int k = 0; k < 10; k++) {
            bump(w, "k" + k);
        }
        connect.server().cluster().configureConnector(name, sourceConfig(redis.server().uri(), "source.sections", "trim.docs",
                "source.batch.size", "4"));
        awaitExportedAtLeast(topic, 10);
        connect.server().cluster().stopConnector(name);
        await().atMost(TIMEOUT).ignoreExceptions().until(() ->
                connect.server().cluster().connectorStatus(name).connector().state().equals("STOPPED"));
        String stored = (String) connect.server().cluster().connectorOffsets(name).offsets().get(0).offset().get("streamId");

        // While stopped: many changes, a delete and a new key, with a log that keeps about 5 entries.
        for (int round = 0; round < 30; round++) {
            for (int k = 1; k < 11; k++) {
                bump(w, "k" + k);
            }
        }
        w.delete("k0").join();
        SectionStore store = SectionStore.open(redisson, "ddm", section);
        assertThat(store.logTrimmedPast(stored).join()).as("the log was trimmed past the stored offset").isTrue();

        try (LogCapture logs = LogCapture.warnings()) {
            connect.server().cluster().resumeConnector(name);
            awaitRunning(connect.server(), name, 1);
            await().atMost(TIMEOUT).until(() -> byKey(readAll(bootstrap(), topic, contractJson())).values().stream()
                    .filter(r -> r.get(r.size() - 1).event().op() == ChangeOp.SNAPSHOT).count() == 10);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("WARN").contains("trim.docs")
                    .contains("was trimmed past this source's offset " + stored).contains("about PT").contains("at most ")
                    .contains("11 document(s)"));
        }
        // Normal events continue after the snapshots. One at a time, each exported before the next: the log keeps
        // about 5 entries, so a burst could be trimmed again before the source reads it, and a second hole means
        // a second snapshot of every document (k0's deletion included), which this test does not look at.
        for (int k = 1; k < 11; k++) {
            String id = "k" + k;
            bump(w, id);
            long version = w.get(id).join().orElseThrow().version();
            await().atMost(TIMEOUT).until(() -> {
                List<Exported> exported = byKey(readAll(bootstrap(), topic, contractJson())).get("trim/docs/" + id);
                return exported != null && last(exported).event().version() == version;
            });
        }

        Map<String, Long> versions = storedVersions(redisson, section);
        await().atMost(TIMEOUT).until(() -> {
            Map<String, List<Exported>> byKey = byKey(readAll(bootstrap(), topic, contractJson()));
            return versions.entrySet().stream().allMatch(e -> byKey.containsKey(e.getKey())
                    && last(byKey.get(e.getKey())).event().version() == e.getValue());
        });
        List<Exported> records = readAll(bootstrap(), topic, contractJson());
        Map<String, List<Exported>> byKey = byKey(records);
        for (int k = 0; k < 11; k++) {
            List<Exported> forKey = byKey.get("trim/docs/k" + k);
            List<ChangeOp> ops = forKey.stream().map(r -> r.event().op()).toList();
            if (k == 0) {
                assertThat(ops).containsExactly(ChangeOp.CREATE, ChangeOp.DELETE); // the snapshot of a deleted document
            } else {
                int snapshot = ops.indexOf(ChangeOp.SNAPSHOT);
                assertThat(snapshot).as("k%s has a snapshot: %s", k, ops).isNotNegative();
                assertThat(ops.subList(snapshot + 1, ops.size())).as("k%s after its snapshot", k).containsOnly(ChangeOp.UPDATE)
                        .isNotEmpty();
                assertThat(forKey.get(snapshot).event().prevVersion()).isZero();
            }
            List<Long> versionsOfKey = forKey.stream().map(r -> r.event().version()).toList();
            assertThat(versionsOfKey).as("versions of k%s increase", k).isSorted().doesNotHaveDuplicates();
        }

        // A consumer that applies the topic in order (through core, as the sink does) rebuilds what Redis holds.
        SectionStore replica = SectionStore.open(redisson, "replica", section);
        for (Exported r : records.stream().sorted((a, b) -> a.partition() != b.partition()
                ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset())).toList()) {
            SectionStore.ApplyOutcome outcome = replica.apply(r.event()).join();
            assertThat(outcome).as("applying %s", r.event()).isInstanceOfAny(SectionStore.ApplyOutcome.Applied.class,
                    SectionStore.ApplyOutcome.Duplicate.class);
        }
        for (String id : store.ids().join()) {
            ChangeEvent original = store.snapshot(id).join().orElseThrow();
            ChangeEvent rebuilt = replica.snapshot(id).join().orElseThrow();
            assertThat(rebuilt.op()).as("op of %s", id).isEqualTo(original.op());
            assertThat(rebuilt.version()).as("version of %s", id).isEqualTo(original.version());
            assertThat(rebuilt.state()).as("state of %s", id).isEqualTo(original.state());
        }
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    @Test
    void originFilter_exportsOnlyThisRegion_byDefault_andEverythingWithAll() {
        SectionId section = new SectionId("mix", "docs");
        DocumentManager<Doc> local = writer(section, REGION, "w1");
        DocumentManager<Doc> remote = writer(section, "us", "w9");
        for (int k = 0; k < 5; k++) {
            bump(local, "e" + k);
            bump(remote, "u" + k);
            bump(local, "e" + k);
            bump(remote, "u" + k);
        }
        bump(local, "marker");
        connect.server().cluster().configureConnector("local-only", sourceConfig(redis.server().uri(),
                "source.sections", "mix.docs", "source.topic.template", "local.${partition}.${section}"));
        connect.server().cluster().configureConnector("all-origins", sourceConfig(redis.server().uri(),
                "source.sections", "mix.docs", "source.topic.template", "all.${partition}.${section}",
                "source.export.origins", "all"));

        Map<String, List<ChangeEvent>> log = logByKey(redisson, section);
        List<Exported> all = await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), "all.mix.docs", contractJson()),
                r -> r.size() >= 21);
        assertThat(all).extracting(Exported::event)
                .containsExactlyInAnyOrderElementsOf(log.values().stream().flatMap(List::stream).toList());
        assertThat(all).extracting(Exported::originHeader).contains("us/w9", "eu/w1");

        List<Exported> localOnly = await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), "local.mix.docs", contractJson()),
                r -> r.stream().anyMatch(e -> e.key().equals("mix/docs/marker")));
        assertThat(localOnly).hasSize(11).allSatisfy(r -> assertThat(r.event().origin().region()).isEqualTo(REGION));
        assertThat(localOnly).extracting(Exported::event).containsExactlyInAnyOrderElementsOf(log.values().stream()
                .flatMap(List::stream).filter(e -> e.origin().region().equals(REGION)).toList());
    }

    @Test
    void discovery_picksUpANewSection_withoutRestart() {
        SectionId a = new SectionId("disc", "a");
        SectionId b = new SectionId("disc", "b");
        DocumentManager<Doc> wa = writer(a, REGION, "w1");
        bump(wa, "x");
        bump(writer(new SectionId("other", "z"), REGION, "w1"), "y"); // does not match the pattern
        String name = "discovery";
        connect.server().cluster().configureConnector(name, sourceConfig(redis.server().uri(), "tasks.max", "2",
                "source.sections.pattern", "disc.*", "source.discovery.interval.ms", "250"));
        awaitRunning(connect.server(), name, 1);
        awaitExportedAtLeast("ddm.disc.a", 1);

        DocumentManager<Doc> wb = writer(b, REGION, "w2");
        bump(wb, "y");
        bump(wb, "y");

        awaitRunning(connect.server(), name, 2);
        List<Exported> fromB = await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), "ddm.disc.b", contractJson()),
                r -> r.size() >= 2);
        assertThat(fromB).extracting(r -> r.event().version()).containsExactly(1L, 2L);
        assertThat(connect.server().cluster().taskConfigs(name)).hasSize(2);
        assertThat(connect.server().cluster().connectorStatus(name).connector().state()).isEqualTo("RUNNING");
        assertThat(readAll(bootstrap(), "ddm.other.z", contractJson())).isEmpty();
    }

    @Test
    void validate_reportsErrorsAgainstTheRightKey() {
        ConnectCluster cluster = connect.server();
        Map<String, String> neither = sourceConfig(redis.server().uri(), "name", "v");
        Map<String, String> both = sourceConfig(redis.server().uri(), "name", "v", "source.sections", "a.b",
                "source.sections.pattern", "*.*");
        Map<String, String> badUri = sourceConfig("localhost:6379", "name", "v", "source.sections", "a.b");

        assertThat(errors(cluster.cluster().validateConnectorConfig("DdmSourceConnector", neither))).containsOnlyKeys("source.sections");
        assertThat(errors(cluster.cluster().validateConnectorConfig("DdmSourceConnector", both)))
                .containsOnlyKeys("source.sections.pattern");
        Map<String, List<String>> uri = errors(cluster.cluster().validateConnectorConfig("DdmSourceConnector", badUri));
        assertThat(uri).containsOnlyKeys("redis.uri");
        assertThat(uri.get("redis.uri")).singleElement().asString().contains("redis.uri").contains("redis://");

        ConfigInfos infos = cluster.cluster().validateConnectorConfig("DdmSourceConnector",
                sourceConfig(redis.server().uri(), "name", "v", "source.sections", "a.b", "redis.password", "pw-in-validate"));
        assertThat(errors(infos)).isEmpty();
        ConfigInfo password = infos.configs().stream().filter(c -> c.configKey().name().equals("redis.password")).findFirst()
                .orElseThrow();
        assertThat(password.configKey().type()).isEqualTo("PASSWORD");
        assertThat(password.configValue().value()).isNotEqualTo("pw-in-validate");
    }

    @Test
    void passwords_neverReachTheLogs_andUnreachableRedisFailsTheTaskClearly() {
        String secret = "S3cr3t-pw-7781";
        String wrong = "Wr0ng-pw-4410";
        try (RedisServer protectedRedis = RedisServer.builder().password(secret).start();
             LogCapture logs = LogCapture.verbose()) {
            String uri = protectedRedis.uri();
            SectionId section = new SectionId("pw", "docs");
            DocumentManager<Doc> w = SourceTestSupport.writer("redis://:" + secret + "@127.0.0.1:" + protectedRedis.port(),
                    section, REGION, "w1");
            closeables.add(w);
            bump(w, "a");
            connect.server().cluster().configureConnector("pw-ok", sourceConfig(uri, "source.sections", "pw.docs",
                    "redis.password", secret));
            awaitExportedAtLeast("ddm.pw.docs", 1);
            connect.server().cluster().configureConnector("pw-wrong", sourceConfig(uri, "source.sections", "pw.docs",
                    "redis.password", wrong, "redis.retry.max.attempts", "1", "redis.retry.backoff.ms", "100",
                    "source.topic.template", "wrong.${section}"));

            String trace = await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
                ConnectorStateInfo.TaskState task = connect.server().cluster().connectorStatus("pw-wrong").tasks().get(0);
                return task.state().equals("FAILED") ? task.trace() : null;
            }, t -> t != null);
            assertThat(trace).contains("unavailable").contains("2 consecutive attempts failed")
                    .contains("redis.retry.max.attempts=1").contains(uri).contains("authentication failed")
                    .doesNotContain(wrong).doesNotContain(secret);
            // Everything the worker, the connector and core log; not the test's own REST client, which echoes responses.
            String workerLogs = logs.lines().stream().filter(l -> !l.contains(" org.apache.kafka.connect.util.clusters."))
                    .collect(Collectors.joining("\n"));
            assertThat(workerLogs).contains("Redis at " + uri + " is unavailable (attempt 1 of 2)")
                    .contains("DdmSourceConfig values").contains("DdmSourceTaskConfig values").contains("redis.password = [hidden]")
                    .doesNotContain(secret).doesNotContain(wrong);
            connect.server().deleteAllConnectors(); // before the server goes away
        }
    }

    private static Map<String, List<String>> errors(ConfigInfos infos) {
        return infos.configs().stream().filter(c -> !c.configValue().errors().isEmpty())
                .collect(Collectors.toMap(c -> c.configKey().name(), c -> c.configValue().errors()));
    }
}
