package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Origin;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.ArrayList;
import java.util.List;
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
