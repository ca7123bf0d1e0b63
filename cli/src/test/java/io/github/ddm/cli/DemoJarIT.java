package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a user runs it: the built {@code ddm-cli.jar} with {@code java -jar}, in a process of
 * its own. It passes its own checks, prints no log noise on standard output, and leaves no server
 * running.
 */
class DemoJarIT {

    @Test
    void theDemo_runFromTheJar_passesEveryCheck_andStopsEveryServer(@TempDir Path dir) throws Exception {
        Path jar = Paths.get(System.getProperty("ddm.cli.jar", "target/ddm-cli.jar"));
        assertThat(jar).as("built by the package phase").exists();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process demo = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "demo", "--keys", "50", "--changes", "500",
                "--latency-samples", "20").redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = demo.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(ended).as("the demo ended within 5 minutes:%n%s%n%s", stdout, stderr).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s%nerrors:%n%s", stdout, stderr).isZero();
        assertThat(stdout).contains("[1/6]", "[2/6]", "[3/6]", "[4/6]", "[5/6]", "[6/6]")
                .contains("us's Redis equals eu's: 50 books").contains("no loop: us exported only its own change")
                .contains("DDM demo passed").doesNotContain("CHECK FAILED");
        assertThat(stdout.lines().filter(l -> !l.startsWith("DDM demo") && !l.matches("\\[\\d/6\\] .*") && !l.startsWith("      "))
                .toList()).as("lines on standard output that are not the demo's (logs, Kafka's own prints)").isEmpty();
        List<Integer> ports = Ports.redisPorts(stdout);
        assertThat(ports).hasSize(2);
        assertThat(ports).allSatisfy(port -> assertThat(Ports.listening(port)).as("redis-server on %d stopped", port).isFalse());
    }
}
