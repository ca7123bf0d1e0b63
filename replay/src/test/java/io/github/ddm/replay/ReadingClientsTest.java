package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ReadingClientsTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void aLookupsOffsets_areSharedOutInContiguousShares_eachInOrder_noneLostOrRepeated() {
        Map<TopicPartition, long[]> wanted = new LinkedHashMap<>();
        wanted.put(P0, LongStream.range(0, 50).map(i -> i * 100).toArray());
        wanted.put(P1, new long[] {7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33});

        List<Map<TopicPartition, long[]>> shares = ReadingClients.share(wanted, 8);

        assertThat(shares).hasSize(8);
        long[] p0 = shares.stream().filter(s -> s.containsKey(P0)).flatMapToLong(s -> LongStream.of(s.get(P0))).toArray();
        long[] p1 = shares.stream().filter(s -> s.containsKey(P1)).flatMapToLong(s -> LongStream.of(s.get(P1))).toArray();
        assertThat(p0).as("every offset once, in order").isEqualTo(wanted.get(P0));
        assertThat(p1).isEqualTo(wanted.get(P1));
        assertThat(shares).allSatisfy(share -> assertThat(share.values().stream().mapToInt(o -> o.length).sum()).isBetween(7, 8));
    }

    @Test
    void fewOffsets_stayWithOneConsumer() {
        Map<TopicPartition, long[]> wanted = Map.of(P0, new long[] {1, 2, 3, 4, 5});

        List<Map<TopicPartition, long[]>> shares = ReadingClients.share(wanted, 8);

        assertThat(shares).hasSize(1);
        assertThat(shares.get(0).get(P0)).containsExactly(1, 2, 3, 4, 5);
    }
}
