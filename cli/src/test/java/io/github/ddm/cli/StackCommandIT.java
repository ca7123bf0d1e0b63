package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * {@code ddm stack} starts real servers and wires the connectors both ways: a change made in
 * either region reaches the other, and interrupting the command stops every server.
 */
class StackCommandIT {

    /** A small document. */
    public record Note(String text) {
    }

    @Test
    void theStack_replicatesBothWays_andStopsEverythingWhenInterrupted() throws Exception {
        Cli.Live live = new Cli.Live();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread stack = new Thread(() -> exit.set(live.commandLine().execute("stack", "--regions", "eu,us")), "ddm-stack-test");
        stack.start();
        List<Integer> ports;
        try {
            // the ready block is printed line by line: wait for its last line, not its first
            await("the stack is ready").atMost(Duration.ofMinutes(3)).until(() -> live.out().contains("Press Ctrl-C to stop."));
            assertThat(live.out()).contains("kafka         bootstrap.servers=").contains("connect       http");
            ports = Ports.redisPorts(live.out());
            assertThat(ports).hasSize(2);
            String eu = "redis://127.0.0.1:" + ports.get(0);
            String us = "redis://127.0.0.1:" + ports.get(1);

            RedissonClient euClient = RedisClients.create(eu);
            RedissonClient usClient = RedisClients.create(us);
            try (DocumentManager<Note> inEu = manager(euClient, "eu");
                 DocumentManager<Note> inUs = manager(usClient, "us")) {
                inEu.set("n1", new Note("written in eu")).join();
                inUs.set("n2", new Note("written in us")).join();
                await("eu's note in us").atMost(Duration.ofMinutes(2))
                        .until(() -> inUs.get("n1").join().map(v -> v.value().text()).orElse("").equals("written in eu"));
                await("us's note in eu").atMost(Duration.ofMinutes(2))
                        .until(() -> inEu.get("n2").join().map(v -> v.value().text()).orElse("").equals("written in us"));
                Cli.Run diff = Cli.run("diff", eu, us, "notes.board");
                assertThat(diff.exitCode()).as(diff.out()).isZero();
            } finally {
                euClient.shutdown();
                usClient.shutdown();
            }
        } finally {
            stack.interrupt();
            stack.join(Duration.ofMinutes(2).toMillis());
        }
        assertThat(stack.isAlive()).as("the stack command returned").isFalse();
        assertThat(exit.get()).isZero();
        assertThat(live.out()).contains("stopping the local stack");
        assertThat(ports).allSatisfy(port -> assertThat(Ports.listening(port)).as("redis-server on %d stopped", port).isFalse());
    }

    private static DocumentManager<Note> manager(RedissonClient client, String region) {
        return DocumentManager.builder(Note.class).redisson(client).section("notes", "board").origin(region, "test").build();
    }
}
