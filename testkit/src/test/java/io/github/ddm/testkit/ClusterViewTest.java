package io.github.ddm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

    private static final String A = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
    private static final String B = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f";
    private static final String C = "824fe116063bc5fcf9f4ffd895bc17aee7731ac3";
    private static final String R = "07c37dfeb235213a872192d90877d0cd55635b91";

    /** As node A would answer while it imports slot 5461 from B and after C was flagged failed. */
    private static final String FROM_A = String.join("\n",
            A + " 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460 [5461-<-" + B + "]",
            B + " 127.0.0.1:30002@40002,host-b master - 0 1426238316232 2 connected 5461-10922",
            R + " 127.0.0.1:30004@40004 slave " + A + " 0 1426238317239 4 connected",
            C + " 127.0.0.1:30003@40003 master,fail - 1426238316232 1426238315000 3 disconnected 10923-16382 16383",
            "");

    /** The same topology as node B sees it: B migrating the slot, C only suspected by B, other pings. */
    private static final String FROM_B = String.join("\n",
            C + " 127.0.0.1:30003@40003 master,fail,fail? - 1426238316232 1426238315111 3 disconnected 10923-16383",
            A + " 127.0.0.1:30001@40001 master - 0 1426238316999 1 connected 0-5460",
            B + " 127.0.0.1:30002@40002,host-b myself,master - 0 0 2 connected 5461-10922 [5461->-" + A + "]",
            R + " 127.0.0.1:30004@40004 slave " + A + " 0 1426238317000 4 connected");

    @Test
    void parse_readsPortsRolesAndSlots() {
        ClusterView view = ClusterView.parse(FROM_A);

        assertThat(view.nodes()).hasSize(4);
        ClusterView.Node a = view.myself();
        assertThat(a.id()).isEqualTo(A);
        assertThat(a.port()).isEqualTo(30001);
        assertThat(a.isMaster()).isTrue();
        assertThat(a.slots().cardinality()).as("the importing slot is not A's yet").isEqualTo(5461);
        assertThat(view.byPort(30002).orElseThrow().id()).as("hostname after the bus port").isEqualTo(B);
        ClusterView.Node replica = view.byId(R).orElseThrow();
        assertThat(replica.isReplica()).isTrue();
        assertThat(replica.masterId()).isEqualTo(A);
        assertThat(view.replicasOf(a)).containsExactly(replica);
        assertThat(view.byId(C).orElseThrow().isFailed()).isTrue();
        assertThat(view.ownerOf(5461).map(ClusterView.Node::id)).hasValue(B);
        assertThat(view.ownerOf(16383).map(ClusterView.Node::id)).hasValue(C);
        assertThat(view.assignedSlots().cardinality()).isEqualTo(RedisCluster.SLOTS);
    }

    @Test
    void signature_isTheSameFromEveryNodeThatAgrees() {
        assertThat(ClusterView.parse(FROM_B).signature()).isEqualTo(ClusterView.parse(FROM_A).signature());
    }

    @Test
    void signature_differsWhenARoleOrASlotDiffers() {
        String promoted = FROM_A.replace(R + " 127.0.0.1:30004@40004 slave " + A, R + " 127.0.0.1:30004@40004 master -");
        String moved = FROM_A.replace("5461-10922", "5462-10922");

        assertThat(ClusterView.parse(promoted).signature()).isNotEqualTo(ClusterView.parse(FROM_A).signature());
        assertThat(ClusterView.parse(moved).signature()).isNotEqualTo(ClusterView.parse(FROM_A).signature());
    }

    @Test
    void ranges_joinsRuns() {
        BitSet slots = new BitSet();
        slots.set(0, 5461);
        slots.set(7000);
        slots.set(16380, 16384);

        assertThat(ClusterView.ranges(slots)).isEqualTo("0-5460 7000 16380-16383");
        assertThat(ClusterView.ranges(new BitSet())).isEmpty();
    }

    @Test
    void parse_rejectsALineThatIsNotClusterNodes() {
        assertThatThrownBy(() -> ClusterView.parse("ERR something")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ERR something");
    }
}
