package io.github.ddm.cli;

import io.github.ddm.connect.ChangeEventConverter;
import io.github.ddm.connect.sink.DdmSinkConnector;
import io.github.ddm.connect.source.DdmSourceConnector;
import io.github.ddm.schema.Names;
import io.github.ddm.testkit.ConnectCluster;
import io.github.ddm.testkit.RedisServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * source support on). Every region gets a source connector that exports its own changes to the topics
 * {@code ddm.<region>.<partition>.<section>} (sections are discovered every second), and a sink
 * connector that applies every other region's topics to its Redis.
 *
 * <p>{@link #close} stops Connect before the broker, then Redis, and is idempotent. Not thread-safe.
 */
final class LocalStack implements AutoCloseable {

    private static final String CONVERTER = ChangeEventConverter.class.getName();

    private final Map<String, RedisServer> regions;
    private final ConnectCluster connect;
    private boolean closed;

    private LocalStack(Map<String, RedisServer> regions, ConnectCluster connect) {
        this.regions = regions;
        this.connect = connect;
    }

    /**
     * Starts the servers and the connectors, and waits until every connector runs.
     *
     * @param regionNames distinct short names, at least two
     * @param progress told what is being started
     * @throws IllegalArgumentException if a region name is not a short name, or repeats
     * @throws IllegalStateException if a server does not start; whatever started is stopped
     */
    static LocalStack start(List<String> regionNames, Consumer<String> progress) {
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
                    .start());
            LocalStack stack = new LocalStack(Collections.unmodifiableMap(regions), connect);
            for (String region : regionNames) {
                connect.cluster().configureConnector(sourceName(region), stack.sourceConfig(region));
                connect.cluster().configureConnector(sinkName(region), stack.sinkConfig(region));
            }
            for (String region : regionNames) {
                connect.cluster().assertions().assertConnectorAndAtLeastNumTasksAreRunning(sourceName(region), 0,
                        sourceName(region) + " did not start"); // no task until a section exists
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
    void awaitSourceTask(String region) {
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
        return "ddm." + region + "." + partition + "." + section;
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
    Map<String, RedisServer> regions() {
        return regions;
    }

    RedisServer redis(String region) {
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
        config.put("tasks.max", "2");
        config.put("redis.uri", redis(region).uri());
        config.put("ddm.region", region);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", CONVERTER);
        return config;
    }

    private Map<String, String> sourceConfig(String region) {
        Map<String, String> config = common(region, DdmSourceConnector.class.getName());
        config.put("source.sections.pattern", "*.*");
        config.put("source.discovery.interval.ms", "1000");
        config.put("source.topic.template", "ddm." + region + ".${partition}.${section}");
        config.put("source.start", "earliest");
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "3");
        return config;
    }

    private Map<String, String> sinkConfig(String region) {
        Map<String, String> config = common(region, DdmSinkConnector.class.getName());
        String others = regions.keySet().stream().filter(r -> !r.equals(region)).map(Pattern::quote)
                .collect(Collectors.joining("|"));
        config.put("topics.regex", "ddm\\.(" + others + ")\\..+");
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
