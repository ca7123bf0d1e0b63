package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StampTest {

    @Test
    void text_roundTrips_withDotsAndDashesInTheRegion() {
        Stamp stamp = new Stamp(1767225600123L, 42, 7, "eu-west.1", "k3J9_a-Q");
        assertThat(stamp.toString()).isEqualTo("1767225600123.42.7.eu-west.1~k3J9_a-Q");
        assertThat(Stamp.parse(stamp.toString())).isEqualTo(stamp);
        assertThat(stamp.replica()).isEqualTo("eu-west.1~k3J9_a-Q");
    }

    @Test
    void order_isTimeThenLamportThenRegionThenLineageThenCounter() {
        Stamp a = new Stamp(10, 5, 1, "us", "L");
        Stamp laterTime = new Stamp(11, 1, 1, "aa", "A");
        Stamp moreSeen = new Stamp(10, 6, 1, "aa", "A");
        Stamp otherRegion = new Stamp(10, 5, 1, "zz", "A");
        Stamp otherLineage = new Stamp(10, 5, 1, "us", "M");
        Stamp higherCounter = new Stamp(10, 5, 2, "us", "L");
        List<Stamp> sorted = new ArrayList<>(List.of(laterTime, higherCounter, otherLineage, moreSeen, otherRegion, a));
        Collections.sort(sorted);
        assertThat(sorted).containsExactly(a, higherCounter, otherLineage, otherRegion, moreSeen, laterTime);
        assertThat(laterTime.isAfter(a)).isTrue();
        assertThat(a.isAfter(a)).isFalse();
    }

    @Test
    void parse_rejectsMalformedText_namingIt() {
        for (String bad : List.of("", "1.2.3", "1.2.3.eu", "1.2.x.eu~L", "1.0.1.eu~L", "1.1.0.eu~L", "-1.1.1.eu~L",
                "1.1.1.e u~L", "1.1.1.eu~L!", "99999999999999999999.1.1.eu~L")) {
            assertThatThrownBy(() -> Stamp.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a stamp");
        }
    }

    @Test
    void versionVector_sumsCoversMergesAndPrintsSorted() {
        VersionVector v = VersionVector.of(Map.of("us~B", 2L, "eu~A", 5L));
        assertThat(v.sum()).isEqualTo(7);
        assertThat(v.toJson()).isEqualTo("{\"eu~A\":5,\"us~B\":2}");
        assertThat(v.covers(new Stamp(1, 3, 5, "eu", "A"))).isTrue();
        assertThat(v.covers(new Stamp(1, 3, 6, "eu", "A"))).isFalse();
        assertThat(v.covers(new Stamp(1, 3, 1, "ap", "C"))).isFalse();
        VersionVector w = VersionVector.of(Map.of("eu~A", 3L, "ap~C", 1L));
        assertThat(v.dominates(w)).isFalse();
        assertThat(v.merge(w)).isEqualTo(VersionVector.of(Map.of("eu~A", 5L, "us~B", 2L, "ap~C", 1L)));
        assertThat(v.merge(w).dominates(v)).isTrue();
        assertThat(v.with("us~B", 3).sum()).isEqualTo(8);
        assertThatThrownBy(() -> VersionVector.of(Map.of("eu", 1L))).hasMessageContaining("clock replica");
        assertThatThrownBy(() -> VersionVector.of(Map.of("eu~A", 0L))).hasMessageContaining("must be >= 1");
    }
}
