package io.github.ddm.cli;

/**
 * The demo's position (the seed's second example): opened by a desk in one region, adjusted by a
 * desk in another. Immutable.
 *
 * @param account the account that holds it
 * @param symbol the instrument
 * @param quantity units held
 * @param averagePrice the average price paid
 * @param openedIn the region that opened it
 * @param adjustedIn the region that last adjusted it, or {@code ""}
 */
public record Position(String account, String symbol, long quantity, long averagePrice, String openedIn, String adjustedIn) {

    static Position open(String account, String symbol, long quantity, long price, String region) {
        return new Position(account, symbol, quantity, price, region, "");
    }

    /** The position after buying {@code more} units at {@code price}, in {@code region}. */
    Position adjust(long more, long price, String region) {
        long total = quantity + more;
        long average = total == 0 ? 0 : (quantity * averagePrice + more * price) / total;
        return new Position(account, symbol, total, average, openedIn, region);
    }
}
