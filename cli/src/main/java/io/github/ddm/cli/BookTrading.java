package io.github.ddm.cli;

import io.github.ddm.DocumentManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's order-book workload in both regions, and its bookkeeping: eu's desks move bids, us's
 * desks move asks, and every trade rewrites {@code lastTrade}, so the regions' changes to one book
 * merge except on that member, where they conflict. It counts every change committed to each book,
 * wherever it was made, so the demo can check that every region's version of a book (the sum of its
 * clock) counts each one: no change lost. Thread-safe bookkeeping; {@link #trade} is called from one
 * thread at a time.
 */
final class BookTrading {

    /** Price levels a side: about 3.5 KB of JSON, the size of the benchmarks' order book. */
    private static final int LEVELS = 45;

    private final int books;
    private final int inFlight;
    private final Duration timeout;
    private final Map<String, AtomicLong> committed = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /**
     * @param books how many order books
     * @param inFlight how many trades each desk keeps in flight, as a busy service would
     * @param timeout the longest wait for one round of trading
     */
    BookTrading(int books, int inFlight, Duration timeout) {
        this.books = books;
        this.inFlight = inFlight;
        this.timeout = timeout;
    }

    static String bookId(int k) {
        return "book-" + k;
    }

    List<String> ids() {
        List<String> ids = new ArrayList<>(books);
        for (int k = 0; k < books; k++) {
            ids.add(bookId(k));
        }
        return ids;
    }

    /** Creates every book in {@code region}, spread over its desks. */
    void create(DemoRegion region) throws InterruptedException {
        List<CompletableFuture<?>> creates = new ArrayList<>();
        for (int k = 0; k < books; k++) {
            String id = bookId(k);
            creates.add(region.desks.get(k % region.desks.size()).set(id, OrderBook.opening("SYM" + k, LEVELS))
                    .thenRun(() -> counter(id).incrementAndGet()));
        }
        Futures.await(CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)), timeout, "creating the books in " + region.name);
    }

    /**
     * Both regions trade at once: each region's desks share {@code perRegion} trades on random books
     * ({@code everyBook}: each desk of each region trades every book once instead). Returns when every
     * trade is committed.
     */
    void trade(DemoRegion eu, DemoRegion us, int perRegion, boolean everyBook, long seed) throws InterruptedException {
        List<Runnable> desks = new ArrayList<>();
        for (DemoRegion region : List.of(eu, us)) {
            OrderBook.Side side = region == eu ? OrderBook.Side.BIDS : OrderBook.Side.ASKS;
            for (int d = 0; d < region.desks.size(); d++) {
                DocumentManager<OrderBook> desk = region.desks.get(d);
                String trader = region.name + "-" + d;
                int share = everyBook ? books : perRegion / region.desks.size() + (d < perRegion % region.desks.size() ? 1 : 0);
                Random random = new Random(seed + 31L * desks.size());
                desks.add(() -> run(desk, trader, side, share, everyBook, random));
            }
        }
        ExecutorService threads = Executors.newFixedThreadPool(desks.size());
        try {
            CompletableFuture<?>[] running = desks.stream().map(d -> CompletableFuture.runAsync(d, threads)).toArray(CompletableFuture[]::new);
            Futures.await(CompletableFuture.allOf(running), timeout, "trading in " + eu.name + " and " + us.name);
        } finally {
            threads.shutdownNow();
        }
    }

    private void run(DocumentManager<OrderBook> desk, String trader, OrderBook.Side side, int trades, boolean everyBook, Random random) {
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<?>> mine = new ArrayList<>(trades);
        for (int i = 0; i < trades; i++) {
            String id = bookId(everyBook ? i : random.nextInt(books));
            int level = random.nextInt(LEVELS);
            long quantity = 1 + random.nextInt(5_000);
            long number = sequence.incrementAndGet(); // taken once: the mutation may run again, and must give the same trade
            slots.acquireUninterruptibly();
            mine.add(desk.update(id, b -> b.trade(side, level, quantity, trader, number))
                    .whenComplete((v, e) -> {
                        slots.release();
                        if (e == null) {
                            counter(id).incrementAndGet();
                        }
                    }));
        }
        CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).join();
    }

    private AtomicLong counter(String id) {
        return committed.computeIfAbsent(id, k -> new AtomicLong());
    }

    /** How many changes were committed to a book, in either region: what its version must be once both took them all in. */
    long changes(String id) {
        AtomicLong count = committed.get(id);
        return count == null ? 0 : count.get();
    }

    /** How many changes were committed to every book, in either region. */
    long totalChanges() {
        return committed.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
