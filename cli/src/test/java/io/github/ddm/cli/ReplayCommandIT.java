package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.testkit.RedisServer;
import io.github.ddm.testkit.junit.KafkaExtension;
import io.github.ddm.testkit.junit.RedisClusterExtension;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/** {@code ddm replay} rebuilds a real Redis from a real Kafka topic holding a section's change events. */
class ReplayCommandIT {

    /** A small document. */
    public record Counter(long count, String label) {
        Counter increment() {
            return new Counter(count + 1, label);
        }
    }

    private static final SectionId SECTION = new SectionId("shop", "carts");
    private static final String TOPIC = "ddm.eu.shop.carts";

    @RegisterExtension
    static final KafkaExtension kafka = KafkaExtension.create();

    @RegisterExtension
    static final RedisServerExtension source = RedisServerExtension.create();

    @RegisterExtension
    static final RedisServerExtension target = RedisServerExtension.create();

    @RegisterExtension
    static final RedisClusterExtension cluster = RedisClusterExtension.create();

    @RegisterExtension
    static final RedisServerExtension mutualTls = RedisServerExtension.create(b -> b.requireClientCertificates(true));

    private final List<Runnable> closing = new ArrayList<>();

    @AfterEach
    void close() {
        closing.forEach(Runnable::run);
    }

    /** Writes in the source region and publishes its log to the topic, as the source connector would. */
    @BeforeEach
    void writeAndPublish() {
        RedissonClient client = RedisClients.create(source.server().uri());
        closing.add(client::shutdown);
        try (DocumentManager<Counter> writer = DocumentManager.builder(Counter.class).redisson(client)
                .section(SECTION.partition(), SECTION.section()).origin("eu", "w1").build()) {
            for (int i = 0; i < 20; i++) {
                writer.set("c" + i, new Counter(i, "cart " + i)).join();
            }
            for (int i = 0; i < 60; i++) {
                writer.update("c" + (i % 7), Counter::increment).join();
            }
            writer.delete("c19").join();
        }
        kafka.server().createTopic(TOPIC, 3);
        for (ChangeEvent event : SectionStore.open(client, "ddm", SECTION).readLog("0-0", 1_000).join().events()) {
            kafka.server().produce(TOPIC, event.key().toString(), ChangeEventCodec.encodeToString(event));
        }
    }

    private String[] replay(String... scope) {
        List<String> args = new ArrayList<>(List.of("replay", "--bootstrap-servers", kafka.server().bootstrapServers(), "--redis",
                target.server().uri()));
        args.addAll(List.of(scope));
        return args.toArray(String[]::new);
    }

    @Test
    void replayAll_rebuildsTheSection_equalToTheSource_andAgainAppliesNothing() {
        Cli.Run first = Cli.run(replay("--all"));
        System.out.print(first.out()); // a sample for docs/cli.md, in the failsafe report
        assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("81 events of 20 documents").contains("complete");

        Cli.Run diff = Cli.run("diff", source.server().uri(), target.server().uri(), "shop.carts");
        assertThat(diff.exitCode()).as(diff.out()).isZero();
        assertThat(diff.out()).contains("20 documents, equal");

        Cli.Run again = Cli.run(replay("--section", "shop.carts"));
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains(": 0 applied");
    }

    /** Replay rebuilds into a Redis Cluster, and every section tool reads the cluster, from options or from a settings file. */
    @Test
    void replayAll_intoARedisCluster_andEveryToolWorksOnIt(@TempDir Path dir) throws Exception {
        String seeds = String.join(",", cluster.server().nodeUris());
        Cli.Run replay = Cli.run("replay", "--bootstrap-servers", kafka.server().bootstrapServers(), "--redis", seeds,
                "--redis-mode", "cluster", "--all");
        assertThat(replay.exitCode()).as(replay.out() + replay.err()).isZero();
        assertThat(replay.out()).contains("81 events of 20 documents").contains("complete");
        Path settings = dir.resolve("cluster.properties");
        Files.writeString(settings, "redis.mode=cluster\nredis.uri=" + cluster.server().nodeUris().get(0) + "\n");

        Cli.Run diff = Cli.run("diff", source.server().uri(), settings.toString(), "shop.carts");
        assertThat(diff.exitCode()).as(diff.out() + diff.err()).isZero();
        assertThat(diff.out()).contains("20 documents, equal");
        Cli.Run inspect = Cli.run("inspect", "--redis", seeds, "--redis-mode", "cluster", "shop.carts");
        assertThat(inspect.out()).as(inspect.err()).contains("documents  20");
        Cli.Run tail = Cli.run("tail", "--redis-config", settings.toString(), "--limit", "3", "shop.carts");
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(tail.out().lines().count()).isEqualTo(3);
        Cli.Run check = Cli.run("check", "--redis-config", settings.toString(), "shop.carts");
        assertThat(check.exitCode()).as(check.out() + check.err()).isZero();
    }

    /** Replay and inspect against a server that requires client certificates: PEM options, then a keystore in a settings file. */
    @Test
    void replayAndInspect_withMutualTls(@TempDir Path dir) throws Exception {
        RedisServer server = mutualTls.server();
        Cli.Run replay = Cli.run("replay", "--bootstrap-servers", kafka.server().bootstrapServers(), "--redis", server.tlsUri(),
                "--tls-trust", server.tlsCertificate().toString(), "--tls-cert", server.tlsClientCertificate().toString(),
                "--tls-key", server.tlsClientKey().toString(), "--section", "shop.carts");
        assertThat(replay.exitCode()).as(replay.out() + replay.err()).isZero();
        Path settings = dir.resolve("mtls.properties");
        Files.writeString(settings, String.join("\n", "ddm.redis.uri=" + server.tlsUri(),
                "ddm.redis.tls.truststore.path=" + server.tlsTruststore(), "ddm.redis.tls.truststore.password=${file:" + dir.resolve("pw") + "}",
                "ddm.redis.tls.keystore.path=" + server.tlsClientKeystore(), "ddm.redis.tls.keystore.password=${file:" + dir.resolve("pw") + "}"));
        Files.writeString(dir.resolve("pw"), server.tlsTruststorePassword());
        Cli.Run inspect = Cli.run("inspect", "--redis-config", settings.toString(), "shop.carts");
        assertThat(inspect.out()).as(inspect.err()).contains("documents  20");
        assertThat(inspect.out() + inspect.err()).doesNotContain(server.tlsTruststorePassword());
        Cli.Run withoutCertificate = Cli.run("inspect", "--redis", server.tlsUri(), "--tls-trust", server.tlsCertificate().toString(),
                "--timeout", "PT5S", "shop.carts");
        assertThat(withoutCertificate.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(withoutCertificate.err()).contains("if the server requires client certificates");
    }

    @Test
    void replayKey_rebuildsOnlyThatDocument() {
        Cli.Run run = Cli.run(replay("--key", "shop.carts", "c3"));
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        Cli.Run inspect = Cli.run("inspect", "--redis", target.server().uri(), "shop.carts");
        assertThat(inspect.out()).contains("documents  1");
        Cli.Run c3 = Cli.run("inspect", "--redis", target.server().uri(), "--json", "shop.carts", "c3");
        assertThat(ChangeEventCodec.decode(c3.out().trim()).state().get("count").asLong()).isEqualTo(3 + 60 / 7 + 1);
    }

    @Test
    void aTopicWithAMalformedRecord_isReplayedAroundIt_andTheRunSaysItIsNotComplete() {
        kafka.server().produce(TOPIC, "shop/carts/c1", "{\"this is\": \"not an event\"}");
        Cli.Run run = Cli.run(replay("--section", "shop.carts"));
        assertThat(run.exitCode()).isEqualTo(Ddm.DIFFERENT);
        assertThat(run.out()).contains("NOT COMPLETE: 1 invalid records").contains("invalid: " + TOPIC);
        Cli.Run diff = Cli.run("diff", source.server().uri(), target.server().uri(), "shop.carts");
        assertThat(diff.exitCode()).as("the good records around it were applied: " + diff.out()).isZero();
    }

    @Test
    void aTopicThatDoesNotExist_isAnError_namingIt() {
        Cli.Run run = Cli.run(replay("--section", "shop.nothing"));
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(run.err()).contains("no topic of section shop.nothing");
    }
}
