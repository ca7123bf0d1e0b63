package io.github.ddm.connect.sink;

import io.github.ddm.RegionNotice;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces {@link RegionNotice}s to the services of the sink's region (docs/regions.md, "Nothing
 * silent"), at most {@value #MAX_PER_BATCH} of a kind per section and batch: a storm of
 * redeliveries after a replay must not turn into a storm of notices. What is left out is counted
 * and logged; the task's counters and logs count every case. Sending does not wait: a notice that
 * cannot be sent is logged and dropped (notices inform, they carry no data). Confined to the
 * task's thread.
 */
final class SinkNotices {

    private static final Logger log = LoggerFactory.getLogger(SinkNotices.class);

    /** The most notices of one kind one section gets per batch. */
    static final int MAX_PER_BATCH = 100;

    private final String name;
    private final Map<String, Integer> sent = new HashMap<>();
    private long leftOut;

    SinkNotices(String name) {
        this.name = name;
    }

    /** Announces a notice about {@code event}'s document ({@code perDocument}) or its section. */
    void send(SectionStore store, RegionNotice.Kind kind, ChangeEvent event, boolean perDocument, String detail) {
        String budget = kind + "@" + store.section();
        int count = sent.merge(budget, 1, Integer::sum);
        if (count > MAX_PER_BATCH) {
            leftOut++;
            return;
        }
        RegionNotice notice = new RegionNotice(kind, store.section(), perDocument ? event.key().id() : null,
                event.origin().region(), detail, Instant.now());
        store.notice(notice).whenComplete((done, error) -> {
            if (error != null) {
                log.warn("{}: could not announce {} to the region's services: {}", name, notice, error.toString());
            }
        });
    }

    /** Ends a batch: the budgets start again. */
    void endBatch() {
        if (leftOut > 0) {
            log.info("{}: {} region notice(s) left out of this batch (at most {} of a kind per section); the task's counters"
                    + " count them all", name, leftOut, MAX_PER_BATCH);
            leftOut = 0;
        }
        sent.clear();
    }
}
