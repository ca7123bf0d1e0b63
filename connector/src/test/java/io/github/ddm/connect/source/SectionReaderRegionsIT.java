package io.github.ddm.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddm.DocumentManager;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.connect.ChangeEventData;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.testkit.RespClient;
import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Review of 40faed3: a source whose log was trimmed past its offset exports snapshots, now carrying
 * the whole merge state, but still only of documents whose last change was made here. A document
 * that holds a change made here that never left (it was in the hole) and was last changed by a
 * change taken in from another region is skipped, so the other regions never get that change, and
 * every later change made here to the key waits for it there (Missing) for ever.
 */
class SectionReaderRegionsIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SectionId SECTION = new SectionId("rev", "docs");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        try (RespClient client = redis.server().client()) {
            client.call("FLUSHALL");
        }
    }

    @Test
    void aHoleInTheLog_snapshotsEveryDocumentHoldingAChangeMadeHere_evenIfAnotherRegionChangedItLast() throws Exception {
        RedissonClient redisson = redisson();
        SectionStore store = SectionStore.open(redisson, "ddm", SECTION);
        DocumentManager<SourceTestSupport.Doc> us = SourceTestSupport.writer(redis.server().uri(), SECTION, "us", "n1");
        closeables.add(us);
        us.set("k", new SourceTestSupport.Doc(1, "us")).join();
        ChangeEvent create = store.readLog("0-0", 10).join().events().get(0);
        String exportedUpTo = create.streamId(); // the source exported the create, and eu took it in

        // us changes k; the source does not export it before the log is trimmed.
        us.update("k", d -> new SourceTestSupport.Doc(d.n(), "us again")).join();
        // eu's change, made on the create only, is taken in here (a merge).
        String usReplica = create.replica();
        ChangeEvent fromEu = ChangeEvent.update("eu-change-1", create.key(), 2, 1, "euEpoch", Instant.now(), Origin.of("eu", "n1"),
                        JSON.readTree("[{\"op\":\"replace\",\"path\":\"/n\",\"value\":7}]"), null)
                .withClock("Leu", VersionVector.of(Map.of(usReplica, 1L, "eu~Leu", 1L)));
        assertThat(store.apply(fromEu).join()).isInstanceOf(SectionStore.ApplyOutcome.Applied.class);
        try (RespClient client = redis.server().client()) {
            client.call("XTRIM", "ddm:{rev:docs}:log", "MAXLEN", "0");
        }

        SectionReader reader = new SectionReader(store, "ddm", "ddm.us.rev.docs", "ddm.us.control", "us",
                DdmSourceConfig.ExportOrigins.LOCAL, DdmSourceConfig.StartPosition.EARLIEST,
                new SourceOffsets.Position(exportedUpTo, create.epoch()), java.time.Duration.ofSeconds(10));
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            reader.poll(out, 100);
        }

        assertThat(out).as("records exported after the hole (k holds us's second change, which never left)")
                .extracting(SourceRecord::key).contains("rev/docs/k");
    }

    private RedissonClient redisson() {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.server().uri());
        RedissonClient client = Redisson.create(config);
        closeables.add(client::shutdown);
        return client;
    }
}
