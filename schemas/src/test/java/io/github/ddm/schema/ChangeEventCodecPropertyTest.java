package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

class ChangeEventCodecPropertyTest {

    @Provide
    Arbitrary<ChangeEvent> events() {
        return EventArbitraries.events();
    }

    @Property
    void decodeOfEncode_equalsTheEvent(@ForAll("events") ChangeEvent event) {
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encode(event))).isEqualTo(event);
        assertThat(ChangeEventCodec.decode(ChangeEventCodec.encodeToString(event))).isEqualTo(event);
        assertThat(ChangeEventCodec.decode(Fixtures.json(ChangeEventCodec.encodeToString(event)))).isEqualTo(event);

        String id = event.key().id();
        Statistics.label("op").collect(event.op());
        Statistics.label("id beyond the BMP").collect(id.codePointCount(0, id.length()) < id.length());
        if (event.state() != null) {
            Statistics.label("nested state").collect(hasContainerMember(event.state()));
        }
        Statistics.label("op").coverage(check -> {
            for (ChangeOp op : ChangeOp.values()) {
                check.check(op).percentage(p -> p > 10);
            }
        });
        Statistics.label("id beyond the BMP").coverage(check -> check.check(true).percentage(p -> p > 10));
        Statistics.label("nested state").coverage(check -> check.check(true).percentage(p -> p > 10));
    }

    private static boolean hasContainerMember(JsonNode node) {
        for (JsonNode child : node) {
            if (child.isContainerNode() && !child.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Property
    void encoding_isStable_andTheSameInBytesAndText(@ForAll("events") ChangeEvent event) {
        byte[] bytes = ChangeEventCodec.encode(event);

        assertThat(ChangeEventCodec.encode(ChangeEventCodec.decode(bytes))).isEqualTo(bytes);
        assertThat(ChangeEventCodec.encodeToString(event).getBytes(StandardCharsets.UTF_8)).isEqualTo(bytes);
    }

    @Property(tries = 300)
    void everyEncodedEvent_passesTheJsonSchema(@ForAll("events") ChangeEvent event) {
        byte[] bytes = ChangeEventCodec.encode(event);

        assertThat(GoldenVectorTest.SCHEMA.validate(Fixtures.json(new String(bytes, StandardCharsets.UTF_8))))
                .isEmpty();
    }

    @Property
    void eventsBuiltInJava_equalTheirCanonicalCopies(@ForAll("events") ChangeEvent event) {
        ChangeEvent rebuilt = new ChangeEvent(event.eventId(), event.key(), event.op(), event.version(),
                event.prevVersion(), event.epoch(), event.time(), event.origin(), event.patch(), event.state(),
                event.streamId());

        assertThat(rebuilt).isEqualTo(event).hasSameHashCodeAs(event);
        assertThat(ChangeEventCodec.encode(rebuilt)).isEqualTo(ChangeEventCodec.encode(event));
    }

    /** A corrupted byte either still decodes to a valid event or is rejected with InvalidEventException. */
    @Property
    void corruptedEncodings_decodeOrFailCleanly(@ForAll("events") ChangeEvent event,
                                                @ForAll @IntRange(min = 0, max = 100_000) int position,
                                                @ForAll byte replacement) {
        byte[] bytes = ChangeEventCodec.encode(event);
        byte[] corrupted = Arrays.copyOf(bytes, bytes.length);
        corrupted[position % corrupted.length] = replacement;

        ChangeEvent[] decoded = new ChangeEvent[1];
        Throwable failure = catchThrowable(() -> decoded[0] = ChangeEventCodec.decode(corrupted));

        if (failure == null) {
            assertThat(ChangeEventCodec.decode(ChangeEventCodec.encode(decoded[0]))).isEqualTo(decoded[0]);
        } else {
            assertThat(failure).isInstanceOf(InvalidEventException.class);
            assertThat(failure.getMessage()).startsWith(((InvalidEventException) failure).field() + " ");
        }
    }

    /** Cutting an encoding short anywhere is always reported as malformed JSON. */
    @Property
    void truncatedEncodings_areMalformed(@ForAll("events") ChangeEvent event,
                                         @ForAll @IntRange(min = 0, max = 100_000) int cut) {
        byte[] bytes = ChangeEventCodec.encode(event);
        byte[] truncated = Arrays.copyOf(bytes, cut % bytes.length);

        Throwable failure = catchThrowable(() -> ChangeEventCodec.decode(truncated));

        assertThat(failure).isInstanceOfSatisfying(InvalidEventException.class,
                e -> assertThat(e.field()).isEqualTo(ChangeEventCodec.ROOT_FIELD));
    }
}
