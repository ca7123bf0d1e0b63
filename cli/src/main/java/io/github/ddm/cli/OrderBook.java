package io.github.ddm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's order book (the seed's first example): a few dozen price levels a side (3.5 KB of
 * JSON at 45), a status and the last trade. A region's desk moves one side's levels; every trade
 * also rewrites {@code lastTrade}, the member both regions touch. Levels keep their number, so
 * regions editing different levels merge element by element (docs/regions.md). Immutable.
 *
 * @param symbol the instrument
 * @param status {@code open}, or {@code halted}
 * @param lastTrade who traded what last, for example {@code "eu 120@99975"}
 * @param bids buy levels, best first
 * @param asks sell levels, best first
 */
public record OrderBook(String symbol, String status, String lastTrade, List<Level> bids, List<Level> asks) {

    /** One price level. */
    public record Level(long price, long quantity, int orders) {
    }

    /** Which side of the book a desk moves. */
    enum Side { BIDS, ASKS }

    /** Copies the lists. */
    public OrderBook {
        bids = List.copyOf(bids);
        asks = List.copyOf(asks);
    }

    static OrderBook opening(String symbol, int levels) {
        List<Level> bids = new ArrayList<>();
        List<Level> asks = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            bids.add(new Level(100_000 - 25L * i, 1_000 + 10L * i, 3 + i % 5));
            asks.add(new Level(100_025 + 25L * i, 1_200 + 10L * i, 2 + i % 7));
        }
        return new OrderBook(symbol, "open", "none", bids, asks);
    }

    /**
     * The book after a trade of {@code quantity} at one level of {@code side}, made in {@code region}:
     * that level's quantity, and the last trade, which names the region and a sequence so that it
     * always changes.
     */
    OrderBook trade(Side side, int level, long quantity, String region, long sequence) {
        List<Level> levels = new ArrayList<>(side == Side.BIDS ? bids : asks);
        int at = level % levels.size();
        Level old = levels.get(at);
        levels.set(at, new Level(old.price(), quantity, old.orders()));
        String trade = region + " #" + sequence + " " + quantity + "@" + old.price();
        return side == Side.BIDS ? new OrderBook(symbol, status, trade, levels, asks) : new OrderBook(symbol, status, trade, bids, levels);
    }
}
