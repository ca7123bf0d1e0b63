package io.github.ddm.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamIdsTest {

    @Test
    void ordersByMillisecondsThenSequence_numerically() {
        assertThat(StreamIds.compare("1-0", "1-0")).isZero();
        assertThat(StreamIds.compare("1-1", "1-0")).isPositive();
        assertThat(StreamIds.compare("9-0", "10-0")).isNegative();
        assertThat(StreamIds.compare("10-2", "10-10")).isNegative();
        assertThat(StreamIds.compare("1732700000123-0", "1732700000122-99")).isPositive();
    }
}
