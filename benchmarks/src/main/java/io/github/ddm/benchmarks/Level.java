package io.github.ddm.benchmarks;

/**
 * One price level of an {@link OrderBook} side. Immutable.
 *
 * @param price the level's price
 * @param quantity the quantity resting at that price
 * @param orders how many orders make up the quantity
 */
public record Level(double price, double quantity, int orders) {

    /** This level with another quantity. */
    public Level withQuantity(double newQuantity) {
        return new Level(price, newQuantity, orders);
    }
}
