package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.schema.Names;
import io.github.ddm.schema.TopicTemplate;
import java.util.Objects;

/**
 * Which Kafka topics hold a section's change events, as the DDM source connector names them: the
 * connector's {@code source.topic.template}, parsed and matched by the same {@link TopicTemplate}
 * (this class only adds the namespace and the replay's questions; it parses nothing itself). With the
 * default, {@value TopicTemplate#DEFAULT}, each region has its own topic per section, and a
 * section's history is spread over the topics of every region that wrote it: the replay reads them
 * all, and takes each change in only after the changes it depends on (docs/regions.md).
 *
 * <pre>{@code
 * TopicNaming.perSection()                       // ddm.eu.orders.book, ddm.us.orders.book, ... for section orders/book
 * TopicNaming.template("dc1.${partition}")       // one topic per partition (one region)
 * TopicNaming.fixed("ddm.changes")               // one topic for everything
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class TopicNaming {

    /** The connector's default: one topic per region and section. */
    public static final String DEFAULT_TEMPLATE = TopicTemplate.DEFAULT;

    private final TopicTemplate template;
    private final String namespace;

    private TopicNaming(TopicTemplate template, String namespace) {
        this.template = template;
        this.namespace = namespace;
    }

    /** The default naming, {@value #DEFAULT_TEMPLATE}. */
    public static TopicNaming perSection() {
        return template(DEFAULT_TEMPLATE);
    }

    /**
     * Topics named by {@code template}, where {@code ${namespace}}, {@code ${region}},
     * {@code ${partition}} and {@code ${section}} stand for those names (the namespace is
     * {@code ddm} unless {@link #withNamespace} says otherwise). A template without placeholders is a
     * fixed topic.
     *
     * @throws NullPointerException if {@code template} is null
     * @throws IllegalArgumentException if it has another placeholder, or its fixed text is not
     *     legal in a Kafka topic name ({@code [A-Za-z0-9._-]})
     */
    public static TopicNaming template(String template) {
        Objects.requireNonNull(template, "template");
        return new TopicNaming(TopicTemplate.parse(template), "ddm");
    }

    /**
     * One topic for every section.
     *
     * @throws IllegalArgumentException if {@code topic} is not a legal topic name
     */
    public static TopicNaming fixed(String topic) {
        Objects.requireNonNull(topic, "topic");
        TopicNaming naming = template(topic);
        if (!naming.isFixed()) {
            throw new IllegalArgumentException("a fixed topic has no placeholders, got '" + topic + "'");
        }
        return naming;
    }

    /**
     * This naming for another DDM namespace (what {@code ${namespace}} stands for).
     *
     * @throws IllegalArgumentException if {@code namespace} is not a short name
     */
    public TopicNaming withNamespace(String namespace) {
        Names.requireShortName("namespace", namespace);
        return new TopicNaming(template, namespace);
    }

    /** The template (for a fixed topic, the topic itself). */
    public String template() {
        return template.toString();
    }

    /** Whether one topic holds every section. */
    public boolean isFixed() {
        return !template.uses(TopicTemplate.PARTITION) && !template.uses(TopicTemplate.SECTION)
                && !template.uses(TopicTemplate.REGION) && !template.uses(TopicTemplate.NAMESPACE);
    }

    /** Whether each region has topics of its own ({@code ${region}} in the template). */
    public boolean isPerRegion() {
        return template.uses(TopicTemplate.REGION);
    }

    /**
     * The topic of {@code section}, for a naming without {@code ${region}}.
     *
     * @throws NullPointerException if {@code section} is null
     * @throws IllegalStateException if the template has {@code ${region}}: each region has a topic of
     *     the section ({@link #matches(String, SectionId)} finds them)
     * @throws IllegalArgumentException if the name would exceed Kafka's 249 characters
     */
    public String topicFor(SectionId section) {
        Objects.requireNonNull(section, "section");
        if (isPerRegion()) {
            throw new IllegalStateException("topic template " + template + " gives each region a topic of section " + section
                    + "; list them with matches(topic, section)");
        }
        return template.topic(namespace, "-", section.partition(), section.section());
    }

    /**
     * The topic of {@code section}'s changes made in {@code region}.
     *
     * @throws IllegalArgumentException if the name would exceed Kafka's 249 characters
     */
    public String topicFor(String region, SectionId section) {
        Objects.requireNonNull(section, "section");
        return template.topic(namespace, region, section.partition(), section.section());
    }

    /**
     * Whether {@code topic} could be one of these topics (used to discover every section's topic).
     * With placeholders this is a pattern match, so an unrelated topic of the same shape also matches.
     */
    public boolean matches(String topic) {
        return template.matches(topic);
    }

    /** Whether {@code topic} could hold {@code section}'s changes (of any region). */
    public boolean matches(String topic, SectionId section) {
        return template.matches(topic, namespace, null, section.partition(), section.section());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicNaming other && other.template.equals(template) && other.namespace.equals(namespace);
    }

    @Override
    public int hashCode() {
        return template.hashCode();
    }

    @Override
    public String toString() {
        return template.toString();
    }
}
