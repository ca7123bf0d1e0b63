package io.github.ddm.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ControlRecord;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.TcpProxy;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * A region asks for a whole section once, so its answer must not be lost: while Redis cannot be
 * reached the answer is tried again, and the request's offset is held back (a task that stops
 * meanwhile reads the request again); once Redis answers, the snapshots go out and the offset is
 * released. Against a real redis-server behind a proxy that stalls every byte.
 */
class RepairAnswersIT {

    @RegisterExtension
    static final RedisServerExtension eu = RedisServerExtension.create();

    private static final SectionId SECTION = new SectionId("trading", "answers");
    private static final TopicPartition CONTROL = new TopicPartition("ddm.us.control", 0);

    private TcpProxy proxy;
    private RedissonClient direct;
    private RedissonClient throughProxy;
    private RepairAnswers answers;
    private final SinkTaskCounters counters = new SinkTaskCounters();

    @BeforeEach
    void setUp() {
        eu.server().flushAll();
        direct = RedisClients.create(eu.server().uri());
        proxy = TcpProxy.to(eu.server());
        Config config = new Config();
        config.useSingleServer().setAddress(proxy.redisUri()).setConnectionMinimumIdleSize(1).setConnectionPoolSize(2)
                .setPingConnectionInterval(0).setTimeout(300).setRetryAttempts(1)
                .setRetryDelay(new ConstantDelay(Duration.ofMillis(50)));
        throughProxy = Redisson.create(config);
        answers = new RepairAnswers(throughProxy, "ddm", "eu", counters, "answers-it");
    }

    @AfterEach
    void tearDown() {
        answers.close();
        proxy.resume();
        throughProxy.shutdown();
        direct.shutdown();
        proxy.close();
    }

    @Test
    void aWholeSectionAnswer_thatFails_isTriedAgain_andHoldsItsOffsetUntilSent() {
        try (DocumentManager<ObjectNode> inEu = DocumentManager.builder(ObjectNode.class).redisson(direct)
                .section(SECTION.partition(), SECTION.section()).origin("eu", "w1").build()) {
            inEu.set("a", JsonNodeFactory.instance.objectNode().put("qty", 1)).join();
            inEu.set("b", JsonNodeFactory.instance.objectNode().put("qty", 2)).join();
        }
        SectionStore store = SectionStore.open(direct, "ddm", SECTION);
        proxy.pause();

        answers.answer(ControlRecord.repair("us", "ddm", SECTION, null, null, System.currentTimeMillis()), CONTROL, 41);
        answers.answer(ControlRecord.repair("us", "ddm", new SectionId("trading", "other"), "x", null, System.currentTimeMillis()),
                new TopicPartition("ddm.us.control", 1), 7);

        await("a failed attempt").atMost(Duration.ofSeconds(30)).until(() -> answers.failedAttempts() >= 1);
        assertThat(answers.heldOffsets()).as("only the whole-section request holds its offset").containsOnlyKeys(CONTROL)
                .containsEntry(CONTROL, 41L);
        assertThat(answered(store)).isEmpty();

        proxy.resume();
        await("answered once Redis is back").atMost(Duration.ofSeconds(60)).until(() -> answered(store).size() == 2);
        await("the offset released").atMost(Duration.ofSeconds(10)).until(() -> answers.heldOffsets().isEmpty());
        assertThat(answered(store)).extracting(e -> e.key().id()).containsExactlyInAnyOrder("a", "b");
        assertThat(counters.getRepairsAnswered()).isEqualTo(2);
    }

    /**
     * The sink task commits the control topic's offset only up to a whole-section request whose
     * answer is still being sent, so a task that stops meanwhile reads the request again.
     */
    @Test
    void theTask_commitsTheControlOffset_onlyOnceTheWholeSectionAnswerIsSent() {
        int documents = 3_000; // an answer long enough to be caught in the middle
        try (DocumentManager<ObjectNode> inEu = DocumentManager.builder(ObjectNode.class).redisson(direct)
                .section(SECTION.partition(), SECTION.section()).origin("eu", "w1").build()) {
            List<java.util.concurrent.CompletableFuture<?>> writes = new java.util.ArrayList<>();
            for (int i = 0; i < documents; i++) {
                writes.add(inEu.set("d" + i, JsonNodeFactory.instance.objectNode().put("qty", i)));
            }
            writes.forEach(java.util.concurrent.CompletableFuture::join);
        }
        SectionStore store = SectionStore.open(direct, "ddm", SECTION);
        DdmSinkTask task = new DdmSinkTask();
        task.initialize(new DdmSinkTaskTest.StubContext(true));
        java.util.Map<String, String> props = new java.util.HashMap<>();
        props.put("name", "answers-" + System.nanoTime());
        props.put(io.github.ddm.connect.DdmConnectorConfig.REDIS_URI_CONFIG, proxy.redisUri());
        props.put(io.github.ddm.connect.DdmConnectorConfig.REGION_CONFIG, "eu");
        task.start(props);
        try {
            ControlRecord request = ControlRecord.repair("us", "ddm", SECTION, null, null, System.currentTimeMillis());
            task.put(List.of(new org.apache.kafka.connect.sink.SinkRecord(CONTROL.topic(), CONTROL.partition(), null,
                    request.key(), ControlRecord.SCHEMA, request.toStruct(), 41)));
            proxy.pause();
            java.util.Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> consumed =
                    java.util.Map.of(CONTROL, new org.apache.kafka.clients.consumer.OffsetAndMetadata(42));

            assertThat(task.preCommit(consumed).get(CONTROL).offset()).as("held back while the answer is being sent")
                    .isEqualTo(41);

            proxy.resume();
            await("every document answered").atMost(Duration.ofSeconds(60)).until(() -> answered(store).size() == documents);
            await("the offset released").atMost(Duration.ofSeconds(10))
                    .until(() -> task.preCommit(consumed).get(CONTROL).offset() == 42);
        } finally {
            task.stop();
        }
    }

    /** The snapshots the answer appended to the section log, as eu's source exports them. */
    private static List<ChangeEvent> answered(SectionStore store) {
        return store.readLog("0-0", 10_000).join().events().stream().filter(e -> e.eventId().startsWith("repair-")).toList();
    }
}
