package io.github.ddm.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the frozen v1 golden vectors through the codec and the normative JSON Schema. See
 * {@code golden/v1/README.md}.
 */
class GoldenVectorTest {

    /** Parses vectors for the schema side: strict about syntax, but (like most validators) last-wins on duplicates. */
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    static final JsonSchema SCHEMA = loadSchema();

    record Invalid(String file, String field, String jsonSchema, String rule) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Path golden() {
        try {
            return Path.of(GoldenVectorTest.class.getResource("/golden/v1").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonSchema loadSchema() {
        try (InputStream in = ChangeEventCodec.class.getClassLoader()
                .getResourceAsStream(ChangeEventCodec.JSON_SCHEMA_RESOURCE)) {
            JsonNode schema = Fixtures.JSON.readTree(in);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode manifest() throws IOException {
        return Fixtures.JSON.readTree(golden().resolve("manifest.json").toFile());
    }

    static Stream<String> validFiles() throws IOException {
        return list("valid").stream();
    }

    static Stream<Invalid> invalidVectors() throws IOException {
        List<Invalid> out = new ArrayList<>();
        for (JsonNode entry : manifest().get("invalid")) {
            out.add(new Invalid(entry.get("file").asText(), entry.get("field").asText(),
                    entry.get("jsonSchema").asText(), entry.get("rule").asText()));
        }
        return out.stream();
    }

    static List<String> list(String folder) throws IOException {
        try (Stream<Path> files = Files.list(golden().resolve(folder))) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static byte[] read(String folder, String file) throws IOException {
        return Files.readAllBytes(golden().resolve(folder).resolve(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validFiles")
    void valid_passesSchemaAndCodec_andRoundTrips(String file) throws IOException {
        byte[] bytes = read("valid", file);
        assertThat(SCHEMA.validate(LENIENT.readTree(bytes))).as("schema errors").isEmpty();

        ChangeEvent event = ChangeEventCodec.decode(bytes);
        byte[] encoded = ChangeEventCodec.encode(event);
        ChangeEvent again = ChangeEventCodec.decode(encoded);

        assertThat(again).isEqualTo(event);
        assertThat(ChangeEventCodec.encode(again)).isEqualTo(encoded);
        assertThat(SCHEMA.validate(LENIENT.readTree(encoded))).as("schema errors of the re-encoding").isEmpty();
    }

    /** Vectors written in the encoder's own form: all but those with unknown members or explicit nulls. */
    static Stream<String> canonicalValidFiles() throws IOException {
        return validFiles().filter(f -> !Set.of("unknown-fields.json", "null-optional-fields.json").contains(f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalValidFiles")
    void valid_canonicalVectors_reEncodeToTheirCompactText(String file) throws IOException {
        byte[] bytes = read("valid", file);
        String compact = LENIENT.writeValueAsString(LENIENT.readTree(bytes));

        assertThat(ChangeEventCodec.encodeToString(ChangeEventCodec.decode(bytes))).isEqualTo(compact);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidVectors")
    void invalid_codecRejects_namingTheManifestField(Invalid vector) throws IOException {
        byte[] bytes = read("invalid", vector.file());

        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> ChangeEventCodec.decode(bytes));

        assertThat(e).as("%s must be rejected (%s)", vector.file(), vector.rule()).isNotNull();
        assertThat(e.field()).as(e.getMessage()).isEqualTo(vector.field());
        assertThat(e.getMessage()).startsWith(vector.field() + " ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidVectors")
    void invalid_schemaVerdict_matchesManifest(Invalid vector) throws IOException {
        byte[] bytes = read("invalid", vector.file());
        switch (vector.jsonSchema()) {
            case "not-json" -> assertThatThrownBy(() -> LENIENT.readTree(bytes))
                    .isInstanceOf(JsonProcessingException.class);
            case "rejects" -> assertThat(SCHEMA.validate(LENIENT.readTree(bytes)))
                    .as("schema errors must include one at %s", vector.field())
                    .anyMatch(error -> pointsAt(error, vector.field()));
            case "accepts" -> {
                Set<ValidationMessage> errors = SCHEMA.validate(LENIENT.readTree(bytes));
                assertThat(errors).as("the manifest says the schema cannot see this; it did").isEmpty();
            }
            default -> throw new AssertionError("unknown jsonSchema verdict " + vector.jsonSchema());
        }
    }

    /** True if a schema error is about the field: at its location, or a missing member of its parent. */
    static boolean pointsAt(ValidationMessage error, String field) {
        if (field.equals(ChangeEventCodec.ROOT_FIELD)) {
            return true;
        }
        String location = error.getInstanceLocation().toString();
        String expected = "$." + field;
        if (location.equals(expected)) {
            return true;
        }
        int split = expected.lastIndexOf('.');
        return location.equals(expected.substring(0, split))
                && expected.substring(split + 1).equals(error.getProperty());
    }

    @Test
    void manifest_listsEveryFile_andOnlyExistingFiles() throws IOException {
        JsonNode manifest = manifest();
        Set<String> listedInvalid = new TreeSet<>();
        manifest.get("invalid").forEach(e -> listedInvalid.add(e.get("file").asText()));
        Set<String> listedValid = new TreeSet<>();
        manifest.get("valid").forEach(e -> listedValid.add(e.get("file").asText()));

        assertThat(listedInvalid).containsExactlyElementsOf(list("invalid"));
        assertThat(listedValid).containsExactlyElementsOf(list("valid"));
        assertThat(manifest.get("invalid")).hasSize(listedInvalid.size()); // no duplicate entries
    }

    @Test
    void validVectors_coverEveryOp() throws IOException {
        Set<ChangeOp> ops = EnumSet.noneOf(ChangeOp.class);
        for (String file : list("valid")) {
            ops.add(ChangeEventCodec.decode(read("valid", file)).op());
        }
        assertThat(ops).containsExactlyInAnyOrder(ChangeOp.values());
    }

    @Test
    void invalidVectors_coverEveryField() throws IOException {
        Set<String> fields = invalidVectors().map(Invalid::field).collect(Collectors.toSet());
        assertThat(fields).contains("$", "schema", "eventId", "op", "key", "key.partition", "key.section", "key.id",
                "version", "prevVersion", "epoch", "time", "origin", "origin.region", "origin.node", "streamId",
                "patch", "state");
        assertThat(fields).anyMatch(f -> f.startsWith("patch["));
    }

    @Test
    void selectedVectors_decodeToTheExpectedValues() throws IOException {
        ChangeEvent snapshot = ChangeEventCodec.decode(read("valid", "snapshot.json"));
        assertThat(snapshot.prevVersion()).isZero();
        assertThat(snapshot.streamId()).isNull();

        ChangeEvent recreate = ChangeEventCodec.decode(read("valid", "create-after-delete.json"));
        assertThat(recreate.op()).isEqualTo(ChangeOp.CREATE);
        assertThat(recreate.prevVersion()).isEqualTo(8);

        ChangeEvent nulls = ChangeEventCodec.decode(read("valid", "null-optional-fields.json"));
        assertThat(nulls.streamId()).isNull();
        assertThat(nulls.state()).isNull();

        ChangeEvent unicode = ChangeEventCodec.decode(read("valid", "unicode-id.json"));
        assertThat(unicode.key().id()).isEqualTo("Zürich/東京 🚀 café");

        ChangeEvent unknown = ChangeEventCodec.decode(read("valid", "unknown-fields.json"));
        assertThat(ChangeEventCodec.encodeToString(unknown)).doesNotContain("traceId", "tenant", "zone");
        assertThat(unknown).isEqualTo(ChangeEventCodec.decode(read("valid", "update.json")));
    }
}
