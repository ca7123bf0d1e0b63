package io.github.ddm.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How DDM names Kafka topics: a template in which {@code ${namespace}}, {@code ${region}},
 * {@code ${partition}} and {@code ${section}} stand for those names, everything else literal. The
 * one parser of {@code source.topic.template} (connector), of the replay's topic naming and of the
 * command line's topics, so none can disagree with another; part of the wire form that
 * {@link WireForm} owns.
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

    /** The connector's default control topic of a region ({@code source.control.topic}). */
    public static final String CONTROL_DEFAULT = "ddm.${region}.control";

    /** The namespace unless one is given. */
    public static final String DEFAULT_NAMESPACE = "ddm";

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
    /** The template cut into literal text and placeholders, alternately: literal, placeholder, literal, ... literal. */
    private final List<String> parts;

    private TopicTemplate(String template, Pattern pattern, List<String> parts) {
        this.template = template;
        this.pattern = pattern;
        this.parts = parts;
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
        List<String> parts = new ArrayList<>();
        int last = 0;
        while (m.find()) {
            String placeholder = m.group();
            if (!placeholder.equals(NAMESPACE) && !placeholder.equals(REGION) && !placeholder.equals(PARTITION)
                    && !placeholder.equals(SECTION)) {
                throw new IllegalArgumentException("unknown placeholder " + placeholder + " in topic template '" + template
                        + "'; use " + NAMESPACE + ", " + REGION + ", " + PARTITION + " or " + SECTION);
            }
            literal.append(template, last, m.start());
            parts.add(template.substring(last, m.start()));
            parts.add(placeholder);
            regex.append(Pattern.quote(template.substring(last, m.start()))).append(SHORT_NAME);
            last = m.end();
        }
        literal.append(template.substring(last));
        parts.add(template.substring(last));
        regex.append(Pattern.quote(template.substring(last)));
        if (!LEGAL.matcher(literal).matches()) {
            throw new IllegalArgumentException("topic template '" + template
                    + "': a topic name may hold only [A-Za-z0-9._-] besides the placeholders");
        }
        if (literal.toString().equals(".") || literal.toString().equals("..")) {
            throw new IllegalArgumentException("'.' and '..' are not topic names");
        }
        return new TopicTemplate(template, Pattern.compile(regex.toString()), List.copyOf(parts));
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
     * Whether {@code topic} is the topic this template gives the names that are not null, with any
     * short name ({@code [A-Za-z0-9._-]{1,64}}) for each null one: for example every region's topic
     * of one section, {@code matches(topic, "ddm", null, "orders", "book")}.
     *
     * @param topic a topic name, or null (which matches nothing)
     * @param namespace the namespace, or null for any
     * @param region the region, or null for any
     * @param partition the section's partition, or null for any
     * @param section the section's name, or null for any
     * @return true if it matches
     */
    public boolean matches(String topic, String namespace, String region, String partition, String section) {
        if (topic == null) {
            return false;
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (i % 2 == 0) {
                regex.append(Pattern.quote(part));
                continue;
            }
            String name = switch (part) {
                case NAMESPACE -> namespace;
                case REGION -> region;
                case PARTITION -> partition;
                default -> section;
            };
            regex.append(name == null ? SHORT_NAME : Pattern.quote(name));
        }
        return Pattern.matches(regex.toString(), topic);
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
