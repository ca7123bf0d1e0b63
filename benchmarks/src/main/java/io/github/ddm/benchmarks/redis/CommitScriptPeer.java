package io.github.ddm.benchmarks.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.benchmarks.BenchRedis;
import io.github.ddm.benchmarks.OrderBook;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import io.github.ddm.schema.VersionVector;
import io.github.ddm.schema.WireForm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The peer of DDM's writes: one bare EVALSHA through Redisson of core's own commit script (the
 * classpath resource {@value #SCRIPT_RESOURCE}), with arguments computed once, so that a call
 * costs only the script and the round trip. The arguments are those of a one-field update of an
 * {@link OrderBook}: the same member ({@code bids}, about 1.6 KB) and an event of the same shape
 * and size as DDM's (a one-operation patch), bounded log, PUBLISH on the section channel.
 *
 * <p>The peer writes its own section, where no DDM manager listens, and keeps each document's
 * expected version in step with the script's replies. To be fair to DDM, whose manager subscribes
 * to its own section's channel (and so receives the echo of every change it commits), the peer
 * subscribes to its section's channel through the same client: Redis fans each PUBLISH out to one
 * subscriber, and the client receives and decodes the message as a string, as DDM's feed does
 * before it recognises its echo. The listener only counts ({@link #received()}). A {@link Doc}
 * belongs to one thread.
 */
public final class CommitScriptPeer {

    /** Core's commit script, as core loads it. */
    public static final String SCRIPT_RESOURCE = "/io/github/ddm/internal/store/commit.lua";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The changed level of the precomputed update. */
    private static final int LEVEL = 3;

    private final RScript script;
    private final String sha;
    private final String section;
    private final String prefix;
    private final Origin origin;
    private final AtomicLong received = new AtomicLong();

    /** Loads the script and subscribes to the section's channel (waits for the subscription). */
    public CommitScriptPeer(RedissonClient client, String section, String node) {
        this.script = client.getScript(StringCodec.INSTANCE);
        this.sha = script.scriptLoad(scriptText());
        this.section = section;
        this.prefix = BenchRedis.NAMESPACE + ":{" + BenchRedis.PARTITION + ":" + section + "}:";
        this.origin = Origin.of(BenchRedis.REGION, node);
        RTopic channel = client.getTopic(BenchRedis.channel(section), StringCodec.INSTANCE);
        channel.addListener(String.class, (name, message) -> received.incrementAndGet());
    }

    /** Messages the peer's subscriber received on its section's channel. */
    public long received() {
        return received.get();
    }

    /** The text of core's commit script. */
    public static String scriptText() {
        try (InputStream in = CommitScriptPeer.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("core's commit script is not on the classpath: " + SCRIPT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates document {@code id} holding {@code book} (version 1) and precomputes its one-field update. */
    public Doc create(String id, OrderBook book) {
        ObjectNode tree = MAPPER.valueToTree(book);
        DataKey key = DataKey.of(BenchRedis.PARTITION, section, id);
        Doc doc = new Doc(id);
        String[] created = template(ChangeEvent.create(eventId(), key, 1, 0, WireForm.PLACEHOLDER_EPOCH, Instant.now(), origin, tree));
        List<Object> args = new ArrayList<>(List.of("0", "1", "", "peerEpoch01", now(), originText(), "c",
                created[0], created[1], created[2], "10000", "PUBLISH", "L", origin.region(), "peerLineage",
                Integer.toString(tree.size())));
        for (Iterator<Map.Entry<String, JsonNode>> members = tree.fields(); members.hasNext(); ) {
            Map.Entry<String, JsonNode> member = members.next();
            args.add(member.getKey());
            args.add(json(member.getValue()));
        }
        args.add("0"); // no member removed
        args.add("0"); // a create stamps the whole document
        doc.version = commit(doc, args.toArray());

        // The update DDM would commit for "bid level 3's quantity changed": the bids member, a one-op patch.
        OrderBook changed = book.withBidQuantity(LEVEL, OrderBook.quantityFor(7));
        ArrayNode patch = MAPPER.createArrayNode();
        patch.addObject().put("op", "replace").put("path", "/bids/" + LEVEL + "/quantity")
                .put("value", changed.bids().get(LEVEL).quantity());
        String[] updated = template(ChangeEvent.update(eventId(), key, doc.version + 1, doc.version, WireForm.PLACEHOLDER_EPOCH, Instant.now(),
                origin, patch, null));
        doc.updateArgs = new Object[] {null, null, null, "peerEpoch01", null, originText(), "u",
                updated[0], updated[1], updated[2], "10000", "PUBLISH", "L", origin.region(), "peerLineage",
                "1", "bids", json(MAPPER.valueToTree(changed.bids())), "0", "1", "bids", "/" + LEVEL + "/quantity"};
        return doc;
    }

    /** One bare EVALSHA of the precomputed one-field update; returns the committed version. */
    public long update(Doc doc) {
        Object[] args = doc.updateArgs.clone();
        args[0] = Long.toString(doc.version);
        args[1] = Long.toString(doc.version + 1);
        args[2] = doc.epoch;
        args[4] = now();
        doc.version = commit(doc, args);
        return doc.version;
    }

    private long commit(Doc doc, Object[] args) {
        List<Object> reply = script.evalSha(doc.key, RScript.Mode.READ_WRITE, sha, RScript.ReturnType.LIST, doc.keys, args);
        if ((Long) reply.get(0) != 1L) {
            throw new IllegalStateException("the commit script refused " + doc.key + ": " + reply);
        }
        doc.epoch = (String) reply.get(2);
        return Long.parseLong((String) reply.get(1));
    }

    private String originText() {
        return origin.region() + "/" + origin.node();
    }

    private static String now() {
        return Long.toString(System.currentTimeMillis());
    }

    private static String json(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String eventId() {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * The event's text cut where the script inserts epoch, lineage, clock and stream id, by the wire
     * form's owner ({@link WireForm#split(ChangeEvent, WireForm.RedisForm)}), in the form core writes
     * in this JVM ({@code ddm.redis.wireForm}), as core cuts it.
     */
    private static String[] template(ChangeEvent event) {
        WireForm.Split split = WireForm.split(event.withClock(WireForm.PLACEHOLDER_LINEAGE, VersionVector.of(Map.of(
                VersionVector.replica(WireForm.PLACEHOLDER_EPOCH, WireForm.PLACEHOLDER_LINEAGE), event.version()))),
                WireForm.RedisForm.configured());
        return new String[] {split.head(), split.middle(), split.tail()};
    }

    /** One document of the peer's section and the version the next update expects. One thread only. */
    public final class Doc {
        private final String key;
        private final List<Object> keys;
        private Object[] updateArgs;
        private long version;
        private String epoch = "";

        private Doc(String id) {
            this.key = prefix + "s:" + id;
            this.keys = List.of(key, prefix + "log", prefix + "epoch", prefix + "ch", prefix + "c:" + id, prefix + "lineage");
        }

        /** The version last committed. */
        public long version() {
            return version;
        }
    }
}
