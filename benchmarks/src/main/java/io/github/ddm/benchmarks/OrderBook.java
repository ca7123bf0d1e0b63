package io.github.ddm.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The benchmark document: a realistic order book whose compact JSON is about 3.5 KB (the figure
 * DESIGN.md's targets are stated for). Deeply immutable (its lists are unmodifiable), so a DDM
 * manager may hold it with {@code ValueSharing.SHARED}.
 *
 * @param symbol the instrument
 * @param venue the exchange
 * @param currency the quote currency
 * @param status trading status
 * @param sequence the venue's sequence number of this book
 * @param timestamp the venue's time of this book, epoch microseconds
 * @param tickSize the price increment
 * @param lotSize the quantity increment
 * @param bids buy levels, best first
 * @param asks sell levels, best first
 */
public record OrderBook(String symbol, String venue, String currency, String status, long sequence, long timestamp,
                        double tickSize, double lotSize, List<Level> bids, List<Level> asks) {

    /** Levels per side; with the fields above the JSON is about 3,500 bytes. */
    public static final int DEPTH = 35;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public OrderBook {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(venue, "venue");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(status, "status");
        bids = List.copyOf(bids);
        asks = List.copyOf(asks);
    }

    /**
     * A deterministic book for {@code symbol}: the same seed gives the same book, different seeds
     * give books of the same shape and about the same size with different numbers.
     */
    public static OrderBook sample(String symbol, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double mid = 60_000 + random.nextInt(10_000) + 0.5;
        List<Level> bids = new ArrayList<>(DEPTH);
        List<Level> asks = new ArrayList<>(DEPTH);
        for (int i = 0; i < DEPTH; i++) {
            bids.add(new Level(mid - 0.5 * (i + 1), quantity(random), 1 + random.nextInt(40)));
            asks.add(new Level(mid + 0.5 * (i + 1), quantity(random), 1 + random.nextInt(40)));
        }
        return new OrderBook(symbol, "XNAS-CRYPTO", "USD", "TRADING", 9_000_000L + random.nextInt(1_000_000),
                1_764_000_000_000_000L + random.nextInt(1_000_000_000), 0.5, 0.0001, bids, asks);
    }

    /** Four decimals, between 0.0001 and 25. */
    private static double quantity(SplittableRandom random) {
        return (1 + random.nextInt(250_000)) / 10_000.0;
    }

    /** This book with the quantity of bid level {@code index} changed: a one-field change. */
    public OrderBook withBidQuantity(int index, double quantity) {
        List<Level> changed = new ArrayList<>(bids);
        changed.set(index, bids.get(index).withQuantity(quantity));
        return new OrderBook(symbol, venue, currency, status, sequence, timestamp, tickSize, lotSize, changed, asks);
    }

    /** The compact JSON of this book, as a plain Jackson mapper (and DDM) writes it. */
    public byte[] toJson() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The size of {@link #toJson()} in bytes. */
    public int jsonSize() {
        return toJson().length;
    }

    /**
     * Prints the JSON size of {@code book} for the run's record and fails unless it is the ~3.5 KB
     * document the DESIGN targets are stated for.
     */
    public static OrderBook requireRealisticSize(OrderBook book) {
        int size = book.jsonSize();
        System.out.println("order book " + book.symbol() + ": " + size + " bytes of JSON");
        if (size < 3_300 || size > 3_800) {
            throw new IllegalStateException("the order book should be about 3,500 bytes of JSON, got " + size);
        }
        return book;
    }

    /** A quantity that differs from every other {@code n}'s (below a million), four decimals like the sample's. */
    public static double quantityFor(long n) {
        return 1 + (n % 1_000_000) / 10_000.0;
    }

    /**
     * The {@code n}th change of a series of one-field changes: bid level {@code n % DEPTH} gets
     * quantity {@link #quantityFor quantityFor(n)}, or a slightly different one if it already has
     * that, so that no change of a series is empty.
     */
    public OrderBook change(long n) {
        int index = (int) (n % DEPTH);
        double quantity = quantityFor(n);
        if (bids.get(index).quantity() == quantity) {
            quantity += 0.00005;
        }
        return withBidQuantity(index, quantity);
    }
}
