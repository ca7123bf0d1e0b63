package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps docs/schema.md honest: its examples are golden vectors, and its Java snippet compiles and runs. */
class DocsTest {

    private static final Path DOC = Path.of("..", "docs", "schema.md");

    private static List<String> blocks(String language) throws IOException {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(Files.readString(DOC, StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void jsonExamples_areGoldenVectorsVerbatim_oneForEachOp() throws IOException {
        List<String> examples = blocks("json");
        Set<String> golden = GoldenVectorTest.list("valid").stream()
                .map(file -> readGolden(file).stripTrailing())
                .collect(Collectors.toSet());

        Set<ChangeOp> ops = EnumSet.noneOf(ChangeOp.class);
        for (String example : examples) {
            assertThat(golden).as("docs example is not a golden vector:%n%s", example).contains(example);
            ops.add(ChangeEventCodec.decode(example).op());
        }
        assertThat(ops).containsExactlyInAnyOrder(ChangeOp.values());
    }

    private static String readGolden(String file) {
        try {
            return new String(GoldenVectorTest.read("valid", file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void javaSnippet_compilesAndRuns(@TempDir Path dir) throws Exception {
        List<String> snippets = blocks("java");
        assertThat(snippets).hasSize(1);
        Path source = dir.resolve("CodecExample.java");
        Files.writeString(source, snippets.get(0));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        String classpath = location(ChangeEventCodec.class) + java.io.File.pathSeparator + location(ObjectMapper.class)
                + java.io.File.pathSeparator + location(com.fasterxml.jackson.core.JsonFactory.class)
                + java.io.File.pathSeparator + location(com.fasterxml.jackson.annotation.JsonProperty.class);
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-classpath", classpath, "-d", dir.toString(), "--release", "17"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source)).call();
        assertThat(compiled).as(diagnostics.toString()).isTrue();

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("CodecExample").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("schema: schema version '2' is not supported");
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
