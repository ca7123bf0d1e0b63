package io.github.ddm.internal.sync;

import io.github.ddm.internal.store.RedisLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Reads the stored versions of many keys of a section, in pipelined batches ({@code HGET} of the
 * version field, one round trip per batch): for the periodic version check and for the repair
 * after the log was trimmed. Thread-safe.
 */
final class StoredVersions {

    private final RedissonClient redisson;
    private final RedisLayout layout;
    private final int batchSize;

    StoredVersions(RedissonClient redisson, RedisLayout layout, int batchSize) {
        this.redisson = redisson;
        this.layout = layout;
        this.batchSize = batchSize;
    }

    /**
     * Reads {@code ids} one batch after another and hands each batch, with its stored versions
     * (0 when none, -1 when corrupt), to {@code each}; the next batch is read once the future that
     * {@code each} returned has completed.
     */
    CompletableFuture<Void> inBatches(List<String> ids, BiFunction<List<String>, long[], CompletableFuture<Void>> each) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < ids.size(); from += batchSize) {
            List<String> slice = ids.subList(from, Math.min(ids.size(), from + batchSize));
            chain = chain.thenCompose(ignored -> read(slice).thenCompose(stored -> each.apply(slice, stored)));
        }
        return chain;
    }

    /** The stored version of each key (0 when none), one pipelined round trip. */
    private CompletableFuture<long[]> read(List<String> ids) {
        RBatch batch = redisson.createBatch();
        List<RFuture<String>> versions = new ArrayList<>(ids.size());
        for (String id : ids) {
            versions.add(batch.<String, String>getMap(layout.documentKey(id), StringCodec.INSTANCE).getAsync(RedisLayout.VERSION_FIELD));
        }
        return batch.executeAsync().toCompletableFuture().thenApply(result -> {
            long[] stored = new long[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                String text = versions.get(i).toCompletableFuture().getNow(null);
                stored[i] = text == null ? 0 : parse(text);
            }
            return stored;
        });
    }

    private static long parse(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1; // corrupt: differs from any cached version, so the key is reloaded (and the read reports it)
        }
    }
}
