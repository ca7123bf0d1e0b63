package io.github.ddm.internal.store;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.InvalidEventException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.api.stream.StreamRangeArgs;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a section's change log (the stream the commit script appends to). Entries hold the event
 * without its stream id, which is the entry id; this class puts it back.
 *
 * <p>Thread-safe. Futures complete on Redisson threads.
 */
public final class SectionLog {

    private static final Logger log = LoggerFactory.getLogger(SectionLog.class);

    /** The id before every entry. */
    public static final String START = "0-0";

    private final RStream<String, String> stream;
    private final String name;

    public SectionLog(RedissonClient redisson, RedisLayout layout) {
        this.stream = redisson.getStream(layout.logKey(), StringCodec.INSTANCE);
        this.name = layout.logKey();
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
     * Whether entries newer than {@code afterId} were removed from the log (trimmed by MAXLEN, or
     * deleted): the log has lost entries ({@code entries-added} exceeds its length) and its oldest
     * remaining entry is newer than {@code afterId}, or an entry newer than it was deleted
     * ({@code max-deleted-entry-id}). Redis 7 reports both; an absent log has lost nothing.
     */
    public CompletableFuture<Boolean> trimmedPast(String afterId) {
        return stream.getInfoAsync().toCompletableFuture()
                .thenApply(info -> {
                    StreamMessageId maxDeleted = info.getMaxDeletedEntryId();
                    if (maxDeleted != null && !maxDeleted.toString().equals(START) && compare(maxDeleted.toString(), afterId) > 0) {
                        return true;
                    }
                    boolean lostSome = info.getEntriesAdded() == 0 || info.getEntriesAdded() > info.getLength();
                    var first = info.getFirstEntry();
                    return lostSome && (START.equals(afterId) ? info.getEntriesAdded() > info.getLength()
                            : first == null || compare(first.getId().toString(), afterId) > 0);
                })
                .exceptionallyCompose(e -> {
                    Throwable cause = RedisDocumentStore.unwrap(e);
                    if (String.valueOf(cause.getMessage()).contains("no such key")) {
                        return CompletableFuture.completedFuture(false);
                    }
                    return CompletableFuture.failedFuture(RedisDocumentStore.translateError(e));
                });
    }

    private static int compare(String a, String b) {
        StreamMessageId x = parse(a);
        StreamMessageId y = parse(b);
        int c = Long.compareUnsigned(x.getId0(), y.getId0());
        return c != 0 ? c : Long.compareUnsigned(x.getId1(), y.getId1());
    }

    /** Up to {@code count} entries after {@code afterId} (exclusive), oldest first. */
    public CompletableFuture<Batch> after(String afterId, int count) {
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
                events.add(ChangeEventCodec.decode(text).withStreamId(last));
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
