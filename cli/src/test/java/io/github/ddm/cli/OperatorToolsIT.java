package io.github.ddm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.api.RedissonClient;

/** inspect, tail and diff against real redis-servers, on documents written by real managers. */
class OperatorToolsIT {

    /** A small document. */
    public record Counter(long count, String label) {
        Counter increment() {
            return new Counter(count + 1, label);
        }
    }

    private static final SectionId SECTION = new SectionId("shop", "carts");

    @RegisterExtension
    static final RedisServerExtension regionA = RedisServerExtension.create();

    @RegisterExtension
    static final RedisServerExtension regionB = RedisServerExtension.create();

    @RegisterExtension
    static final RedisServerExtension secured = RedisServerExtension.create(b -> b.password("the-right-password"));

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private DocumentManager<Counter> manager(RedisServerExtension region, String node) {
        return manager(region, "eu", node);
    }

    private DocumentManager<Counter> manager(RedisServerExtension server, String region, String node) {
        RedissonClient client = RedisClients.create(server.server().uri());
        opened.add(client::shutdown);
        DocumentManager<Counter> manager = DocumentManager.builder(Counter.class).redisson(client)
                .section(SECTION.partition(), SECTION.section()).origin(region, node).build();
        opened.add(manager);
        return manager;
    }

    private static String uri(RedisServerExtension region) {
        return region.server().uri();
    }

    @Test
    void inspect_showsTheSectionsLogAndDocuments_andEachDocumentsStoredState() {
        DocumentManager<Counter> writer = manager(regionA, "w1");
        writer.set("cart-1", new Counter(0, "first")).join();
        writer.update("cart-1", Counter::increment).join();
        writer.update("cart-1", Counter::increment).join();
        writer.set("cart-2", new Counter(9, "second")).join();
        writer.delete("cart-2").join();

        Cli.Run summary = Cli.run("inspect", "--redis", uri(regionA), "shop.carts");
        assertThat(summary.exitCode()).isZero();
        assertThat(summary.out()).contains("documents  2").contains("5 entries kept of 5 ever added").contains("nothing trimmed")
                .containsPattern("lineage    [A-Za-z0-9_-]+ \\(this region's changes");

        Cli.Run one = Cli.run("inspect", "--redis", uri(regionA), "shop.carts", "cart-1", "cart-2");
        System.out.print(one.out()); // a sample for docs/cli.md, in the failsafe report
        assertThat(one.exitCode()).isZero();
        assertThat(one.out()).contains("shop/carts/cart-1", "version  3", "by eu/w1", "\"count\" : 2", "\"label\" : \"first\"")
                .contains("version  2 (deleted)")
                .containsPattern("  clock    \\{\"eu~[A-Za-z0-9_-]+\":3\\}")
                .containsPattern("  lineage  eu~[A-Za-z0-9_-]+ made its newest change that still stands \\(stamp \\d+\\.3\\.3\\.eu~")
                .containsPattern("  section  lineage here: [A-Za-z0-9_-]+ \\(replica eu~[A-Za-z0-9_-]+, 3 of its changes here\\)");

        Cli.Run asJson = Cli.run("inspect", "--redis", uri(regionA), "--json", "shop.carts", "cart-1");
        ChangeEvent event = ChangeEventCodec.decode(asJson.out().trim());
        assertThat(event.version()).isEqualTo(3);
        assertThat(event.state().get("count").asLong()).isEqualTo(2);

        Cli.Run missing = Cli.run("inspect", "--redis", uri(regionA), "shop.carts", "cart-1", "no-such-cart");
        assertThat(missing.exitCode()).as("a document that is not there").isEqualTo(Ddm.DIFFERENT);
        assertThat(missing.err()).contains("no-such-cart").contains("shop.carts");
    }

    @Test
    void tail_printsTheLogInOrder_filtersByDocument_andStopsAtTheLimit() {
        DocumentManager<Counter> writer = manager(regionA, "w1");
        writer.set("a", new Counter(0, "a")).join();
        writer.set("b", new Counter(0, "b")).join();
        for (int i = 0; i < 3; i++) {
            writer.update("a", Counter::increment).join();
        }

        Cli.Run all = Cli.run("tail", "--redis", uri(regionA), "--json", "shop.carts");
        assertThat(all.exitCode()).isZero();
        List<ChangeEvent> events = Arrays.stream(all.out().split("\n")).map(ChangeEventCodec::decode).toList();
        assertThat(events).extracting(e -> e.key().id() + "@" + e.version()).containsExactly("a@1", "b@1", "a@2", "a@3", "a@4");
        assertThat(events.get(2).op()).isEqualTo(ChangeOp.UPDATE);

        Cli.Run onlyA = Cli.run("tail", "--redis", uri(regionA), "--id", "a", "--limit", "2", "shop.carts");
        System.out.print(onlyA.out()); // a sample for docs/cli.md, in the failsafe report
        assertThat(onlyA.out().split("\n")).hasSize(2);
        assertThat(onlyA.out()).contains("  a  v1<-v0  create  eu/w1").contains("  a  v2<-v1  update  eu/w1  patch [");

        Cli.Run afterThird = Cli.run("tail", "--redis", uri(regionA), "--json", "--from", events.get(2).streamId(), "shop.carts");
        assertThat(afterThird.out().split("\n")).hasSize(2);
    }

    @Test
    void tailFollow_printsChangesCommittedAfterItStarted_untilInterrupted() throws Exception {
        DocumentManager<Counter> writer = manager(regionA, "w1");
        writer.set("old", new Counter(0, "before")).join();
        Cli.Live live = new Cli.Live();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> exit.set(live.commandLine().execute("tail", "--redis", uri(regionA), "--from", "latest",
                "--follow", "shop.carts")));
        follower.start();
        try {
            // The follower may start reading after the first write below; a second write after it runs proves the wait.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                writer.update("old", Counter::increment).join();
                assertThat(live.out()).contains("  old  v");
            });
            assertThat(live.out()).as("entries from before the start are not printed").doesNotContain("v1<-v0");
        } finally {
            follower.interrupt();
            follower.join(Duration.ofSeconds(20).toMillis());
        }
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
    }

    @Test
    void diff_findsEqualRegionsEqual_andNamesEachDocumentThatDiffers() {
        DocumentManager<Counter> writer = manager(regionA, "w1");
        for (int i = 0; i < 5; i++) {
            writer.set("c" + i, new Counter(i, "x")).join();
        }
        writer.update("c1", Counter::increment).join();
        RedissonClient sourceClient = RedisClients.create(uri(regionA));
        opened.add(sourceClient::shutdown);
        SectionStore source = SectionStore.open(sourceClient, "ddm", SECTION);
        RedissonClient targetClient = RedisClients.create(uri(regionB));
        opened.add(targetClient::shutdown);
        SectionStore target = SectionStore.open(targetClient, "ddm", SECTION);
        for (ChangeEvent event : source.readLog("0-0", 100).join().events()) {
            target.apply(event).join();
        }

        Cli.Run same = Cli.run("diff", uri(regionA), uri(regionB));
        assertThat(same.exitCode()).as(same.out() + same.err()).isZero();
        assertThat(same.out()).contains("shop.carts: 5 documents, equal (version, content and identity)");

        writer.update("c2", Counter::increment).join(); // not carried to B
        writer.set("c9", new Counter(9, "new")).join(); // not carried to B
        Cli.Run differs = Cli.run("diff", uri(regionA), uri(regionB), "shop.carts");
        assertThat(differs.exitCode()).isEqualTo(Ddm.DIFFERENT);
        assertThat(differs.out()).contains("2 of 6 documents differ").contains("c2: version 2 in " + uri(regionA) + ", 1 in " + uri(regionB))
                .contains("c9: missing in " + uri(regionB));
    }

    @Test
    void diff_namesEqualContentWithDifferentIdentity_andOneIdentityWithDifferentContent() {
        // The same content written in each region on its own: two histories, which would merge differently.
        manager(regionA, "eu", "w1").set("twin", new Counter(1, "same")).join();
        manager(regionB, "us", "w1").set("twin", new Counter(1, "same")).join();
        // One history, then a copy changed behind DDM's back.
        manager(regionA, "eu", "w2").set("copied", new Counter(2, "copied")).join();
        RedissonClient sourceClient = RedisClients.create(uri(regionA));
        opened.add(sourceClient::shutdown);
        RedissonClient targetClient = RedisClients.create(uri(regionB));
        opened.add(targetClient::shutdown);
        SectionStore target = SectionStore.open(targetClient, "ddm", SECTION);
        for (ChangeEvent event : SectionStore.open(sourceClient, "ddm", SECTION).readLog("0-0", 100).join().events()) {
            if (event.key().id().equals("copied")) {
                target.apply(event).join();
            }
        }
        regionB.server().call("HSET", "ddm:{shop:carts}:s:copied", "label", "\"changed\"");

        Cli.Run run = Cli.run("diff", uri(regionA), uri(regionB), "shop.carts");
        System.out.print(run.out()); // a sample for docs/cli.md, in the failsafe report
        assertThat(run.exitCode()).isEqualTo(Ddm.DIFFERENT);
        assertThat(run.out()).contains("shop.carts: 2 of 2 documents differ (1 with equal content but a different identity, 1 with one "
                        + "identity but different content)")
                .containsPattern("twin: same version 1 and content, different identity: clock \\{\"eu~[A-Za-z0-9_-]+\":1\\} in "
                        + java.util.regex.Pattern.quote(uri(regionA)) + ", \\{\"us~[A-Za-z0-9_-]+\":1\\} in ")
                .containsPattern("copied: same version 1 and identity \\(clock \\{\"eu~[A-Za-z0-9_-]+\":1\\}\\), different content: one "
                        + "copy was changed behind DDM's back");
    }

    @Test
    void aWrongPassword_failsClearly_andNeverPrintsIt(@TempDir Path dir) throws Exception {
        Path wrong = dir.resolve("password");
        Files.writeString(wrong, "not-the-password\n");
        Cli.Run run = Cli.run("inspect", "--redis", uri(secured), "--redis-password-file", wrong.toString(), "shop.carts");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(run.err()).startsWith("ddm inspect: ").contains("authentication failed").doesNotContain("not-the-password");
        Path right = dir.resolve("right");
        Files.writeString(right, "the-right-password\n");
        Cli.Run ok = Cli.run("inspect", "--redis", uri(secured), "--redis-password-file", right.toString(), "shop.carts");
        assertThat(ok.exitCode()).as(ok.err()).isEqualTo(0);
    }

    /** Secrets never come from the command line, where ps and the shell's history show them. */
    @Test
    void aPasswordOnTheCommandLine_isRefused_beforeAnyConnection(@TempDir Path dir) throws Exception {
        Cli.Run inUri = Cli.run("inspect", "--redis", "redis://ops:s3cret-pw@127.0.0.1:1", "trading.books");
        assertThat(inUri.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(inUri.err()).startsWith("ddm inspect: --redis must not carry credentials").contains("DDM_REDIS_PASSWORD")
                .doesNotContain("s3cret-pw").doesNotContain("\tat ");
        Cli.Run diff = Cli.run("diff", "redis://ops:s3cret-pw@127.0.0.1:1", uri(regionB));
        assertThat(diff.err()).contains("LEFT must not carry credentials").doesNotContain("s3cret-pw");
        Cli.Run jaas = Cli.run("replay", "--bootstrap-servers", "localhost:9", "--redis", uri(regionB), "--all",
                "--kafka-property", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"u\" password=\"k4fka-pw\";");
        assertThat(jaas.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(jaas.err()).contains("--kafka-property sasl.jaas.config holds a secret").contains("--kafka-config")
                .doesNotContain("k4fka-pw");
        // The same settings from a file: a server that requires a password, reached with it.
        Path settings = dir.resolve("redis.properties");
        Files.writeString(settings, "ddm.redis.uri=" + uri(secured) + "\nddm.redis.password=${file:" + dir.resolve("pw") + "}\n");
        Files.writeString(dir.resolve("pw"), "the-right-password");
        Cli.Run fromFile = Cli.run("inspect", "--redis-config", settings.toString(), "shop.carts");
        assertThat(fromFile.exitCode()).as(fromFile.err()).isEqualTo(0);
        Cli.Run diffFromFiles = Cli.run("diff", settings.toString(), settings.toString(), "shop.carts");
        assertThat(diffFromFiles.exitCode()).as(diffFromFiles.err()).isEqualTo(0);
    }

    @Test
    void aServerThatIsNotThere_failsInOneLine_withoutThePassword(@TempDir Path dir) throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "s3cret-pw");
        Cli.Run run = Cli.run("inspect", "--redis", "redis://127.0.0.1:1", "--redis-user", "ops", "--redis-password-file",
                password.toString(), "trading.books");
        assertThat(run.exitCode()).isEqualTo(Ddm.ERROR);
        assertThat(run.err()).startsWith("ddm inspect: ").contains("127.0.0.1").contains("user 'ops'").doesNotContain("s3cret-pw")
                .doesNotContain("\tat ");
    }
}
