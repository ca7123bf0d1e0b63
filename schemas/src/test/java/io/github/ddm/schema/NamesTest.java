package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "9", "eu-west-1", "ddm_node.7", "..", "-"})
    void shortNames_areAccepted(String name) {
        assertThat(Names.isShortName(name)).isTrue();
        assertThat(Names.requireShortName("namespace", name)).isSameAs(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a:b", "a/b", "{tag}", "é", "tab\t", "trailing\n", "🚀"})
    void otherValues_areRejected_withTheCallersName(String name) {
        assertThat(Names.isShortName(name)).isFalse();
        assertThatThrownBy(() -> Names.requireShortName("namespace", name))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("namespace must match [A-Za-z0-9._-]{1,64}, got '");
    }

    @Test
    void lengthLimit_is64() {
        assertThat(Names.isShortName("n".repeat(64))).isTrue();
        assertThat(Names.isShortName("n".repeat(65))).isFalse();
    }

    @Test
    void null_isRejected() {
        assertThat(Names.isShortName(null)).isFalse();
        assertThatThrownBy(() -> Names.requireShortName("region", null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("region must not be null");
    }

    @Test
    void patternConstant_describesTheRule() {
        assertThat("eu-west-1").matches(Names.SHORT_NAME_PATTERN);
        assertThat("eu west").doesNotMatch(Names.SHORT_NAME_PATTERN);
    }
}
