package io.github.ddm.replay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where each key's records are: for every record indexed, the record key's 64-bit hash, its
 * topic-partition (an id the caller assigns) and its offset, kept so that one key's records can be
 * listed newest first without reading anything else. No event, no key text, no value is held.
 *
 * <p><b>Layout and memory.</b> Entries live in a ring of at most {@code capacity} slots (three
 * primitive arrays: offset {@code long}, previous entry of the same key {@code long}, partition id
 * {@code int}: 20 bytes a slot), grown by doubling up to {@code capacity}. Each key is a slot of an
 * open-addressing table (hash and newest entry, two {@code long}s: 16 bytes a slot, between a sixth
 * and half full): 32 to 96 bytes per key, and there are never more live keys than entries. So the
 * index takes at most {@code 20 * capacity} bytes for entries plus {@code 96 * keys} for keys:
 * at most {@code 116 * capacity} bytes even if every record had its own key, whatever the topics
 * hold. Once the ring is full, each new entry overwrites the oldest one: the index then
 * covers each partition from some offset on ({@link #evictedThrough}), and a key's list stops
 * where its older entries were overwritten ({@link Chunk#truncated()}).
 *
 * <p><b>Hashes.</b> Keys are told apart by a 64-bit hash of their text: two keys with the same
 * hash share a list, so a lookup may list another key's records too. Callers check each record's
 * key when they read it; a collision costs a read, never a wrong answer.
 *
 * <p>Not thread-safe: the caller locks.
 */
final class KeyOffsetIndex {

    /** No entry: the end of a key's list. */
    static final long NONE = -1;
    /** Bytes per entry slot and per key table slot, for the memory figures. */
    static final int ENTRY_BYTES = 8 + 8 + 4;
    static final int KEY_SLOT_BYTES = 8 + 8;

    private static final int INITIAL_ENTRIES = 1 << 12;
    private static final int INITIAL_KEY_SLOTS = 1 << 12;

    private final int capacity;
    // The ring: slot = sequence % length while growing, sequence % capacity once full.
    private long[] offsets = new long[0];
    private long[] previous = new long[0];
    private int[] partitions = new int[0];
    private long appended; // sequence number of the next entry
    // Partition id -> the highest offset whose entry was overwritten (-1: none).
    private long[] evictedThrough = new long[0];
    // Key table: hash (0 = empty slot) and the sequence of the key's newest entry.
    private long[] hashes = new long[INITIAL_KEY_SLOTS];
    private long[] heads = new long[INITIAL_KEY_SLOTS];
    private int keys;

    KeyOffsetIndex(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The 64-bit hash the index files a key under: of its UTF-8 text, as the record key carries it. */
    static long hash(String key) {
        return hash(key.getBytes(StandardCharsets.UTF_8), 0, -1);
    }

    /**
     * The hash of {@code length} bytes of {@code bytes} from {@code from} ({@code length} -1: to the
     * end): FNV-1a over the bytes, then a 64-bit finalizer to spread it. Never 0.
     */
    static long hash(byte[] bytes, int from, int length) {
        int end = length < 0 ? bytes.length : from + length;
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < end; i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return finish(h);
    }

    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    /** As {@link #hash(byte[], int, int)}, over the remaining bytes of {@code bytes} (its position is left alone). */
    static long hash(ByteBuffer bytes) {
        long h = 0xcbf29ce484222325L;
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            h ^= bytes.get(i) & 0xff;
            h *= 0x100000001b3L;
        }
        return finish(h);
    }

    /** Files a record: key hash, partition id (>= 0) and offset. */
    void add(long keyHash, int partition, long offset) {
        if (keyHash == 0) {
            keyHash = 1;
        }
        long sequence = appended;
        if (sequence < capacity && sequence >= offsets.length) {
            growEntries();
        }
        int slot = slotOf(sequence);
        if (sequence >= capacity) {
            // Overwrites the oldest entry: its partition is now covered only after that offset.
            int evictedPartition = partitions[slot];
            ensurePartition(evictedPartition);
            evictedThrough[evictedPartition] = Math.max(evictedThrough[evictedPartition], offsets[slot]);
        }
        int keySlot = findOrInsert(keyHash);
        offsets[slot] = offset;
        partitions[slot] = partition;
        previous[slot] = heads[keySlot];
        heads[keySlot] = sequence;
        ensurePartition(partition);
        appended++;
    }

    /** The newest entry of the key filed under {@code keyHash}, or {@link #NONE} (never filed, or every entry overwritten). */
    long head(long keyHash) {
        if (keyHash == 0) {
            keyHash = 1;
        }
        int mask = hashes.length - 1;
        for (int i = spread(keyHash) & mask; hashes[i] != 0; i = (i + 1) & mask) {
            if (hashes[i] == keyHash) {
                return live(heads[i]) ? heads[i] : NONE;
            }
        }
        return NONE;
    }

    /**
     * Up to {@code max} entries of a key, newest first, starting at entry {@code from} (a
     * {@link #head} or a previous chunk's {@link Chunk#next()}).
     */
    Chunk chunk(long from, int max) {
        int n = 0;
        int[] chunkPartitions = new int[Math.max(0, max)];
        long[] chunkOffsets = new long[Math.max(0, max)];
        long at = from;
        while (at != NONE && n < max && live(at)) {
            int slot = slotOf(at);
            chunkPartitions[n] = partitions[slot];
            chunkOffsets[n] = offsets[slot];
            n++;
            at = previous[slot];
        }
        boolean truncated = at != NONE && !live(at);
        return new Chunk(Arrays.copyOf(chunkPartitions, n), Arrays.copyOf(chunkOffsets, n), truncated ? NONE : at, truncated);
    }

    /**
     * Entries of one key, newest first.
     *
     * @param partitions partition id of each entry
     * @param offsets offset of each entry
     * @param next where the key's list goes on ({@link #NONE}: nothing more)
     * @param truncated whether the list goes on among entries already overwritten
     */
    record Chunk(int[] partitions, long[] offsets, long next, boolean truncated) {
        int size() {
            return offsets.length;
        }
    }

    /** The highest offset of partition {@code partition} whose entry was overwritten, or -1. */
    long evictedThrough(int partition) {
        return partition < evictedThrough.length ? evictedThrough[partition] : -1;
    }

    /** Entries held now. */
    long entries() {
        return Math.min(appended, capacity);
    }

    /** Entries ever filed. */
    long appended() {
        return appended;
    }

    /** Keys in the table (some may have only overwritten entries left until the table is next rebuilt). */
    int keys() {
        return keys;
    }

    /** The most entries held at once. */
    int capacity() {
        return capacity;
    }

    /** Bytes of the arrays allocated now. */
    long bytes() {
        return (long) offsets.length * ENTRY_BYTES + (long) hashes.length * KEY_SLOT_BYTES + evictedThrough.length * 8L;
    }

    private boolean live(long sequence) {
        return sequence >= 0 && sequence < appended && sequence >= appended - Math.min(appended, capacity);
    }

    private int slotOf(long sequence) {
        // Before the ring is full every sequence is its own slot; the arrays reach capacity before it wraps.
        return (int) (sequence % capacity);
    }

    private void growEntries() {
        // Only while no entry was overwritten: sequence == slot, so the contents stay where they are.
        int length = (int) Math.min(capacity, Math.max(INITIAL_ENTRIES, (long) offsets.length * 2));
        offsets = Arrays.copyOf(offsets, length);
        previous = Arrays.copyOf(previous, length);
        partitions = Arrays.copyOf(partitions, length);
    }

    private void ensurePartition(int partition) {
        if (partition >= evictedThrough.length) {
            int old = evictedThrough.length;
            evictedThrough = Arrays.copyOf(evictedThrough, Math.max(partition + 1, old * 2));
            Arrays.fill(evictedThrough, old, evictedThrough.length, -1);
        }
    }

    private int findOrInsert(long keyHash) {
        int mask = hashes.length - 1;
        int i = spread(keyHash) & mask;
        for (; hashes[i] != 0; i = (i + 1) & mask) {
            if (hashes[i] == keyHash) {
                if (!live(heads[i])) {
                    heads[i] = NONE; // every entry overwritten: the key starts again
                }
                return i;
            }
        }
        if ((keys + 1) * 2L > hashes.length) {
            rebuildKeys();
            return findOrInsert(keyHash);
        }
        hashes[i] = keyHash;
        heads[i] = NONE;
        keys++;
        return i;
    }

    /** Drops the keys whose entries were all overwritten; the table is then at most a third full (it is rebuilt at half). */
    private void rebuildKeys() {
        int live = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0 && live(heads[i])) {
                live++;
            }
        }
        int length = hashes.length;
        while ((live + 1) * 3L > length) {
            length *= 2;
        }
        long[] oldHashes = hashes;
        long[] oldHeads = heads;
        hashes = new long[length];
        heads = new long[length];
        keys = 0;
        int mask = length - 1;
        for (int j = 0; j < oldHashes.length; j++) {
            if (oldHashes[j] != 0 && live(oldHeads[j])) {
                int i = spread(oldHashes[j]) & mask;
                while (hashes[i] != 0) {
                    i = (i + 1) & mask;
                }
                hashes[i] = oldHashes[j];
                heads[i] = oldHeads[j];
                keys++;
            }
        }
    }

    private static int spread(long hash) {
        return (int) (hash ^ (hash >>> 32));
    }
}
