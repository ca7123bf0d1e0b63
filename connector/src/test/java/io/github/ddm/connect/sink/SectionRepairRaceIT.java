package io.github.ddm.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ControlRecord;
import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * A region that lost its data asks for the whole section; its last change before the loss reaches
 * the answering region's sink only after the answer went out (the request and the change travel in
 * different topics, so nothing orders them). The sink answers again for that document, so the
 * region gets the change back. Driven through the sink task itself against real redis-servers.
 */
class SectionRepairRaceIT {

    @RegisterExtension
    static final RedisServerExtension eu = RedisServerExtension.create();
    @RegisterExtension
    static final RedisServerExtension us = RedisServerExtension.create();

    private static final SectionId SECTION = new SectionId("trading", "race");

    private DdmSinkTask task;
    private RedissonClient euClient;
    private RedissonClient usClient;
    private final Map<String, String> props = new HashMap<>();

    @BeforeEach
    void setUp() {
        eu.server().flushAll();
        us.server().flushAll();
        euClient = RedisClients.create(eu.server().uri());
        usClient = RedisClients.create(us.server().uri());
        props.put("name", "race-" + System.nanoTime());
        props.put(DdmConnectorConfig.REDIS_URI_CONFIG, eu.server().uri());
        props.put(DdmConnectorConfig.REGION_CONFIG, "eu");
        task = startTask();
    }

    private DdmSinkTask startTask() {
        DdmSinkTask started = new DdmSinkTask();
        started.initialize(new DdmSinkTaskTest.StubContext(true));
        started.start(props);
        return started;
    }

    @AfterEach
    void tearDown() {
        task.stop();
        euClient.shutdown();
        usClient.shutdown();
    }

    /** Who takes in us's late change. */
    private enum Receiver { THE_ANSWERING_TASK, THE_SAME_TASK_RESTARTED, ANOTHER_TASK }

    @Test
    void aChangeMadeBeforeTheRequest_arrivingAfterTheAnswer_isAnsweredAgain() throws Exception {
        lateChangeIsAnsweredAgain(Receiver.THE_ANSWERING_TASK);
    }

    /** The sink task restarts between the answer and the late change: the request is remembered in Redis. */
    @Test
    void aChangeArrivingAfterTheAnswer_isAnsweredAgain_evenByATaskStartedSince() throws Exception {
        lateChangeIsAnsweredAgain(Receiver.THE_SAME_TASK_RESTARTED);
    }

    /**
     * With several tasks, the control topic and the change topic may go to different tasks: the one
     * that takes in the late change (and had taken in changes of the section before the request)
     * answers again.
     */
    @Test
    void aChangeArrivingAfterTheAnswer_atAnotherTask_isAnsweredAgain() throws Exception {
        lateChangeIsAnsweredAgain(Receiver.ANOTHER_TASK);
    }

    private void lateChangeIsAnsweredAgain(Receiver mode) throws Exception {
        SectionStore euStore = SectionStore.open(euClient, "ddm", SECTION);
        SectionStore usStore = SectionStore.open(usClient, "ddm", SECTION);
        try (DocumentManager<ObjectNode> inEu = manager(euClient, "eu");
             DocumentManager<ObjectNode> inUs = manager(usClient, "us")) {
            inEu.set("d", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("qty", 1)).join();
            for (ChangeEvent e : euStore.readLog("0-0", 100).join().events()) {
                usStore.apply(e).join();
            }
            inUs.set("e", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("qty", 5)).join();
            inUs.update("d", d -> d.put("qty", 2)).join();
        }
        List<ChangeEvent> usChanges = usStore.readLog("0-0", 100).join().events().stream()
                .filter(e -> e.origin().region().equals("us")).toList();
        ChangeEvent usCreate = usChanges.stream().filter(e -> e.key().id().equals("e")).findFirst().orElseThrow();
        ChangeEvent usChange = usChanges.stream().filter(e -> e.key().id().equals("d")).findFirst().orElseThrow();
        DdmSinkTask receiver = mode == Receiver.ANOTHER_TASK ? startTask() : task;
        try {
            // us's earlier change reaches eu in time (the receiving task has seen the section before the request).
            receiver.put(List.of(record(usCreate, 0)));
            assertThat(euStore.snapshot("e").join()).isPresent();
            // us loses its data and asks for the whole section, after its changes were made.
            ControlRecord request = ControlRecord.repair("us", "ddm", SECTION, null, null, System.currentTimeMillis() + 1);

            task.put(List.of(new SinkRecord("ddm.us.control", 0, null, request.key(), ControlRecord.SCHEMA, request.toStruct(), 0)));
            await("the first answer").atMost(Duration.ofSeconds(10)).until(() -> answers(euStore).size() == 2);
            ChangeEvent firstForD = answers(euStore).stream().filter(e -> e.key().id().equals("d")).findFirst().orElseThrow();
            assertThat(firstForD.clock().get(usChange.replica())).as("answered without us's late change").isZero();
            if (mode == Receiver.THE_SAME_TASK_RESTARTED) {
                task.stop();
                task = startTask();
                receiver = task;
            }

            receiver.put(List.of(record(usChange, 1)));

            await("answered again, now with us's change").atMost(Duration.ofSeconds(10)).until(() -> answers(euStore).size() == 3);
            ChangeEvent again = answers(euStore).get(2);
            assertThat(again.key().id()).isEqualTo("d");
            assertThat(again.clock().covers(usChange.stamp())).as("the new answer holds us's change").isTrue();
            assertThat(again.state().get("qty").asInt()).isEqualTo(2);
            assertThat(receiver.counters().getRepairsAnswered()).isEqualTo(mode == Receiver.THE_ANSWERING_TASK ? 3 : 1);
        } finally {
            if (receiver != task) {
                receiver.stop();
            }
        }
    }

    private static SinkRecord record(ChangeEvent event, long offset) {
        return new SinkRecord("ddm.us.trading.race", 0, null, event.key().toString(), null, ChangeEventCodec.encodeToString(event),
                offset);
    }

    /** The repair snapshots eu's sink appended to eu's log, as eu's source exports them. */
    private static List<ChangeEvent> answers(SectionStore store) {
        return store.readLog("0-0", 100).join().events().stream()
                .filter(e -> e.origin().node().equals("ddm-sink") && e.eventId().startsWith("repair-")).toList();
    }

    private static DocumentManager<ObjectNode> manager(RedissonClient client, String region) {
        return DocumentManager.builder(ObjectNode.class).redisson(client).section(SECTION.partition(), SECTION.section())
                .origin(region, "w1").build();
    }
}
