package io.github.ddm.connect.source;

import static io.github.ddm.connect.source.SourceTestSupport.REGION;
import static io.github.ddm.connect.source.SourceTestSupport.TIMEOUT;
import static io.github.ddm.connect.source.SourceTestSupport.assertEveryVersionExported;
import static io.github.ddm.connect.source.SourceTestSupport.awaitRunning;
import static io.github.ddm.connect.source.SourceTestSupport.contractJson;
import static io.github.ddm.connect.source.SourceTestSupport.readAll;
import static io.github.ddm.connect.source.SourceTestSupport.sourceConfig;
import static io.github.ddm.connect.source.SourceTestSupport.storedVersions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.source.SourceTestSupport.BackgroundWriter;
import io.github.ddm.connect.source.SourceTestSupport.Doc;
import io.github.ddm.connect.source.SourceTestSupport.Exported;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.testkit.junit.ConnectExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * With exactly-once source support on the worker (KIP-618), a restarted task and a replaced worker
 * neither lose nor duplicate a version: each (key, version) is in Kafka exactly once, read with
 * {@code isolation.level=read_committed}.
 */
class DdmSourceExactlyOnceIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    @RegisterExtension
    static final ConnectExtension connect = ConnectExtension.create(b -> b
            .workerProperty("exactly.once.source.support", "enabled")
            // One broker: the transaction log must fit on it (its default replication factor is 3).
            .brokerProperty("transaction.state.log.replication.factor", "1")
            .brokerProperty("transaction.state.log.min.isr", "1"));

    @Test
    void restartAndWorkerKill_midStream_exportEachVersionExactlyOnce() throws Exception {
        SectionId section = new SectionId("eos", "docs");
        String name = "eos";
        String topic = "ddm.eos.docs";
        RedissonClient redisson = RedisClients.create(redis.server().uri());
        try (DocumentManager<Doc> w = SourceTestSupport.writer(redis.server().uri(), section, REGION, "w1")) {
            connect.server().cluster().configureConnector(name, sourceConfig(redis.server().uri(), "source.sections", "eos.docs",
                    "source.batch.size", "50", "exactly.once.support", "required"));
            awaitRunning(connect.server(), name, 1);

            try (BackgroundWriter writing = new BackgroundWriter(w, 20, Executors.newSingleThreadScheduledExecutor())) {
                awaitExportedAtLeast(topic, 300);
                connect.server().cluster().restartConnectorAndTasks(name, false, true, false);
                awaitRunning(connect.server(), name, 1);
                long afterRestart = readAll(bootstrap(), topic, contractJson()).size();
                awaitExportedAtLeast(topic, afterRestart + 300);

                connect.server().cluster().removeWorker();
                long gone = writing.commits();
                await().atMost(TIMEOUT).until(() -> writing.commits() > gone + 200);
                connect.server().cluster().addWorker();
                awaitRunning(connect.server(), name, 1);
                long back = readAll(bootstrap(), topic, contractJson()).size();
                awaitExportedAtLeast(topic, back + 300);
            }
            Map<String, Long> stored = storedVersions(redisson, section);
            await().atMost(TIMEOUT).untilAsserted(() ->
                    assertEveryVersionExported(readAll(bootstrap(), topic, contractJson()), stored, false));
            assertEveryVersionExported(readAll(bootstrap(), topic, contractJson()), stored, true);
        } finally {
            redisson.shutdown();
        }
    }

    /**
     * One task exports {@value #MANY_SECTIONS} sections (far more than it watches with blocking reads)
     * to one topic: every change of every section is in Kafka exactly once, across a task restart
     * that resumes each section from its own committed offset, and changes made after the restart in
     * every section (most of them unwatched) are exported too.
     */
    @Test
    void manySections_oneTask_exportEachChangeExactlyOnce_acrossARestart() throws Exception {
        String name = "many";
        String topic = "ddm.eu.many";
        List<SectionId> sections = new ArrayList<>();
        for (int i = 0; i < MANY_SECTIONS; i++) {
            sections.add(new SectionId("many", String.format("s%04d", i)));
        }
        RedissonClient redisson = RedisClients.create(redis.server().uri());
        try {
            ManyWriter writer = new ManyWriter(redisson, sections);
            writer.write(1);
            writer.write(2);
            connect.server().cluster().configureConnector(name, sourceConfig(redis.server().uri(), "source.sections",
                    sections.stream().map(s -> s.partition() + "." + s.section()).collect(Collectors.joining(",")),
                    "source.topic.template", "ddm.${region}.many", "source.poll.max.records", "1000",
                    "exactly.once.support", "required"));
            awaitRunning(connect.server(), name, 1);
            awaitExportedAtLeast(topic, 2L * MANY_SECTIONS);

            connect.server().cluster().restartConnectorAndTasks(name, false, true, false);
            awaitRunning(connect.server(), name, 1);
            writer.write(3);
            awaitExportedAtLeast(topic, 3L * MANY_SECTIONS);

            List<Exported> exported = readAll(bootstrap(), topic, contractJson());
            Map<String, List<Long>> versions = new HashMap<>();
            SourceTestSupport.byKey(exported).forEach((key, records) ->
                    versions.put(key, records.stream().map(r -> r.event().version()).toList()));
            assertThat(versions).as("keys exported").hasSize(MANY_SECTIONS);
            versions.forEach((key, list) -> assertThat(list).as("versions of %s, in topic order", key).containsExactly(1L, 2L, 3L));
            assertThat(exported).hasSize(3 * MANY_SECTIONS);
            connect.server().cluster().deleteConnector(name);
        } finally {
            redisson.shutdown();
        }
    }

    private static final int MANY_SECTIONS = 1_200;

    /** Writes version n of one document in each section, through core's commit script, many at once. */
    private record ManyWriter(RedissonClient redisson, List<SectionId> sections) {

        void write(long version) throws Exception {
            List<CompletableFuture<SectionStore.ApplyOutcome>> writes = new ArrayList<>();
            for (SectionId section : sections) {
                DataKey key = DataKey.of(section.partition(), section.section(), "k");
                JsonNode state = JSON.readTree("{\"n\":" + version + "}");
                ChangeEvent event = version == 1
                        ? ChangeEvent.create("c-" + section.section(), key, 1, 0, "wEpoch", Instant.now(), Origin.of(REGION, "w"), state)
                        : ChangeEvent.update("u" + version + "-" + section.section(), key, version, version - 1, "wEpoch", Instant.now(),
                                Origin.of(REGION, "w"), JSON.readTree("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + version + "}]"),
                                null);
                writes.add(SectionStore.open(redisson, "ddm", section)
                        .apply(event.withClock("L", VersionVector.of(Map.of(REGION + "~L", version)))));
                if (writes.size() >= 200) {
                    awaitApplied(writes);
                }
            }
            awaitApplied(writes);
        }

        private static void awaitApplied(List<CompletableFuture<SectionStore.ApplyOutcome>> writes) throws Exception {
            for (CompletableFuture<SectionStore.ApplyOutcome> write : writes) {
                assertThat(write.get(30, TimeUnit.SECONDS)).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
            }
            writes.clear();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String bootstrap() {
        return connect.server().kafka().bootstrapServers();
    }

    private static void awaitExportedAtLeast(String topic, long count) {
        await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), topic, contractJson()).size() >= count);
    }
}
