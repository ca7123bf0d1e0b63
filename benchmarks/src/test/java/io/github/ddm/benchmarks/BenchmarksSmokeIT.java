package io.github.ddm.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.benchmarks.micro.CacheHitBenchmark;
import io.github.ddm.benchmarks.micro.CpuPerCallHarness;
import io.github.ddm.benchmarks.micro.PatchBenchmark;
import io.github.ddm.benchmarks.redis.BytesHarness;
import io.github.ddm.benchmarks.redis.UpdateCpuHarness;
import io.github.ddm.benchmarks.redis.CommitScriptPeer;
import io.github.ddm.benchmarks.redis.HeapHarness;
import io.github.ddm.benchmarks.redis.PropagationHarness;
import io.github.ddm.benchmarks.redis.UpdateLatencyBenchmark;
import io.github.ddm.benchmarks.redis.UpdateThroughputBenchmark;
import io.github.ddm.benchmarks.regions.RegionsHarness;
import io.github.ddm.benchmarks.replay.KafkaHistoryHarness;
import io.github.ddm.benchmarks.scale.ScaleHarness;
import io.github.ddm.benchmarks.scale.SourceScaleHarness;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The smoke pass CI runs: every JMH benchmark once, in this JVM, with tiny settings, and every
 * harness with a tiny N. It proves each one runs and produces a figure; it never judges a figure
 * (speed is measured by hand on a quiet machine, see docs/benchmarks.md).
 */
class BenchmarksSmokeIT {

    @Test
    void singleThreadedBenchmarks_eachProduceAScore() throws RunnerException {
        assertEveryMethodScored(run(1, CacheHitBenchmark.class, PatchBenchmark.class, UpdateLatencyBenchmark.class),
                CacheHitBenchmark.class, PatchBenchmark.class, UpdateLatencyBenchmark.class);
    }

    @Test
    void multiWriterBenchmark_producesAScoreWithFewerThreads() throws RunnerException {
        assertEveryMethodScored(run(2, UpdateThroughputBenchmark.class), UpdateThroughputBenchmark.class);
    }

    @Test
    void commitScriptPeer_hasASubscriberOnItsSection_asDdmHas() {
        try (BenchRedis redis = BenchRedis.start()) {
            CommitScriptPeer peer = new CommitScriptPeer(redis.newClient(), "raw", "bench-a");
            CommitScriptPeer.Doc doc = peer.create("BTC-USD", OrderBook.sample("BTC-USD", 1));
            peer.update(doc);

            assertThat(doc.version()).isEqualTo(2);
            // The create's and the update's PUBLISH both reach the peer's own subscriber.
            await().atMost(Duration.ofSeconds(10)).until(() -> peer.received() == 2);
        }
    }

    @Test
    void cpuPerCallHarness_reportsEveryPatchBenchmarkMethod() throws Exception {
        CpuPerCallHarness.Result result = CpuPerCallHarness.run("--warmup", "5", "--calls", "5", "--rounds", "1");

        Set<String> methods = Arrays.stream(PatchBenchmark.class.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Benchmark.class))
                .map(java.lang.reflect.Method::getName)
                .collect(Collectors.toSet());
        assertThat(result.cpuMicros()).containsOnlyKeys(methods)
                .allSatisfy((name, us) -> assertThat(us[0]).as(name).isPositive());
    }

    @Test
    void propagationHarness_measuresBothWays() {
        PropagationHarness.Result result = PropagationHarness.run("--updates", "100", "--warmup", "20");

        assertThat(result.lost()).isZero();
        assertThat(result.propagation()).containsOnlyKeys("listener", "poll");
        assertThat(result.propagation().values()).allSatisfy(p -> {
            assertThat(p.count()).isEqualTo(100);
            assertThat(p.p50()).isPositive();
        });
        assertThat(result.commit().count()).isEqualTo(100);
    }

    @Test
    void bytesHarness_receivesEveryUpdateOnTheSectionChannel() {
        BytesHarness.Result result = BytesHarness.run("--updates", "150");

        assertThat(result.updates()).isEqualTo(150);
        assertThat(result.withState()).isLessThan(150);
        assertThat(result.averageBytes()).isPositive();
        assertThat(result.patchOnlyAverageBytes()).isPositive();
        assertThat(result.documentBytes()).isBetween(3_300, 3_700);
        assertThat(result.example()).startsWith("[1,\"").contains(",[{\"op\":\"replace\"");
        assertThat(result.patchOnlyAverageBytes()).as("issue 11: the compact Redis form").isLessThanOrEqualTo(210)
                .isLessThan(result.contractPatchOnlyAverageBytes());
    }

    @Test
    void updateCpuHarness_reportsEveryContender() throws Exception {
        UpdateCpuHarness.Result result = UpdateCpuHarness.run("--updates", "30", "--warmup", "10", "--rounds", "1");

        assertThat(result.perContender()).containsOnlyKeys("ddm SHARED", "ddm COPY_ON_READ", "peer")
                .allSatisfy((name, figures) -> assertThat(java.util.Arrays.stream(figures).boxed().toList()).hasSize(3)
                        .allSatisfy(f -> assertThat(f).isFinite().isNotNegative()));
        assertThat(result.perContender().get("peer")[0]).isPositive();
        assertThat(result.report()).contains("of the peer");
    }

    @Test
    void sourceScaleHarness_exportsEverySectionAndEveryUpdate() throws Exception {
        SourceScaleHarness.Result result = SourceScaleHarness.run("--sections", "300", "--updates", "60", "--rate", "100");

        assertThat(result.sections()).isEqualTo(300);
        assertThat(result.endToEnd().count()).isEqualTo(60);
        assertThat(result.initialSeconds()).isPositive();
        assertThat(result.report()).contains("300 sections");
    }

    @Test
    void heapHarness_reportsEveryContender() {
        HeapHarness.Result result = HeapHarness.run("--keys", "300");

        assertThat(result.bytesPerKey()).hasSize(5).allSatisfy((name, bytes) -> assertThat(bytes).isFinite());
    }

    @Test
    void scaleHarness_everyManagerReceivesEveryChange_onSharedThreads() {
        ScaleHarness.Result result = ScaleHarness.run("--managers", "20", "--changes", "60", "--keys", "500", "--doc-bytes", "256");

        assertThat(result.perSection().count()).isEqualTo(60);
        assertThat(result.oneChannel().count()).as("3 changes, each applied by 20 managers").isEqualTo(60);
        assertThat(result.perSection().p50()).isPositive();
        assertThat(result.ddmThreads()).as("two services' pools and schedulers, whatever the number of managers")
                .isLessThanOrEqualTo(2L * (Math.max(2, Runtime.getRuntime().availableProcessors()) + 1));
        assertThat(result.keys()).isEqualTo(500);
        assertThat(result.heapPerKey()).isFinite();
    }

    @Test
    void regionsHarness_measuresBothDirectionsDrainAndConvergence() {
        RegionsHarness.Result result = RegionsHarness.run("--updates", "40", "--rate", "50", "--keys", "40",
                "--backlog", "200", "--conflicts", "30");

        assertThat(result.oneWay().count()).isEqualTo(40);
        assertThat(result.bothWays()).containsOnlyKeys("eu->us", "us->eu")
                .allSatisfy((direction, p) -> assertThat(p.count()).isEqualTo(40));
        assertThat(result.drainOneWay().changes()).isEqualTo(200);
        assertThat(result.drainBothWays().changes()).isEqualTo(400);
        assertThat(result.drainBothWays().seconds()).isPositive();
        assertThat(result.convergence()).isPositive();
        // Every key changed on the same field in both regions: each region resolved conflicts.
        assertThat(result.conflictsReported()).containsOnlyKeys("eu", "us").allSatisfy((region, n) -> assertThat(n).isPositive());
    }

    @Test
    void kafkaHistoryHarness_deliversEveryMissingVersionInOrder() {
        KafkaHistoryHarness.Result result = KafkaHistoryHarness.run("--others", "3000", "--missing", "12", "--partitions", "3",
                "--lookups", "3", "--between", "200", "--subscribers", "3");

        List<Long> missing = LongStream.rangeClosed(result.fromVersion() + 1, result.fromVersion() + 12).boxed().toList();
        assertThat(result.lookupVersions()).hasSize(3).allSatisfy(versions -> assertThat(versions).isEqualTo(missing));
        assertThat(result.subscriberVersions()).hasSize(3).allSatisfy(versions -> assertThat(versions).isEqualTo(missing));
        assertThat(result.subscribersAskedKafka()).as("each subscriber was served from Kafka").isGreaterThanOrEqualTo(3);
        assertThat(result.index().indexed()).as("every record indexed once").isEqualTo(result.records() + 3 * 200);
        assertThat(result.index().readBeforeIndex()).isZero();
        assertThat(result.lookup().p50()).isPositive();
        assertThat(result.subscriber().p50()).isPositive();
    }

    private static Collection<RunResult> run(int threads, Class<?>... benchmarks) throws RunnerException {
        OptionsBuilder options = new OptionsBuilder();
        for (Class<?> benchmark : benchmarks) {
            options.include("^" + benchmark.getName().replace(".", "\\.") + "\\.");
        }
        Options settings = options
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .threads(threads)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        return new Runner(settings).run();
    }

    private static void assertEveryMethodScored(Collection<RunResult> results, Class<?>... benchmarks) {
        Set<String> expected = Arrays.stream(benchmarks)
                .flatMap(type -> Arrays.stream(type.getDeclaredMethods())
                        .filter(method -> method.isAnnotationPresent(Benchmark.class))
                        .map(method -> type.getName() + "." + method.getName()))
                .collect(Collectors.toSet());
        List<String> scored = results.stream()
                .peek(result -> assertThat(result.getPrimaryResult().getScore())
                        .as(result.getParams().getBenchmark())
                        .isPositive())
                .map(result -> result.getParams().getBenchmark())
                .toList();
        assertThat(scored).containsExactlyInAnyOrderElementsOf(expected);
    }
}
