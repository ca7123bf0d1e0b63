package io.github.ddm.internal.sync;

import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidEventException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The section's incoming changes: the pub/sub subscription, and the ordered, idempotent apply of
 * every change (other nodes' and the echo of our own) to the cache, followed by the listeners.
 *
 * <p>Messages arrive on a Redisson thread in channel order. They are decoded there, checked
 * against the last stream id seen (so a message is never handled twice), and handed to the key's
 * lane, which applies them one at a time per key. Listeners therefore see each key's versions in
 * commit order, once each, on a DDM executor thread. Thread-safe.
 */
public final class ChangeFeed<T> {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    private final RedissonClient redisson;
    private final RedisLayout layout;
    private final boolean sharded;
    private final DocumentCache<T> cache;
    private final SectionState<T> state;
    private final Loader<T> loader;
    private final EventApplier<T> applier;
    private final KeyLanes lanes;
    private final Listeners listeners;
    private final String partition;
    private final String section;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final Object streamLock = new Object();
    private String lastStreamId;
    private RTopic topic;
    private int listenerId = -1;

    public ChangeFeed(RedissonClient redisson, RedisLayout layout, boolean sharded, DocumentCache<T> cache,
                      SectionState<T> state, Loader<T> loader, KeyLanes lanes, Listeners listeners,
                      String partition, String section) {
        this.redisson = redisson;
        this.layout = layout;
        this.sharded = sharded;
        this.cache = cache;
        this.state = state;
        this.loader = loader;
        this.applier = new EventApplier<>(cache, layout);
        this.lanes = lanes;
        this.listeners = listeners;
        this.partition = partition;
        this.section = section;
    }

    /**
     * Subscribes to the section's channel and waits until Redis confirms the subscription.
     *
     * @throws io.github.ddm.StoreUnavailableException if it is not confirmed within {@code timeout}
     */
    public void start(Duration timeout) {
        topic = sharded ? redisson.getShardedTopic(layout.channel(), StringCodec.INSTANCE)
                : redisson.getTopic(layout.channel(), StringCodec.INSTANCE);
        CompletableFuture<Integer> subscribed = topic.addListenerAsync(String.class, (channel, message) -> onMessage(message))
                .toCompletableFuture();
        try {
            listenerId = subscribed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.github.ddm.StoreUnavailableException("interrupted while subscribing to " + layout.channel(), e);
        } catch (Exception e) {
            throw new io.github.ddm.StoreUnavailableException("cannot subscribe to " + layout.channel() + " within " + timeout, e);
        }
    }

    /** Unsubscribes. Idempotent. */
    public void stop() {
        if (topic != null && listenerId >= 0) {
            try {
                topic.removeListener(listenerId);
            } catch (RuntimeException e) {
                log.debug("unsubscribing from {} failed; the connection is going away anyway", layout.channel(), e);
            }
            listenerId = -1;
        }
    }

    /** Handles one channel message. Runs on a Redisson thread: decode, de-duplicate, hand over. */
    void onMessage(String text) {
        received.incrementAndGet();
        ChangeEvent event;
        try {
            event = ChangeEventCodec.decode(text);
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
        if (!advance(event.streamId())) {
            duplicates.incrementAndGet();
            return;
        }
        lanes.execute(event.key().id(), () -> apply(event));
    }

    private boolean advance(String streamId) {
        if (streamId == null) {
            return true;
        }
        synchronized (streamLock) {
            if (lastStreamId != null && StreamIds.compare(streamId, lastStreamId) <= 0) {
                return false;
            }
            lastStreamId = streamId;
            return true;
        }
    }

    /** Applies one event to the cache and tells the listeners. Runs on the key's lane. */
    private void apply(ChangeEvent event) {
        SectionState.Observation seen = state.observe(event.epoch());
        if (seen == SectionState.Observation.RETIRED) {
            log.debug("section {}/{}: ignoring {} v{} from a retired epoch", partition, section, event.key().id(), event.version());
            return;
        }
        String id = event.key().id();
        CachedDocument<T> entry = cache.get(id);
        if (entry == null) {
            loader.buffer(event);
        } else {
            EventApplier.Outcome outcome = applier.apply(id, entry, event);
            if (outcome instanceof EventApplier.Applied<?> done) {
                @SuppressWarnings("unchecked")
                CachedDocument<T> next = (CachedDocument<T>) done.entry();
                state.put(id, next);
                applied.incrementAndGet();
            } else if (outcome instanceof EventApplier.Gap gap) {
                gaps.incrementAndGet();
                cache.invalidate(id);
                log.debug("section {}/{}: gap on {} ({}); evicted, the next read reloads", partition, section, id, gap.reason());
            }
        }
        listeners.dispatch(event);
    }

    /** The stream id of the newest change seen, or null. */
    public String lastStreamId() {
        synchronized (streamLock) {
            return lastStreamId;
        }
    }

    /** Messages received. */
    public long received() {
        return received.get();
    }

    /** Events that moved a cached entry forward. */
    public long applied() {
        return applied.get();
    }

    /** Messages dropped as already seen. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Messages that were not valid change events for this section. */
    public long malformed() {
        return malformed.get();
    }

    /** Events that did not follow the cached version. */
    public long gaps() {
        return gaps.get();
    }
}
