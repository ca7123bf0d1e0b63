package io.github.ddm.cli;

import java.time.Duration;

/**
 * Everything one run of the demo shares between its scenarios: where it prints, what it reports,
 * the servers, the two regions with their services, and the order-book workload.
 *
 * @param console the output and the failed checks
 * @param report the HTML report being filled
 * @param stack the servers and connectors
 * @param eu the first region
 * @param us the second region
 * @param books the order books and the changes made to them
 * @param timeout the longest wait for any one step
 */
record DemoRun(DemoConsole console, DemoReport report, LocalStack stack, DemoRegion eu, DemoRegion us, BookTrading books,
               Duration timeout) {

    /** Seconds since {@code nanos} ({@link System#nanoTime()}). */
    static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }
}
