package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OriginTest {

    @Test
    void of_keepsTheParts() {
        Origin origin = Origin.of("eu-west-1", "ddm-node-1");

        assertThat(origin.region()).isEqualTo("eu-west-1");
        assertThat(origin.node()).isEqualTo("ddm-node-1");
        assertThat(origin).isEqualTo(new Origin("eu-west-1", "ddm-node-1")).hasToString("eu-west-1/ddm-node-1");
    }

    @Test
    void invalidParts_areNamedInTheMessage() {
        assertThatThrownBy(() -> Origin.of("eu west", "n1"))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("Origin.region must match [A-Za-z0-9._-]{1,64}, got 'eu west'");
        assertThatThrownBy(() -> Origin.of("eu", null)).hasMessage("Origin.node must not be null");
        assertThatThrownBy(() -> Origin.of("eu", "")).hasMessage("Origin.node must match [A-Za-z0-9._-]{1,64}, got ''");
    }
}
