package io.github.ddm.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads JMH JSON results ({@code -rf json -rff results.json}) and prints every DDM benchmark next
 * to the peers measured in the same run (the same file): the methods of the same class, mode and
 * thread count whose names start with {@code peer}. For throughput, the ratio is DDM / peer (1.0 = as fast); for times, it is
 * DDM / peer too (1.0 = as fast, 2.0 = twice as slow), on the mean and on p50 and p99 where JMH
 * sampled them.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.ddm.benchmarks.RatioReport results.json...</pre>
 */
public final class RatioReport {

    private static final JsonNode NONE = new ObjectMapper().createObjectNode();

    private RatioReport() {
    }

    /** One benchmark's figures. */
    record Row(String run, String className, String method, String mode, int threads, double score, String unit, Double p50,
               Double p99) {

        String group() {
            return className + " (" + mode + ", " + threads + (threads == 1 ? " thread" : " threads") + ", " + run + ")";
        }

        boolean isPeer() {
            return method.startsWith("peer");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: RatioReport results.json...");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        for (String file : args) {
            rows.addAll(read(Path.of(file)));
        }
        System.out.print(report(rows));
    }

    static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (JsonNode result : new ObjectMapper().readTree(file.toFile())) {
            String benchmark = result.path("benchmark").asText();
            int dot = benchmark.lastIndexOf('.');
            String className = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
            JsonNode primary = result.path("primaryMetric");
            // Only SampleTime percentiles are of single operations; in other modes JMH reports those of iterations.
            JsonNode percentiles = result.path("mode").asText().equals("sample") ? primary.path("scorePercentiles") : NONE;
            rows.add(new Row(file.getFileName().toString(), className, benchmark.substring(dot + 1), result.path("mode").asText(), result.path("threads").asInt(),
                    primary.path("score").asDouble(), primary.path("scoreUnit").asText(),
                    percentiles.has("50.0") ? percentiles.get("50.0").asDouble() : null,
                    percentiles.has("99.0") ? percentiles.get("99.0").asDouble() : null));
        }
        return rows;
    }

    static String report(List<Row> rows) {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        rows.forEach(row -> groups.computeIfAbsent(row.group(), g -> new ArrayList<>()).add(row));
        StringBuilder out = new StringBuilder();
        groups.forEach((group, members) -> {
            out.append(group).append('\n');
            for (Row row : members) {
                out.append(String.format(Locale.ROOT, "  %-38s %,16.3f %-8s", row.method(), row.score(), row.unit()));
                if (row.p50() != null) {
                    out.append(String.format(Locale.ROOT, " p50 %,10.3f p99 %,10.3f", row.p50(), row.p99()));
                }
                out.append('\n');
            }
            for (Row row : members) {
                if (row.isPeer()) {
                    continue;
                }
                for (Row peer : members) {
                    if (!peer.isPeer()) {
                        continue;
                    }
                    out.append(String.format(Locale.ROOT, "  %s / %s = %.4g", row.method(), peer.method(), row.score() / peer.score()));
                    if (row.p50() != null && peer.p50() != null) {
                        out.append(String.format(Locale.ROOT, " (p50 %.4g, p99 %.4g)", row.p50() / peer.p50(), row.p99() / peer.p99()));
                    }
                    out.append('\n');
                }
            }
        });
        return out.toString();
    }
}
