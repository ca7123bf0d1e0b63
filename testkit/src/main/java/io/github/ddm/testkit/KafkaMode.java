package io.github.ddm.testkit;

import java.util.Locale;

/** Where a {@link KafkaCluster} runs. */
public enum KafkaMode {
    /** An in-JVM KRaft broker and controller ({@code KafkaClusterTestKit}). Needs nothing installed. */
    KRAFT,
    /** A Testcontainers Kafka. Needs a reachable Docker engine and {@code org.testcontainers:kafka}. */
    CONTAINER;

    /** The system property that selects the mode: {@code kraft} (default) or {@code container}. */
    public static final String PROPERTY = "ddm.kafka";

    /**
     * The mode named by {@code -Dddm.kafka}, or {@link #KRAFT}.
     *
     * @throws IllegalArgumentException naming the property if its value is unknown
     */
    public static KafkaMode fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "kraft").trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "kraft":
            case "":
                return KRAFT;
            case "container":
                return CONTAINER;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be 'kraft' or 'container', got '" + value + "'");
        }
    }
}
