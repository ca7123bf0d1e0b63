package io.github.ddm.connect.sink;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one sink task did, counted, logged on stop and published over JMX. Counters are updated on
 * the task thread and may be read from any thread.
 */
final class SinkTaskCounters implements SinkTaskCountersMBean {

    private static final Logger log = LoggerFactory.getLogger(SinkTaskCounters.class);

    /** The JMX domain of the sink's counters. */
    static final String JMX_DOMAIN = "io.github.ddm.connect";

    /** Which instance each published name belongs to, so that a stopping task never withdraws its successor's. */
    private static final Map<ObjectName, SinkTaskCounters> PUBLISHED = new ConcurrentHashMap<>();

    final AtomicLong applied = new AtomicLong();
    final AtomicLong merged = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong waited = new AtomicLong();
    final AtomicLong waiting = new AtomicLong();
    final AtomicLong timedOut = new AtomicLong();
    final AtomicLong repairsRequested = new AtomicLong();
    final AtomicLong repairsAnswered = new AtomicLong();
    final AtomicLong lineageChanges = new AtomicLong();
    final AtomicLong unappliable = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong control = new AtomicLong();
    final AtomicLong retries = new AtomicLong();

    private ObjectName registeredAs;

    @Override
    public long getApplied() {
        return applied.get();
    }

    @Override
    public long getMerged() {
        return merged.get();
    }

    @Override
    public long getConflicts() {
        return conflicts.get();
    }

    @Override
    public long getDuplicates() {
        return duplicates.get();
    }

    @Override
    public long getWaited() {
        return waited.get();
    }

    @Override
    public long getWaiting() {
        return waiting.get();
    }

    @Override
    public long getRepairsRequested() {
        return repairsRequested.get();
    }

    @Override
    public long getRepairsAnswered() {
        return repairsAnswered.get();
    }

    @Override
    public long getLineageChanges() {
        return lineageChanges.get();
    }

    @Override
    public long getUnappliable() {
        return unappliable.get();
    }

    @Override
    public long getMalformed() {
        return malformed.get();
    }

    @Override
    public long getErrant() {
        return malformed.get() + unappliable.get() + timedOut.get();
    }

    @Override
    public long getSkipped() {
        return skipped.get();
    }

    @Override
    public long getControl() {
        return control.get();
    }

    @Override
    public long getRetries() {
        return retries.get();
    }

    static ObjectName objectName(String connector, int task) throws JMException {
        return new ObjectName(JMX_DOMAIN + ":type=sink-task,connector=" + ObjectName.quote(connector) + ",task=" + task);
    }

    /** Publishes the counters; a task restarted in the same JVM replaces its predecessor's. Never throws. */
    void register(String connector, int task) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = objectName(connector, task);
            synchronized (PUBLISHED) {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
                server.registerMBean(this, name);
                PUBLISHED.put(name, this);
            }
            registeredAs = name;
        } catch (JMException | RuntimeException e) {
            log.warn("cannot publish the counters of sink task {}-{} over JMX; they are still logged on stop", connector, task, e);
        }
    }

    /** Withdraws the counters if they are still this instance's. Never throws. */
    void unregister() {
        if (registeredAs == null) {
            return;
        }
        try {
            synchronized (PUBLISHED) {
                if (PUBLISHED.remove(registeredAs, this)) {
                    ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredAs);
                }
            }
        } catch (JMException | RuntimeException e) {
            log.debug("counters {} were already withdrawn", registeredAs, e);
        }
        registeredAs = null;
    }

    @Override
    public String toString() {
        return "applied=" + applied + " (merged=" + merged + ", conflicts=" + conflicts + "), duplicates=" + duplicates
                + ", waited=" + waited + ", waiting=" + waiting + ", repairs requested=" + repairsRequested + ", answered="
                + repairsAnswered + ", lineage changes=" + lineageChanges + ", unappliable=" + unappliable + ", malformed="
                + malformed + ", skipped=" + skipped + ", control=" + control + ", retries=" + retries;
    }
}
