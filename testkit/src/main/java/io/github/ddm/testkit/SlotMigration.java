package io.github.ddm.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one hash slot, with its keys, from the master that serves it (the source) to another
 * master (the target), in the steps of the Redis Cluster specification, so that a test can act
 * between them. Made by {@link RedisCluster#slotMigration(int, RedisServer)}.
 *
 * <pre>{@code
 * SlotMigration migration = cluster.slotMigration(slot, target).start();
 * migration.moveKeys(10);    // MIGRATE up to 10 of the slot's keys to the target
 * // now the source answers "-ASK <slot> <target>" for a key of the slot it no longer (or never) held,
 * // and the target serves such a key only after ASKING
 * migration.finish();        // the other keys, then the target serves the slot everywhere
 * }</pre>
 *
 * <ol>
 *   <li>{@link #start()}: {@code CLUSTER SETSLOT <slot> IMPORTING <source-id>} on the target, then
 *       {@code CLUSTER SETSLOT <slot> MIGRATING <target-id>} on the source (in that order, so the
 *       target accepts what the source redirects to it).
 *   <li>{@link #moveKeys(int)}: {@code CLUSTER GETKEYSINSLOT} on the source and {@code MIGRATE ... KEYS}
 *       to the target. Meanwhile the source still serves the keys it holds, and a key it does not
 *       hold, a new one included, is written on the target: so it is safe while clients write.
 *   <li>{@link #finish()}: moves every key left, then {@code CLUSTER SETSLOT <slot> NODE <target-id>}
 *       on the target, the source and the other masters, and waits until every running node agrees
 *       that the target serves the slot.
 * </ol>
 *
 * <p>Keys are read as UTF-8 text, so keys that are not valid UTF-8 cannot be moved. Thread-safe:
 * each call is serialized with the cluster's other topology changes, but nothing stops a
 * failover of the source or target between calls; don't.
 */
public final class SlotMigration {

    private static final Logger log = LoggerFactory.getLogger(SlotMigration.class);
    private static final int FINISH_BATCH = 100;
    private static final Duration MIGRATE_TIMEOUT = Duration.ofSeconds(10);

    /** Where a migration is. */
    public enum State {
        /** Made, nothing sent yet. */
        NEW,
        /** {@link #start()} has marked the slot importing on the target and migrating on the source. */
        MIGRATING,
        /** {@link #finish()} has given the slot to the target. */
        FINISHED
    }

    private final RedisCluster cluster;
    private final int slot;
    private final RedisServer source;
    private final String sourceId;
    private final RedisServer target;
    private final String targetId;
    private State state = State.NEW;
    private long moved;

    SlotMigration(RedisCluster cluster, int slot, RedisServer source, String sourceId, RedisServer target, String targetId) {
        this.cluster = cluster;
        this.slot = slot;
        this.source = source;
        this.sourceId = sourceId;
        this.target = target;
        this.targetId = targetId;
    }

    /** The hash slot being moved. */
    public int slot() {
        return slot;
    }

    /** The master that served the slot when this migration was made. */
    public RedisServer source() {
        return source;
    }

    /** The master that serves the slot after {@link #finish()}. */
    public RedisServer target() {
        return target;
    }

    /** Where this migration is. */
    public State state() {
        synchronized (cluster) {
            return state;
        }
    }

    /**
     * Marks the slot importing on the target and migrating on the source.
     *
     * @return this
     * @throws IllegalStateException if already started
     * @throws RedisReplyException if a node refuses (for example when the slot is already being migrated)
     */
    public SlotMigration start() {
        synchronized (cluster) {
            requireState(State.NEW);
            target.call("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", sourceId);
            source.call("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", targetId);
            state = State.MIGRATING;
            log.debug("slot {} migrating from {} to {}", slot, source, target);
            return this;
        }
    }

    /**
     * Moves up to {@code batch} of the slot's keys from the source to the target (one
     * {@code MIGRATE}, atomic on the source).
     *
     * @return how many keys were moved; 0 when the source holds none of the slot's keys any more
     * @throws IllegalArgumentException if {@code batch} is less than 1
     * @throws IllegalStateException if not {@link State#MIGRATING}
     * @throws RedisReplyException if {@code MIGRATE} fails, for example with {@code BUSYKEY} when the
     *     target already holds one of the keys
     */
    public int moveKeys(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        synchronized (cluster) {
            requireState(State.MIGRATING);
            return moveBatch(batch);
        }
    }

    /** How many of the slot's keys the source still holds ({@code CLUSTER COUNTKEYSINSLOT}). */
    public long keysLeft() {
        return (Long) source.call("CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot));
    }

    /**
     * Moves every key left, gives the slot to the target on every master, and waits until every
     * running node agrees that the target serves it.
     *
     * @throws IllegalStateException if not {@link State#MIGRATING}, or the cluster does not settle
     *     within the cluster's ready timeout
     * @throws RedisReplyException if a node refuses a step
     */
    public void finish() {
        synchronized (cluster) {
            requireState(State.MIGRATING);
            while (moveBatch(FINISH_BATCH) > 0) {
                // the source holds no new key of the slot once MIGRATING: it redirects those with ASK
            }
            String[] give = {"CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId};
            target.call(give);
            source.call(give);
            for (RedisServer master : cluster.masters()) {
                if (master != target && master != source && master.isRunning()) {
                    master.call(give);
                }
            }
            state = State.FINISHED;
            cluster.awaitSettled("slot " + slot + " served by " + target, view -> {
                Optional<String> owner = view.ownerOf(slot).map(ClusterView.Node::id);
                return owner.equals(Optional.of(targetId)) ? null : "slot " + slot + " is served by " + owner.orElse("no node");
            });
            log.info("slot {} moved from {} to {} with {} keys", slot, source, target, moved);
        }
    }

    @Override
    public String toString() {
        return "SlotMigration[slot " + slot + ", " + source + " -> " + target + ", " + state() + "]";
    }

    private int moveBatch(int batch) {
        List<?> keys = (List<?>) source.call("CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), Integer.toString(batch));
        if (keys.isEmpty()) {
            return 0;
        }
        List<String> command = new ArrayList<>(List.of("MIGRATE", target.host(), Integer.toString(target.port()), "", "0",
                Long.toString(MIGRATE_TIMEOUT.toMillis())));
        if (cluster.password() != null) {
            command.add("AUTH");
            command.add(cluster.password());
        }
        command.add("KEYS");
        keys.forEach(key -> command.add((String) key));
        source.call(command.toArray(String[]::new));
        moved += keys.size();
        return keys.size();
    }

    private void requireState(State expected) {
        if (state != expected) {
            throw new IllegalStateException("this migration of slot " + slot + " is " + state + ", not " + expected);
        }
    }
}
