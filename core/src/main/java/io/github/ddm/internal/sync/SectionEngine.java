package io.github.ddm.internal.sync;

import io.github.ddm.ChangeListener;
import io.github.ddm.ManagerStats;
import io.github.ddm.RegionNotice;
import io.github.ddm.SectionId;
import io.github.ddm.SyncEvent;
import io.github.ddm.SyncHealth;
import io.github.ddm.SyncListener;
import io.github.ddm.Versioned;
import io.github.ddm.internal.buffer.ChangeBuffer;
import io.github.ddm.internal.cache.CachedDocument;
import io.github.ddm.internal.cache.DocumentCache;
import io.github.ddm.internal.patch.DocumentCodec;
import io.github.ddm.internal.store.RedisConnections;
import io.github.ddm.internal.store.RedisDocumentStore;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.internal.store.SectionLog;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.redisson.api.RedissonClient;

/**
 * Wires the internals of one section together, offers the operations the public
 * {@code DocumentManager} needs (reads, writes, subscriptions, counters), and runs the periodic
 * work. The manager validates arguments and keeps the lifecycle; the engine hands none of its
 * parts out. Thread-safe.
 *
 * @param <T> the document type
 */
public final class SectionEngine<T> {

    private static final int LANES = 256;
    private static final int CHECK_BATCH = 500;
    /** Trees kept per section: a JSON tree costs about ten times its document's JSON, so few. */
    private static final int RECENT_TREES = 32;

    private final SectionSettings<T> settings;
    private final RedissonClient redisson;
    private final RedisLayout layout;
    private final DocumentCodec<T> codec;
    private final DocumentCache<T> cache;
    private final RedisDocumentStore store;
    private final SectionState<T> state;
    private final KeyLanes lanes;
    private final Loader<T> loader;
    private final DocumentWriter<T> writer;
    private final Listeners listeners = new Listeners();
    private final SyncEvents syncEvents;
    private final ChangeBuffer buffer;
    private final KeyDelivery<T> delivery;
    private final ChangeChannel<T> channel;
    private final NoticeFeed notices;
    private final SectionRepair<T> repair;
    private final VersionCheck<T> versionCheck;
    private final Subscriptions<T> subscriptions;
    private long nextHeadCheck;
    private long nextVersionCheck;
    private long nextBufferTrim;

    public SectionEngine(RedissonClient redisson, SectionSettings<T> settings) {
        this.settings = settings;
        this.redisson = redisson;
        this.layout = new RedisLayout(settings.identity().namespace(), settings.partition(), settings.section());
        this.codec = new DocumentCodec<>(settings.documents().mapper(), settings.documents().type());
        this.cache = new DocumentCache<>(codec, layout, settings.documents().valueSharing(), settings.partition(), settings.section(),
                settings.cache().maximumSize(), settings.cache().idleExpiry(), settings.threads().clock());
        this.store = new RedisDocumentStore(redisson, layout, settings.partition(), settings.section(), settings.identity().sharded(),
                settings.sync().logMaxLength());
        this.state = new SectionState<>(cache, settings.partition() + "/" + settings.section());
        this.lanes = new KeyLanes(settings.threads().executor(), LANES);
        this.buffer = new ChangeBuffer(settings.changeBuffer().size(), settings.changeBuffer().ttl(), settings.changeBuffer().maxEvents(),
                settings.threads().clock());
        // The trees of the hot keys' latest versions, shared by this node's writes and applies, and one
        // applier of change events for both the live feed and loads that buffered events meanwhile.
        RecentTrees trees = new RecentTrees(RECENT_TREES);
        EventApplier<T> applier = new EventApplier<>(cache, layout, trees);
        this.loader = new Loader<>(store, cache, codec, state, applier, lanes, settings.partition(), settings.section());
        this.writer = new DocumentWriter<>(store, cache, codec, state, loader, lanes, trees, settings.writer(), settings.documents().resolver(),
                settings.partition(), settings.section());
        this.syncEvents = new SyncEvents(settings.threads().executor());
        this.notices = new NoticeFeed(redisson, layout, settings.identity().sharded(), syncEvents,
                new SectionId(settings.partition(), settings.section()));
        SectionLog sectionLog = new SectionLog(redisson, layout);
        this.subscriptions = new Subscriptions<>(redisson, sectionLog, store, buffer, lanes, settings.sync().history(),
                settings.partition(), settings.section(), settings.sync().catchUpBatchSize());
        // Built in the direction the requests flow, each part from the parts it uses: the delivery
        // is handed the repair with each change it is given, so nothing is wired after construction.
        this.delivery = new KeyDelivery<>(cache, state, loader, applier, listeners, syncEvents, buffer, subscriptions,
                writer.ownCommits(), settings.partition(), settings.section());
        StoredVersions versions = new StoredVersions(redisson, layout, CHECK_BATCH);
        this.repair = new SectionRepair<>(sectionLog, store, versions, delivery, cache, buffer, lanes, loader, syncEvents,
                settings.threads().executor(), settings.partition(), settings.section(), settings.sync().catchUpBatchSize());
        this.versionCheck = new VersionCheck<>(redisson, layout, cache, state, loader, versions, delivery, repair, lanes,
                syncEvents, settings.threads().executor(), settings.partition(), settings.section());
        this.channel = new ChangeChannel<>(redisson, layout, settings.identity().sharded(), lanes, delivery, repair,
                versionCheck, writer.ownCommits(), settings.sync().maxPendingChanges(), settings.partition(), settings.section());
        state.onLoss((previous, current) -> {
            // Versions start over in the new epoch: what was delivered under the old one says nothing.
            buffer.clear();
            delivery.forgetHeld();
            syncEvents.emit(new SyncEvent.EpochChanged(settings.partition(), settings.section(), previous, current));
            syncEvents.emit(new SyncEvent.Reloaded(settings.partition(), settings.section(), null, SyncEvent.ReloadReason.EPOCH_CHANGED));
        });
    }

    /** Subscribes, then marks the log position from which repairs start. Blocks up to {@code timeout}. */
    public void start(Duration timeout) {
        channel.start(timeout);
        notices.start(timeout);
        repair.initialize(timeout);
        long now = settings.threads().clock().millis();
        nextHeadCheck = now + settings.intervals().headCheck().toMillis();
        nextVersionCheck = now + settings.intervals().versionCheck().toMillis();
        nextBufferTrim = now + settings.intervals().bufferTrim().toMillis();
    }

    /** Unsubscribes and drops the cache. */
    public void stop() {
        channel.stop();
        notices.stop();
        listeners.clear();
        syncEvents.clear();
        cache.invalidateAll();
        buffer.clear();
    }

    /**
     * Runs the periodic work that is due on the injected clock: idle eviction, buffer trimming, the
     * head check and the version check. The I/O runs asynchronously; the future completes when the
     * checks started now are done.
     */
    public synchronized CompletableFuture<Void> tick() {
        long now = settings.threads().clock().millis();
        cache.cleanUp();
        repair.retryIfPending();
        CompletableFuture<Void> work = CompletableFuture.completedFuture(null);
        if (now >= nextBufferTrim) {
            nextBufferTrim = now + settings.intervals().bufferTrim().toMillis();
            buffer.trim();
        }
        if (now >= nextHeadCheck) {
            nextHeadCheck = now + settings.intervals().headCheck().toMillis();
            work = work.thenCombine(repair.headCheck(channel), (a, b) -> null);
        }
        if (now >= nextVersionCheck) {
            nextVersionCheck = now + settings.intervals().versionCheck().toMillis();
            work = work.thenCombine(versionCheck.run(), (a, b) -> null);
        }
        return work;
    }

    /**
     * Checks that the Redis user may run what this section needs (the commit script, the channel).
     *
     * @throws io.github.ddm.StoreUnavailableException naming what is refused
     */
    public void checkAccess(Duration timeout) {
        RedisConnections.checkAccess(redisson, layout, settings.identity().sharded(), timeout);
    }

    /** The cached entry of a key, or null if it is not cached. No I/O. */
    public CachedDocument<T> cached(String id) {
        return cache.get(id);
    }

    /** The typed view of a cached entry; empty if the document is absent. */
    public Optional<Versioned<T>> read(String id, CachedDocument<T> entry) {
        return cache.read(id, entry);
    }

    /** Loads a key that missed the cache: one load per key however many callers wait. */
    public CompletableFuture<Optional<Versioned<T>>> load(String id) {
        return loader.loadMissed(id).thenApply(loaded -> cache.read(id, loaded));
    }

    /** Drops a key from the cache; the next read loads it. */
    public void invalidate(String id) {
        cache.invalidate(id);
    }

    /** A few top-level members of a cached entry, mapped to {@code view}. No I/O. */
    public <P> Optional<Versioned<P>> project(DataKey key, CachedDocument<T> entry, Class<P> view, List<String> members) {
        if (!entry.exists()) {
            return Optional.empty();
        }
        var tree = cache.tree(entry);
        tree.retain(members);
        return Optional.of(new Versioned<>(key, codec.project(key, layout.documentKey(key.id()), tree, view),
                entry.version(), Instant.ofEpochMilli(entry.timeMillis()), entry.origin()));
    }

    /** A few top-level members of a stored document, read from Redis without the rest, mapped to {@code view}. */
    public <P> CompletableFuture<Optional<Versioned<P>>> project(DataKey key, Class<P> view, List<String> members) {
        String redisKey = layout.documentKey(key.id());
        return store.project(key.id(), members).thenApply(stored -> {
            if (!stored.exists()) {
                return Optional.empty();
            }
            P value = codec.project(key, redisKey, codec.fromMembers(key, redisKey, stored.members()), view);
            return Optional.of(new Versioned<>(key, value, stored.version(), Instant.ofEpochMilli(stored.timeMillis()),
                    stored.origin()));
        });
    }

    /** Read-modify-write of one key (see {@code DocumentManager.update}). */
    public CompletableFuture<Versioned<T>> update(String id, UnaryOperator<T> mutation) {
        return writer.update(id, mutation);
    }

    /** Creates or replaces one key (see {@code DocumentManager.set}). */
    public CompletableFuture<Versioned<T>> set(String id, T value) {
        return writer.set(id, value);
    }

    /** Deletes one key (see {@code DocumentManager.delete}). */
    public CompletableFuture<Boolean> delete(String id) {
        return writer.delete(id);
    }

    /** Writes started and not yet completed. */
    public int writesInFlight() {
        return writer.inFlight();
    }

    /** Loads started and not yet completed. */
    public int loadsInFlight() {
        return loader.inFlight();
    }

    /** Adds a listener of every delivered change; closing the handle removes it. */
    public AutoCloseable addListener(ChangeListener listener) {
        return listeners.add(listener);
    }

    /** Subscribes late to one key (see {@code DocumentManager.changes}); the runnable ends it. */
    public Runnable subscribe(String id, long fromVersion, ChangeListener listener) {
        return subscriptions.subscribe(id, fromVersion, listener);
    }

    /** Subscribes late to the section (see {@code DocumentManager.changesSince}); the runnable ends it. */
    public Runnable subscribeSection(Instant since, ChangeListener listener) {
        return subscriptions.subscribeSection(since, listener);
    }

    /** Adds a listener of the sync's own events; the runnable removes it. */
    public Runnable addSyncListener(SyncListener listener) {
        return syncEvents.add(listener);
    }

    /** The changes of a key the change buffer holds, oldest first. */
    public List<ChangeEvent> bufferedChanges(String id) {
        return buffer.events(id);
    }

    /** Received changes waiting for their lanes (metrics). */
    public int pendingChanges() {
        return lanes.backlog();
    }

    /** Observes every delivered change (metrics: apply lag). Must be fast and must not throw. */
    public void observeDeliveries(java.util.function.Consumer<ChangeEvent> observer) {
        delivery.observeDeliveries(observer);
    }

    /** Every counter of the section, with the manager's own hit and miss counts. */
    public ManagerStats stats(long hits, long misses) {
        long[] bytes = writer.patchAndFullBytes();
        ChangeChannel.Counters heard = channel.counters();
        KeyDelivery.Counters fed = delivery.counters();
        SectionRepair.Counters repaired = repair.counters();
        return new ManagerStats(cache.size(), buffer.size(), hits, misses, loader.loads(), writer.commits(), writer.conflicts(),
                heard.received(), fed.delivered(), fed.applied(), fed.duplicates(), heard.malformed(), fed.gaps(),
                repaired.catchUps(), repaired.catchUpEntries(), repaired.sectionReloads(), repaired.resyncs(),
                versionCheck.checks(), versionCheck.driftRepairs(), heard.overflowDrops(), heard.resubscribes(),
                state.epochSwitches(), listeners.failures(), bytes[0], bytes[1], fed.regionConflicts(),
                notices.count(RegionNotice.Kind.LINEAGE_CHANGED), notices.count(RegionNotice.Kind.REDELIVERED),
                notices.count(RegionNotice.Kind.SKIPPED), notices.count(RegionNotice.Kind.REPAIR_REQUESTED));
    }

    /** The section's health: DOWN unless subscribed, DEGRADED while repairs fail or the queue is over half full. */
    public SyncHealth.Section health(boolean closed, long maxPendingChanges) {
        // Redisson does not report a dropped subscription connection, so an unreachable Redis
        // (seen by the periodic head check) counts as not subscribed.
        boolean subscribed = !closed && channel.isSubscribed() && repair.reachable();
        String lastError = repair.lastError();
        long pending = lanes.backlog();
        SyncHealth.Status status = !subscribed ? SyncHealth.Status.DOWN
                : lastError != null || pending > maxPendingChanges / 2 ? SyncHealth.Status.DEGRADED : SyncHealth.Status.UP;
        return new SyncHealth.Section(settings.partition(), settings.section(), status, subscribed, repair.busy(), lastError,
                pending, cache.size(), buffer.size(), state.epoch(), channel.lastSeen());
    }
}
