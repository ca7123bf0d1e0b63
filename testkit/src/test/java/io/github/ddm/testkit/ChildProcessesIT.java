package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** No redis-server outlives the JVM that started it, whether that JVM exits or is killed. */
class ChildProcessesIT {

    /** Started in a child JVM: starts a server, prints its pid, and then exits or waits to be killed. */
    public static final class LeakyMain {
        public static void main(String[] args) throws Exception {
            RedisServer redis = RedisServer.start(); // deliberately never closed
            System.out.println("PID " + redis.pid());
            System.out.flush();
            if (args.length > 0 && args[0].equals("exit")) {
                System.exit(0);
            }
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
    }

    private static Process startChild(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LeakyMain.class.getName(), mode)
                .redirectErrorStream(true)
                .start();
    }

    private static long readPid(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("PID ")) {
                return Long.parseLong(line.substring(4).trim());
            }
        }
        throw new AssertionError("the child JVM printed no pid; exit code " + child.waitFor());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void jvmExit_withoutClose_stillStopsTheServer() throws Exception {
        Process child = startChild("exit");
        long redisPid = readPid(child);

        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(30)).until(() -> !alive(redisPid));
    }

    @Test
    void jvmKilled_leavesAnOrphanThatTheNextStartReaps() throws Exception {
        ChildProcesses.reapOrphans(); // loads the class now, so that its own start-up reaping cannot hide the count below
        Process child = startChild("wait");
        long redisPid = readPid(child);
        assertThat(alive(redisPid)).isTrue();

        child.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(alive(redisPid)).as("a SIGKILLed JVM cannot stop its children itself").isTrue();

        assertThat(ChildProcesses.reapOrphans()).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> !alive(redisPid));
    }
}
