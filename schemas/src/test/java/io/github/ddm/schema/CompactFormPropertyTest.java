package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Round trips between the compact Redis form and the contract form, for random events of every op,
 * with and without stream ids, lineages, clocks of one replica (written as {@code 0}) or several
 * regions, stamps and conflicts, and ids with quotes, {@code ~}, {@code /} and characters beyond the BMP.
 */
class CompactFormPropertyTest {

    @Provide
    Arbitrary<ChangeEvent> events() {
        Arbitrary<String> lineages = Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(32);
        Arbitrary<String> regions = EventArbitraries.shortNames();
        return Combinators.combine(EventArbitraries.events(), lineages, regions, Arbitraries.integers().between(0, 3),
                Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.integers().between(0, 2))
                .as(CompactFormPropertyTest::decorate);
    }

    /** Adds the fields of regions support: {@code clockKind} 0 none, 1 the origin's alone, 2 several regions, 3 no lineage. */
    private static ChangeEvent decorate(ChangeEvent event, String lineage, String otherRegion, int clockKind, long split,
            int extras) {
        long version = event.version();
        String own = VersionVector.replica(event.origin().region(), lineage);
        ChangeEvent out = switch (clockKind) {
            case 1 -> event.withClock(lineage, VersionVector.of(Map.of(own, version)));
            case 2 -> {
                String other = VersionVector.replica(otherRegion, "o" + lineage.substring(1));
                if (version < 2 || other.equals(own)) {
                    yield event.withClock(lineage, VersionVector.of(Map.of(other, version)));
                }
                long mine = 1 + Math.floorMod(split, version - 1);
                yield event.withClock(lineage, VersionVector.of(Map.of(own, mine, other, version - mine)));
            }
            case 3 -> event.withClock(null, VersionVector.of(Map.of(VersionVector.replica(otherRegion, lineage), version)));
            default -> event;
        };
        Stamp stamp = new Stamp(Math.floorMod(split, 1_000_000_000_000L), Math.max(1, version), 1 + Math.floorMod(split, 9),
                otherRegion, lineage);
        if (extras >= 1 && (event.op() == ChangeOp.SNAPSHOT || event.op() == ChangeOp.DELETE)) {
            TreeMap<String, Stamp> stamps = new TreeMap<>();
            stamps.put("", stamp);
            stamps.put("/a~1b/~0", stamp);
            out = out.withStamps(stamps);
        }
        if (extras >= 2) {
            List<Conflict> conflicts = new ArrayList<>();
            conflicts.add(new Conflict("/x/0", stamp, new Stamp(0, 1, 1, "r", "l")));
            out = out.withConflicts(conflicts);
        }
        return out;
    }

    @Property(tries = 300)
    void compactAndContractForm_roundTripToTheSameEvent(@ForAll("events") ChangeEvent event) {
        SectionContext section = SectionContext.of(event.key().partition(), event.key().section());
        String compact = ChangeEventCodec.encodeCompact(event);
        ChangeEvent fromCompact = ChangeEventCodec.decode(compact, section);

        assertThat(fromCompact).isEqualTo(event);
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encodeToString(fromCompact))).as("compact to contract form")
                .isEqualTo(event);
        assertThat(ChangeEventCodec.encodeCompact(ChangeEventCodec.decode(ChangeEventCodec.encode(event))))
                .as("contract to compact form").isEqualTo(compact);
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encodeToString(event), section)).as("either form with a context")
                .isEqualTo(event);
        assertThat(WireForm.eventIdOf(compact)).isEqualTo(event.eventId());

        Statistics.label("op").collect(event.op());
        Statistics.label("clock").collect(event.clock() == null ? "none" : CompactForm.isDerivedClock(event) ? "derived"
                : event.clock().counts().size() + " replicas");
        Statistics.label("prevVersion").collect(event.prevVersion() == event.version() - 1 ? "version - 1" : "other");
        Statistics.label("op").coverage(check -> {
            for (ChangeOp op : ChangeOp.values()) {
                check.check(op).percentage(p -> p > 10);
            }
        });
        Statistics.label("clock").coverage(check -> {
            check.check("derived").percentage(p -> p > 10);
            check.check("2 replicas").percentage(p -> p > 5);
        });
    }
}
