package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.TcpProxy;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * A commit whose reply comes late, after Redis ran it, so that the Redis client (Redisson, with
 * retries) sends the same script call again, which finds the version already moved: the change is
 * committed once, the writer completes with it, and nothing is computed or committed again
 * (docs/core.md, "The commit script"). The client reaches Redis through a TCP proxy that holds
 * Redis's replies while the commands still run.
 */
class CommitOnceIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    /** Each delivery of a command waits this long for its reply, then the client sends it again. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private RedisFixture fixture;
    private RawSection raw;
    private TcpProxy proxy;
    private RedissonClient retrying;

    @BeforeEach
    void setUp() {
        fixture = new RedisFixture(redis.server());
        raw = RawSection.testDocs(redis.server());
        proxy = TcpProxy.to(redis.server());
        Config config = new Config();
        config.useSingleServer().setAddress(proxy.redisUri())
                .setConnectionMinimumIdleSize(1).setConnectionPoolSize(4)
                .setSubscriptionConnectionMinimumIdleSize(1).setSubscriptionConnectionPoolSize(2)
                .setPingConnectionInterval(0).setTimeout((int) CLIENT_TIMEOUT.toMillis())
                .setRetryAttempts(5).setRetryDelay(new ConstantDelay(Duration.ofMillis(50)));
        retrying = Redisson.create(config);
        fixture.track(retrying::shutdown);
    }

    @AfterEach
    void tearDown() throws Exception {
        proxy.resume();
        fixture.close();
        proxy.close();
    }

    @Test
    void update_replyLateAndCommandSentAgain_appliesTheMutationOnce() throws Exception {
        DocumentManager<Counter> manager = manager("w1", ConflictResolver.lastWriterWins());
        manager.set("c", new Counter(0, "start")).get(10, TimeUnit.SECONDS);
        AtomicInteger mutations = new AtomicInteger();

        Versioned<Counter> updated = withLateCommitReply(() -> manager.update("c", counter -> {
            mutations.incrementAndGet();
            return counter.increment();
        }));

        RawSection.RawDocument stored = raw.document("c").orElseThrow();
        assertThat(stored.members().get("count").asLong()).as("the stored count").isEqualTo(1);
        assertThat(stored.version()).as("the stored version").isEqualTo(2);
        assertThat(ops(raw.logById().get("c"))).as("the log of c").containsExactly(ChangeOp.CREATE, ChangeOp.UPDATE);
        assertThat(mutations.get()).as("times the mutator ran").isEqualTo(1);
        assertThat(updated.value().count).as("the returned count").isEqualTo(1);
        assertThat(updated.version()).as("the returned version").isEqualTo(2);
        assertThat(manager.stats().conflicts()).as("conflicts counted").isZero();
        assertThat(manager.get("c").get(10, TimeUnit.SECONDS).orElseThrow().version()).as("the cached version").isEqualTo(2);

        // The next write starts from the committed state.
        assertThat(manager.update("c", Counter::increment).get(10, TimeUnit.SECONDS).value().count).isEqualTo(2);
        assertThat(raw.document("c").orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void set_ofANewDocument_replyLateAndCommandSentAgain_createsItOnceAndAsksNoResolver() throws Exception {
        AtomicInteger resolved = new AtomicInteger();
        DocumentManager<Counter> manager = manager("w1", (current, proposed) -> {
            resolved.incrementAndGet();
            return ConflictResolver.Resolution.write(proposed);
        });
        manager.set("warm-up", new Counter(0, "loads the scripts")).get(10, TimeUnit.SECONDS);

        Versioned<Counter> created = withLateCommitReply(() -> manager.set("n", new Counter(5, "new")));

        assertThat(created.version()).isEqualTo(1);
        assertThat(created.value().count).isEqualTo(5);
        assertThat(resolved.get()).as("times the conflict resolver was asked").isZero();
        assertThat(raw.document("n").orElseThrow().version()).isEqualTo(1);
        assertThat(ops(raw.logById().get("n"))).as("the log of n").containsExactly(ChangeOp.CREATE);
        assertThat(manager.stats().conflicts()).as("conflicts counted").isZero();
    }

    @Test
    void delete_replyLateAndCommandSentAgain_reportsTheDeleteItMade() throws Exception {
        DocumentManager<Counter> manager = manager("w1", ConflictResolver.lastWriterWins());
        manager.set("d", new Counter(3, "doomed")).get(10, TimeUnit.SECONDS);

        Boolean deleted = withLateCommitReply(() -> manager.delete("d"));

        assertThat(deleted).as("delete found a document and deleted it").isTrue();
        RawSection.RawDocument stored = raw.document("d").orElseThrow();
        assertThat(stored.deleted()).isTrue();
        assertThat(stored.version()).isEqualTo(2);
        assertThat(ops(raw.logById().get("d"))).as("the log of d").containsExactly(ChangeOp.CREATE, ChangeOp.DELETE);
        assertThat(manager.get("d").get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void apply_replyLateAndCommandSentAgain_takesTheChangeInOnceAndReportsItApplied() throws Exception {
        // Another region's changes (namespace "ddm" stands for it), taken into this one (namespace "here").
        DocumentManager<Counter> elsewhere = fixture.track(fixture.builder(Counter.class, "w9").origin("eu", "w9").build());
        elsewhere.set("k", new Counter(0, "start")).get(10, TimeUnit.SECONDS);
        elsewhere.update("k", Counter::increment).get(10, TimeUnit.SECONDS);
        List<ChangeEvent> changes = SectionStore.open(fixture.client(), "ddm", new SectionId("test", "docs"))
                .readLog("0-0", 10).get(10, TimeUnit.SECONDS).events();
        assertThat(changes).extracting(ChangeEvent::op).containsExactly(ChangeOp.CREATE, ChangeOp.UPDATE);
        SectionStore here = SectionStore.open(retrying, "here", new SectionId("test", "docs"));
        assertThat(here.apply(changes.get(0)).get(10, TimeUnit.SECONDS)).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);

        SectionStore.ApplyOutcome outcome = withLateCommitReply(() -> here.apply(changes.get(1)));

        assertThat(outcome).as("the outcome of taking the update in").isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        SectionStore.ApplyOutcome.Applied applied = (SectionStore.ApplyOutcome.Applied) outcome;
        assertThat(applied.version()).isEqualTo(2);
        RawSection hereRaw = new RawSection(redis.server(), "here", "test", "docs");
        List<RawSection.LoggedEvent> logged = hereRaw.logById().get("k");
        assertThat(ops(logged)).as("the log here").containsExactly(ChangeOp.CREATE, ChangeOp.UPDATE);
        assertThat(applied.streamId()).as("where it was logged").isEqualTo(logged.get(1).streamId());
        assertThat(hereRaw.document("k").orElseThrow().members().get("count").asLong()).isEqualTo(1);
        assertThat(here.apply(changes.get(1)).get(10, TimeUnit.SECONDS)).as("a redelivery")
                .isInstanceOf(SectionStore.ApplyOutcome.Duplicate.class);
    }

    @Test
    void theScriptRemembersEachOriginsLastChange_newestFirst_recentOnes_atMostSixteen() throws Exception {
        RedissonClient shared = fixture.client();
        List<DocumentManager<Counter>> writers = new ArrayList<>();
        for (int n = 0; n < 18; n++) {
            writers.add(fixture.track(DocumentManager.builder(Counter.class).redisson(shared).section("test", "docs")
                    .origin("local", "n" + n).build()));
        }
        writers.get(0).set("m", new Counter(0, "many writers")).get(10, TimeUnit.SECONDS);
        // An entry from long ago (its stream id's time is 1970): the next commit forgets it.
        redis.server().call("HSET", "ddm:{test:docs}:c:m", "w", "local/ghost old-event 1 1000-0");

        for (DocumentManager<Counter> writer : writers) {
            writer.update("m", Counter::increment).get(10, TimeUnit.SECONDS);
        }
        writers.get(3).update("m", Counter::increment).get(10, TimeUnit.SECONDS);

        List<String[]> entries = new ArrayList<>();
        for (String entry : ((String) redis.server().call("HGET", "ddm:{test:docs}:c:m", "w")).split(",")) {
            entries.add(entry.split(" "));
        }
        assertThat(entries).as("entries").hasSize(16).allSatisfy(entry -> assertThat(entry).hasSize(4));
        List<String> origins = entries.stream().map(entry -> entry[0]).toList();
        assertThat(origins).as("origins, newest first").startsWith("local/n3", "local/n17", "local/n16")
                .doesNotHaveDuplicates().doesNotContain("local/ghost", "local/n0", "local/n1");
        List<RawSection.LoggedEvent> log = raw.logById().get("m");
        RawSection.LoggedEvent last = log.get(log.size() - 1);
        assertThat(entries.get(0)).as("n3's entry: its last change")
                .containsExactly("local/n3", last.event().eventId(), Long.toString(last.event().version()), last.streamId());
        assertThat(last.event().version()).isEqualTo(20);
    }

    private DocumentManager<Counter> manager(String node, ConflictResolver<Counter> resolver) {
        return fixture.track(DocumentManager.builder(Counter.class).redisson(retrying).section("test", "docs")
                .origin("local", node).conflictResolver(resolver).build());
    }

    /**
     * Runs a write whose commit reaches Redis and runs there, but whose reply is held until the
     * client has sent the commit again (after its response timeout) and Redis has run that too.
     * The commit is first held in Redis (CLIENT PAUSE WRITE), so that whatever the write reads
     * before it gets its reply; then the proxy holds replies and Redis runs the commit.
     */
    private <R> R withLateCommitReply(Supplier<CompletableFuture<R>> write) throws Exception {
        try (RespClient admin = redis.server().client()) {
            long commitsBefore = commitCalls(admin);
            CompletableFuture<R> result;
            admin.call("CLIENT", "PAUSE", "30000", "WRITE");
            try {
                result = write.get();
                await("the commit reaches Redis").atMost(PATIENCE).pollInterval(Duration.ofMillis(5))
                        .until(() -> commitWaiting(admin));
                proxy.pauseReplies();
            } finally {
                admin.call("CLIENT", "UNPAUSE");
            }
            await("the commit runs, and so does the client's second delivery of it").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(5)).until(() -> commitCalls(admin) >= commitsBefore + 2);
            assertThat(result).as("the write waits for a reply").isNotDone();
            proxy.resume();
            return result.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A client is held by CLIENT PAUSE on an EVALSHA (a read-only script runs as EVALSHA_RO). */
    private static boolean commitWaiting(RespClient admin) {
        for (String line : admin.callString("CLIENT", "LIST").split("\n")) {
            if (line.contains(" cmd=evalsha ") && flags(line).contains("b")) {
                return true;
            }
        }
        return false;
    }

    private static String flags(String clientLine) {
        for (String part : clientLine.trim().split(" ")) {
            if (part.startsWith("flags=")) {
                return part.substring("flags=".length());
            }
        }
        return "";
    }

    /** EVALSHA calls Redis ran (commits; reads run as EVALSHA_RO), as INFO commandstats counts them. */
    private static long commitCalls(RespClient admin) {
        for (String line : admin.callString("INFO", "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_evalsha:")) {
                for (String part : line.substring(line.indexOf(':') + 1).split(",")) {
                    if (part.startsWith("calls=")) {
                        return Long.parseLong(part.substring("calls=".length()));
                    }
                }
            }
        }
        return 0;
    }

    private static List<ChangeOp> ops(List<RawSection.LoggedEvent> entries) {
        return entries.stream().map(entry -> entry.event().op()).toList();
    }
}
