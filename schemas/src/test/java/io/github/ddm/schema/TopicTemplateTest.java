package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicTemplateTest {

    @Test
    void topic_fillsEveryPlaceholder_includingTheNamespace() {
        assertThat(TopicTemplate.parse(TopicTemplate.DEFAULT).topic("ddm", "eu", "orders", "book")).isEqualTo("ddm.eu.orders.book");
        assertThat(TopicTemplate.parse("${namespace}.${region}.control").topic("shop", "us", "-", "-")).isEqualTo("shop.us.control");
        assertThat(TopicTemplate.parse("ddm.changes").isSingleTopic()).isTrue();
    }

    @Test
    void matches_givenNames_andAnyShortNameForTheOthers() {
        TopicTemplate template = TopicTemplate.parse("${namespace}.${region}.${partition}.${section}");
        assertThat(template.matches("shop.us.orders.book", "shop", null, "orders", "book")).isTrue();
        assertThat(template.matches("shop.eu-west.orders.book", "shop", null, "orders", "book")).isTrue();
        assertThat(template.matches("ddm.us.orders.book", "shop", null, "orders", "book")).isFalse();
        assertThat(template.matches("shop..orders.book", "shop", null, "orders", "book")).as("a name is never empty").isFalse();
        assertThat(template.matches("shop.us.ordersXbook", "shop", null, "orders", "book")).isFalse();
        assertThat(template.matches("shop.us.orders.books", "shop", null, "orders", "book")).isFalse();
        assertThat(template.matches(null, null, null, null, null)).isFalse();
        assertThat(template.matches("a.b.c.d", null, null, null, null)).isEqualTo(template.matches("a.b.c.d")).isTrue();
        assertThat(TopicTemplate.parse("dc1.${partition}").matches("dc1.orders", "any", "any", "orders", "other")).isTrue();
    }

    @Test
    void parse_rejectsWhatNoTopicCanBe() {
        assertThatThrownBy(() -> TopicTemplate.parse("ddm.${zone}")).hasMessageContaining("${zone}");
        assertThatThrownBy(() -> TopicTemplate.parse("ddm changes")).hasMessageContaining("a topic name may hold only");
        assertThatThrownBy(() -> TopicTemplate.parse(" ")).hasMessageContaining("must not be empty");
    }
}
