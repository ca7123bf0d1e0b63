package io.github.ddm.internal.sync;

import io.github.ddm.StoreUnavailableException;
import io.github.ddm.SyncEvent;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.SectionContext;
import io.github.ddm.schema.InvalidEventException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The section's pub/sub channel: subscribes and unsubscribes, notices a re-subscription (whatever
 * was published meanwhile is gone, so it asks for a catch-up and a version check), decodes each
 * message, and bounds the changes waiting for their lanes.
 *
 * <p>Messages arrive on a Redisson thread in channel order. They are decoded there (the echo of
 * this node's own commit without parsing) and handed to the key's lane, where the
 * {@link KeyDelivery} decides whether to deliver them. When the lanes hold
 * {@code maxBacklog} changes already, a message is dropped and a catch-up reads it from the log
 * instead: Redisson's thread never blocks, and nothing grows without bound. Thread-safe.
 */
final class ChangeChannel<T> {

    private static final Logger log = LoggerFactory.getLogger(ChangeChannel.class);

    private final RedissonClient redisson;
    private final RedisLayout layout;
    private final boolean sharded;
    private final KeyLanes lanes;
    private final KeyDelivery<T> delivery;
    private final RepairRequests repairs;
    private final VersionCheck<T> versionCheck;
    private final OwnCommits<T> ownCommits;
    private final long maxBacklog;
    private final String partition;
    private final String section;
    /** The section a compact message leaves out, for its decoding (built once, not per message). */
    private final SectionContext context;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong overflowDrops = new AtomicLong();
    private final AtomicLong resubscribes = new AtomicLong();
    private final AtomicBoolean firstSubscribe = new AtomicBoolean(true);
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final Object streamLock = new Object();
    private String lastSeen;
    private RTopic topic;
    private int listenerId = -1;
    private int statusListenerId = -1;

    ChangeChannel(RedissonClient redisson, RedisLayout layout, boolean sharded, KeyLanes lanes, KeyDelivery<T> delivery,
                  RepairRequests repairs, VersionCheck<T> versionCheck, OwnCommits<T> ownCommits, long maxBacklog,
                  String partition, String section) {
        this.redisson = redisson;
        this.layout = layout;
        this.sharded = sharded;
        this.lanes = lanes;
        this.delivery = delivery;
        this.repairs = repairs;
        this.versionCheck = versionCheck;
        this.ownCommits = ownCommits;
        this.maxBacklog = maxBacklog;
        this.partition = partition;
        this.section = section;
        this.context = SectionContext.of(partition, section);
    }

    /**
     * Subscribes to the section's channel and waits until Redis confirms the subscription.
     *
     * @throws StoreUnavailableException if it is not confirmed within {@code timeout}
     */
    void start(Duration timeout) {
        topic = sharded ? redisson.getShardedTopic(layout.channel(), StringCodec.INSTANCE)
                : redisson.getTopic(layout.channel(), StringCodec.INSTANCE);
        try {
            statusListenerId = topic.addListenerAsync(new StatusListener() {
                @Override
                public void onSubscribe(String channel) {
                    onSubscribed();
                }

                @Override
                public void onUnsubscribe(String channel) {
                    subscribed.set(false);
                }
            }).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            CompletableFuture<Integer> messages = topic.addListenerAsync(String.class, (channel, message) -> onMessage(message))
                    .toCompletableFuture();
            listenerId = messages.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            subscribed.set(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while subscribing to " + layout.channel(), e);
        } catch (Exception e) {
            throw new StoreUnavailableException("cannot subscribe to " + layout.channel() + " within " + timeout
                    + ": " + e.getMessage(), e);
        }
    }

    /** Unsubscribes. Idempotent. */
    void stop() {
        if (topic != null) {
            try {
                if (listenerId >= 0) {
                    topic.removeListener(listenerId);
                }
                if (statusListenerId >= 0) {
                    topic.removeListener(statusListenerId);
                }
            } catch (RuntimeException e) {
                log.debug("unsubscribing from {} failed; the connection is going away anyway", layout.channel(), e);
            }
            listenerId = -1;
            statusListenerId = -1;
            subscribed.set(false);
        }
    }

    private void onSubscribed() {
        subscribed.set(true);
        if (!firstSubscribe.compareAndSet(true, false)) {
            // Redisson re-subscribed after a lost connection: whatever was published meanwhile is gone.
            resubscribes.incrementAndGet();
            log.info("section {}/{}: pub/sub re-subscribed; catching up from the log", partition, section);
            repairs.request(SyncEvent.Trigger.RESUBSCRIBED);
            versionCheck.request();
        }
    }

    /** Handles one channel message. Runs on a Redisson thread: decode, then hand to the key's lane. */
    void onMessage(String text) {
        received.incrementAndGet();
        ChangeEvent event;
        try {
            event = decode(text);
        } catch (InvalidEventException e) {
            malformed.incrementAndGet();
            log.warn("section {}/{}: ignoring a malformed change message ({})", partition, section, e.getMessage());
            return;
        }
        if (!event.key().partition().equals(partition) || !event.key().section().equals(section)) {
            malformed.incrementAndGet();
            log.warn("section {}/{}: ignoring a change for {} on this section's channel", partition, section, event.key());
            return;
        }
        noteSeen(event.streamId());
        if (lanes.backlog() >= maxBacklog) {
            // Back-pressure policy: never block Redisson's thread and never grow without bound.
            // Drop the live message; the change is in the section log, and a catch-up reads it.
            overflowDrops.incrementAndGet();
            repairs.request(SyncEvent.Trigger.OVERFLOW);
            return;
        }
        lanes.execute(event.key().id(), () -> delivery.process(event, false, repairs));
    }

    /** The one place a channel message becomes an event: our own echo is rebuilt, any other decoded. */
    private ChangeEvent decode(String text) {
        ChangeEvent echo = ownCommits.echo(text);
        return echo != null ? echo : ChangeEventCodec.decode(text, context);
    }

    private void noteSeen(String streamId) {
        if (streamId == null) {
            return;
        }
        synchronized (streamLock) {
            if (lastSeen == null || StreamIds.compare(streamId, lastSeen) > 0) {
                lastSeen = streamId;
            }
        }
    }

    /** The newest stream id received, or null. */
    String lastSeen() {
        synchronized (streamLock) {
            return lastSeen;
        }
    }

    /** True while the channel subscription is confirmed. */
    boolean isSubscribed() {
        return subscribed.get();
    }

    /** How many times Redisson re-subscribed after a lost connection. */
    long resubscribes() {
        return resubscribes.get();
    }

    /** Counters of the channel. */
    record Counters(long received, long malformed, long overflowDrops, long resubscribes) {
    }

    /** A snapshot of the counters. */
    Counters counters() {
        return new Counters(received.get(), malformed.get(), overflowDrops.get(), resubscribes.get());
    }
}
