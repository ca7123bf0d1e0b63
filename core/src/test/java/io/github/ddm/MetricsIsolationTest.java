package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Micrometer is optional: no class but DdmMetrics refers to it, so users without it never load it. */
class MetricsIsolationTest {

    @Test
    void onlyDdmMetrics_refersToMicrometer() throws Exception {
        Path root = Path.of(DocumentManager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders;
        try (Stream<Path> classes = Files.walk(root)) {
            offenders = classes.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !p.getFileName().toString().startsWith("DdmMetrics"))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains("io/micrometer");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(p -> root.relativize(p).toString())
                    .collect(Collectors.toList());
        }
        assertThat(offenders).isEmpty();
    }
}
