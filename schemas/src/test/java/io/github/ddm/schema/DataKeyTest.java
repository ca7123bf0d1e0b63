package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataKeyTest {

    @Test
    void of_keepsTheParts_andToStringJoinsThemWithSlashes() {
        DataKey key = DataKey.of("orders", "book", "BTC-USD");

        assertThat(key.partition()).isEqualTo("orders");
        assertThat(key.section()).isEqualTo("book");
        assertThat(key.id()).isEqualTo("BTC-USD");
        assertThat(key).isEqualTo(new DataKey("orders", "book", "BTC-USD")).hasToString("orders/book/BTC-USD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "orders", "A.b_c-9", "0123456789012345678901234567890123456789012345678901234567890123"})
    void partitionAndSection_acceptShortNames(String name) {
        assertThat(DataKey.of(name, name, "x").partition()).isEqualTo(name);
    }

    @Test
    void partition_invalid_isNamedInTheMessage() {
        assertThatThrownBy(() -> DataKey.of("a b", "book", "x"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("DataKey.partition must match [A-Za-z0-9._-]{1,64}, got 'a b'");
        assertThatThrownBy(() -> DataKey.of(null, "book", "x"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("DataKey.partition must not be null");
        assertThatThrownBy(() -> DataKey.of("x".repeat(65), "book", "x"))
                .hasMessageStartingWith("DataKey.partition must match [A-Za-z0-9._-]{1,64}, got 'xxx");
    }

    @Test
    void section_invalid_isNamedInTheMessage() {
        assertThatThrownBy(() -> DataKey.of("orders", "", "x"))
                .hasMessage("DataKey.section must match [A-Za-z0-9._-]{1,64}, got ''");
        assertThatThrownBy(() -> DataKey.of("orders", "bo/ok", "x"))
                .hasMessage("DataKey.section must match [A-Za-z0-9._-]{1,64}, got 'bo/ok'");
        assertThatThrownBy(() -> DataKey.of("orders", "b\u00f6ok", "x"))
                .hasMessage("DataKey.section must match [A-Za-z0-9._-]{1,64}, got 'b\u00f6ok'");
    }

    @Test
    void id_acceptsAnyPrintableUnicode_includingSlashesAndSpaces() {
        String id = "Zürich/東京 🚀 café \u2028 \"quoted\"";

        assertThat(DataKey.of("p", "s", id).id()).isEqualTo(id);
        assertThat(DataKey.of("p", "s", id)).hasToString("p/s/" + id);
    }

    @Test
    void id_emptyOrNull_isRejected() {
        assertThatThrownBy(() -> DataKey.of("p", "s", "")).hasMessage("DataKey.id must not be empty");
        assertThatThrownBy(() -> DataKey.of("p", "s", null)).hasMessage("DataKey.id must not be null");
    }

    @Test
    void id_lengthCountsCodePoints_notChars() {
        String rockets = "🚀".repeat(DataKey.MAX_ID_LENGTH); // 1024 chars, 512 code points

        assertThat(DataKey.of("p", "s", rockets).id()).hasSize(1024);
        assertThatThrownBy(() -> DataKey.of("p", "s", rockets + "x"))
                .hasMessageStartingWith("DataKey.id must be at most 512 code points long, got 513: '🚀🚀");
        assertThatThrownBy(() -> DataKey.of("p", "s", "x".repeat(513)))
                .hasMessageStartingWith("DataKey.id must be at most 512 code points long, got 513");
    }

    @Test
    void id_controlCharacters_areRejected_andEscapedInTheMessage() {
        assertThatThrownBy(() -> DataKey.of("p", "s", "BTC\u0007USD"))
                .hasMessage("DataKey.id must not contain control characters (U+0007 at index 3), got 'BTC\\u0007USD'");
        assertThatThrownBy(() -> DataKey.of("p", "s", "line\n"))
                .hasMessage("DataKey.id must not contain control characters (U+000A at index 4), got 'line\\u000A'");
        assertThatThrownBy(() -> DataKey.of("p", "s", "\u007f"))
                .hasMessageContaining("U+007F");
        assertThatThrownBy(() -> DataKey.of("p", "s", "a\u0085b"))
                .hasMessageContaining("U+0085");
    }

    @Test
    void id_unpairedSurrogates_areRejected() {
        assertThatThrownBy(() -> DataKey.of("p", "s", "a\uD800"))
                .hasMessage("DataKey.id must not contain an unpaired surrogate (at index 1), got 'a\\uD800'");
        assertThatThrownBy(() -> DataKey.of("p", "s", "\uDC00a"))
                .hasMessage("DataKey.id must not contain an unpaired surrogate (at index 0), got '\\uDC00a'");
        assertThatThrownBy(() -> DataKey.of("p", "s", "\uDC00\uD800")) // reversed pair
                .hasMessageStartingWith("DataKey.id must not contain an unpaired surrogate (at index 0)");
    }

    @Test
    void messages_echoAtMost80CharsOfBadInput() {
        String bad = "\u0001" + "y".repeat(10_000);

        assertThatThrownBy(() -> DataKey.of("p", "s", bad))
                .hasMessage("DataKey.id must not contain control characters (U+0001 at index 0), got '\\u0001"
                        + "y".repeat(79) + "'... (10001 chars)");
    }

    @Test
    void messages_doNotSplitASurrogatePairWhenTruncating() {
        String bad = " ".repeat(79) + "🚀" + "x".repeat(600);

        assertThatThrownBy(() -> DataKey.of("p", "s", bad))
                .hasMessageEndingWith(" ".repeat(79) + "'... (681 chars)");
    }
}
