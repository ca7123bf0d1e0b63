package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Origin;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/** {@code ddm check} against a real redis-server: agreement, a document changed behind DDM's back, a trimmed log. */
class CheckCommandIT {

    /** A small document. */
    public record Counter(long count, String label) {
        Counter increment() {
            return new Counter(count + 1, label);
        }
    }

    /** A document whose member names need RFC 6901 escapes in a patch's paths, at the top level and nested. */
    public record Escaped(@JsonProperty("a~1b") long tildeOne, @JsonProperty("x/y") String slash, @JsonProperty("~01") long tildeZeroOne,
                          Map<String, Long> names) {
        Escaped next(long round) {
            Map<String, Long> next = new TreeMap<>(names);
            next.merge("~01", 1L, Long::sum);
            next.merge("", 1L, Long::sum);
            next.put("~1", round); // "/~01", added, then replaced
            next.put("a~0b/c~" + round, round); // a new member each round: "/a~00b~1c~0<round>"
            if (round == 2) {
                next.remove("a/b");
            }
            return new Escaped(tildeOne + 1, slash + "/" + round, tildeZeroOne + 1, next);
        }
    }

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** A second region, for logs that hold merges and repair snapshots. */
    @RegisterExtension
    static final RedisServerExtension otherRegion = RedisServerExtension.create();

    private static final SectionId SECTION = new SectionId("shop", "carts");

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private void write() {
        RedissonClient client = RedisClients.create(redis.server().uri());
        opened.add(client::shutdown);
        DocumentManager<Counter> writer = DocumentManager.builder(Counter.class).redisson(client).section("shop", "carts")
                .origin("eu", "w1").build();
        opened.add(writer);
        for (int i = 0; i < 10; i++) {
            writer.set("c" + i, new Counter(i, "cart " + i)).join();
        }
        for (int i = 0; i < 40; i++) {
            writer.update("c" + (i % 10), Counter::increment).join();
        }
        writer.delete("c9").join();
    }

    private Cli.Run check() {
        return Cli.run("check", "--redis", redis.server().uri(), "shop.carts");
    }

    @Test
    void documentsWrittenThroughDdm_agreeWithTheirLog() {
        write();
        Cli.Run run = check();
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("shop.carts: 10 documents, 51 log entries").containsPattern("(?m)^  10 agree with their logged history$")
                .containsPattern("(?m)^  0 differ$");
    }

    @Test
    void aDocumentChangedBehindDdmsBack_isNamed() {
        write();
        redis.server().call("HSET", "ddm:{shop:carts}:s:c3", "count", "999");
        Cli.Run run = check();
        assertThat(run.exitCode()).isEqualTo(Ddm.DIFFERENT);
        assertThat(run.out()).containsPattern("(?m)^  1 differ$")
                .contains("c3: at version 5 member 'count' differs: Redis holds 999, the log gives 7");

        redis.server().call("HSET", "ddm:{shop:carts}:s:c4", "\u0000v", "77");
        Cli.Run versions = check();
        assertThat(versions.out()).containsPattern("(?m)^  2 differ$").contains("c4: the log ends at version 5, Redis holds version 77");

        redis.server().call("HSET", "ddm:{shop:carts}:s:c5", "label", "not json");
        Cli.Run corrupt = check();
        assertThat(corrupt.exitCode()).as("one unreadable document does not stop the check").isEqualTo(Ddm.DIFFERENT);
        assertThat(corrupt.out()).containsPattern("(?m)^  3 differ$").contains("c5: Redis holds what is not a valid document")
                .contains("label");
    }

    @Test
    void aDocumentCreatedBehindDdmsBack_isNamed_whileTheLogWasNeverTrimmed() {
        write();
        // A whole, valid document (a copy of c1), that no commit wrote.
        redis.server().call("COPY", "ddm:{shop:carts}:s:c1", "ddm:{shop:carts}:s:intruder");
        Cli.Run run = check();
        assertThat(run.exitCode()).isEqualTo(Ddm.DIFFERENT);
        assertThat(run.out()).contains("intruder: Redis holds version 5, but the log, never trimmed, has no change of it");
    }

    @Test
    void documentsWhoseHistoryWasTrimmed_areCountedNotChecked() {
        write();
        redis.server().call("XTRIM", "ddm:{shop:carts}:log", "MAXLEN", "5");
        Cli.Run run = check();
        assertThat(run.exitCode()).as(run.out()).isZero();
        // Left: updates of c6, c7, c8 and c9 (patches only), then c9's delete.
        assertThat(run.out()).contains("5 log entries").containsPattern("(?m)^  1 agree with their logged history$")
                .containsPattern("(?m)^  3 agree with the newest version the log holds")
                .containsPattern("(?m)^  6 cannot be checked").containsPattern("(?m)^  0 differ$");

        redis.server().call("HSET", "ddm:{shop:carts}:s:c7", "\u0000v", "40");
        Cli.Run behind = check();
        assertThat(behind.exitCode()).as("the version is still checked").isEqualTo(Ddm.DIFFERENT);
        assertThat(behind.out()).contains("c7: the log ends at version 5, Redis holds version 40");
    }

    /**
     * Patches on members named {@code a~1b}, {@code x/y}, {@code ~01}, {@code ~1}, {@code a/b} and {@code ""} replay as they
     * were written. zjsonpatch 0.4.16, which check used before, decodes {@code /~01} as {@code "/"} and reported them as differing.
     */
    @Test
    void memberNamesWithTildesAndSlashes_agreeWithTheirLog() {
        RedissonClient client = RedisClients.create(redis.server().uri());
        opened.add(client::shutdown);
        DocumentManager<Escaped> writer = DocumentManager.builder(Escaped.class).redisson(client).section("shop", "carts")
                .origin("eu", "w1").build();
        opened.add(writer);
        for (int i = 0; i < 3; i++) {
            writer.set("e" + i, new Escaped(0, "s", 0, Map.of("~01", 0L, "a/b", 0L, "", 0L))).join();
        }
        for (long round = 1; round <= 4; round++) {
            long r = round;
            for (int i = 0; i < 3; i++) {
                writer.update("e" + i, e -> e.next(r)).join();
            }
        }
        List<String> paths = new ArrayList<>();
        for (ChangeEvent event : SectionStore.open(client, "ddm", SECTION).readLog("0-0", 1_000).join().events()) {
            if (event.patch() != null) {
                event.patch().forEach(op -> paths.add(op.path("path").asText()));
            }
        }
        assertThat(paths).as("the updates are logged as patches on the escaped names")
                .contains("/a~01b", "/x~1y", "/~001", "/names/~001", "/names/~01", "/names/a~1b", "/names/", "/names/a~00b~1c~03");

        Cli.Run run = check();
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("shop.carts: 3 documents, 15 log entries").containsPattern("(?m)^  3 agree with their logged history$")
                .containsPattern("(?m)^  0 differ$");
    }

    /**
     * Two regions write the same documents; their changes cross through {@link SectionStore#apply}, as
     * the sink applies them: each log then holds merges of the other region's changes (with the
     * conflicts they resolved) and, for eu, snapshots answering us's repair requests, which us joins.
     */
    @Test
    void regionsLogs_withMergesAndRepairSnapshots_agreeWithTheirDocuments() {
        RedissonClient euClient = RedisClients.create(redis.server().uri());
        RedissonClient usClient = RedisClients.create(otherRegion.server().uri());
        opened.add(euClient::shutdown);
        opened.add(usClient::shutdown);
        DocumentManager<Counter> eu = DocumentManager.builder(Counter.class).redisson(euClient).section("shop", "carts").origin("eu", "w1").build();
        DocumentManager<Counter> us = DocumentManager.builder(Counter.class).redisson(usClient).section("shop", "carts").origin("us", "w1").build();
        opened.add(eu);
        opened.add(us);
        SectionStore euStore = SectionStore.open(euClient, "ddm", SECTION);
        SectionStore usStore = SectionStore.open(usClient, "ddm", SECTION);
        for (int i = 0; i < 4; i++) {
            eu.set("c" + i, new Counter(i, "cart " + i)).join();
        }
        carry(euStore, "eu", usStore, e -> true);
        // The same version changed in both regions: the same member (a conflict) and different members (merged).
        eu.update("c1", c -> new Counter(c.count(), "eu's")).join();
        us.update("c1", c -> new Counter(c.count(), "us's")).join();
        eu.update("c2", Counter::increment).join();
        us.update("c2", c -> new Counter(c.count(), "us's")).join();
        // A change that never reaches us (lost on its way): us asks for eu's copy, and joins the snapshot eu answers with.
        eu.update("c3", Counter::increment).join();
        carry(usStore, "us", euStore, e -> true);
        assertThat(euStore.announceSnapshot("c3", Origin.of("eu", "ddm-sink")).join()).isPresent();
        carry(euStore, "eu", usStore, e -> !(e.key().id().equals("c3") && e.stamps() == null && e.version() > 1));

        for (RedisServerExtension region : List.of(redis, otherRegion)) {
            Cli.Run run = Cli.run("check", "--redis", region.server().uri(), "shop.carts");
            System.out.print(run.out()); // a sample for docs/cli.md, in the failsafe report
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).containsPattern("(?m)^  4 agree with their logged history$").containsPattern("(?m)^  0 differ$")
                    .containsPattern("(?m)^  of which [1-9]\\d* merges? other regions' changes \\(resolving [1-9]\\d* conflicts?\\)");
        }
        assertThat(Cli.run("check", "--redis", redis.server().uri(), "shop.carts").out()).as("eu answered a repair request")
                .contains("and 1 snapshot answers their repair requests");
        Cli.Run same = Cli.run("diff", redis.server().uri(), otherRegion.server().uri(), "shop.carts");
        assertThat(same.exitCode()).as(same.out()).isZero();
    }

    /**
     * Takes the changes made in {@code region} (what its source exports: its own changes and repair answers) that {@code take}
     * accepts into {@code to}.
     */
    private static void carry(SectionStore from, String region, SectionStore to, Predicate<ChangeEvent> take) {
        for (ChangeEvent event : from.readLog("0-0", 1_000).join().events()) {
            if (event.origin().region().equals(region) && (event.lineage() != null || event.stamps() != null) && take.test(event)) {
                assertThat(to.apply(event).join()).isNotInstanceOf(SectionStore.ApplyOutcome.Unappliable.class)
                        .isNotInstanceOf(SectionStore.ApplyOutcome.Missing.class);
            }
        }
    }

    @Test
    void aSectionWithNothingInIt_isAnError_namingWhereItLooked() {
        Cli.Run run = Cli.run("check", "--redis", redis.server().uri(), "shop.nothing");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(run.err()).contains("no document and no log in section shop.nothing").contains("namespace ddm");
    }
}
