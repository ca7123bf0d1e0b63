package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** docs/core.md shows QuickStartIT's example verbatim, so the documented example is one that runs. */
class DocsExampleTest {

    @Test
    void coreDoc_showsTheQuickStartThatTheBuildRuns() throws IOException {
        String source = Files.readString(Path.of("src/test/java/io/github/ddm/QuickStartIT.java"), StandardCharsets.UTF_8);
        String example = source.substring(source.indexOf("// docs:start\n") + "// docs:start\n".length(), source.indexOf("    // docs:end"));
        String doc = Files.readString(Path.of("..", "docs", "core.md"), StandardCharsets.UTF_8);

        assertThat(doc).contains(example.stripTrailing().stripIndent().strip());
    }
}
