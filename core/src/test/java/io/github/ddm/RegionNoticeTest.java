package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RegionNoticeTest {

    private static final SectionId DOCS = new SectionId("orders", "book");
    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_123L);

    @Test
    void json_roundTrips_withAndWithoutADocument() {
        RegionNotice perDocument = new RegionNotice(RegionNotice.Kind.REPAIR_REQUESTED, DOCS, "BTC-USD", "us-east", "asked \"us\"", T);
        RegionNotice perSection = new RegionNotice(RegionNotice.Kind.LINEAGE_CHANGED, DOCS, null, "us-east", "L2", T);
        assertThat(RegionNotice.parseJson(perDocument.toJson())).isEqualTo(perDocument);
        assertThat(RegionNotice.parseJson(perSection.toJson())).isEqualTo(perSection);
        assertThat(perDocument.toJson()).contains("\"kind\":\"repair_requested\"").contains("\"id\":\"BTC-USD\"");
        assertThat(perSection.toJson()).doesNotContain("\"id\"");
    }

    @Test
    void badInput_failsNamingWhatIsWrong() {
        assertThatThrownBy(() -> RegionNotice.parseJson("not json")).hasMessageContaining("must be JSON");
        assertThatThrownBy(() -> RegionNotice.parseJson("[]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> RegionNotice.parseJson(
                "{\"kind\":\"exploded\",\"partition\":\"p\",\"section\":\"s\",\"region\":\"r\",\"detail\":\"d\",\"time\":1}"))
                .hasMessageContaining("unknown region notice kind 'exploded'");
        assertThatThrownBy(() -> RegionNotice.parseJson(
                "{\"kind\":\"skipped\",\"partition\":\"p\",\"section\":\"s\",\"region\":\"r\",\"detail\":\"d\"}"))
                .hasMessageContaining("'time'");
        assertThatThrownBy(() -> RegionNotice.parseJson(
                "{\"kind\":\"skipped\",\"partition\":\"p\",\"section\":\"s\",\"detail\":\"d\",\"time\":1}"))
                .hasMessageContaining("'region'");
        assertThatThrownBy(() -> new RegionNotice(RegionNotice.Kind.SKIPPED, DOCS, "x", "bad region!", "d", T))
                .hasMessageContaining("region");
        assertThatThrownBy(() -> new RegionNotice(RegionNotice.Kind.SKIPPED, DOCS, "", "us", "d", T))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
