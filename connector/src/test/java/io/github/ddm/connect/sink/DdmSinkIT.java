package io.github.ddm.connect.sink;

import static io.github.ddm.connect.sink.SinkTestSupport.counter;
import static io.github.ddm.connect.sink.SinkTestSupport.create;
import static io.github.ddm.connect.sink.SinkTestSupport.dlqReasons;
import static io.github.ddm.connect.sink.SinkTestSupport.json;
import static io.github.ddm.connect.sink.SinkTestSupport.loggedVersions;
import static io.github.ddm.connect.sink.SinkTestSupport.produce;
import static io.github.ddm.connect.sink.SinkTestSupport.produceRaw;
import static io.github.ddm.connect.sink.SinkTestSupport.readAll;
import static io.github.ddm.connect.sink.SinkTestSupport.snapshot;
import static io.github.ddm.connect.sink.SinkTestSupport.stored;
import static io.github.ddm.connect.sink.SinkTestSupport.storedAll;
import static io.github.ddm.connect.sink.SinkTestSupport.tampered;
import static io.github.ddm.connect.sink.SinkTestSupport.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.Versioned;
import io.github.ddm.connect.ChangeEventConverter;
import io.github.ddm.connect.DdmConnectorConfig;
import io.github.ddm.connect.sink.SinkTestSupport.Stored;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.junit.ConnectExtension;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.redisson.api.RedissonClient;

/**
 * The sink connector in a real Connect cluster (in-JVM Kafka), applying change events to a real
 * redis-server (region "us", password-protected, persistent so it can be stopped and resumed); a
 * second redis-server (region "eu") is the source region whose section log provides real events.
 */
class DdmSinkIT {

    private static final String PASSWORD = "sink-it-s3cret";
    private static final String TARGET_REGION = "us";
    private static final String SOURCE_REGION = "eu";

    @RegisterExtension
    static final ConnectExtension connect = ConnectExtension.create();
    @RegisterExtension
    static final RedisServerExtension source = RedisServerExtension.create();
    @RegisterExtension
    static final RedisServerExtension target = RedisServerExtension.create(b -> b.password(PASSWORD).persistence(true));

    private static final AtomicInteger RUN = new AtomicInteger();

    private static RedissonClient sourceRedis;
    private static RedissonClient targetRedis;
    private static KafkaProducer<String, byte[]> producer;

    /** A document type for the managers of both regions. */
    record Item(String name, int qty, List<String> tags) {
        Item {
            tags = List.copyOf(tags);
        }

        Item plus(int n, String tag) {
            List<String> more = new ArrayList<>(tags);
            more.add(tag);
            return new Item(name, qty + n, more);
        }
    }

    enum ValueFormat {
        /** {@link ChangeEventConverter}: the contract's JSON, parsed by the converter. */
        DDM_CONVERTER,
        /** Kafka's JsonConverter without schemas: the same JSON reaches the task as a Map. */
        JSON_CONVERTER
    }

    @BeforeAll
    static void clients() {
        sourceRedis = RedisClients.create(source.server().uri());
        targetRedis = RedisClients.create(targetUriWithPassword());
        producer = SinkTestSupport.producer(connect.server().kafka().bootstrapServers());
    }

    @AfterAll
    static void closeClients() {
        producer.close(Duration.ofSeconds(5));
        sourceRedis.shutdown();
        targetRedis.shutdown();
    }

    private static String targetUriWithPassword() {
        return target.server().uri().replace("redis://", "redis://:" + PASSWORD + "@");
    }

    private static String unique(String prefix) {
        return prefix + "-" + RUN.incrementAndGet();
    }

    private static String bootstrap() {
        return connect.server().kafka().bootstrapServers();
    }

    private static Map<String, String> sinkConfig(String topic, ValueFormat format) {
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", DdmSinkConnector.class.getName());
        props.put("tasks.max", "1");
        props.put("topics", topic);
        props.put("key.converter", StringConverter.class.getName());
        if (format == ValueFormat.DDM_CONVERTER) {
            props.put("value.converter", ChangeEventConverter.class.getName());
        } else {
            props.put("value.converter", JsonConverter.class.getName());
            props.put("value.converter.schemas.enable", "false");
        }
        props.put(DdmConnectorConfig.REDIS_URI_CONFIG, target.server().uri());
        props.put(DdmConnectorConfig.REDIS_PASSWORD_CONFIG, PASSWORD);
        props.put(DdmConnectorConfig.REGION_CONFIG, TARGET_REGION);
        props.put(DdmConnectorConfig.REDIS_RETRY_BACKOFF_MS_CONFIG, "200");
        return props;
    }

    private static void withDeadLetterQueue(Map<String, String> props, String dlq) {
        props.put("errors.tolerance", "all");
        props.put("errors.deadletterqueue.topic.name", dlq);
        props.put("errors.deadletterqueue.topic.replication.factor", "1");
        props.put("errors.deadletterqueue.context.headers.enable", "true");
    }

    private static void startSink(String name, Map<String, String> props) {
        connect.server().cluster().configureConnector(name, props);
        awaitTaskState(name, "RUNNING");
    }

    private static ConnectorStateInfo.TaskState awaitTaskState(String name, String state) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                ConnectorStateInfo status = connect.server().cluster().connectorStatus(name);
                return status.tasks().isEmpty() ? null : status.tasks().get(0);
            } catch (RuntimeException e) {
                return null;
            }
        }, task -> task != null && state.equals(task.state()));
    }

    /** Writes a history in region eu with two managers, and returns its section log (real events, in commit order). */
    private static List<ChangeEvent> sourceHistory(SectionId section, int keys) {
        try (DocumentManager<Item> n1 = DocumentManager.builder(Item.class).redisson(sourceRedis)
                     .section(section.partition(), section.section()).origin(SOURCE_REGION, "n1").build();
             DocumentManager<Item> n2 = DocumentManager.builder(Item.class).redisson(sourceRedis)
                     .section(section.partition(), section.section()).origin(SOURCE_REGION, "n2").build()) {
            for (int k = 0; k < keys; k++) {
                n1.set("k" + k, new Item("item " + k, k, List.of("new"))).join();
            }
            for (int round = 1; round <= 4; round++) {
                int r = round;
                for (int k = 0; k < keys; k++) {
                    (k % 2 == 0 ? n1 : n2).update("k" + k, item -> item.plus(r, "r" + r)).join();
                }
            }
            for (int k = 0; k < keys; k += 5) {
                n2.delete("k" + k).join();
            }
            for (int k = 0; k < keys; k += 10) {
                n1.set("k" + k, new Item("again " + k, 100, List.of("back"))).join();
                n1.update("k" + k, item -> item.plus(1, "after")).join();
            }
        }
        return SinkTestSupport.log(SinkTestSupport.section(sourceRedis, section));
    }

    // ---- 1. a stream of real events ----

    @ParameterizedTest
    @EnumSource(ValueFormat.class)
    void stream_ofManyKeys_targetEndsEqualToSource_andItsManagersSeeEveryChange(ValueFormat format) {
        SectionId section = new SectionId("orders", unique("book"));
        int keys = 40;
        List<ChangeEvent> history = sourceHistory(section, keys);
        assertThat(history).hasSizeGreaterThan(keys * 5);
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 3);

        try (DocumentManager<Item> reader = DocumentManager.builder(Item.class).redisUri(targetUriWithPassword())
                .section(section.partition(), section.section()).origin(TARGET_REGION, "reader").build()) {
            Map<String, List<Long>> seen = new ConcurrentHashMap<>();
            reader.addListener(e -> seen.computeIfAbsent(e.key().id(), k -> new CopyOnWriteArrayList<>()).add(e.version()));
            String name = unique("stream");
            startSink(name, sinkConfig(topic, format));

            // The creates first, so that the reader can cache every document before the rest arrives.
            produce(producer, topic, history.subList(0, keys));
            SectionStore targetSection = SinkTestSupport.section(targetRedis, section);
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Applied") == keys);
            for (int k = 0; k < keys; k++) {
                assertThat(reader.get("k" + k).join()).isPresent();
            }
            produce(producer, topic, history.subList(keys, history.size()));

            SectionStore sourceSection = SinkTestSupport.section(sourceRedis, section);
            Map<String, Stored> expected = storedAll(sourceSection);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(storedAll(targetSection)).isEqualTo(expected));

            // Every version reached the target's listeners, each key in order, once.
            Map<String, List<Long>> expectedVersions = loggedVersions(sourceSection);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(seen).isEqualTo(expectedVersions));
            assertThat(loggedVersions(targetSection)).isEqualTo(expectedVersions);
            // ... and its cache equals Redis.
            for (Map.Entry<String, Stored> doc : expected.entrySet()) {
                Optional<Versioned<Item>> cached = reader.getCached(doc.getKey());
                if (doc.getValue().state() == null) {
                    assertThat(cached).as("deleted %s", doc.getKey()).isEmpty();
                } else {
                    assertThat(cached).as("cached %s", doc.getKey()).isPresent();
                    assertThat(cached.get().version()).isEqualTo(doc.getValue().version());
                    assertThat(SinkTestSupport.JSON.valueToTree(cached.get().value()).equals(doc.getValue().state()))
                            .as("cached value of %s", doc.getKey()).isTrue();
                }
            }
            assertThat(counter(name, "Applied")).isEqualTo(history.size());
            assertThat(counter(name, "Errant")).isZero();
            assertThat(counter(name, "Duplicates")).isZero();
        }
    }

    // ---- 2. duplicates ----

    @Test
    void duplicates_producedTwice_changeNothing_andAreCounted() {
        SectionId section = new SectionId("orders", unique("dup"));
        List<ChangeEvent> history = sourceHistory(section, 10);
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 2);
        String name = unique("dup");
        startSink(name, sinkConfig(topic, ValueFormat.DDM_CONVERTER));
        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);

        produce(producer, topic, history);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Applied") == history.size());
        Map<String, Stored> before = storedAll(targetSection);
        int logged = SinkTestSupport.log(targetSection).size();

        produce(producer, topic, history);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Duplicates") == history.size());

        assertThat(counter(name, "Applied")).isEqualTo(history.size());
        assertThat(storedAll(targetSection)).isEqualTo(before).isEqualTo(storedAll(SinkTestSupport.section(sourceRedis, section)));
        assertThat(SinkTestSupport.log(targetSection)).as("nothing new in the target's log").hasSize(logged);
    }

    /**
     * One partition, so that the sink takes these records in few batches, each in pipelined rounds:
     * several events of one key, a gap in another (its later change waits), duplicates of a third, and
     * other keys around them. Each change is taken in once, per key in order; the duplicates and the
     * waiting change are counted; the gap's change lets the waiting one apply.
     */
    @Test
    void aBatchOfSeveralEventsPerKey_withAGapAndDuplicates_appliesEachOnceInOrder_andCountsWhatItDid() {
        SectionId section = new SectionId("orders", unique("batch"));
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 1);
        String name = unique("batch");
        startSink(name, sinkConfig(topic, ValueFormat.DDM_CONVERTER));
        String region = SOURCE_REGION;
        List<ChangeEvent> batch = new java.util.ArrayList<>();
        batch.add(SinkTestSupport.create(section, "a", 1, 0, "{\"n\":1}", region));
        batch.add(SinkTestSupport.create(section, "b", 1, 0, "{\"n\":1}", region));
        batch.add(SinkTestSupport.create(section, "c", 1, 0, "{\"n\":1}", region));
        for (long v = 2; v <= 4; v++) {
            batch.add(SinkTestSupport.update(section, "a", v, v - 1, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":" + v + "}]",
                    region));
            if (v == 2) {
                batch.add(SinkTestSupport.update(section, "c", 2, 1, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]", region));
                batch.add(SinkTestSupport.update(section, "b", 3, 2, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":3}]", region));
                batch.add(batch.get(2)); // c v1 again
            }
        }
        batch.add(batch.get(4)); // c v2 again
        for (int k = 0; k < 10; k++) {
            batch.add(SinkTestSupport.create(section, "k" + k, 1, 0, "{\"n\":" + k + "}", region));
        }
        produce(producer, topic, batch);

        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Applied") == 17 && counter(name, "Duplicates") == 2
                && counter(name, "Waiting") == 1);
        SectionStore target = SinkTestSupport.section(targetRedis, section);
        assertThat(stored(target, "a").version()).isEqualTo(4);
        assertThat(stored(target, "a").state().get("n").asInt()).isEqualTo(4);
        assertThat(stored(target, "b").version()).as("b stays before its gap").isEqualTo(1);
        assertThat(stored(target, "c").version()).isEqualTo(2);
        assertThat(counter(name, "Waited")).isEqualTo(1);
        Map<String, List<Long>> logged = SinkTestSupport.loggedVersions(target);
        assertThat(logged.get("a")).containsExactly(1L, 2L, 3L, 4L);
        assertThat(logged.get("b")).containsExactly(1L);
        assertThat(logged.get("c")).containsExactly(1L, 2L);

        produce(producer, topic, List.of(SinkTestSupport.update(section, "b", 2, 1,
                "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]", region)));
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Waiting") == 0 && counter(name, "Applied") == 19);
        assertThat(stored(target, "b").version()).isEqualTo(3);
        assertThat(SinkTestSupport.loggedVersions(target).get("b")).containsExactly(1L, 2L, 3L);
        assertThat(counter(name, "Duplicates")).isEqualTo(2);
    }

    /** The ACL docs/connector.md gives a sink's Redis user: exactly what a DDM service needs (docs/operations.md). */
    private static final String[] SINK_RULES = {
        "resetkeys", "~ddm:*", "resetchannels", "&ddm:*", "-@all",
        "+ping", "+auth",
        "+evalsha", "+evalsha_ro", "+script|load",
        "+get", "+set", "+hget", "+hgetall", "+hmget", "+hkeys", "+hset", "+hdel",
        "+xadd", "+xrange", "+xrevrange", "+scan",
        "+publish", "+subscribe", "+unsubscribe", "+spublish", "+ssubscribe", "+sunsubscribe",
    };

    @Test
    void aSinkUserWithTheDocumentedAcl_appliesEveryEvent() {
        try (RedisServer secured = RedisServer.builder().aclUser("bridge", "bridge-Pa55", SINK_RULES).start()) {
            SectionId section = new SectionId("orders", unique("acl"));
            List<ChangeEvent> history = sourceHistory(section, 5);
            String topic = unique("changes");
            connect.server().kafka().createTopic(topic, 1);
            String name = unique("acl");
            Map<String, String> props = sinkConfig(topic, ValueFormat.DDM_CONVERTER);
            props.put(DdmConnectorConfig.REDIS_URI_CONFIG, secured.uri());
            props.put(DdmConnectorConfig.REDIS_USER_CONFIG, "bridge");
            props.put(DdmConnectorConfig.REDIS_PASSWORD_CONFIG, "bridge-Pa55");
            startSink(name, props);

            produce(producer, topic, history);
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Applied") == history.size());
            RedissonClient admin = RedisClients.create(secured.uri());
            try {
                assertThat(storedAll(SinkTestSupport.section(admin, section)))
                        .isEqualTo(storedAll(SinkTestSupport.section(sourceRedis, section)));
            } finally {
                admin.shutdown();
                connect.server().cluster().deleteConnector(name);
            }
        }
    }

    // ---- 3. dead-letter queue ----

    @ParameterizedTest
    @EnumSource(ValueFormat.class)
    void deadLetterQueue_getsPoisonMalformedAndUnappliableRecordsWithTheirReason_andGoodRecordsAroundThemApply(ValueFormat format) {
        SectionId section = new SectionId("orders", unique("dlq"));
        String topic = unique("changes");
        String dlq = unique("dlq");
        connect.server().kafka().createTopic(topic, 1);
        String name = unique("dlq");
        Map<String, String> props = sinkConfig(topic, format);
        withDeadLetterQueue(props, dlq);
        startSink(name, props);

        ChangeEvent k2 = create(section, "k2", 1, 0, "{'n':1}", SOURCE_REGION);
        produce(producer, topic, List.of(create(section, "k1", 1, 0, "{'n':1}", SOURCE_REGION)));         // offset 0
        produceRaw(producer, topic, "orders/x/poison", "this is not JSON {");                                  // 1
        produce(producer, topic, List.of(update(section, "k1", 2, 1, "[{'op':'replace','path':'/n','value':2}]",
                SOURCE_REGION)));                                                                              // 2
        produceRaw(producer, topic, "orders/x/k1", tampered(k2, "prevVersion", 1));                            // 3: prevVersion >= version
        produce(producer, topic, List.of(k2));                                                                 // 4
        produceRaw(producer, topic, "orders/x/k2", tampered(k2, "op", "x"));                                   // 5: unknown op
        produce(producer, topic, List.of(update(section, "k2", 2, 1, "[{'op':'remove','path':'/missing'}]",
                SOURCE_REGION)));                                                                              // 6: does not apply
        produce(producer, topic, List.of(create(section, "k3", 1, 0, "{'n':3}", SOURCE_REGION)));            // 7

        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);
        await().atMost(Duration.ofSeconds(30)).until(() -> readAll(bootstrap(), dlq).size() == 4);
        Map<Long, String> reasons = dlqReasons(readAll(bootstrap(), dlq));
        assertThat(reasons).containsOnlyKeys(1L, 3L, 5L, 6L);
        assertThat(reasons.get(1L)).contains(format == ValueFormat.DDM_CONVERTER ? "not a valid DDM change event"
                : "Converting byte[] to Kafka Connect data failed");
        assertThat(reasons.get(3L)).contains("not a valid DDM change event", "prevVersion");
        assertThat(reasons.get(5L)).contains("not a valid DDM change event", "op");
        assertThat(reasons.get(6L)).startsWith("unappliable: ").contains("does not apply to the state it was made on", "k2");

        await().atMost(Duration.ofSeconds(30)).until(() -> stored(targetSection, "k3") != null);
        assertThat(stored(targetSection, "k1")).isEqualTo(new Stored(2, json("{'n':2}")));
        assertThat(stored(targetSection, "k2")).isEqualTo(new Stored(1, json("{'n':1}")));
        assertThat(stored(targetSection, "k3")).isEqualTo(new Stored(1, json("{'n':3}")));
        assertThat(counter(name, "Applied")).isEqualTo(4);
        assertThat(counter(name, "Unappliable")).isEqualTo(1);
        // With the JsonConverter the malformed events reach the task, which reports them; the DDM converter rejects them first.
        assertThat(counter(name, "Malformed")).isEqualTo(format == ValueFormat.JSON_CONVERTER ? 2 : 0);
        assertThat(awaitTaskState(name, "RUNNING")).isNotNull();
    }

    // ---- 4. a change that never arrives ----

    @Test
    void missingChange_laterOnesWait_nothingAppliesOnTheWrongBase_theSinkAsksForARepair_andTheSnapshotRepairs() {
        SectionId section = new SectionId("orders", unique("gap"));
        String topic = unique("changes");
        String dlq = unique("dlq");
        connect.server().kafka().createTopic(topic, 1);
        String name = unique("gap");
        Map<String, String> props = sinkConfig(topic, ValueFormat.DDM_CONVERTER);
        props.put(DdmSinkConfig.REPAIR_AFTER_MS_CONFIG, "300");
        withDeadLetterQueue(props, dlq);
        startSink(name, props);
        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);

        produce(producer, topic, List.of(
                create(section, "g", 1, 0, "{'n':1,'tags':['a']}", SOURCE_REGION),
                update(section, "g", 2, 1, "[{'op':'replace','path':'/n','value':2}]", SOURCE_REGION),
                // version 3 never arrives
                update(section, "g", 4, 3, "[{'op':'replace','path':'/n','value':4}]", SOURCE_REGION),
                update(section, "g", 5, 4, "[{'op':'replace','path':'/tags','value':['a','b']}]", SOURCE_REGION)));

        // Versions 4 and 5 wait (they are not reported: the repair brings what they lack) and the sink asks for a repair.
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "RepairsRequested") >= 1);
        assertThat(counter(name, "Waited")).isEqualTo(2);
        assertThat(counter(name, "Waiting")).isEqualTo(2);
        assertThat(stored(targetSection, "g")).as("nothing applied on the wrong base").isEqualTo(new Stored(2, json("{'n':2,'tags':['a']}")));
        // The counter moves when the sink asks; the request's write to Redis completes a moment later.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(SectionStore.readRepairRequests(targetRedis, "ddm", "0-0", 100).join().requests()).anySatisfy(r -> {
                    assertThat(r.section()).isEqualTo(section);
                    assertThat(r.id()).isEqualTo("g");
                    assertThat(r.region()).isEqualTo(TARGET_REGION);
                    assertThat(r.have()).isEqualTo(SinkTestSupport.clock(SOURCE_REGION, 2));
                }));

        // The source region answers with its copy; then the writer goes on.
        produce(producer, topic, List.of(
                snapshot(section, "g", 5, "{'n':4,'tags':['a','b']}", SOURCE_REGION),
                update(section, "g", 6, 5, "[{'op':'replace','path':'/tags','value':['a','b','c']}]", SOURCE_REGION)));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(stored(targetSection, "g")).isEqualTo(new Stored(6, json("{'n':4,'tags':['a','b','c']}"))));
        assertThat(loggedVersions(targetSection)).containsExactly(Map.entry("g", List.of(1L, 2L, 5L, 6L)));
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Waiting") == 0);
        assertThat(counter(name, "Duplicates")).as("4 and 5, taken in with the snapshot").isEqualTo(2);
        assertThat(counter(name, "Applied")).isEqualTo(4);
        assertThat(readAll(bootstrap(), dlq)).isEmpty();
    }

    // ---- 5. loop prevention ----

    @Test
    void loop_eventsWrittenInTheSinksOwnRegion_areSkipped_unlessApplyAll() {
        SectionId section = new SectionId("orders", unique("loop"));
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 1);
        List<ChangeEvent> events = List.of(
                create(section, "own-1", 1, 0, "{'n':1}", TARGET_REGION),
                update(section, "own-1", 2, 1, "[{'op':'replace','path':'/n','value':2}]", TARGET_REGION),
                create(section, "foreign", 1, 0, "{'n':1}", SOURCE_REGION),
                create(section, "own-2", 1, 0, "{'n':1}", TARGET_REGION),
                create(section, "sentinel", 1, 0, "{'n':1}", SOURCE_REGION));
        produce(producer, topic, events);
        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);

        String name = unique("loop");
        startSink(name, sinkConfig(topic, ValueFormat.DDM_CONVERTER));
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(targetSection, "sentinel") != null);
        assertThat(storedAll(targetSection)).containsOnlyKeys("foreign", "sentinel");
        assertThat(counter(name, "Skipped")).isEqualTo(3);
        assertThat(counter(name, "Applied")).isEqualTo(2);
        connect.server().cluster().deleteConnector(name);

        // Rebuilding a region from Kafka needs its own events too.
        String rebuild = unique("rebuild");
        Map<String, String> props = sinkConfig(topic, ValueFormat.DDM_CONVERTER);
        props.put(DdmSinkConfig.ORIGIN_FILTER_CONFIG, "apply-all");
        startSink(rebuild, props);
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(rebuild, "Applied") + counter(rebuild, "Duplicates") == 5);
        assertThat(stored(targetSection, "own-1")).isEqualTo(new Stored(2, json("{'n':2}")));
        assertThat(stored(targetSection, "own-2")).isEqualTo(new Stored(1, json("{'n':1}")));
        assertThat(counter(rebuild, "Skipped")).isZero();
    }

    // ---- 6. Redis unavailable ----

    @Test
    void redisDown_whileRecordsFlow_theTaskRetries_andAppliesEveryEventExactlyOnceWhenRedisIsBack() {
        SectionId section = new SectionId("orders", unique("down"));
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 2);
        String name = unique("down");
        Map<String, String> props = sinkConfig(topic, ValueFormat.DDM_CONVERTER);
        props.put(DdmSinkConfig.APPLY_TIMEOUT_MS_CONFIG, "1500");
        props.put(DdmConnectorConfig.REDIS_RETRY_MAX_CONFIG, "1000");
        startSink(name, props);
        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);
        int keys = 20;

        produce(producer, topic, rounds(section, keys, 1, 5));
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Applied") == keys * 5L);

        target.server().stop();
        produce(producer, topic, rounds(section, keys, 6, 10));
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Retries") >= 2);
        target.server().resume();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int k = 0; k < keys; k++) {
                assertThat(stored(targetSection, "k" + k)).isEqualTo(new Stored(10, json("{'n':10}")));
            }
        });
        List<Long> oneToTen = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        Map<String, List<Long>> logged = loggedVersions(targetSection);
        assertThat(logged).hasSize(keys).allSatisfy((id, versions) -> assertThat(versions).as(id).isEqualTo(oneToTen));
        assertThat(awaitTaskState(name, "RUNNING")).isNotNull();
        assertThat(counter(name, "Errant")).isZero();
    }

    /** Per key: a create at round 1, then one update per round; round r leaves n = r. */
    private static List<ChangeEvent> rounds(SectionId section, int keys, int from, int to) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int r = from; r <= to; r++) {
            for (int k = 0; k < keys; k++) {
                events.add(r == 1 ? create(section, "k" + k, 1, 0, "{'n':1}", SOURCE_REGION)
                        : update(section, "k" + k, r, r - 1, "[{'op':'replace','path':'/n','value':" + r + "}]", SOURCE_REGION));
            }
        }
        return events;
    }

    @Test
    void redisDown_longerThanTheRetries_failsTheTaskWithAClearMessage_withoutThePassword() {
        SectionId section = new SectionId("orders", unique("fail"));
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 1);
        String name = unique("fail");
        Map<String, String> props = sinkConfig(topic, ValueFormat.DDM_CONVERTER);
        props.put(DdmSinkConfig.APPLY_TIMEOUT_MS_CONFIG, "1000");
        props.put(DdmConnectorConfig.REDIS_RETRY_BACKOFF_MS_CONFIG, "100");
        props.put(DdmConnectorConfig.REDIS_RETRY_MAX_CONFIG, "2");
        startSink(name, props);
        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);
        produce(producer, topic, List.of(create(section, "k", 1, 0, "{'n':1}", SOURCE_REGION)));
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(targetSection, "k") != null);

        target.server().stop();
        produce(producer, topic, List.of(update(section, "k", 2, 1, "[{'op':'replace','path':'/n','value':2}]", SOURCE_REGION)));

        ConnectorStateInfo.TaskState failed = awaitTaskState(name, "FAILED");
        assertThat(failed.trace()).contains("gives up", "Redis at " + target.server().uri(), "was unavailable for 3 consecutive attempts",
                "redis.retry.max.attempts=2").doesNotContain(PASSWORD);
    }

    @Test
    void redisDown_whenTheTaskStarts_theTaskRetriesConnecting_andAppliesOnceRedisIsUp() {
        SectionId section = new SectionId("orders", unique("late"));
        String topic = unique("changes");
        connect.server().kafka().createTopic(topic, 1);
        target.server().stop();
        String name = unique("late");
        Map<String, String> props = sinkConfig(topic, ValueFormat.DDM_CONVERTER);
        props.put(DdmConnectorConfig.REDIS_RETRY_MAX_CONFIG, "1000");
        startSink(name, props);
        produce(producer, topic, rounds(section, 3, 1, 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Retries") >= 1);

        target.server().resume();

        await().atMost(Duration.ofSeconds(30)).until(() -> counter(name, "Applied") == 6);
        SectionStore targetSection = SinkTestSupport.section(targetRedis, section);
        assertThat(loggedVersions(targetSection)).containsOnlyKeys("k0", "k1", "k2")
                .allSatisfy((id, versions) -> assertThat(versions).containsExactly(1L, 2L));
    }

    // ---- 7. validation through the REST API ----

    @Test
    void validate_namesTheBadKeys_andDeclaresSecretsAsPasswords() {
        Map<String, String> props = sinkConfig("some-topic", ValueFormat.DDM_CONVERTER);
        props.put("name", "validate-me");
        props.remove(DdmConnectorConfig.REGION_CONFIG);
        props.put(DdmSinkConfig.APPLY_PARALLELISM_CONFIG, "0");
        props.put(DdmSinkConfig.ORIGIN_FILTER_CONFIG, "apply-all");
        props.put(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG, "eu");

        ConfigInfos result = connect.server().cluster().validateConnectorConfig(DdmSinkConnector.class.getName(), props);

        Map<String, List<String>> errors = new HashMap<>();
        Map<String, ConfigInfo> byName = new HashMap<>();
        for (ConfigInfo info : result.configs()) {
            byName.put(info.configValue().name(), info);
            if (!info.configValue().errors().isEmpty()) {
                errors.put(info.configValue().name(), info.configValue().errors());
            }
        }
        assertThat(errors).containsOnlyKeys(DdmConnectorConfig.REGION_CONFIG, DdmSinkConfig.APPLY_PARALLELISM_CONFIG,
                DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG);
        assertThat(result.errorCount()).isEqualTo(errors.values().stream().mapToInt(List::size).sum());
        assertThat(errors.get(DdmSinkConfig.SKIP_ORIGIN_REGIONS_CONFIG).get(0)).contains("apply-all");
        assertThat(byName.get(DdmConnectorConfig.REDIS_PASSWORD_CONFIG).configKey().type()).isEqualTo("PASSWORD");
        assertThat(byName.get(DdmConnectorConfig.REDIS_TRUSTSTORE_PASSWORD_CONFIG).configKey().type()).isEqualTo("PASSWORD");
        assertThat(byName.get(DdmConnectorConfig.REDIS_PASSWORD_CONFIG).configValue().value()).doesNotContain(PASSWORD);
        assertThat(byName.get(DdmSinkConfig.APPLY_TIMEOUT_MS_CONFIG).configKey().group()).isEqualTo(DdmSinkConfig.SINK_GROUP);
    }
}
