package io.github.ddm.replay;

import io.github.ddm.DocumentManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A reproducible history for a section: each key is created, updated a random number of times
 * (changing a number, adding and removing members of a map), and some are deleted, some of those
 * re-created. The writers take turns, so versions of one key come from several managers. Keys are
 * written concurrently, each key's steps in order.
 */
final class Workload {

    private Workload() {
    }

    /** Writes keys {@code prefix0..prefix(keys-1)}; returns the ids of the keys that end deleted. */
    static List<String> run(List<DocumentManager<Item>> writers, String prefix, int keys, long seed) throws Exception {
        List<CompletableFuture<?>> chains = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String id = prefix + k;
            Random random = new Random(seed * 31 + k);
            int updates = 1 + random.nextInt(12);
            boolean delete = random.nextInt(100) < 20;
            boolean recreate = delete && random.nextBoolean();
            if (delete && !recreate) {
                deleted.add(id);
            }
            CompletableFuture<?> chain = writers.get(k % writers.size()).set(id, new Item(id));
            for (int u = 0; u < updates; u++) {
                DocumentManager<Item> writer = writers.get((k + u + 1) % writers.size());
                int step = u;
                chain = chain.thenCompose(ignored -> writer.update(id, item -> mutate(item, step)));
            }
            if (delete) {
                DocumentManager<Item> writer = writers.get((k + updates + 1) % writers.size());
                chain = chain.thenCompose(ignored -> writer.delete(id));
            }
            if (recreate) {
                DocumentManager<Item> writer = writers.get(k % writers.size());
                chain = chain.thenCompose(ignored -> writer.set(id, new Item(id + "-again")));
            }
            chains.add(chain);
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return deleted;
    }

    private static Item mutate(Item item, int step) {
        item.count += step + 1;
        if (step % 3 == 0) {
            item.tags.put("t" + step, (long) step);
        } else if (step % 3 == 2) {
            item.tags.remove("t" + (step - 2));
        }
        return item;
    }
}
