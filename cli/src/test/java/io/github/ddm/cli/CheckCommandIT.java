package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void aSectionWithNothingInIt_isAnError_namingWhereItLooked() {
        Cli.Run run = Cli.run("check", "--redis", redis.server().uri(), "shop.nothing");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(run.err()).contains("no document and no log in section shop.nothing").contains("namespace ddm");
    }
}
