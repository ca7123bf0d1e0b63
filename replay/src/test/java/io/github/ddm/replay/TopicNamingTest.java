package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.SectionId;
import io.github.ddm.schema.DataKey;
import org.junit.jupiter.api.Test;

class TopicNamingTest {

    private static final SectionId BOOK = new SectionId("orders", "book");

    @Test
    void perSection_isTheConnectorsDefault() {
        TopicNaming naming = TopicNaming.perSection();
        assertThat(naming.topicFor(BOOK)).isEqualTo("ddm.orders.book");
        assertThat(naming.isFixed()).isFalse();
        assertThat(naming.matches("ddm.orders.book")).isTrue();
        assertThat(naming.matches("ddm.a.b.c")).as("dots are legal in names").isTrue();
        assertThat(naming.matches("ddm.orders")).isFalse();
        assertThat(naming.matches("xddm.orders.book")).isFalse();
        assertThat(naming.matches("connect-offsets")).isFalse();
    }

    @Test
    void templates_andFixedTopics() {
        assertThat(TopicNaming.template("dc1-${partition}").topicFor(BOOK)).isEqualTo("dc1-orders");
        TopicNaming fixed = TopicNaming.fixed("ddm.changes");
        assertThat(fixed.isFixed()).isTrue();
        assertThat(fixed.topicFor(BOOK)).isEqualTo("ddm.changes");
        assertThat(fixed.matches("ddm.changes")).isTrue();
        assertThat(fixed.matches("ddmXchanges")).as("the fixed text is quoted").isFalse();
    }

    @Test
    void badTemplates_failNamingTheProblem() {
        assertThatThrownBy(() -> TopicNaming.template("ddm.${region}")).hasMessageContaining("unknown placeholder ${region}");
        assertThatThrownBy(() -> TopicNaming.template("ddm changes")).hasMessageContaining("legal topic names");
        assertThatThrownBy(() -> TopicNaming.fixed("ddm.${section}")).hasMessageContaining("no placeholders");
    }

    @Test
    void keyScopes_admitRecordKeysExactly() {
        KeyScope section = KeyScope.section(BOOK);
        assertThat(section.admitsRecordKey("orders/book/x")).isTrue();
        assertThat(section.admitsRecordKey("orders/book/a/b")).isTrue();
        assertThat(section.admitsRecordKey("orders/books/x")).isFalse();
        assertThat(section.admitsRecordKey("orders/book/")).isFalse();
        assertThat(section.admitsRecordKey("orders/book")).isFalse();
        assertThat(section.admitsRecordKey("orders.book/x")).isFalse();
        KeyScope key = KeyScope.key(DataKey.of("orders", "book", "x"));
        assertThat(key.admitsRecordKey("orders/book/x")).isTrue();
        assertThat(key.admitsRecordKey("orders/book/xy")).isFalse();
        assertThat(KeyScope.all().admitsRecordKey("anything")).isTrue();
        assertThat(section.matches(DataKey.of("orders", "book", "z"))).isTrue();
        assertThat(section.matches(DataKey.of("orders", "other", "z"))).isFalse();
    }
}
