package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a user runs it: the built {@code ddm-cli.jar} with {@code java -jar}, in a process of
 * its own. Both regions write; every scenario's checks pass (convergence, identity, no change lost,
 * caches equal to Redis, conflicts reported, recovery from a region's data loss); it writes a
 * self-contained HTML report; it prints no log noise on standard output, no Kafka WARN about future
 * timestamps anywhere, and leaves no server running.
 */
class DemoJarIT {

    private static final Pattern CONFLICTS = Pattern.compile("conflicts resolved: ([\\d,]+) by eu and ([\\d,]+) by us");

    @Test
    void theDemo_runFromTheJar_passesEveryScenario_writesItsReport_andStopsEveryServer(@TempDir Path dir) throws Exception {
        Path jar = Paths.get(System.getProperty("ddm.cli.jar", "target/ddm-cli.jar"));
        assertThat(jar).as("built by the package phase").exists();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Path report = dir.resolve("report").resolve("demo.html");
        Process demo = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "demo", "--keys", "40", "--changes", "300",
                "--positions", "40", "--report", report.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = demo.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        System.out.print(stdout); // a sample for docs/cli.md, in the failsafe report
        assertThat(ended).as("the demo ended within 4 minutes:%n%s%n%s", stdout, stderr).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s%nerrors:%n%s", stdout, stderr).isZero();
        assertThat(stdout).contains("[1/6]", "[2/6]", "[3/6]", "[4/6]", "[5/6]", "[6/6]").contains("DDM demo passed")
                .doesNotContain("CHECK FAILED");

        // 1. An order book updated in both regions at once.
        assertThat(stdout).contains("[2/6] An order book updated in both regions at once")
                .containsPattern("the regions were identical [\\d.]+ s after the last trade: 40 books, byte for byte \\(document and clock\\)")
                .contains("no change lost: each book's version counts every change made to it in either region (640 in all)")
                .contains("each region's services hold what its Redis holds (40 books")
                .contains("every one counted by the region's sink (JMX Conflicts) and reported to its services")
                .containsPattern("book-\\d+ /lastTrade: kept (eu|us)'s change over (eu|us)'s \\((later by \\d+ ms|same millisecond)");
        Matcher conflicts = CONFLICTS.matcher(stdout);
        assertThat(conflicts.find()).isTrue();
        assertThat(count(conflicts.group(1)) + count(conflicts.group(2))).as("conflicts resolved while both regions traded").isPositive();

        // 2. A position opened in eu and adjusted in us, timed both ways.
        assertThat(stdout).contains("[3/6] A position opened in eu and adjusted in us")
                .contains("every position is at version 2 in both regions, with the same clock")
                .containsPattern("eu -> us, a write until the other region's service has it: p50 [\\d.]+ ms, p99 [\\d.]+ ms")
                .containsPattern("us -> eu, a write until the other region's service has it: p50 [\\d.]+ ms, p99 [\\d.]+ ms");

        // 3. A region outage with automatic recovery.
        assertThat(stdout).contains("[4/6] A region outage with automatic recovery")
                .contains("us loses its Redis (FLUSHALL)")
                .containsPattern("us's source noticed its lost log and asked eu for the whole sections; eu's sink answered with [1-9]\\d* snapshots")
                .containsPattern("recovered with no manual step: us had every document back [\\d.]+ s after the bridge resumed")
                .containsPattern("us writes under a new lineage \\(us~[A-Za-z0-9_-]+, was us~[A-Za-z0-9_-]+\\)")
                .contains("no change lost: each book's version counts every change made to it in either region (950 in all)");

        assertThat(stdout).contains("no loop: eu's topics hold only eu's own changes").contains("no dead letters");
        assertThat(stdout.lines().filter(l -> !l.startsWith("DDM demo") && !l.matches("\\[\\d/6\\] .*") && !l.startsWith("      "))
                .toList()).as("lines on standard output that are not the demo's (logs, Kafka's own prints)").isEmpty();
        assertThat(stdout + stderr).as("the source caps record timestamps at the worker's clock").doesNotContain("future timestamp");

        assertThat(stdout).contains("report: " + report.toAbsolutePath());
        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Every check held.")
                .contains("<h2>Cross-region latency</h2>", "<h2>Conflicts resolved</h2>", "<h2>Convergence timeline</h2>")
                .contains("eu -&gt; us: 40 writes", "us -&gt; eu: 40 writes")
                .contains(OrderBookScenario.TITLE, PositionScenario.TITLE, OutageScenario.TITLE)
                .contains("/lastTrade: kept ");
        assertThat(html.split("<svg ", -1)).as("a latency chart, a conflict chart and three timelines").hasSize(6);
        assertThat(html).as("self-contained: no script, no external asset").doesNotContain("<script", "src=", "href=", "@import", "url(");

        List<Integer> ports = Ports.redisPorts(stdout);
        assertThat(ports).hasSize(2);
        assertThat(ports).allSatisfy(port -> assertThat(Ports.listening(port)).as("redis-server on %d stopped", port).isFalse());
    }

    private static long count(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
