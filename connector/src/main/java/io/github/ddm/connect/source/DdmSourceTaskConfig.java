package io.github.ddm.connect.source;

import io.github.ddm.SectionId;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * A source task's settings: the connector's ({@link DdmSourceConfig#CONFIG}) plus the sections the
 * connector assigned to this task. Not a user setting: {@link DdmSourceConnector#taskConfigs} writes
 * it. Immutable; thread-safe.
 */
public final class DdmSourceTaskConfig extends DdmSourceConfig {

    public static final String TASK_SECTIONS_CONFIG = "source.task.sections";
    public static final String TASK_SECTIONS_DOC = "The sections this task exports (partition/section, ...), assigned by "
            + "the connector. Not set by users.";

    public static final String TASK_REPAIRS_CONFIG = "source.task.repairs";
    public static final String TASK_REPAIRS_DOC = "Whether this task exports the region's repair requests (one task does), "
            + "assigned by the connector. Not set by users.";

    /** The connector's keys and the task's assignment. */
    public static final ConfigDef TASK_CONFIG = new ConfigDef(CONFIG)
            .define(TASK_SECTIONS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.LambdaValidator.with(
                            DdmSourceTaskConfig::validateAssignment, () -> "partition/section, ..."),
                    Importance.LOW, TASK_SECTIONS_DOC, SOURCE_GROUP, 100, Width.LONG, "Task sections")
            .define(TASK_REPAIRS_CONFIG, Type.BOOLEAN, false, Importance.LOW, TASK_REPAIRS_DOC, SOURCE_GROUP, 101,
                    Width.SHORT, "Task exports repair requests");

    private final List<SectionId> assigned;

    /** @throws org.apache.kafka.common.config.ConfigException naming the first bad key */
    public DdmSourceTaskConfig(Map<?, ?> originals) {
        super(TASK_CONFIG, originals);
        this.assigned = List.copyOf(SectionNames.parseSections(getList(TASK_SECTIONS_CONFIG)));
    }

    /** The sections this task exports. */
    public List<SectionId> assignedSections() {
        return assigned;
    }

    /** Whether this task exports the region's repair requests. */
    public boolean exportsRepairs() {
        return getBoolean(TASK_REPAIRS_CONFIG);
    }

    private static void validateAssignment(String name, Object value) {
        try {
            SectionNames.parseSections(((List<?>) value).stream().map(String::valueOf).toList());
        } catch (IllegalArgumentException e) {
            throw new org.apache.kafka.common.config.ConfigException(name, value, e.getMessage());
        }
    }
}
