package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SectionIdTest {

    @Test
    void parse_readsADotOrASlash() {
        assertThat(SectionId.parse(" trading.books ")).isEqualTo(new SectionId("trading", "books"));
        assertThat(SectionId.parse("eu.trading/order.books")).isEqualTo(new SectionId("eu.trading", "order.books"));
    }

    @Test
    void parse_rejectsMissingAmbiguousAndInvalidText_namingIt() {
        assertThatThrownBy(() -> SectionId.parse("books")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'books'").hasMessageContaining("partition.section");
        assertThatThrownBy(() -> SectionId.parse("a.b.c")).hasMessageContaining("ambiguous").hasMessageContaining("partition/section");
        assertThatThrownBy(() -> SectionId.parse("a/b/c")).hasMessageContaining("more than one '/'");
        assertThatThrownBy(() -> SectionId.parse("a b.c")).hasMessageContaining("'a b.c' is not a section").hasMessageContaining("partition");
    }

    @Test
    void splitParts_leavesGlobsAlone() {
        assertThat(SectionId.splitParts("*.book?", "pattern")).containsExactly("*", "book?");
    }
}
