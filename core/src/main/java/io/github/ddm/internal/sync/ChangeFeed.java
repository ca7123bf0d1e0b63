package io.github.ddm.internal.sync;

import io.github.ddm.StoreUnavailableException;
import io.github.ddm.SyncEvent;
import io.github.ddm.internal.buffer.ChangeBuffer;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.InvalidEventException;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * The section's incoming changes: the pub/sub subscription, and the ordered, idempotent delivery
 * of every change (other nodes' and the echo of our own) to the cache, the change buffer, and the
 * listeners.
 *
 * <p>Messages arrive on a Redisson thread in channel order. They are decoded there and handed to
 * the key's lane, which delivers a change only if it follows the last version delivered for its
 * key (the change buffer remembers it): a repeat is dropped, and a change that skips versions is
 * held back as a gap and {@link SectionRepair} reads what was missed from the section log, in
 * order. Listeners therefore see each key's versions in commit order, once each, on a DDM
 * executor thread. Thread-safe.
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
    private final SyncEvents syncEvents;
    private final ChangeBuffer buffer;
    private final long maxBacklog;
    private final String partition;
    private final String section;
    private SectionRepair<T> repair;
    private Subscriptions<T> subscriptions;
    private OwnCommits<T> ownCommits = new OwnCommits<>();
    private volatile java.util.function.Consumer<ChangeEvent> deliveryObserver = event -> { };

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong overflowDrops = new AtomicLong();
    private final AtomicLong resubscribes = new AtomicLong();
    private final AtomicLong regionConflicts = new AtomicLong();
    private final AtomicBoolean firstSubscribe = new AtomicBoolean(true);
    private final AtomicBoolean subscribed = new AtomicBoolean();
    /** Changes that arrived ahead of a missing version, per key, waiting for it. Lane-owned per key. */
    private final Map<String, NavigableMap<Long, ChangeEvent>> held = new ConcurrentHashMap<>();
    private static final int MAX_HELD_PER_KEY = 1_000;
    /** Keys holding back a gap, with the catch-up generation at which the gap was first seen. Lane-owned per key. */
    private final Map<String, Long> gapsSince = new ConcurrentHashMap<>();
    private final Object streamLock = new Object();
    private String lastSeen;
    private RTopic topic;
    private int listenerId = -1;
    private int statusListenerId = -1;

    ChangeFeed(RedissonClient redisson, RedisLayout layout, boolean sharded, DocumentCache<T> cache,
               SectionState<T> state, Loader<T> loader, EventApplier<T> applier, KeyLanes lanes, Listeners listeners,
               SyncEvents syncEvents, ChangeBuffer buffer, long maxBacklog, String partition, String section) {
        this.redisson = redisson;
        this.layout = layout;
        this.sharded = sharded;
        this.cache = cache;
        this.state = state;
        this.loader = loader;
        this.applier = applier;
        this.lanes = lanes;
        this.listeners = listeners;
        this.syncEvents = syncEvents;
        this.buffer = buffer;
        this.maxBacklog = maxBacklog;
        this.partition = partition;
        this.section = section;
    }

    /** Observes every delivered change (metrics: apply lag). Must be fast and must not throw. */
    public void observeDeliveries(java.util.function.Consumer<ChangeEvent> observer) {
        this.deliveryObserver = observer;
    }

    /** Wires this node's writer, whose echoes are recognised without parsing. */
    void ownCommits(OwnCommits<T> ownCommits) {
        this.ownCommits = ownCommits;
    }

    /** Wires the late subscribers this feed hands delivered changes to. */
    void subscriptions(Subscriptions<T> subscriptions) {
        this.subscriptions = subscriptions;
    }

    /** Wires the repair this feed asks for catch-ups (they need each other). */
    void repair(SectionRepair<T> repair) {
        this.repair = repair;
    }

    /**
     * Subscribes to the section's channel and waits until Redis confirms the subscription.
     *
     * @throws StoreUnavailableException if it is not confirmed within {@code timeout}
     */
    public void start(Duration timeout) {
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
    public void stop() {
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
            repair.request(SyncEvent.Trigger.RESUBSCRIBED);
            repair.requestVersionCheck();
        }
    }

    /** Handles one channel message. Runs on a Redisson thread: decode, then hand to the key's lane. */
    void onMessage(String text) {
        received.incrementAndGet();
        ChangeEvent event;
        try {
            ChangeEvent echo = ownCommits.echo(text);
            event = echo != null ? echo : ChangeEventCodec.decode(text, io.github.ddm.schema.SectionContext.of(partition, section));
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
            repair.request(SyncEvent.Trigger.OVERFLOW);
            return;
        }
        ChangeEvent received = event;
        lanes.execute(received.key().id(), () -> process(received, false));
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

    /**
     * Delivers one event if it is the next version of its key. Runs on the key's lane.
     *
     * @param fromLog true when a catch-up read it from the section log, false when it came live
     */
    void process(ChangeEvent event, boolean fromLog) {
        SectionState.Observation seen = state.observe(event.epoch());
        if (seen == SectionState.Observation.RETIRED) {
            log.debug("section {}/{}: ignoring {} v{} from a retired epoch", partition, section, event.key().id(), event.version());
            return;
        }
        String id = event.key().id();
        long last = buffer.newestVersion(id);
        if (last >= 0) {
            // The buffer knows what was delivered: a repeat is dropped, a skip is a gap.
            if (event.version() <= last) {
                duplicates.incrementAndGet();
                return;
            }
            if (event.prevVersion() != last && event.op() != ChangeOp.SNAPSHOT) {
                onGap(event, last);
                return;
            }
        } else if (event.op() != ChangeOp.SNAPSHOT) {
            // Nothing delivered for this key yet (or the buffer forgot it). Deliver it, unless it
            // skips versions past what the cache holds: then the cache and the listeners missed some.
            CachedDocument<T> entry = cache.get(id);
            if (entry != null && event.prevVersion() > entry.version()) {
                onGap(event, entry.version());
                return;
            }
            if (!fromLog && repair.busy()) {
                // A catch-up is replaying the log: earlier versions of this key may be on their way
                // from it. Hold this one until they are delivered (a catch-up follows).
                hold(event);
                return;
            }
        }
        deliver(event);
    }

    /** Moves cache, buffer and listeners to this event, which follows what was delivered. Lane only. */
    void deliver(ChangeEvent event) {
        deliverOne(event);
        // Changes held back because they arrived ahead of this one may follow now.
        NavigableMap<Long, ChangeEvent> waiting = held.get(event.key().id());
        if (waiting != null) {
            long last = event.version();
            waiting.headMap(last, true).clear();
            ChangeEvent next;
            while ((next = waiting.firstEntry() == null ? null : waiting.firstEntry().getValue()) != null
                    && next.prevVersion() == last) {
                waiting.pollFirstEntry();
                deliverOne(next);
                last = next.version();
            }
            waiting.headMap(last, true).clear();
            if (waiting.isEmpty()) {
                held.remove(event.key().id());
            } else {
                // Still a hole before the next held change: keep waiting for the log to fill it.
                gapsSince.putIfAbsent(event.key().id(), repair.startedCatchUps());
            }
        }
    }

    private void deliverOne(ChangeEvent event) {
        String id = event.key().id();
        gapsSince.remove(id);
        CachedDocument<T> entry = cache.get(id);
        OwnCommits.Own<T> own = ownCommits.get(event.eventId());
        if (own != null) {
            ownCommits.forget(event.eventId());
        }
        if (entry == null) {
            loader.buffer(event);
        } else if (own != null && own.state() != null && entry.version() == event.prevVersion()) {
            // Our own change came back before the commit's reply: take the state we already have.
            state.put(id, cache.committed(id, event.version(), event.time().toEpochMilli(), event.origin(), event.epoch(),
                    own.state()));
            applied.incrementAndGet();
        } else {
            EventApplier.Outcome outcome = applier.apply(id, entry, event);
            if (outcome instanceof EventApplier.Applied<?> done) {
                @SuppressWarnings("unchecked")
                CachedDocument<T> next = (CachedDocument<T>) done.entry();
                state.put(id, next);
                applied.incrementAndGet();
            } else if (outcome instanceof EventApplier.Gap gap) {
                // The delivered chain is whole, but the cached copy does not fit it (a patch that
                // does not apply, say): never apply it on the wrong base; read the key again.
                gaps.incrementAndGet();
                cache.invalidate(id);
                log.debug("section {}/{}: cached {} does not follow ({}); evicted", partition, section, id, gap.reason());
            }
        }
        buffer.append(event);
        delivered.incrementAndGet();
        if (event.conflicts() != null) {
            regionConflicts.addAndGet(event.conflicts().size());
            syncEvents.emit(new SyncEvent.ConflictResolved(partition, section, event.key(), event.version(),
                    event.origin().region(), event.conflicts()));
        }
        deliveryObserver.accept(event);
        listeners.dispatch(event);
        if (subscriptions != null) {
            subscriptions.dispatch(event);
        }
    }

    private void hold(ChangeEvent event) {
        String id = event.key().id();
        NavigableMap<Long, ChangeEvent> waiting = held.computeIfAbsent(id, k -> new TreeMap<>());
        if (waiting.size() < MAX_HELD_PER_KEY) {
            waiting.put(event.version(), event);
        }
        gapsSince.putIfAbsent(id, repair.startedCatchUps());
        repair.request(SyncEvent.Trigger.GAP);
    }

    /** Forgets every held change (the epoch changed: versions start over). */
    void forgetHeld() {
        held.clear();
        gapsSince.clear();
    }

    private void onGap(ChangeEvent event, long last) {
        String id = event.key().id();
        gaps.incrementAndGet();
        // Keep it: live changes and catch-ups interleave on the lane, so the missing versions may
        // arrive after it, and the log may not be read past this point again.
        NavigableMap<Long, ChangeEvent> waiting = held.computeIfAbsent(id, k -> new TreeMap<>());
        if (waiting.size() < MAX_HELD_PER_KEY) {
            waiting.put(event.version(), event);
        }
        Long since = gapsSince.get(id);
        if (since != null && repair.completedAfter(since)) {
            // A catch-up that started after this gap was seen has finished, and the key still
            // does not chain: the missing versions are not in the log. Re-read the key.
            repair.resync(id, last);
            return;
        }
        if (since == null) {
            gapsSince.put(id, repair.startedCatchUps());
            syncEvents.emit(new SyncEvent.GapDetected(partition, section, event.key(), last, event.prevVersion(), event.version()));
            log.debug("section {}/{}: gap on {}: delivered v{}, got {}->{}; catching up", partition, section, id, last,
                    event.prevVersion(), event.version());
        }
        repair.request(SyncEvent.Trigger.GAP);
    }

    /** Keys still holding back a gap first seen before catch-up number {@code generation} started. */
    Iterable<String> keysGappedBefore(long generation) {
        return gapsSince.entrySet().stream().filter(e -> e.getValue() < generation).map(Map.Entry::getKey)::iterator;
    }

    /** True if the key still holds back a gap first seen before catch-up number {@code generation}. */
    boolean stillGapped(String id, long generation) {
        Long since = gapsSince.get(id);
        return since != null && since < generation;
    }

    /** The newest stream id received, or null. */
    public String lastSeen() {
        synchronized (streamLock) {
            return lastSeen;
        }
    }

    /** True while the channel subscription is confirmed. */
    public boolean isSubscribed() {
        return subscribed.get();
    }

    /** Counters of this feed. */
    public record Counters(long received, long delivered, long applied, long duplicates, long malformed, long gaps,
                           long overflowDrops, long resubscribes, long regionConflicts) {
    }

    /** A snapshot of the counters. */
    public Counters counters() {
        return new Counters(received.get(), delivered.get(), applied.get(), duplicates.get(), malformed.get(), gaps.get(),
                overflowDrops.get(), resubscribes.get(), regionConflicts.get());
    }
}
