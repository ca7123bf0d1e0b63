package io.github.ddm.replay;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import java.util.ArrayList;
import java.util.List;

/**
 * One key's history after a version, built from its events in topic order: the events that follow
 * each other ({@code prevVersion} = the version before); repeats and older versions are dropped.
 * Where a version is missing (retention, a trimmed log), the chain continues at the next event that
 * carries the whole document, handed over as an explicit {@link ChangeOp#SNAPSHOT}, so a subscriber
 * always knows when it jumps; patches between the hole and that event cannot be applied and are
 * left out. A delete after a hole does not restart the chain (it carries no state to restart from).
 * Confined to one thread.
 */
final class HistoryChain {

    private final long fromVersion;
    private final int maxEvents;
    private final List<ChangeEvent> events = new ArrayList<>();
    private long tip;
    private long holes;

    HistoryChain(long fromVersion, int maxEvents) {
        this.fromVersion = fromVersion;
        this.maxEvents = maxEvents;
        this.tip = fromVersion;
    }

    /** Offers the key's next event in topic order. */
    void offer(ChangeEvent event) {
        if (full() || event.version() <= tip) {
            return;
        }
        if (event.op() != ChangeOp.SNAPSHOT && event.prevVersion() == tip) {
            events.add(event);
            tip = event.version();
        } else if (event.state() != null) {
            if (event.op() != ChangeOp.SNAPSHOT) {
                holes++;
            }
            events.add(asSnapshot(event, tip));
            tip = event.version();
        }
        // Otherwise a patch or delete that does not follow: wait for a whole document.
    }

    /** As core's late-subscriber snapshots do, the base is the version the subscriber has. */
    static ChangeEvent asSnapshot(ChangeEvent event, long base) {
        if (event.op() == ChangeOp.SNAPSHOT) {
            return event;
        }
        return new ChangeEvent(event.eventId(), event.key(), ChangeOp.SNAPSHOT, event.version(), base, event.epoch(),
                event.time(), event.origin(), null, event.state(), event.streamId());
    }

    /** Whether the chain holds as many events as it may. */
    boolean full() {
        return events.size() >= maxEvents;
    }

    /** The chain, oldest first. */
    List<ChangeEvent> events() {
        return List.copyOf(events);
    }

    /** Whether the chain starts exactly where the subscriber is (no snapshot first). */
    boolean exact() {
        return !events.isEmpty() && events.get(0).op() != ChangeOp.SNAPSHOT && events.get(0).prevVersion() == fromVersion;
    }

    /** Holes jumped over with a whole-document event. */
    long holes() {
        return holes;
    }
}
