package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChangeOpTest {

    @Test
    void wireCodes_areStable() {
        assertThat(ChangeOp.CREATE.wireCode()).isEqualTo("c");
        assertThat(ChangeOp.UPDATE.wireCode()).isEqualTo("u");
        assertThat(ChangeOp.DELETE.wireCode()).isEqualTo("d");
        assertThat(ChangeOp.SNAPSHOT.wireCode()).isEqualTo("s");
    }

    @ParameterizedTest
    @EnumSource(ChangeOp.class)
    void fromWireCode_isTheInverseOfWireCode(ChangeOp op) {
        assertThat(ChangeOp.fromWireCode(op.wireCode())).isSameAs(op);
    }

    @Test
    void fromWireCode_unknownOrNull_namesFieldOp() {
        assertThatThrownBy(() -> ChangeOp.fromWireCode("C"))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.field()).isEqualTo("op"))
                .hasMessage("op must be one of c, u, d, s, got 'C'");
        assertThatThrownBy(() -> ChangeOp.fromWireCode("create"))
                .hasMessage("op must be one of c, u, d, s, got 'create'");
        assertThatThrownBy(() -> ChangeOp.fromWireCode(null))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.field()).isEqualTo("op"))
                .hasMessage("op is required");
    }
}
