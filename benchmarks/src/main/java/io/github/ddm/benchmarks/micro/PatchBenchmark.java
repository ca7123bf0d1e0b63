package io.github.ddm.benchmarks.micro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import com.flipkart.zjsonpatch.JsonPatch;
import io.github.ddm.benchmarks.OrderBook;
import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.io.IOException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where a DDM update's CPU goes, without Redis: each step core's write path (SHARED) and receive
 * path take for a one-level change of the ~3.5 KB {@link OrderBook}, done with zjsonpatch, Jackson
 * and the schemas codec directly (core's classes are internal), and the whole sequences
 * ({@code writerPathShared}, {@code receiverPath}) as core runs them. Average time per call, in
 * microseconds.
 *
 * <p>The steps, in the order core's {@code DocumentWriter} takes them: the base value to a tree,
 * the mutated value to a tree, the diff, the changed member's JSON, the whole document's bytes
 * (size check), the event (constructor validation and copies), the event's JSON, and at the end
 * the tree back to a typed value for the cache.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PatchBenchmark {

    private static final EnumSet<DiffFlags> FLAGS =
            EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);
    private static final DataKey KEY = DataKey.of("bench", "books", "BTC-USD");
    private static final Origin ORIGIN = Origin.of("eu-west-1", "bench-a");

    private final ObjectMapper mapper = new ObjectMapper();
    private OrderBook before;
    private OrderBook after;
    private ObjectNode beforeTree;
    private ObjectNode afterTree;
    private byte[] beforeBytes;
    private byte[] afterBytes;
    private JsonNode patch;
    private ChangeEvent event;
    private String published;

    @Setup(Level.Trial)
    public void setUp() {
        before = OrderBook.requireRealisticSize(OrderBook.sample("BTC-USD", 1));
        after = before.withBidQuantity(3, OrderBook.quantityFor(7));
        beforeTree = mapper.valueToTree(before);
        afterTree = mapper.valueToTree(after);
        beforeBytes = before.toJson();
        afterBytes = after.toJson();
        patch = JsonDiff.asJson(beforeTree, afterTree, FLAGS);
        event = ChangeEvent.update("AAAAAAAAAAAAAAAA", KEY, 8, 7, "E", Instant.now(), ORIGIN, patch, null);
        published = ChangeEventCodec.encodeToString(new ChangeEvent(event.eventId(), KEY, event.op(), 8, 7,
                "peerEpoch01", event.time(), ORIGIN, patch, null, "1764000000000-0"));
        System.out.println("patch: " + patch + "; published event: " + published.length() + " bytes");
    }

    @Benchmark
    public ObjectNode valueToTree() {
        return mapper.valueToTree(after);
    }

    @Benchmark
    public OrderBook treeToValue() throws JsonProcessingException {
        return mapper.treeToValue(afterTree, OrderBook.class);
    }

    @Benchmark
    public JsonNode diff() {
        return JsonDiff.asJson(beforeTree, afterTree, FLAGS);
    }

    @Benchmark
    public String memberJson() throws JsonProcessingException {
        return mapper.writeValueAsString(afterTree.get("bids"));
    }

    @Benchmark
    public byte[] documentBytes() throws JsonProcessingException {
        return mapper.writeValueAsBytes(afterTree);
    }

    @Benchmark
    public ChangeEvent newEvent() {
        return ChangeEvent.update("AAAAAAAAAAAAAAAA", KEY, 8, 7, "E", Instant.now(), ORIGIN, patch, null);
    }

    @Benchmark
    public String encodeEvent() {
        return ChangeEventCodec.encodeToString(event);
    }

    @Benchmark
    public ChangeEvent decodeEvent() {
        return ChangeEventCodec.decode(published);
    }

    @Benchmark
    public JsonNode applyPatch() {
        return JsonPatch.apply(patch, beforeTree);
    }

    /** What a COPY_ON_READ cache hit pays: the cached bytes to a fresh value. */
    @Benchmark
    public OrderBook readBytes() throws IOException {
        return mapper.readValue(afterBytes, OrderBook.class);
    }

    /** What every update does once it has the new tree: the diff, the member, the cached bytes and the event. */
    private void commitSteps(JsonNode base, ObjectNode next) throws JsonProcessingException {
        JsonNode diff = JsonDiff.asJson(base, next, FLAGS);
        String member = mapper.writeValueAsString(next.get("bids"));
        byte[] bytes = mapper.writeValueAsBytes(next);
        ChangeEvent update = ChangeEvent.update("AAAAAAAAAAAAAAAA", KEY, 8, 7, "E", Instant.now(), ORIGIN, diff, null);
        String text = ChangeEventCodec.encodeToString(update);
        if (member.length() + bytes.length + text.length() == 0) {
            throw new AssertionError();
        }
    }

    /** The CPU of one SHARED update in core's writer, step by step as it takes them (a cold base tree). */
    @Benchmark
    public OrderBook writerPathShared() throws JsonProcessingException {
        ObjectNode base = mapper.valueToTree(before);
        OrderBook changed = before.withBidQuantity(3, OrderBook.quantityFor(7));
        ObjectNode next = mapper.valueToTree(changed);
        commitSteps(base, next);
        return mapper.treeToValue(next, OrderBook.class);
    }

    /**
     * The CPU of one COPY_ON_READ update of a hot key in core's writer (its base tree remembered from
     * the previous commit): the cached bytes to a value for the mutator, the mutated value to a tree,
     * the diff, the member, the bytes the cache keeps, and the event. The update returns the mutator's
     * value as it is (before issue 11 it read the cached bytes back into another value).
     */
    @Benchmark
    public OrderBook writerPathCopyOnRead() throws IOException {
        OrderBook copy = mapper.readValue(beforeBytes, OrderBook.class);
        OrderBook changed = copy.withBidQuantity(3, OrderBook.quantityFor(7));
        ObjectNode next = mapper.valueToTree(changed);
        commitSteps(beforeTree, next);
        return changed;
    }

    /** The CPU of one received change in core's feed (SHARED): decode, tree of the cached value, apply, back to a value. */
    @Benchmark
    public OrderBook receiverPath() throws JsonProcessingException {
        ChangeEvent received = ChangeEventCodec.decode(published);
        JsonNode next = JsonPatch.apply(received.patch(), mapper.valueToTree(before));
        return mapper.treeToValue(next, OrderBook.class);
    }

    /**
     * The CPU of one received change of a hot key in core's feed (COPY_ON_READ; the base tree remembered):
     * decode, apply, and the new tree to the bytes the cache keeps (before issue 11 the tree was also
     * mapped to a value, as a proof that it maps to the type, and thrown away).
     */
    @Benchmark
    public byte[] receiverPathCopyOnRead() throws JsonProcessingException {
        ChangeEvent received = ChangeEventCodec.decode(published);
        JsonNode next = JsonPatch.apply(received.patch(), beforeTree);
        return mapper.writeValueAsBytes(next);
    }
}
