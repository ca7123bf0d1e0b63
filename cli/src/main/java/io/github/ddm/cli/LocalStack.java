package io.github.ddm.cli;

import io.github.ddm.SectionId;
import io.github.ddm.connect.ChangeEventConverter;
import io.github.ddm.connect.sink.DdmSinkConnector;
import io.github.ddm.connect.source.DdmSourceConnector;
import io.github.ddm.schema.Names;
import io.github.ddm.schema.TopicTemplate;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Real servers on this machine, for the demo and {@code ddm stack}: one {@code redis-server} per
 * region, an in-JVM KRaft Kafka broker and a Kafka Connect worker running the DDM plugin (exactly-once
 * source support on), in the default topology of docs/regions.md. Every region gets a source
 * connector that exports its own changes to the topics {@code ddm.<region>.<partition>.<section>} and
 * its control topic {@code ddm.<region>.control}, and a sink connector that applies every other
 * region's topics to its Redis ({@code topics.regex}; read committed; dead letters in
 * {@code dlq.<region>}, which the pattern does not match). The sections given are exported by name and
 * their topics created before the connectors start; without any, the sources discover every section
 * every second.
 *
 * <p>{@link #close} stops Connect before the broker, then Redis, and is idempotent. Not thread-safe.
 * Public for the benchmarks module's regions harness, which measures on the same stack.
 */
public final class LocalStack implements AutoCloseable {

    /** The topics of the stack: the connector's defaults, parsed by the one parser of topic templates. */
    private static final TopicTemplate CHANGE_TOPICS = TopicTemplate.parse(TopicTemplate.DEFAULT);
    private static final TopicTemplate CONTROL_TOPICS = TopicTemplate.parse(TopicTemplate.CONTROL_DEFAULT);

    private static final String CONVERTER = ChangeEventConverter.class.getName();
    private static final int CHANGE_TOPIC_PARTITIONS = 3;
    /** How long a sink lets an event wait for a change it depends on before asking the other regions (docs/regions.md, "Repair"). */
    private static final String REPAIR_AFTER_MS = "500";

    private final Map<String, RedisServer> regions;
    private final List<SectionId> sections;
    private final ConnectCluster connect;
    private boolean closed;

    private LocalStack(Map<String, RedisServer> regions, List<SectionId> sections, ConnectCluster connect) {
        this.regions = regions;
        this.sections = sections;
        this.connect = connect;
    }

    /**
     * Starts the servers and the connectors, and waits until every connector runs.
     *
     * @param regionNames distinct short names, at least two
     * @param sections the sections to export, whose topics are created first; empty to discover every section
     * @param progress told what is being started
     * @throws IllegalArgumentException if a region name is not a short name, or repeats
     * @throws IllegalStateException if a server does not start; whatever started is stopped
     */
    public static LocalStack start(List<String> regionNames, List<SectionId> sections, Consumer<String> progress) {
        if (regionNames.size() < 2 || regionNames.stream().distinct().count() != regionNames.size()) {
            throw new IllegalArgumentException("the local stack needs at least two distinct regions, got " + regionNames);
        }
        regionNames.forEach(region -> Names.requireShortName("region", region));
        Map<String, RedisServer> regions = new LinkedHashMap<>();
        ConnectCluster connect = null;
        try {
            for (String region : regionNames) {
                RedisServer redis = RedisServer.start();
                regions.put(region, redis);
                progress.accept("redis-server " + redis.version() + " for region " + region + " at " + redis.uri());
            }
            progress.accept("Kafka (KRaft, in this JVM) and a Kafka Connect worker with the DDM plugin");
            connect = quietly(() -> ConnectCluster.builder().name("ddm-local")
                    .workerProperty("exactly.once.source.support", "enabled")
                    // Sinks subscribe by pattern: find a new region's or section's topic within a second.
                    .workerProperty("consumer.metadata.max.age.ms", "1000")
                    // As in config/connect-distributed.properties: every sink reads committed records only,
                    // set by the worker so that a connector cannot turn it off (override policy None).
                    .workerProperty("consumer.isolation.level", "read_committed")
                    .workerProperty("connector.client.config.override.policy", "None")
                    .start());
            LocalStack stack = new LocalStack(Collections.unmodifiableMap(regions), List.copyOf(sections), connect);
            // A sink subscribes by pattern and sees only topics that existed at its last metadata refresh: create them first.
            for (String region : regionNames) {
                connect.kafka().createTopic(controlTopic(region), 1);
                connect.kafka().createTopic(deadLetterTopic(region), 1);
                for (SectionId section : sections) {
                    connect.kafka().createTopic(topic(region, section.partition(), section.section()), CHANGE_TOPIC_PARTITIONS);
                }
            }
            for (String region : regionNames) {
                connect.cluster().configureConnector(sourceName(region), stack.sourceConfig(region));
                connect.cluster().configureConnector(sinkName(region), stack.sinkConfig(region));
            }
            for (String region : regionNames) {
                // With sections to discover, a source runs no task until one exists.
                connect.cluster().assertions().assertConnectorAndAtLeastNumTasksAreRunning(sourceName(region),
                        sections.isEmpty() ? 0 : 1, sourceName(region) + " did not start");
                connect.cluster().assertions().assertConnectorAndAtLeastNumTasksAreRunning(sinkName(region), 1,
                        sinkName(region) + " did not start");
            }
            progress.accept("connectors running: " + String.join(", ", stack.connectorNames()));
            return stack;
        } catch (InterruptedException e) {
            stop(connect, regions); // before setting the flag again: stopping waits, and would give up at once
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the local stack", e);
        } catch (RuntimeException | AssertionError e) {
            stop(connect, regions);
            throw new IllegalStateException("cannot start the local stack: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code start} with {@code System.out} silenced: Kafka's storage formatter prints its
     * metadata there while the broker starts. The command's own output was taken before, so it
     * still reaches the terminal.
     */
    private static <T> T quietly(Supplier<T> start) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        try {
            return start.get();
        } finally {
            System.setOut(original);
        }
    }

    /**
     * Waits until a region's source runs a task, i.e. it discovered a section (within about a
     * second of the section's first change) and its exactly-once producer is ready.
     *
     * @throws IllegalStateException if that takes longer than Connect's usual wait (about a minute)
     */
    public void awaitSourceTask(String region) {
        try {
            connect.cluster().assertions().assertConnectorAndAtLeastNumTasksAreRunning(sourceName(region), 1,
                    sourceName(region) + " did not start a task");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + sourceName(region), e);
        } catch (AssertionError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static String sourceName(String region) {
        return "ddm-source-" + region;
    }

    static String sinkName(String region) {
        return "ddm-sink-" + region;
    }

    /** The topic a region's source writes a section's changes to. */
    static String topic(String region, String partition, String section) {
        return CHANGE_TOPICS.topic(TopicTemplate.DEFAULT_NAMESPACE, region, partition, section);
    }

    /** Whether {@code topic} is one of a region's change topics. */
    static boolean isChangeTopic(String region, String topic) {
        return CHANGE_TOPICS.matches(topic, TopicTemplate.DEFAULT_NAMESPACE, region, null, null)
                && !topic.equals(controlTopic(region));
    }

    /** A region's control topic: heartbeats and its repair requests. */
    static String controlTopic(String region) {
        return CONTROL_TOPICS.topic(TopicTemplate.DEFAULT_NAMESPACE, region, "-", "-");
    }

    /** The dead-letter topic of a region's sink, outside the pattern of the other sinks. */
    static String deadLetterTopic(String region) {
        return "dlq." + region;
    }

    /**
     * Pauses (or resumes) every region's sink, so that no change crosses between regions (or they
     * cross again), and waits until every sink task is in that state. The sources keep exporting each
     * region's changes to its topics.
     *
     * @throws IllegalStateException if the tasks do not get there within {@code timeout}
     */
    public void bridge(boolean running, Duration timeout) throws InterruptedException {
        for (String region : regions.keySet()) {
            if (running) {
                connect.cluster().resumeConnector(sinkName(region));
            } else {
                connect.cluster().pauseConnector(sinkName(region));
            }
        }
        String state = running ? "RUNNING" : "PAUSED";
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String region : regions.keySet()) {
            while (!tasksAre(sinkName(region), state)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(sinkName(region) + " is not " + state + " after " + timeout);
                }
                Thread.sleep(50);
            }
        }
    }

    private boolean tasksAre(String connector, String state) {
        try {
            var status = connect.cluster().connectorStatus(connector);
            return !status.tasks().isEmpty() && status.tasks().stream().allMatch(t -> state.equals(t.state()));
        } catch (RuntimeException notYet) {
            return false; // the REST API may answer 404/409 during a rebalance
        }
    }

    /**
     * The stream id up to which a region's source has committed its export of a section (its
     * Connect offset, committed with the records' transaction), or {@code "0-0"} if none yet.
     */
    String exportedUpTo(String region, SectionId section) {
        for (var offset : connect.cluster().connectorOffsets(sourceName(region)).offsets()) {
            if (section.partition().equals(String.valueOf(offset.partition().get("partition")))
                    && section.section().equals(String.valueOf(offset.partition().get("section")))) {
                Object streamId = offset.offset().get("streamId");
                return streamId == null ? "0-0" : streamId.toString();
            }
        }
        return "0-0";
    }

    List<String> connectorNames() {
        List<String> names = new ArrayList<>();
        for (String region : regions.keySet()) {
            names.add(sourceName(region));
            names.add(sinkName(region));
        }
        return names;
    }

    /** Region name to its server, in the order given. */
    public Map<String, RedisServer> regions() {
        return regions;
    }

    /**
     * A region's server.
     *
     * @throws IllegalArgumentException if the stack has no such region
     */
    public RedisServer redis(String region) {
        RedisServer server = regions.get(region);
        if (server == null) {
            throw new IllegalArgumentException("no region " + region + " in this stack: " + regions.keySet());
        }
        return server;
    }

    String bootstrapServers() {
        return connect.kafka().bootstrapServers();
    }

    String connectRestUrl() {
        return connect.restUrl();
    }

    ConnectCluster connect() {
        return connect;
    }

    private Map<String, String> common(String region, String connectorClass) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", connectorClass);
        config.put("tasks.max", "1");
        config.put("redis.uri", redis(region).uri());
        config.put("ddm.region", region);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", CONVERTER);
        return config;
    }

    private Map<String, String> sourceConfig(String region) {
        Map<String, String> config = common(region, DdmSourceConnector.class.getName());
        if (sections.isEmpty()) {
            config.put("source.sections.pattern", "*.*");
            config.put("source.discovery.interval.ms", "1000");
        } else {
            config.put("source.sections", sections.stream().map(s -> s.partition() + "." + s.section()).collect(Collectors.joining(",")));
        }
        // The defaults, spelled out: ddm.${region}.${partition}.${section} and ddm.${region}.control.
        config.put("source.topic.template", CHANGE_TOPICS.toString());
        config.put("source.control.topic", CONTROL_TOPICS.toString());
        config.put("source.start", "earliest");
        config.put("exactly.once.support", "required");
        // A section whose newest entries are all another region's moves its offset within a second.
        config.put("source.heartbeat.interval.ms", "1000");
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "3");
        return config;
    }

    private Map<String, String> sinkConfig(String region) {
        Map<String, String> config = common(region, DdmSinkConnector.class.getName());
        String others = regions.keySet().stream().filter(r -> !r.equals(region)).map(Pattern::quote)
                .collect(Collectors.joining("|"));
        config.put("topics.regex", "ddm\\.(" + others + ")\\..+");
        config.put("sink.repair.after.ms", REPAIR_AFTER_MS);
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", deadLetterTopic(region));
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        return config;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stop(connect, regions);
        }
    }

    private static void stop(ConnectCluster connect, Map<String, RedisServer> regions) {
        RuntimeException failure = null;
        // Connect first: stopping the broker under a running worker leaves its clients retrying.
        if (connect != null) {
            try {
                connect.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        for (RedisServer server : regions.values()) {
            try {
                server.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
