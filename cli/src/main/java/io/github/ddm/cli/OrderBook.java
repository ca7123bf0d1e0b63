package io.github.ddm.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's document: an order book with a few dozen price levels a side (3.5 KB of JSON at 45), of which
 * one trade changes one level and the sequence number. Immutable.
 *
 * @param symbol the instrument
 * @param sequence the number of trades applied
 * @param bids buy levels, best first
 * @param asks sell levels, best first
 */
public record OrderBook(String symbol, long sequence, List<Level> bids, List<Level> asks) {

    /** One price level. */
    public record Level(long price, long quantity, int orders) {
    }

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
        return new OrderBook(symbol, 0, bids, asks);
    }

    /** The book after one trade that changes the quantity at one level. */
    OrderBook trade(int level, long quantity) {
        List<Level> side = new ArrayList<>(sequence % 2 == 0 ? bids : asks);
        int at = level % side.size();
        Level old = side.get(at);
        side.set(at, new Level(old.price(), quantity, old.orders()));
        return sequence % 2 == 0 ? new OrderBook(symbol, sequence + 1, side, asks) : new OrderBook(symbol, sequence + 1, bids, side);
    }
}
