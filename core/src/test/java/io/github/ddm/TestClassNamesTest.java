package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every test class of the project is one the build runs: surefire runs {@code *Test}, failsafe
 * {@code *IT} (the root pom). A class of tests named otherwise compiles and is silently skipped, as
 * {@code PatchRoundTripProperties} was (issue 11). Scans every module's test sources from the
 * repository root.
 */
class TestClassNamesTest {

    private static final Pattern TEST_ANNOTATION = Pattern.compile(
            "^\\s*@(?:[\\w.]+\\.)?(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate|Property|Example)\\b", Pattern.MULTILINE);

    @Test
    void everyClassWithTests_isNamedSoThatTheBuildRunsIt() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("pom.xml")).as("the repository root, above the module directory").exists();
        assertThat(root.resolve("core/src/test/java")).exists();

        List<String> skipped;
        try (Stream<Path> files = Files.walk(root)) {
            skipped = files
                    .filter(path -> path.toString().endsWith(".java"))
                    .filter(path -> path.toString().contains("/src/test/java/"))
                    .filter(path -> !path.toString().contains("/target/"))
                    .filter(TestClassNamesTest::hasTests)
                    .filter(path -> {
                        String name = path.getFileName().toString().replace(".java", "");
                        return !name.endsWith("Test") && !name.endsWith("IT");
                    })
                    .map(path -> root.relativize(path).toString())
                    .collect(Collectors.toList());
        }

        assertThat(skipped).as("test classes neither surefire (*Test) nor failsafe (*IT) runs").isEmpty();
    }

    private static boolean hasTests(Path file) {
        try {
            return TEST_ANNOTATION.matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
