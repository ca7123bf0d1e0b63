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
        assertThat(run.out()).contains("shop.carts: 10 documents, 51 log entries").contains("10 agree with their logged history")
                .contains("0 differ");
    }

    @Test
    void aDocumentChangedBehindDdmsBack_isNamed() {
        write();
        redis.server().call("HSET", "ddm:{shop:carts}:s:c3", "count", "999");
        Cli.Run run = check();
        assertThat(run.exitCode()).isEqualTo(Ddm.DIFFERENT);
        assertThat(run.out()).contains("1 differ").contains("c3: at version 5 Redis holds").contains("999");

        redis.server().call("HSET", "ddm:{shop:carts}:s:c4", "\u0000v", "77");
        Cli.Run versions = check();
        assertThat(versions.out()).contains("2 differ").contains("c4: the log ends at version 5, Redis holds version 77");
    }

    @Test
    void documentsWhoseHistoryWasTrimmed_areCountedNotChecked() {
        write();
        redis.server().call("XTRIM", "ddm:{shop:carts}:log", "MAXLEN", "5");
        Cli.Run run = check();
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("5 log entries").contains("0 differ");
        assertThat(run.out()).containsPattern("([1-9]) cannot be checked");
    }
}
