package io.github.ddm.benchmarks.redis;

import java.util.Arrays;
import java.util.Locale;

/**
 * Nearest-rank percentiles of a set of durations in nanoseconds, reported in microseconds.
 * Immutable (it sorts its own copy).
 */
public record Percentiles(int count, double p50, double p90, double p99, double p999, double max, double mean) {

    public static Percentiles ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long value : sorted) {
            sum += value;
        }
        return new Percentiles(sorted.length, rank(sorted, 0.50), rank(sorted, 0.90), rank(sorted, 0.99),
                rank(sorted, 0.999), sorted[sorted.length - 1] / 1_000.0, sum / sorted.length / 1_000.0);
    }

    private static double rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1_000.0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "n=%d p50=%.1f us p90=%.1f us p99=%.1f us p99.9=%.1f us max=%.1f us mean=%.1f us",
                count, p50, p90, p99, p999, max, mean);
    }
}
