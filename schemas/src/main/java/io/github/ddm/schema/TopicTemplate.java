package io.github.ddm.schema;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How DDM names Kafka topics: a template in which {@code ${namespace}}, {@code ${region}},
 * {@code ${partition}} and {@code ${section}} stand for those names, everything else literal. The
 * one parser of {@code source.topic.template} (connector) and of the replay's topic naming, so the
 * two can never disagree.
 *
 * <pre>{@code
 * TopicTemplate.parse(TopicTemplate.DEFAULT).topic("ddm", "eu", "orders", "book")   // ddm.eu.orders.book
 * TopicTemplate.parse("dc1.${partition}").topic("ddm", "eu", "orders", "book")      // dc1.orders
 * TopicTemplate.parse("ddm.changes")                                                // one topic for everything
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class TopicTemplate {

    /** The connector's default: one topic per region and section. */
    public static final String DEFAULT = "ddm.${region}.${partition}.${section}";

    /** Kafka's limit on topic names. */
    public static final int MAX_TOPIC_LENGTH = 249;

    /** The placeholder of the namespace. */
    public static final String NAMESPACE = "${namespace}";
    /** The placeholder of the region. */
    public static final String REGION = "${region}";
    /** The placeholder of the section's partition. */
    public static final String PARTITION = "${partition}";
    /** The placeholder of the section's name. */
    public static final String SECTION = "${section}";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]*");
    private static final String SHORT_NAME = "[A-Za-z0-9._-]{1,64}";

    private final String template;
    private final Pattern pattern;

    private TopicTemplate(String template, Pattern pattern) {
        this.template = template;
        this.pattern = pattern;
    }

    /**
     * Parses a template.
     *
     * @param template the template
     * @return the parsed template
     * @throws IllegalArgumentException if it is empty, names an unknown placeholder, or holds a
     *     character Kafka does not allow in topic names
     */
    public static TopicTemplate parse(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("a topic template must not be empty");
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder literal = new StringBuilder();
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String placeholder = m.group();
            if (!placeholder.equals(NAMESPACE) && !placeholder.equals(REGION) && !placeholder.equals(PARTITION)
                    && !placeholder.equals(SECTION)) {
                throw new IllegalArgumentException("unknown placeholder " + placeholder + " in topic template '" + template
                        + "'; use " + NAMESPACE + ", " + REGION + ", " + PARTITION + " or " + SECTION);
            }
            literal.append(template, last, m.start());
            regex.append(Pattern.quote(template.substring(last, m.start()))).append(SHORT_NAME);
            last = m.end();
        }
        literal.append(template.substring(last));
        regex.append(Pattern.quote(template.substring(last)));
        if (!LEGAL.matcher(literal).matches()) {
            throw new IllegalArgumentException("topic template '" + template
                    + "': a topic name may hold only [A-Za-z0-9._-] besides the placeholders");
        }
        if (literal.toString().equals(".") || literal.toString().equals("..")) {
            throw new IllegalArgumentException("'.' and '..' are not topic names");
        }
        return new TopicTemplate(template, Pattern.compile(regex.toString()));
    }

    /**
     * The topic of a section's changes made in {@code region}.
     *
     * @param namespace the DDM namespace
     * @param region the region whose changes the topic holds
     * @param partition the section's partition
     * @param section the section's name
     * @return the topic name
     * @throws IllegalArgumentException if the name is longer than Kafka allows
     */
    public String topic(String namespace, String region, String partition, String section) {
        String topic = template.replace(NAMESPACE, namespace).replace(REGION, region).replace(PARTITION, partition)
                .replace(SECTION, section);
        if (topic.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("the topic of " + partition + "/" + section + " in region " + region + " would be "
                    + topic.length() + " characters long; Kafka allows " + MAX_TOPIC_LENGTH);
        }
        return topic;
    }

    /**
     * Whether {@code topic} has this template's shape (each placeholder standing for a short name):
     * for finding every section's (or region's) topic among a cluster's topics.
     *
     * @param topic a topic name
     * @return true if it matches
     */
    public boolean matches(String topic) {
        return topic != null && pattern.matcher(topic).matches();
    }

    /**
     * Whether the template uses a placeholder.
     *
     * @param placeholder one of {@link #NAMESPACE}, {@link #REGION}, {@link #PARTITION}, {@link #SECTION}
     * @return true if it appears
     */
    public boolean uses(String placeholder) {
        return template.contains(Objects.requireNonNull(placeholder, "placeholder"));
    }

    /**
     * Whether every section of a region goes to one topic (no section placeholders).
     *
     * @return true without {@code ${partition}} and {@code ${section}}
     */
    public boolean isSingleTopic() {
        return !uses(PARTITION) && !uses(SECTION);
    }

    /**
     * The template as written.
     *
     * @return the template
     */
    @Override
    public String toString() {
        return template;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicTemplate other && other.template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }
}
