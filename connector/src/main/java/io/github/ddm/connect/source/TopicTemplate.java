package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The topic of a section's changes, from {@code source.topic.template}: {@code ${namespace}},
 * {@code ${partition}} and {@code ${section}} are replaced, everything else is literal. Immutable.
 */
public final class TopicTemplate {

    /** Kafka's limit on topic names. */
    static final int MAX_TOPIC_LENGTH = 249;

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]*");

    private final String template;

    private TopicTemplate(String template) {
        this.template = template;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException if it names an unknown placeholder, holds a character Kafka does
     *     not allow in topic names, or is empty
     */
    public static TopicTemplate parse(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder literal = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!name.equals("namespace") && !name.equals("partition") && !name.equals("section")) {
                throw new IllegalArgumentException("unknown placeholder ${" + name + "}; use ${namespace}, ${partition} or ${section}");
            }
            literal.append(template, last, m.start());
            last = m.end();
        }
        literal.append(template.substring(last));
        if (!LEGAL.matcher(literal).matches()) {
            throw new IllegalArgumentException("a topic name may hold only [A-Za-z0-9._-] besides the placeholders");
        }
        if (literal.toString().equals(".") || literal.toString().equals("..")) {
            throw new IllegalArgumentException("'.' and '..' are not topic names");
        }
        return new TopicTemplate(template);
    }

    /**
     * The topic of a section.
     *
     * @throws IllegalArgumentException if the name is longer than Kafka allows
     */
    public String topic(String namespace, SectionId section) {
        String topic = template.replace("${namespace}", namespace).replace("${partition}", section.partition())
                .replace("${section}", section.section());
        if (topic.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("the topic of section " + section + " would be " + topic.length()
                    + " characters long; Kafka allows " + MAX_TOPIC_LENGTH);
        }
        return topic;
    }

    /** Whether every section goes to the same topic. */
    public boolean isSingleTopic() {
        return !PLACEHOLDER.matcher(template).find();
    }

    @Override
    public String toString() {
        return template;
    }
}
