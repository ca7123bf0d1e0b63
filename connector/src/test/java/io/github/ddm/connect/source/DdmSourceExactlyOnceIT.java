package io.github.ddm.connect.source;

import static io.github.ddm.connect.source.SourceTestSupport.REGION;
import static io.github.ddm.connect.source.SourceTestSupport.TIMEOUT;
import static io.github.ddm.connect.source.SourceTestSupport.assertEveryVersionExported;
import static io.github.ddm.connect.source.SourceTestSupport.awaitRunning;
import static io.github.ddm.connect.source.SourceTestSupport.contractJson;
import static io.github.ddm.connect.source.SourceTestSupport.readAll;
import static io.github.ddm.connect.source.SourceTestSupport.sourceConfig;
import static io.github.ddm.connect.source.SourceTestSupport.storedVersions;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.connect.source.SourceTestSupport.BackgroundWriter;
import io.github.ddm.connect.source.SourceTestSupport.Doc;
import io.github.ddm.testkit.junit.ConnectExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.Map;
import java.util.concurrent.Executors;
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

    private static String bootstrap() {
        return connect.server().kafka().bootstrapServers();
    }

    private static void awaitExportedAtLeast(String topic, long count) {
        await().atMost(TIMEOUT).until(() -> readAll(bootstrap(), topic, contractJson()).size() >= count);
    }
}
