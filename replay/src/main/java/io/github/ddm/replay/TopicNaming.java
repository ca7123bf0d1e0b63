package io.github.ddm.replay;

import io.github.ddm.SectionId;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Kafka topic holds a section's change events, as the DDM source connector names them: from a
 * template with the placeholders {@code ${partition}} and {@code ${section}} (default
 * {@value #DEFAULT_TEMPLATE}, one topic per section), or one fixed topic for every section.
 *
 * <pre>{@code
 * TopicNaming.perSection()                       // ddm.orders.book for section orders/book
 * TopicNaming.template("dc1.${partition}")       // one topic per partition
 * TopicNaming.fixed("ddm.changes")               // one topic for everything
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class TopicNaming {

    /** The connector's default: one topic per section. */
    public static final String DEFAULT_TEMPLATE = "ddm.${partition}.${section}";

    private static final String PARTITION = "${partition}";
    private static final String SECTION = "${section}";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[A-Za-z0-9._-]+");
    /** What a placeholder stands for: a short name. */
    private static final String SHORT_NAME = "[A-Za-z0-9._-]{1,64}";
    private static final int MAX_TOPIC_LENGTH = 249;

    private final String template;
    private final Pattern pattern;

    private TopicNaming(String template) {
        this.template = template;
        this.pattern = compile(template);
    }

    /** The default naming, {@value #DEFAULT_TEMPLATE}. */
    public static TopicNaming perSection() {
        return new TopicNaming(DEFAULT_TEMPLATE);
    }

    /**
     * Topics named by {@code template}, where {@code ${partition}} and {@code ${section}} stand for
     * the section's names. A template without placeholders is a fixed topic.
     *
     * @throws NullPointerException if {@code template} is null
     * @throws IllegalArgumentException if it has another placeholder, or its fixed text is not
     *     legal in a Kafka topic name ({@code [A-Za-z0-9._-]})
     */
    public static TopicNaming template(String template) {
        Objects.requireNonNull(template, "template");
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!m.group().equals(PARTITION) && !m.group().equals(SECTION)) {
                throw new IllegalArgumentException("topic template '" + template + "' has an unknown placeholder " + m.group()
                        + "; only " + PARTITION + " and " + SECTION + " are known");
            }
        }
        String literal = template.replace(PARTITION, "p").replace(SECTION, "s");
        if (!LEGAL_TOPIC.matcher(literal).matches() || literal.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("topic template '" + template + "' does not make legal topic names"
                    + " ([A-Za-z0-9._-], at most " + MAX_TOPIC_LENGTH + " characters)");
        }
        return new TopicNaming(template);
    }

    /**
     * One topic for every section.
     *
     * @throws IllegalArgumentException if {@code topic} is not a legal topic name
     */
    public static TopicNaming fixed(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.contains("${")) {
            throw new IllegalArgumentException("a fixed topic has no placeholders, got '" + topic + "'");
        }
        return template(topic);
    }

    /** The template (for a fixed topic, the topic itself). */
    public String template() {
        return template;
    }

    /** Whether one topic holds every section. */
    public boolean isFixed() {
        return !template.contains(PARTITION) && !template.contains(SECTION);
    }

    /**
     * The topic of {@code section}.
     *
     * @throws NullPointerException if {@code section} is null
     * @throws IllegalArgumentException if the name would exceed Kafka's 249 characters
     */
    public String topicFor(SectionId section) {
        Objects.requireNonNull(section, "section");
        String topic = template.replace(PARTITION, section.partition()).replace(SECTION, section.section());
        if (topic.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("the topic of " + section + " would be longer than " + MAX_TOPIC_LENGTH
                    + " characters: " + topic.substring(0, 60) + "...");
        }
        return topic;
    }

    /**
     * Whether {@code topic} could be one of these topics (used to discover every section's topic).
     * With placeholders this is a pattern match, so an unrelated topic of the same shape also matches.
     */
    public boolean matches(String topic) {
        return topic != null && pattern.matcher(topic).matches();
    }

    private static Pattern compile(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append(SHORT_NAME);
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return Pattern.compile(regex.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicNaming other && other.template.equals(template);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    @Override
    public String toString() {
        return template;
    }
}
