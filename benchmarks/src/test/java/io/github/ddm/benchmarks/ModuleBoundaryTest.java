package io.github.ddm.benchmarks;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.ddm.DocumentManager;
import io.github.ddm.cli.Ddm;
import io.github.ddm.connect.source.DdmSourceConnector;
import io.github.ddm.replay.KafkaReplay;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.testkit.RedisServer;
import java.net.URL;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Core's implementation ({@code io.github.ddm.internal..}) is reached only through core's public
 * API: no other module imports it. The rule lives here because this module's classpath holds
 * every other module (core, schemas, testkit, replay, connector, cli) as jars or classes.
 */
class ModuleBoundaryTest {

    private static final String[] OTHER_MODULES = {
        "io.github.ddm.schema..", "io.github.ddm.testkit..", "io.github.ddm.replay..",
        "io.github.ddm.connect..", "io.github.ddm.cli..", "io.github.ddm.benchmarks.."};

    @Test
    void noOtherModule_importsCoreInternals() {
        // each module's own jar or classes directory, found from one of its classes (scanning the
        // whole classpath for the package would read every Kafka and Redisson jar)
        List<URL> modules = Stream.of(DocumentManager.class, ChangeEvent.class, RedisServer.class, KafkaReplay.class,
                        DdmSourceConnector.class, Ddm.class, RatioReport.class)
                .map(anchor -> anchor.getProtectionDomain().getCodeSource().getLocation())
                .toList();
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importUrls(modules);
        // the rule is only as good as what it saw: every module's classes were imported
        for (String module : OTHER_MODULES) {
            String prefix = module.substring(0, module.length() - 2);
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith(prefix)))
                    .as("classes of %s on the classpath", prefix).isTrue();
        }
        assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith("io.github.ddm.internal")))
                .as("core's internal classes on the classpath").isTrue();

        noClasses().that().resideInAnyPackage(OTHER_MODULES)
                .should().dependOnClassesThat().resideInAPackage("io.github.ddm.internal..")
                .because("core's implementation may change in any release; other modules use its public API")
                .check(classes);
    }
}
