package io.github.ddm.replay;

import static io.github.ddm.replay.Events.K;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import org.junit.jupiter.api.Test;

class HistoryChainTest {

    @Test
    void exactHistory_isReturnedAsIs_fromTheVersionAfter() {
        HistoryChain chain = new HistoryChain(3, 100);
        chain.offer(Events.create(K, 1, 0));
        for (long v = 2; v <= 8; v++) {
            chain.offer(v == 6 ? Events.updateWithState(K, v) : Events.update(K, v));
        }

        assertThat(chain.events()).extracting(ChangeEvent::version).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(chain.events()).extracting(ChangeEvent::op).containsOnly(ChangeOp.UPDATE);
        assertThat(chain.exact()).isTrue();
        assertThat(chain.holes()).isZero();
    }

    @Test
    void repeats_areDropped() {
        HistoryChain chain = new HistoryChain(0, 100);
        chain.offer(Events.create(K, 1, 0));
        chain.offer(Events.create(K, 1, 0));
        chain.offer(Events.update(K, 2));
        chain.offer(Events.update(K, 2));
        chain.offer(Events.snapshot(K, 2));
        chain.offer(Events.update(K, 3));

        assertThat(chain.events()).extracting(ChangeEvent::version).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aHole_continuesAtTheNextWholeDocument_asASnapshot_andLeavesOutThePatchesBetween() {
        HistoryChain chain = new HistoryChain(3, 100);
        chain.offer(Events.update(K, 4));
        // 5 is missing
        chain.offer(Events.update(K, 6));
        chain.offer(Events.delete(K, 7));
        chain.offer(Events.create(K, 8, 7));
        chain.offer(Events.update(K, 9));

        assertThat(chain.events()).extracting(ChangeEvent::version).containsExactly(4L, 8L, 9L);
        ChangeEvent jump = chain.events().get(1);
        assertThat(jump.op()).isEqualTo(ChangeOp.SNAPSHOT);
        assertThat(jump.prevVersion()).as("the base is what the subscriber has").isEqualTo(4);
        assertThat(jump.state()).isEqualTo(Events.json("{\"n\":8}"));
        assertThat(jump.eventId()).isEqualTo("e8");
        assertThat(chain.holes()).isEqualTo(1);
    }

    @Test
    void aMissingFirstVersion_startsWithASnapshot() {
        HistoryChain chain = new HistoryChain(3, 100);
        chain.offer(Events.update(K, 5));
        chain.offer(Events.snapshot(K, 6));
        chain.offer(Events.update(K, 7));

        assertThat(chain.events()).extracting(ChangeEvent::version).containsExactly(6L, 7L);
        assertThat(chain.events().get(0).op()).isEqualTo(ChangeOp.SNAPSHOT);
        assertThat(chain.exact()).isFalse();
    }

    @Test
    void maxEvents_boundsTheChain() {
        HistoryChain chain = new HistoryChain(0, 3);
        chain.offer(Events.create(K, 1, 0));
        for (long v = 2; v <= 10; v++) {
            chain.offer(Events.update(K, v));
        }

        assertThat(chain.full()).isTrue();
        assertThat(chain.events()).extracting(ChangeEvent::version).containsExactly(1L, 2L, 3L);
    }
}
