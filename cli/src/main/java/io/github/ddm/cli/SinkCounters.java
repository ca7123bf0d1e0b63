package io.github.ddm.cli;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Reads a DDM sink connector's counters over JMX, as an operator's JMX console would
 * ({@code io.github.ddm.connect:type=sink-task,connector=<name>,task=<n>}; docs/connector.md): the
 * embedded Connect worker runs in this JVM. Stateless.
 */
final class SinkCounters {

    private SinkCounters() {
    }

    /**
     * The sum of one counter over every task of {@code connector}; 0 while no task has registered.
     *
     * @param attribute a counter, such as {@code Conflicts} or {@code RepairsAnswered}
     * @throws IllegalStateException if JMX cannot read it
     */
    static long total(String connector, String attribute) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName tasks = new ObjectName("io.github.ddm.connect:type=sink-task,connector=" + ObjectName.quote(connector) + ",*");
            long total = 0;
            for (ObjectName task : server.queryNames(tasks, null)) {
                total += ((Number) server.getAttribute(task, attribute)).longValue();
            }
            return total;
        } catch (JMException e) {
            throw new IllegalStateException("cannot read " + attribute + " of " + connector + " over JMX: " + e.getMessage(), e);
        }
    }
}
