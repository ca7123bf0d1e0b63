package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyOffsetIndexTest {

    private static final long K = KeyOffsetIndex.hash("orders/book/k");
    private static final long J = KeyOffsetIndex.hash("orders/book/j");

    @Test
    void aKeysEntries_areListedNewestFirst_inChunks_withoutTheOtherKeys() {
        KeyOffsetIndex index = new KeyOffsetIndex(1_000);
        for (int offset = 0; offset < 300; offset++) {
            index.add(offset % 3 == 0 ? K : J, offset % 2, offset);
        }

        KeyOffsetIndex.Chunk first = index.chunk(index.head(K), 64);
        assertThat(first.size()).isEqualTo(64);
        assertThat(first.offsets()[0]).isEqualTo(297);
        assertThat(first.offsets()[63]).isEqualTo(297 - 63 * 3);
        assertThat(first.partitions()[0]).isEqualTo(1);
        assertThat(first.partitions()[1]).isEqualTo(0);
        KeyOffsetIndex.Chunk second = index.chunk(first.next(), 64);
        assertThat(second.size()).isEqualTo(36);
        assertThat(second.offsets()[35]).isZero();
        assertThat(second.next()).isEqualTo(KeyOffsetIndex.NONE);
        assertThat(second.truncated()).isFalse();
        assertThat(index.head(KeyOffsetIndex.hash("orders/book/never"))).isEqualTo(KeyOffsetIndex.NONE);
        assertThat(index.keys()).isEqualTo(2);
        assertThat(index.entries()).isEqualTo(300);
    }

    @Test
    void rawAndTextHashes_agree() {
        byte[] raw = "orders/book/k".getBytes(StandardCharsets.UTF_8);
        assertThat(KeyOffsetIndex.hash(raw, 0, raw.length)).isEqualTo(K);
        assertThat(HistoryIndex.hashOf(raw)).isEqualTo(K);
        assertThat(HistoryIndex.hashOf("\"orders/book/k\"".getBytes(StandardCharsets.UTF_8))).as("a JSON string key").isEqualTo(K);
        assertThat(HistoryIndex.hashOf("{\"schema\":{\"type\":\"string\"},\"payload\":\"orders/book/k\"}"
                .getBytes(StandardCharsets.UTF_8))).as("a JsonConverter envelope").isEqualTo(K);
        assertThat(HistoryIndex.hashOf((byte[]) null)).isZero();
        assertThat(HistoryIndex.hashOf(java.nio.ByteBuffer.wrap(("x" + "orders/book/k").getBytes(StandardCharsets.UTF_8), 1, 13)))
                .as("a key in place in a larger buffer").isEqualTo(K);
        assertThat(HistoryIndex.hashOf("{not json".getBytes(StandardCharsets.UTF_8))).isZero();
    }

    @Test
    void aFullRing_overwritesTheOldestEntries_andSaysWhereEachPartitionIsCoveredFrom() {
        KeyOffsetIndex index = new KeyOffsetIndex(10);
        for (int offset = 0; offset < 10; offset++) {
            index.add(K, 0, offset);
        }
        assertThat(index.evictedThrough(0)).isEqualTo(-1);
        for (int offset = 10; offset < 14; offset++) {
            index.add(J, 1, offset);
        }

        assertThat(index.entries()).isEqualTo(10);
        assertThat(index.evictedThrough(0)).as("offsets 0..3 of partition 0 were overwritten").isEqualTo(3);
        assertThat(index.evictedThrough(1)).isEqualTo(-1);
        KeyOffsetIndex.Chunk k = index.chunk(index.head(K), 100);
        assertThat(k.offsets()).containsExactly(9, 8, 7, 6, 5, 4);
        assertThat(k.truncated()).as("older entries of k were overwritten").isTrue();
        assertThat(k.next()).isEqualTo(KeyOffsetIndex.NONE);

        for (int offset = 14; offset < 30; offset++) {
            index.add(J, 1, offset);
        }
        assertThat(index.head(K)).as("every entry of k is gone").isEqualTo(KeyOffsetIndex.NONE);
        assertThat(index.chunk(index.head(J), 100).offsets()).containsExactly(29, 28, 27, 26, 25, 24, 23, 22, 21, 20);
        assertThat(index.chunk(index.head(J), 100).truncated()).isTrue();
    }

    @Test
    void aChunkFromAnEntryOverwrittenSinceItWasListed_isEmptyAndTruncated() {
        KeyOffsetIndex index = new KeyOffsetIndex(4);
        index.add(K, 0, 0);
        index.add(K, 0, 1);
        KeyOffsetIndex.Chunk newest = index.chunk(index.head(K), 1);
        for (int offset = 2; offset < 8; offset++) {
            index.add(J, 0, offset);
        }
        KeyOffsetIndex.Chunk rest = index.chunk(newest.next(), 10);
        assertThat(rest.size()).isZero();
        assertThat(rest.truncated()).isTrue();
    }

    @Test
    void memoryStaysBounded_byTheCapacity_whateverTheNumberOfKeys() {
        KeyOffsetIndex index = new KeyOffsetIndex(10_000);
        for (int i = 0; i < 1_000_000; i++) {
            index.add(KeyOffsetIndex.hash("orders/book/key-" + i), 0, i);
        }

        assertThat(index.entries()).isEqualTo(10_000);
        assertThat(index.keys()).as("keys whose entries are gone are dropped").isLessThanOrEqualTo(2 * 32_768);
        assertThat(index.bytes()).as("20 B per entry, at most 96 B per live key")
                .isLessThanOrEqualTo(10_000L * KeyOffsetIndex.ENTRY_BYTES + 10_000L * 96 + 1_024);
        assertThat(index.chunk(index.head(KeyOffsetIndex.hash("orders/book/key-999999")), 10).offsets()).containsExactly(999_999);
        assertThat(index.head(KeyOffsetIndex.hash("orders/book/key-5"))).isEqualTo(KeyOffsetIndex.NONE);
    }

    @Test
    void keysWithTheSameHash_shareAList_theCallerTellsThemApart() {
        KeyOffsetIndex index = new KeyOffsetIndex(100);
        index.add(42, 0, 1);
        index.add(42, 0, 5);
        assertThat(index.chunk(index.head(42), 10).offsets()).containsExactly(5, 1);
    }
}
