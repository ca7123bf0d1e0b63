package io.github.ddm.cli;

import io.github.ddm.testkit.RedisServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts the demo's local stack and keeps it up until Ctrl-C (or {@code --duration}), so that
 * services under development, the other {@code ddm} tools and Kafka clients can use it. Prints
 * every address to standard output once everything runs.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = {"Starts a local stack and keeps it running until Ctrl-C: a redis-server per region, an in-JVM Kafka "
                + "broker and Kafka Connect with the DDM source and sink connectors wired between every pair of regions.",
                "Each region's source exports every section of its Redis (namespace ddm) to the topics "
                        + "ddm.<region>.<partition>.<section>; each region's sink applies the other regions' topics."})
final class StackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--regions", split = ",", defaultValue = "eu,us", paramLabel = "REGION",
            description = "The regions, comma-separated, at least two (default: ${DEFAULT-VALUE}).")
    List<String> regions;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "Stop after this long (ISO-8601, for example PT10M) instead of waiting for Ctrl-C.")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ddm-stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean interrupted = false;
        try (LocalStack stack = LocalStack.start(regions, List.of(), line -> {
            out.println("  " + line);
            out.flush();
        })) {
            out.println("DDM local stack ready:");
            for (Map.Entry<String, RedisServer> region : stack.regions().entrySet()) {
                out.printf("  region %-6s redis %s%n", region.getKey(), region.getValue().uri());
            }
            out.printf("  kafka         bootstrap.servers=%s%n", stack.bootstrapServers());
            out.printf("  connect       %s (connectors: %s)%n", stack.connectRestUrl(), String.join(", ", stack.connectorNames()));
            out.println(duration == null ? "Press Ctrl-C to stop." : "Stopping in " + duration + ".");
            out.flush();
            try {
                if (duration == null) {
                    stop.await();
                } else {
                    stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                interrupted = true; // stop, as with Ctrl-C; the flag is set again once the servers are down
            }
            out.println("stopping the local stack");
            out.flush();
        } finally {
            stopped.countDown();
            removeHook(hook);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running.
        }
    }
}
