package io.github.ddm.internal.sync;

import io.github.ddm.ChangeListener;
import io.github.ddm.HistorySource;
import io.github.ddm.SectionId;
import io.github.ddm.internal.buffer.ChangeBuffer;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.SectionLog;
import io.github.ddm.internal.store.Snapshots;
import io.github.ddm.internal.store.StoredDocument;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Late subscribers: a listener that asks for a key's changes after some version gets every later
 * version, in order, without gaps or duplicates, then the live ones. The history comes from the
 * change buffer; else the section log; else the {@link HistorySource} (Kafka); else an explicit
 * snapshot event ({@code op = s}) of the current state, so the subscriber always knows where it
 * stands. A section subscriber gets the log from a point in time, then the live changes.
 *
 * <p>A key subscription's steps run on the key's lane, where the feed also delivers; the handover
 * from history to live is therefore exact. Thread-safe.
 */
final class Subscriptions<T> {

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
    private static final int MAX_ROUNDS = 3;

    private final RedissonClient redisson;
    private final SectionLog sectionLog;
    private final RedisDocumentStore store;
    private final ChangeBuffer buffer;
    private final KeyLanes lanes;
    private final HistorySource history;
    private final String partition;
    private final String section;
    private final int batchSize;
    private final Map<String, List<KeySubscriber>> byKey = new ConcurrentHashMap<>();
    private final List<SectionSubscriber> sectionSubscribers = new CopyOnWriteArrayList<>();
    private final AtomicLong fromBuffer = new AtomicLong();
    private final AtomicLong fromLog = new AtomicLong();
    private final AtomicLong fromHistory = new AtomicLong();
    private final AtomicLong fromSnapshot = new AtomicLong();

    public Subscriptions(RedissonClient redisson, SectionLog sectionLog, RedisDocumentStore store,
                         ChangeBuffer buffer, KeyLanes lanes, HistorySource history, String partition, String section,
                         int batchSize) {
        this.redisson = redisson;
        this.sectionLog = sectionLog;
        this.store = store;
        this.buffer = buffer;
        this.lanes = lanes;
        this.history = history;
        this.partition = partition;
        this.section = section;
        this.batchSize = batchSize;
    }

    /** Hands a delivered event to the subscribers. Called by the feed on the event's key lane. */
    void dispatch(ChangeEvent event) {
        List<KeySubscriber> subscribers = byKey.get(event.key().id());
        if (subscribers != null) {
            for (KeySubscriber subscriber : subscribers) {
                subscriber.offer(event);
            }
        }
        for (SectionSubscriber subscriber : sectionSubscribers) {
            subscriber.offer(event);
        }
    }

    /** Subscribes to one key's changes after {@code fromVersion}. The handle ends the subscription. */
    public Runnable subscribe(String id, long fromVersion, ChangeListener listener) {
        KeySubscriber subscriber = new KeySubscriber(id, fromVersion, listener);
        lanes.execute(id, () -> step(subscriber, 0));
        return subscriber::close;
    }

    /**
     * One step of a key subscription's catch-up, on the key's lane: the buffer, when it continues
     * from where the subscriber is; else the log; else the history source; else a snapshot.
     * Bounded: after a few rounds a snapshot settles it.
     */
    private void step(KeySubscriber subscriber, int round) {
        if (subscriber.closed) {
            return;
        }
        Optional<List<ChangeEvent>> buffered = buffer.since(subscriber.id, subscriber.delivered);
        if (buffered.isPresent() && !buffered.get().isEmpty()) {
            fromBuffer.incrementAndGet();
            goLive(subscriber, buffered.get());
            return;
        }
        // Nothing newer in the buffer (or it does not reach back): ask Redis where the key is now.
        currentVersion(subscriber.id).whenComplete((current, error) -> lanes.execute(subscriber.id, () -> {
            if (subscriber.closed) {
                return;
            }
            if (error == null && current <= subscriber.delivered) {
                // Up to date: whatever comes next is delivered live, through the buffer.
                Optional<List<ChangeEvent>> rest = buffer.since(subscriber.id, subscriber.delivered);
                goLive(subscriber, rest.orElse(List.of()));
                return;
            }
            if (round >= MAX_ROUNDS) {
                snapshot(subscriber, 0);
                return;
            }
            fromLogOrBeyond(subscriber, round);
        }));
    }

    private void fromLogOrBeyond(KeySubscriber subscriber, int round) {
        keyHistoryFromLog(subscriber.id, subscriber.delivered).whenComplete((events, error) -> lanes.execute(subscriber.id, () -> {
            if (subscriber.closed) {
                return;
            }
            if (error == null && covers(events, subscriber.delivered)) {
                fromLog.incrementAndGet();
                subscriber.deliverAll(events);
                step(subscriber, round + 1);
            } else if (history != null) {
                fromHistorySource(subscriber, round);
            } else {
                snapshot(subscriber, 0);
            }
        }));
    }

    private void fromHistorySource(KeySubscriber subscriber, int round) {
        DataKey key = DataKey.of(partition, section, subscriber.id);
        CompletableFuture<List<ChangeEvent>> found;
        try {
            found = history.changes(key, subscriber.delivered);
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        found.whenComplete((events, error) -> lanes.execute(subscriber.id, () -> {
            if (error == null && covers(events, subscriber.delivered)) {
                fromHistory.incrementAndGet();
                subscriber.deliverAll(events);
                // The history may stop short of now: the buffer or the log continues from there.
                step(subscriber, round + 1);
            } else {
                if (error != null) {
                    log.warn("section {}/{}: history source failed for {} ({}); sending a snapshot", partition, section,
                            subscriber.id, RedisDocumentStore.unwrap(error).getMessage());
                }
                snapshot(subscriber, 0);
            }
        }));
    }

    /** Delivers the current state as an explicit snapshot, then continues live. Lane only. */
    private void snapshot(KeySubscriber subscriber, int attempt) {
        store.load(subscriber.id).whenComplete((stored, error) -> lanes.execute(subscriber.id, () -> {
            if (subscriber.closed) {
                return;
            }
            if (error != null) {
                log.warn("section {}/{}: cannot read {} for a late subscriber ({})", partition, section, subscriber.id,
                        RedisDocumentStore.unwrap(error).getMessage());
                if (attempt < MAX_ROUNDS) {
                    snapshot(subscriber, attempt + 1);
                }
                return;
            }
            ChangeEvent snapshot = snapshotEvent(subscriber.id, stored, subscriber.delivered);
            if (snapshot != null) {
                fromSnapshot.incrementAndGet();
                subscriber.deliver(snapshot);
            }
            // Changes delivered since the read are in the buffer; older ones are covered by the snapshot.
            goLive(subscriber, buffer.since(subscriber.id, subscriber.delivered).orElse(List.of()));
        }));
    }

    /** Where the key is in Redis now: the cached version when cached, else one read. */
    private CompletableFuture<Long> currentVersion(String id) {
        return store.project(id, List.of()).thenApply(StoredDocument::version);
    }

    private void goLive(KeySubscriber subscriber, List<ChangeEvent> rest) {
        subscriber.deliverAll(rest);
        subscriber.live = true;
        byKey.computeIfAbsent(subscriber.id, k -> new CopyOnWriteArrayList<>()).add(subscriber);
    }

    private static boolean covers(List<ChangeEvent> events, long fromVersion) {
        return events != null && !events.isEmpty()
                && (events.get(0).prevVersion() == fromVersion || events.get(0).op() == io.github.ddm.schema.ChangeOp.SNAPSHOT);
    }

    /** Every change of one key after {@code fromVersion} that the section log still holds, in order. */
    private CompletableFuture<List<ChangeEvent>> keyHistoryFromLog(String id, long fromVersion) {
        List<ChangeEvent> found = new ArrayList<>();
        return scan(SectionLog.START, event -> {
            if (event.key().id().equals(id) && event.version() > fromVersion) {
                found.add(event);
            }
        }).thenApply(ignored -> found);
    }

    private CompletableFuture<Void> scan(String after, java.util.function.Consumer<ChangeEvent> sink) {
        return sectionLog.after(after, batchSize).thenCompose(batch -> {
            batch.events().forEach(sink);
            return batch.entries() == batchSize ? scan(batch.lastId(), sink) : CompletableFuture.completedFuture(null);
        });
    }

    private ChangeEvent snapshotEvent(String id, StoredDocument stored, long after) {
        if (!stored.exists()) {
            return null; // a late subscriber learns of a delete from the changes that follow
        }
        return Snapshots.of(DataKey.of(partition, section, id), store.layout().documentKey(id), stored,
                "snapshot-" + stored.version() + "-" + Long.toHexString(System.nanoTime()), after < stored.version() ? Math.max(0, after) : 0);
    }

    /**
     * Subscribes to every change of the section committed at or after {@code since}, then the live
     * ones. When the log does not reach back, the history source serves the older changes (and a
     * document with a hole in them gets a snapshot); without one, the subscriber first gets a
     * snapshot of every document. The handle ends the subscription.
     */
    public Runnable subscribeSection(Instant since, ChangeListener listener) {
        SectionSubscriber subscriber = new SectionSubscriber(listener);
        sectionSubscribers.add(subscriber);
        String startAfter = Math.max(0, since.toEpochMilli() - 1) + "-" + Long.MAX_VALUE;
        sectionLog.first()
                .thenCompose(first -> {
                    boolean reachesBack = first == null || StreamIds.compare(first, startAfter) <= 0;
                    if (reachesBack) {
                        fromLog.incrementAndGet();
                        return scan(startAfter, subscriber::catchUp);
                    }
                    if (history != null) {
                        return sectionFromHistory(subscriber, since, startAfter);
                    }
                    fromSnapshot.incrementAndGet();
                    return snapshotAll(subscriber).thenCompose(ignored -> scan(startAfter, subscriber::catchUp));
                })
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        log.warn("section {}/{}: catching up a section subscriber failed ({}); it continues live",
                                partition, section, RedisDocumentStore.unwrap(error).getMessage());
                    }
                    subscriber.goLive();
                });
        return () -> {
            subscriber.closed = true;
            sectionSubscribers.remove(subscriber);
        };
    }

    /**
     * A section subscriber whose log does not reach back: the history source's changes since the
     * instant, then the log, each key's versions checked to follow each other; then every document
     * whose history has a hole, ends below its current version, or is missing though it changed
     * since the instant (another region's change merged here, which the source does not carry) gets
     * a snapshot. Without a history from the source, a snapshot of every document, as without one.
     */
    private CompletableFuture<Void> sectionFromHistory(SectionSubscriber subscriber, Instant since, String startAfter) {
        CompletableFuture<List<ChangeEvent>> found;
        try {
            found = history.sectionChanges(new SectionId(partition, section), since);
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        // handleAsync on a lane: the listener must not run on the history source's reading thread
        return found.handleAsync((events, error) -> {
            if (error != null || events == null) {
                log.warn("section {}/{}: no history since {} from the history source ({}); sending a snapshot of every document",
                        partition, section, since, error == null ? "none" : RedisDocumentStore.unwrap(error).getMessage());
                return null;
            }
            return events;
        }, task -> lanes.execute(partition + "/" + section, task)).thenCompose(events -> {
            if (events == null) {
                fromSnapshot.incrementAndGet();
                return snapshotAll(subscriber).thenCompose(ignored -> scan(startAfter, subscriber::catchUp));
            }
            fromHistory.incrementAndGet();
            subscriber.checkContinuity();
            events.forEach(subscriber::catchUp);
            return scan(startAfter, subscriber::catchUp).thenCompose(ignored -> settle(subscriber, since.toEpochMilli()));
        });
    }

    /** Sends a snapshot of each document the catch-up left behind (see {@link #sectionFromHistory}). */
    private CompletableFuture<Void> settle(SectionSubscriber subscriber, long sinceMillis) {
        List<String> ids = new ArrayList<>();
        return collectKeys(redisson.getKeys().getKeysAsync(KeysScanOptions.defaults().chunkSize(100)
                .pattern(store.layout().documentKeyPrefix() + "*")), ids)
                .thenCompose(ignored -> {
                    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                    for (int from = 0; from < ids.size(); from += SETTLE_BATCH) {
                        List<String> batch = ids.subList(from, Math.min(ids.size(), from + SETTLE_BATCH));
                        chain = chain.thenCompose(done -> CompletableFuture.allOf(batch.stream()
                                .map(id -> settleOne(subscriber, id, sinceMillis)).toArray(CompletableFuture[]::new)));
                    }
                    return chain;
                });
    }

    private static final int SETTLE_BATCH = 64;

    private CompletableFuture<Void> settleOne(SectionSubscriber subscriber, String id, long sinceMillis) {
        return store.project(id, List.of())
                .thenCompose(meta -> !subscriber.behind(id, meta.version(), meta.timeMillis(), sinceMillis)
                        ? CompletableFuture.<Void>completedFuture(null)
                        : store.load(id).thenAccept(stored -> {
                            long had = subscriber.deliveredVersion(id);
                            ChangeEvent snapshot = Snapshots.of(DataKey.of(partition, section, id), store.layout().documentKey(id),
                                    stored, "snapshot-" + stored.version() + "-" + Long.toHexString(System.nanoTime()), had);
                            if (snapshot != null) {
                                fromSnapshot.incrementAndGet();
                                subscriber.repair(snapshot);
                            }
                        }))
                .exceptionally(error -> {
                    log.warn("section {}/{}: cannot read {} for a section subscriber ({})", partition, section, id,
                            RedisDocumentStore.unwrap(error).getMessage());
                    return null;
                });
    }

    private CompletableFuture<Void> snapshotAll(SectionSubscriber subscriber) {
        // SCAN asynchronously: this runs on a Redisson thread, where Redisson refuses blocking calls.
        List<String> ids = new ArrayList<>();
        return collectKeys(redisson.getKeys().getKeysAsync(KeysScanOptions.defaults().chunkSize(100)
                .pattern(store.layout().documentKeyPrefix() + "*")), ids)
                .thenCompose(ignored -> snapshotEach(subscriber, ids));
    }

    private CompletableFuture<Void> collectKeys(org.redisson.api.AsyncIterator<String> keys, List<String> ids) {
        return keys.hasNext().toCompletableFuture().thenCompose(more -> !more ? CompletableFuture.<Void>completedFuture(null)
                : keys.next().toCompletableFuture().thenCompose(key -> {
                    ids.add(store.layout().idOf(key));
                    return collectKeys(keys, ids);
                }));
    }

    private CompletableFuture<Void> snapshotEach(SectionSubscriber subscriber, List<String> ids) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String id : ids) {
            chain = chain.thenCompose(ignored -> store.load(id).thenAccept(stored -> {
                ChangeEvent snapshot = snapshotEvent(id, stored, 0);
                if (snapshot != null) {
                    subscriber.catchUp(snapshot);
                }
            }));
        }
        return chain;
    }

    /** Subscriptions served from each source since start: buffer, log, history source, snapshot. */
    public long[] counters() {
        return new long[] {fromBuffer.get(), fromLog.get(), fromHistory.get(), fromSnapshot.get()};
    }

    /** One key subscription. Touched only on the key's lane. */
    private final class KeySubscriber {
        final String id;
        final ChangeListener listener;
        long delivered;
        volatile boolean live;
        volatile boolean closed;

        KeySubscriber(String id, long fromVersion, ChangeListener listener) {
            this.id = id;
            this.delivered = fromVersion;
            this.listener = listener;
        }

        void deliverAll(List<ChangeEvent> events) {
            events.forEach(this::deliver);
        }

        void offer(ChangeEvent event) {
            if (live) {
                deliver(event);
            }
        }

        void deliver(ChangeEvent event) {
            if (closed || event.version() <= delivered) {
                return;
            }
            delivered = event.version();
            try {
                listener.onChange(event);
            } catch (RuntimeException e) {
                log.warn("late subscriber of {} failed on version {}", id, event.version(), e);
            }
        }

        void close() {
            closed = true;
            lanes.execute(id, () -> {
                List<KeySubscriber> list = byKey.get(id);
                if (list != null) {
                    list.remove(this);
                    byKey.remove(id, List.of());
                }
            });
        }
    }

    /** One section subscription: queues live changes while it catches up, then delivers them in order. */
    private final class SectionSubscriber {
        final ChangeListener listener;
        final Map<String, Long> delivered = new HashMap<>();
        final Deque<ChangeEvent> queued = new ArrayDeque<>();
        // During a catch-up from a history source: a key whose next change does not follow is held
        // until its snapshot (settle).
        final Set<String> broken = new HashSet<>();
        boolean checkContinuity;
        boolean live;
        volatile boolean closed;

        SectionSubscriber(ChangeListener listener) {
            this.listener = listener;
        }

        synchronized void catchUp(ChangeEvent event) {
            deliver(event);
        }

        synchronized void offer(ChangeEvent event) {
            if (live) {
                deliver(event);
            } else {
                queued.add(event);
            }
        }

        synchronized void checkContinuity() {
            checkContinuity = true;
        }

        /**
         * Whether a document at {@code version}, last changed at {@code changedMillis}, needs a
         * snapshot after the catch-up: its history had a hole; or it stops below that version and
         * the queued live changes do not continue it; or it had none though the document changed
         * since the instant.
         */
        synchronized boolean behind(String id, long version, long changedMillis, long sinceMillis) {
            if (broken.contains(id)) {
                return true;
            }
            Long last = delivered.get(id);
            if (last == null) {
                return version > 0 && changedMillis >= sinceMillis;
            }
            if (last >= version) {
                return false;
            }
            for (ChangeEvent event : queued) {
                if (event.key().id().equals(id) && event.prevVersion() == last) {
                    return false; // the live changes go on from there
                }
            }
            return true;
        }

        synchronized long deliveredVersion(String id) {
            return delivered.getOrDefault(id, 0L);
        }

        /** A snapshot that ends a key's hole. */
        synchronized void repair(ChangeEvent snapshot) {
            broken.remove(snapshot.key().id());
            deliver(snapshot);
        }

        synchronized void goLive() {
            checkContinuity = false;
            while (!queued.isEmpty()) {
                deliver(queued.poll());
            }
            live = true;
        }

        private void deliver(ChangeEvent event) {
            if (closed) {
                return;
            }
            // Live changes the log scan already handed over may still arrive: always drop repeats.
            Long last = delivered.get(event.key().id());
            if (last != null && event.version() <= last) {
                return;
            }
            if (checkContinuity && (broken.contains(event.key().id()) || last != null && event.prevVersion() != last
                    && event.op() != io.github.ddm.schema.ChangeOp.SNAPSHOT)) {
                broken.add(event.key().id()); // a hole: settled with a snapshot
                return;
            }
            delivered.put(event.key().id(), event.version());
            try {
                listener.onChange(event);
            } catch (RuntimeException e) {
                log.warn("section subscriber failed on {} version {}", event.key(), event.version(), e);
            }
        }
    }
}
