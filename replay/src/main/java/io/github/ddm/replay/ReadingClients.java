package io.github.ddm.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers of a {@link KafkaHistorySource}'s reading threads: each thread gets, at its first
 * call, one consumer that indexes (record keys hashed in place, values skipped) and
 * {@code readParallelism} consumers that read records back by offset, kept until the thread ends.
 * A lookup's offsets are shared out among the reading consumers, which fetch at once: the calling
 * thread drives the first, helper threads the others.
 *
 * <p>Each consumer is used by one thread at a time: its reading thread, or a helper while that
 * thread waits for it.
 */
final class ReadingClients {

    private static final Logger log = LoggerFactory.getLogger(ReadingClients.class);
    /** The reading consumer's fetch size per partition: a lookup wants a few records at each offset, not a megabyte. */
    static final int LOOKUP_FETCH_BYTES = 64 * 1024;
    /**
     * How long the broker may hold a fetch that finds nothing new (Kafka's default is 500 ms). Both
     * kinds of consumer read only what exists; but a consumer sends the next fetch ahead after each
     * poll, and a seek or the next call waits for that fetch to come back: at the end of a
     * partition it would wait the broker's whole hold.
     */
    static final int FETCH_MAX_WAIT_MS = 5;
    /** The fewest offsets a reading consumer is given when a lookup's reads are shared out. */
    static final int MIN_SHARE = 8;
    /** The indexing consumer's records per poll. */
    static final int INDEX_POLL_RECORDS = 10_000;

    private final KafkaEventReader reader;
    private final int readParallelism;
    private final HistoryIndex index;
    private final ThreadLocal<Clients> clients = new ThreadLocal<>();
    private final ExecutorService fetchHelpers;

    ReadingClients(KafkaEventReader reader, int readParallelism, HistoryIndex index, String threadPrefix) {
        this.reader = reader;
        this.readParallelism = readParallelism;
        this.index = index;
        this.fetchHelpers = Executors.newCachedThreadPool(helperThreads(threadPrefix));
    }

    /** The calling reading thread's indexing consumer. */
    KafkaConsumer<Long, byte[]> indexer() {
        return own().indexer();
    }

    /** Stops the helper threads (the source is closing). */
    void shutdown() {
        fetchHelpers.shutdownNow();
    }

    private static ThreadFactory helperThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-fetch-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The calling reading thread's consumers, opened on first use. */
    private Clients own() {
        Clients own = clients.get();
        if (own == null) {
            Map<String, Object> indexing = reader.consumerProperties();
            indexing.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, INDEX_POLL_RECORDS);
            indexing.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
            indexing.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, HistoryIndex.KeyHashDeserializer.class.getName());
            indexing.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, HistoryIndex.IgnoredValueDeserializer.class.getName());
            List<KafkaConsumer<?, byte[]>> opened = new ArrayList<>();
            try {
                opened.add(new KafkaConsumer<Long, byte[]>(indexing));
                for (int i = 0; i < readParallelism; i++) {
                    Map<String, Object> reading = reader.consumerProperties();
                    reading.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LOOKUP_FETCH_BYTES);
                    reading.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
                    // One record per poll: the rest of a fetch stays buffered, so the consumer sends no
                    // fetch ahead that the next seek would have to wait for; one fetch per record sought.
                    reading.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
                    opened.add(new KafkaConsumer<>(reading));
                }
            } catch (RuntimeException e) {
                opened.forEach(ReadingClients::closeQuietly);
                throw e;
            }
            @SuppressWarnings("unchecked")
            KafkaConsumer<Long, byte[]> indexer = (KafkaConsumer<Long, byte[]>) opened.get(0);
            List<KafkaConsumer<byte[], byte[]>> readers = new ArrayList<>();
            for (KafkaConsumer<?, byte[]> consumer : opened.subList(1, opened.size())) {
                @SuppressWarnings("unchecked")
                KafkaConsumer<byte[], byte[]> reading = (KafkaConsumer<byte[], byte[]>) consumer;
                readers.add(reading);
            }
            own = new Clients(indexer, List.copyOf(readers));
            clients.set(own);
        }
        return own;
    }

    /** Closes the calling thread's consumers, if it has any (when a reading thread ends). */
    void closeThisThreads() {
        Clients own = clients.get();
        if (own != null) {
            clients.remove();
            boolean interrupted = Thread.interrupted();
            try {
                closeQuietly(own.indexer());
                own.readers().forEach(ReadingClients::closeQuietly);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void closeQuietly(KafkaConsumer<?, ?> consumer) {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        } catch (RuntimeException e) {
            log.debug("closing a Kafka history consumer: {}", e.toString());
        }
    }

    /**
     * One reading thread's consumers: one indexes, the others read records back by offset (in
     * parallel, each a share of a lookup's offsets; helper threads drive all but the first).
     */
    private record Clients(KafkaConsumer<Long, byte[]> indexer, List<KafkaConsumer<byte[], byte[]>> readers) {
    }

    /**
     * Reads back the records at {@code wanted}'s offsets, split in contiguous shares over the
     * reading consumers, which fetch at once (the calling thread drives the first).
     */
    List<ConsumerRecord<byte[], byte[]>> fetch(Map<TopicPartition, long[]> wanted, long deadline) {
        Clients own = own();
        List<Map<TopicPartition, long[]>> shares = share(wanted, own.readers().size());
        if (shares.size() == 1) {
            return index.fetch(own.readers().get(0), shares.get(0), deadline);
        }
        List<CompletableFuture<List<ConsumerRecord<byte[], byte[]>>>> helped = new ArrayList<>();
        for (int i = 1; i < shares.size(); i++) {
            KafkaConsumer<byte[], byte[]> consumer = own.readers().get(i);
            Map<TopicPartition, long[]> share = shares.get(i);
            helped.add(CompletableFuture.supplyAsync(() -> index.fetch(consumer, share, deadline), fetchHelpers));
        }
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try {
            found.addAll(index.fetch(own.readers().get(0), shares.get(0), deadline));
        } finally {
            // The helpers' consumers are this thread's: wait for every helper, whatever happens here.
            CompletableFuture.allOf(helped.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        }
        for (CompletableFuture<List<ConsumerRecord<byte[], byte[]>>> share : helped) {
            try {
                found.addAll(share.join());
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return found;
    }

    /** {@code wanted}'s offsets in up to {@code n} contiguous shares of about equal size (at least 8 offsets each). */
    static List<Map<TopicPartition, long[]>> share(Map<TopicPartition, long[]> wanted, int n) {
        int total = wanted.values().stream().mapToInt(offsets -> offsets.length).sum();
        int shares = Math.max(1, Math.min(n, total / MIN_SHARE));
        List<Map<TopicPartition, long[]>> result = new ArrayList<>();
        int size = (total + shares - 1) / shares;
        Map<TopicPartition, List<Long>> current = new LinkedHashMap<>();
        int inCurrent = 0;
        for (Map.Entry<TopicPartition, long[]> entry : wanted.entrySet()) {
            for (long offset : entry.getValue()) {
                current.computeIfAbsent(entry.getKey(), tp -> new ArrayList<>()).add(offset);
                if (++inCurrent == size) {
                    result.add(toArrays(current));
                    current = new LinkedHashMap<>();
                    inCurrent = 0;
                }
            }
        }
        if (inCurrent > 0) {
            result.add(toArrays(current));
        }
        return result;
    }

    private static Map<TopicPartition, long[]> toArrays(Map<TopicPartition, List<Long>> offsets) {
        Map<TopicPartition, long[]> arrays = new LinkedHashMap<>();
        offsets.forEach((tp, list) -> arrays.put(tp, list.stream().mapToLong(Long::longValue).toArray()));
        return arrays;
    }
}
