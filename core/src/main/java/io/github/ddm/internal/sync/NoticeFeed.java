package io.github.ddm.internal.sync;

import io.github.ddm.RegionNotice;
import io.github.ddm.SectionId;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.SyncEvent;
import io.github.ddm.internal.store.RedisLayout;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The section's region notices (docs/regions.md, "Nothing silent"): subscribes to the notice
 * channel the region's sink publishes on, counts each notice by kind, and reports it to the sync
 * listeners. Notices are information: one lost while the subscription is down is not read again
 * (the sink's capped notice stream and its logs keep it). Thread-safe.
 */
final class NoticeFeed {

    private static final Logger log = LoggerFactory.getLogger(NoticeFeed.class);

    private final RedissonClient redisson;
    private final RedisLayout layout;
    private final boolean sharded;
    private final SyncEvents syncEvents;
    private final SectionId section;
    private final Map<RegionNotice.Kind, AtomicLong> counts = new EnumMap<>(RegionNotice.Kind.class);
    private final AtomicLong malformed = new AtomicLong();
    private RTopic topic;
    private int listenerId = -1;

    NoticeFeed(RedissonClient redisson, RedisLayout layout, boolean sharded, SyncEvents syncEvents, SectionId section) {
        this.redisson = redisson;
        this.layout = layout;
        this.sharded = sharded;
        this.syncEvents = syncEvents;
        this.section = section;
        for (RegionNotice.Kind kind : RegionNotice.Kind.values()) {
            counts.put(kind, new AtomicLong());
        }
    }

    /**
     * Subscribes and waits until Redis confirms.
     *
     * @throws StoreUnavailableException if it is not confirmed within {@code timeout}
     */
    void start(Duration timeout) {
        topic = sharded ? redisson.getShardedTopic(layout.noticesKey(), StringCodec.INSTANCE)
                : redisson.getTopic(layout.noticesKey(), StringCodec.INSTANCE);
        try {
            listenerId = topic.addListenerAsync(String.class, (channel, message) -> onMessage(message)).toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while subscribing to " + layout.noticesKey(), e);
        } catch (Exception e) {
            throw new StoreUnavailableException("cannot subscribe to " + layout.noticesKey() + " within " + timeout
                    + ": " + e.getMessage(), e);
        }
    }

    /** Unsubscribes. Idempotent. */
    void stop() {
        if (topic != null && listenerId >= 0) {
            try {
                topic.removeListener(listenerId);
            } catch (RuntimeException e) {
                log.debug("unsubscribing from {} failed; the connection is going away anyway", layout.noticesKey(), e);
            }
            listenerId = -1;
        }
    }

    void onMessage(String text) {
        RegionNotice notice;
        try {
            notice = RegionNotice.parseJson(text);
        } catch (IllegalArgumentException e) {
            malformed.incrementAndGet();
            log.warn("{}: ignoring a message that is not a region notice ({})", layout.noticesKey(), e.getMessage());
            return;
        }
        if (!notice.section().equals(section)) {
            malformed.incrementAndGet();
            log.warn("{}: ignoring a notice about section {}", layout.noticesKey(), notice.section());
            return;
        }
        counts.get(notice.kind()).incrementAndGet();
        log.debug("section {}: region notice {}", section, notice);
        syncEvents.emit(new SyncEvent.RegionNoticed(section.partition(), section.section(), notice));
    }

    /** Notices received of {@code kind}. */
    long count(RegionNotice.Kind kind) {
        return counts.get(kind).get();
    }
}
