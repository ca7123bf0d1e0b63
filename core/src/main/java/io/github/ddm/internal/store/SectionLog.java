package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidEventException;
import io.github.ddm.schema.SectionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.redisson.api.RBatch;
import org.redisson.api.RStream;
import org.redisson.api.RStreamAsync;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamRangeArgs;
import org.redisson.api.stream.StreamReadArgs;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a section's change log (the stream the commit script appends to). Entries hold the event
 * without its stream id, which is the entry id; this class puts it back. They are in the compact
 * Redis form or, from an older writer or one running with the verbose form, the contract form; both
 * are decoded with this section as context (docs/schema.md, "The compact Redis form").
 *
 * <p>Thread-safe. Futures complete on Redisson threads.
 */
public final class SectionLog {

    private static final Logger log = LoggerFactory.getLogger(SectionLog.class);

    /** The id before every entry. */
    public static final String START = "0-0";

    private final RStream<String, String> stream;
    private final String name;
    private final SectionContext section;

    public SectionLog(RedissonClient redisson, RedisLayout layout) {
        this.stream = redisson.getStream(layout.logKey(), StringCodec.INSTANCE);
        this.name = layout.logKey();
        this.section = layout.section();
    }

    /** One batch of the log: the decoded events, the id of the last entry read, and whether more may follow. */
    public record Batch(List<ChangeEvent> events, String lastId, int entries, int malformed) {
    }

    /** The id of the newest entry, or {@link #START} when the log is empty. */
    public CompletableFuture<String> head() {
        return edge(true);
    }

    /** The id of the oldest entry still in the log, or null when the log is empty. */
    public CompletableFuture<String> first() {
        return edge(false).thenApply(id -> id.equals(START) ? null : id);
    }

    private CompletableFuture<String> edge(boolean newest) {
        CompletableFuture<Map<StreamMessageId, Map<String, String>>> range = newest
                ? stream.rangeReversedAsync(1, StreamMessageId.MAX, StreamMessageId.MIN).toCompletableFuture()
                : stream.rangeAsync(1, StreamMessageId.MIN, StreamMessageId.MAX).toCompletableFuture();
        return range.thenApply(entries -> entries.isEmpty() ? START : entries.keySet().iterator().next().toString())
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /**
     * What {@code XINFO STREAM} says about the log, read in one command: the id of the newest entry
     * ever added ({@link #START} if none), how many entries were ever added, how many are left, the
     * oldest left (null if none) and the newest deleted by {@code XDEL} ({@link #START} if none).
     */
    public record Info(String lastGeneratedId, long entriesAdded, long length, String firstEntryId, String maxDeletedEntryId) {

        /** The description of a log that does not exist (yet): nothing added, nothing lost. */
        public static final Info ABSENT = new Info(START, 0, 0, null, START);

        /**
         * Whether entries added after {@code afterId} were removed (trimmed or deleted), for a reader
         * whose last consumed entry is {@code afterId}. {@code entriesThrough} is how many entries the
         * log had received up to and including {@code afterId} (0 for {@link #START}), or -1 if the
         * reader does not know. Trimming removes the oldest entries first, so while the oldest entry
         * left is not newer than {@code afterId} nothing after it was trimmed; otherwise every entry
         * up to {@code afterId} is gone, and with {@code entriesThrough} known the count of removed
         * entries tells exactly whether more went. Without it, any removed entry counts as a loss.
         */
        public boolean lostAfter(String afterId, long entriesThrough) {
            if (maxDeletedEntryId != null && compare(maxDeletedEntryId, afterId) > 0) {
                return true;
            }
            if (firstEntryId != null && compare(firstEntryId, afterId) <= 0) {
                return false;
            }
            long removed = entriesAdded - length;
            long known = START.equals(afterId) ? 0 : entriesThrough;
            return known >= 0 ? removed > known : removed > 0 || entriesAdded == 0 && length > 0;
        }
    }

    /** The log's {@link Info}; {@link Info#ABSENT} when the log does not exist. */
    public CompletableFuture<Info> info() {
        return info(stream);
    }

    /** {@link #info()}, queued on {@code batch}: it completes once the caller executed the batch. */
    public CompletableFuture<Info> info(RBatch batch) {
        return info(batch.<String, String>getStream(name, StringCodec.INSTANCE));
    }

    private static CompletableFuture<Info> info(RStreamAsync<String, String> stream) {
        return stream.getInfoAsync().toCompletableFuture()
                .thenApply(info -> {
                    StreamMessageId maxDeleted = info.getMaxDeletedEntryId();
                    StreamMessageId last = info.getLastGeneratedId();
                    var first = info.getFirstEntry();
                    return new Info(last == null ? START : last.toString(), info.getEntriesAdded(), info.getLength(),
                            first == null ? null : first.getId().toString(), maxDeleted == null ? START : maxDeleted.toString());
                })
                .exceptionallyCompose(e -> {
                    Throwable cause = RedisDocumentStore.unwrap(e);
                    if (String.valueOf(cause.getMessage()).contains("no such key")) {
                        return CompletableFuture.completedFuture(Info.ABSENT);
                    }
                    return CompletableFuture.failedFuture(RedisDocumentStore.translateError(e));
                });
    }

    /**
     * Whether entries newer than {@code afterId} may have been removed from the log (trimmed by
     * MAXLEN, or deleted): {@link Info#lostAfter} for a reader that does not know how many entries
     * the log had received up to {@code afterId}. An absent log has lost nothing.
     */
    public CompletableFuture<Boolean> trimmedPast(String afterId) {
        return info().thenApply(info -> info.lostAfter(afterId, -1));
    }

    private static int compare(String a, String b) {
        StreamMessageId x = parse(a);
        StreamMessageId y = parse(b);
        int c = Long.compareUnsigned(x.getId0(), y.getId0());
        return c != 0 ? c : Long.compareUnsigned(x.getId1(), y.getId1());
    }

    /**
     * Completes with true as soon as the log has an entry after {@code afterId}, or with false
     * when {@code timeout} passes first: one {@code XREAD COUNT 1 BLOCK} that holds a connection
     * while it waits. An absent log waits like an empty one.
     */
    public CompletableFuture<Boolean> awaitAfter(String afterId, Duration timeout) {
        long millis = Math.max(1, timeout.toMillis());
        return stream.readAsync(StreamReadArgs.greaterThan(parse(afterId)).count(1).timeout(Duration.ofMillis(millis)))
                .toCompletableFuture()
                .thenApply(entries -> entries != null && !entries.isEmpty())
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /**
     * Appends an event that is not a commit (a snapshot answering another region's repair request)
     * to the log, without publishing it: its version is already the stored one.
     *
     * @return the entry's stream id
     */
    public CompletableFuture<String> append(ChangeEvent event) {
        return stream.addAsync(StreamAddArgs.entry(RedisLayout.LOG_EVENT_FIELD, EventTemplate.redisText(event)))
                .toCompletableFuture()
                .thenApply(StreamMessageId::toString)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    /** Up to {@code count} entries after {@code afterId} (exclusive), oldest first. */
    public CompletableFuture<Batch> after(String afterId, int count) {
        return after(stream, afterId, count);
    }

    /** {@link #after(String, int)}, queued on {@code batch}: it completes once the caller executed the batch. */
    public CompletableFuture<Batch> after(RBatch batch, String afterId, int count) {
        return after(batch.<String, String>getStream(name, StringCodec.INSTANCE), afterId, count);
    }

    private CompletableFuture<Batch> after(RStreamAsync<String, String> stream, String afterId, int count) {
        StreamRangeArgs args = StreamRangeArgs.startIdExclusive(parse(afterId)).endId(StreamMessageId.MAX).count(count);
        return stream.rangeAsync(args).toCompletableFuture()
                .thenApply(entries -> decode(afterId, entries))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisDocumentStore.translateError(e)));
    }

    private Batch decode(String afterId, Map<StreamMessageId, Map<String, String>> entries) {
        List<ChangeEvent> events = new ArrayList<>(entries.size());
        String last = afterId;
        int malformed = 0;
        for (Map.Entry<StreamMessageId, Map<String, String>> entry : entries.entrySet()) {
            last = entry.getKey().toString();
            String text = entry.getValue().get(RedisLayout.LOG_EVENT_FIELD);
            try {
                if (text == null) {
                    throw new InvalidEventException(RedisLayout.LOG_EVENT_FIELD, "is missing from the log entry");
                }
                events.add(ChangeEventCodec.decode(text, section).withStreamId(last));
            } catch (InvalidEventException e) {
                malformed++;
                log.warn("{}: skipping log entry {}: not a valid change event ({})", name, last, e.getMessage());
            }
        }
        return new Batch(events, last, entries.size(), malformed);
    }

    static StreamMessageId parse(String id) {
        int dash = id.indexOf('-');
        return new StreamMessageId(Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1)));
    }
}
