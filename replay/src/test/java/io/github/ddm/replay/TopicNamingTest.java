package io.github.ddm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddm.SectionId;
import io.github.ddm.schema.DataKey;
import org.junit.jupiter.api.Test;

class TopicNamingTest {

    private static final SectionId BOOK = new SectionId("orders", "book");

    @Test
    void perSection_isTheConnectorsDefault_oneTopicPerRegionAndSection() {
        TopicNaming naming = TopicNaming.perSection();
        assertThat(naming.template()).isEqualTo("ddm.${region}.${partition}.${section}");
        assertThat(naming.isPerRegion()).isTrue();
        assertThat(naming.isFixed()).isFalse();
        assertThat(naming.topicFor("eu-west", BOOK)).isEqualTo("ddm.eu-west.orders.book");
        assertThatThrownBy(() -> naming.topicFor(BOOK)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("each region");
        assertThat(naming.matches("ddm.eu-west.orders.book")).isTrue();
        assertThat(naming.matches("ddm.a.b.c.d")).as("dots are legal in names").isTrue();
        assertThat(naming.matches("ddm.orders.book")).isFalse();
        assertThat(naming.matches("xddm.eu.orders.book")).isFalse();
        assertThat(naming.matches("connect-offsets")).isFalse();
    }

    @Test
    void matchesSection_findsEveryRegionsTopicOfTheSection_andNoOther() {
        TopicNaming naming = TopicNaming.perSection();
        assertThat(naming.matches("ddm.eu-west.orders.book", BOOK)).isTrue();
        assertThat(naming.matches("ddm.us.orders.book", BOOK)).isTrue();
        assertThat(naming.matches("ddm.us.orders.books", BOOK)).isFalse();
        assertThat(naming.matches("ddm.us.orders.trades", BOOK)).isFalse();
        assertThat(naming.matches("ddm..orders.book", BOOK)).as("a region is never empty").isFalse();
        assertThat(naming.matches("other.us.orders.book", BOOK)).isFalse();
        assertThat(naming.matches(null, BOOK)).isFalse();
        assertThat(naming.matches("ddm.usXorders.book", new SectionId("orders", "book")))
                .as("the fixed dots are quoted").isFalse();

        TopicNaming namespaced = TopicNaming.template("${namespace}.${region}.${partition}.${section}").withNamespace("shop");
        assertThat(namespaced.topicFor("us", BOOK)).isEqualTo("shop.us.orders.book");
        assertThat(namespaced.matches("shop.us.orders.book", BOOK)).isTrue();
        assertThat(namespaced.matches("ddm.us.orders.book", BOOK)).isFalse();
        assertThat(namespaced).isNotEqualTo(TopicNaming.template("${namespace}.${region}.${partition}.${section}"));
    }

    @Test
    void templates_andFixedTopics() {
        assertThat(TopicNaming.template("dc1-${partition}").topicFor(BOOK)).isEqualTo("dc1-orders");
        assertThat(TopicNaming.template("ddm.${partition}.${section}").topicFor(BOOK)).as("the single-region form of 0.x")
                .isEqualTo("ddm.orders.book");
        assertThat(TopicNaming.template("ddm.${partition}.${section}").isPerRegion()).isFalse();
        TopicNaming fixed = TopicNaming.fixed("ddm.changes");
        assertThat(fixed.isFixed()).isTrue();
        assertThat(fixed.topicFor(BOOK)).isEqualTo("ddm.changes");
        assertThat(fixed.matches("ddm.changes")).isTrue();
        assertThat(fixed.matches("ddmXchanges")).as("the fixed text is quoted").isFalse();
    }

    @Test
    void badTemplates_failNamingTheProblem() {
        assertThatThrownBy(() -> TopicNaming.template("ddm.${zone}")).hasMessageContaining("${zone}");
        assertThatThrownBy(() -> TopicNaming.template("ddm changes")).hasMessageContaining("a topic name may hold only");
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
