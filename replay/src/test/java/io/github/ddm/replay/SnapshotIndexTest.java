package io.github.ddm.replay;

import static io.github.ddm.replay.Events.K;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.schema.DataKey;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SnapshotIndexTest {

    private static final DataKey J = DataKey.of("orders", "book", "j");
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void eventsTheNewestWholeStateCounts_areSuperseded() {
        SnapshotIndex index = new SnapshotIndex();
        index.add(Events.create(K, 1, 0), at(P0, 0));
        index.add(Events.update(K, 2), at(P0, 1));
        index.add(Events.snapshot(K, 3), at(P0, 2));
        index.add(Events.update(K, 4), at(P0, 5));
        index.add(Events.update(J, 7), at(P1, 3)); // j has no whole state: nothing is superseded

        assertThat(index.superseded(Events.create(K, 1, 0))).isTrue();
        assertThat(index.superseded(Events.update(K, 2))).isTrue();
        assertThat(index.superseded(Events.snapshot(K, 3))).isFalse();
        assertThat(index.superseded(Events.update(K, 4))).isFalse();
        assertThat(index.superseded(Events.update(J, 7))).isFalse();
        assertThat(index.superseded(Events.elsewhere(K))).as("another region's change the state does not count").isFalse();
        assertThat(index.keys()).isEqualTo(2);
        assertThat(index.supersededEvents()).isEqualTo(2);
        assertThat(index.startOffsets(List.of(new PartitionPosition(P0, 0, 9, 9), new PartitionPosition(P1, 0, 9, 9),
                new PartitionPosition(new TopicPartition("t", 2), 0, 4, 4))))
                .as("each partition from the first offset a key needs; nothing where none does")
                .isEqualTo(Map.of(P0, 2L, P1, 3L, new TopicPartition("t", 2), 4L));
    }

    @Test
    void anUpdateWithItsStateOrADelete_isNotAWholeState() {
        SnapshotIndex index = new SnapshotIndex();
        index.add(Events.create(K, 1, 0), at(P0, 0));
        index.add(Events.updateWithState(K, 2), at(P0, 1));
        index.add(Events.delete(K, 3), at(P0, 2));

        // Without stamps such an event says nothing of who wrote which place: every change is applied.
        assertThat(index.superseded(Events.create(K, 1, 0))).isFalse();
        assertThat(index.superseded(Events.updateWithState(K, 2))).isFalse();
        assertThat(index.supersededEvents()).isZero();
    }

    @Test
    void aKeyInTwoPartitions_isReadFromItsFirstOffsetInEach() {
        SnapshotIndex index = new SnapshotIndex();
        index.add(Events.create(K, 1, 0), at(P0, 4));
        index.add(Events.snapshot(K, 2), at(P0, 6));
        index.add(Events.update(K, 3), at(P1, 8));

        assertThat(index.spreadKeys()).isEqualTo(1);
        assertThat(index.startOffsets(List.of(new PartitionPosition(P0, 0, 9, 9), new PartitionPosition(P1, 0, 9, 9))))
                .isEqualTo(Map.of(P0, 4L, P1, 8L));
    }

    private static RecordPosition at(TopicPartition tp, long offset) {
        return new RecordPosition(tp.topic(), tp.partition(), offset);
    }
}
