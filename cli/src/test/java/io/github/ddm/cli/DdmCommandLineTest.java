package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command line's surface, without servers: help, version, and bad input named before any I/O. */
class DdmCommandLineTest {

    @Test
    void help_listsEveryCommand() {
        Cli.Run run = Cli.run("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("demo", "stack", "inspect", "tail", "diff", "check", "replay");
    }

    @Test
    void version_comesFromTheBuild() {
        Cli.Run run = Cli.run("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("ddm ").doesNotContain("unknown").doesNotContain("${");
    }

    @Test
    void aSectionThatIsNotOne_isRejected_namingIt() {
        Cli.Run run = Cli.run("inspect", "--redis", "redis://127.0.0.1:1", "no-dot-here");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(run.err())).contains("no-dot-here").contains("partition.section");
    }

    @Test
    void anAmbiguousSection_isRejected_withTheWayOut() {
        Cli.Run run = Cli.run("tail", "--redis", "redis://127.0.0.1:1", "a.b.c");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(run.err())).contains("a.b.c").contains("partition/section");
    }

    @Test
    void tail_aBadStartPosition_isRejected_beforeConnecting() {
        Cli.Run run = Cli.run("tail", "--redis", "redis://127.0.0.1:1", "--from", "yesterday", "trading.books");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(run.err())).contains("--from").contains("'yesterday'");
    }

    @Test
    void demo_impossibleSizes_areRejected_namingTheOptions() {
        Cli.Run run = Cli.run("demo", "--keys", "0");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(run.err())).contains("--keys 0");
    }

    @Test
    void replay_needsExactlyOneScope() {
        Cli.Run none = Cli.run("replay", "--bootstrap-servers", "localhost:9", "--redis", "redis://127.0.0.1:1");
        assertThat(none.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(none.err())).contains("Missing required argument").contains("--all").contains("--section")
                .contains("--key");
        Cli.Run two = Cli.run("replay", "--bootstrap-servers", "localhost:9", "--all", "--section", "trading.books");
        assertThat(two.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(two.err())).contains("mutually exclusive");
        Cli.Run badKey = Cli.run("replay", "--bootstrap-servers", "localhost:9", "--redis", "redis://127.0.0.1:1", "--key",
                "nodot", "k1");
        assertThat(badKey.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(firstLine(badKey.err())).as("named before connecting").contains("--key").contains("nodot");
    }

    @Test
    void help_neverShowsTheRedisUriFromTheEnvironment() {
        // $DDM_REDIS_URI may hold a password: the help names the variable, never its value.
        assertThat(Cli.run("inspect", "--help").out()).contains("$DDM_REDIS_URI").doesNotContain("${env:");
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElse("");
    }

    @Test
    void comparison_namesHowTwoCopiesOfADocumentDiffer() throws Exception {
        ObjectMapper json = new ObjectMapper();
        DataKey key = DataKey.of("trading", "books", "b1");
        Origin origin = Origin.of("eu", "n1");
        Instant now = Instant.parse("2026-11-27T12:00:00Z");
        ChangeEvent v3 = ChangeEvent.snapshot("e3", key, 3, 0, "ep", now, origin, json.readTree("{\"q\":3}"));
        ChangeEvent v3other = ChangeEvent.snapshot("e3b", key, 3, 0, "ep2", now, origin, json.readTree("{\"q\":4}"));
        ChangeEvent v4 = ChangeEvent.snapshot("e4", key, 4, 0, "ep", now, origin, json.readTree("{\"q\":4}"));
        ChangeEvent deleted = ChangeEvent.delete("d3", key, 3, 2, "ep", now, origin);

        assertThat(SectionComparison.differ("b1", Optional.of(v3), "eu", Optional.of(v3), "us")).isNull();
        assertThat(SectionComparison.differ("b1", Optional.of(v3), "eu", Optional.of(v4), "us").what()).isEqualTo("version 3 in eu, 4 in us");
        assertThat(SectionComparison.differ("b1", Optional.of(v3), "eu", Optional.of(v3other), "us").what()).contains("different content");
        assertThat(SectionComparison.differ("b1", Optional.of(v3), "eu", Optional.empty(), "us").what())
                .isEqualTo("missing in us (version 3 in eu)");
        assertThat(SectionComparison.differ("b1", Optional.of(deleted), "eu", Optional.of(v3), "us").what()).contains("deleted in eu only");
        assertThat(SectionComparison.differ("b1", Optional.empty(), "eu", Optional.empty(), "us")).isNull();

        // Identity: the clock of the merge state.
        VersionVector euOnly = VersionVector.of(Map.of("eu~aaaaaaaa", 3L));
        VersionVector both = VersionVector.of(Map.of("eu~aaaaaaaa", 2L, "us~bbbbbbbb", 1L));
        SectionComparison.Difference twins = SectionComparison.differ("b1", Optional.of(v3.withClock("aaaaaaaa", euOnly)), "eu",
                Optional.of(v3.withClock("bbbbbbbb", both)), "us");
        assertThat(twins.kind()).isEqualTo(SectionComparison.Kind.IDENTITY);
        assertThat(twins.what()).isEqualTo("same version 3 and content, different identity: clock {\"eu~aaaaaaaa\":3} in eu, "
                + "{\"eu~aaaaaaaa\":2,\"us~bbbbbbbb\":1} in us");
        SectionComparison.Difference tampered = SectionComparison.differ("b1", Optional.of(v3.withClock("aaaaaaaa", euOnly)), "eu",
                Optional.of(v3other.withClock("bbbbbbbb", euOnly)), "us");
        assertThat(tampered.kind()).isEqualTo(SectionComparison.Kind.CONTENT);
        assertThat(tampered.what()).isEqualTo("same version 3 and identity (clock {\"eu~aaaaaaaa\":3}), different content: one copy was "
                + "changed behind DDM's back");
        assertThat(SectionComparison.differ("b1", Optional.of(v3.withClock("aaaaaaaa", euOnly)), "eu",
                Optional.of(v3other.withClock("bbbbbbbb", both)), "us").kind()).isEqualTo(SectionComparison.Kind.CONTENT_AND_IDENTITY);
        assertThat(SectionComparison.differ("b1", Optional.of(v3.withClock("aaaaaaaa", euOnly)), "eu",
                Optional.of(v3.withClock("bbbbbbbb", euOnly)), "us")).as("the lineage is each region's own").isNull();
    }
}
