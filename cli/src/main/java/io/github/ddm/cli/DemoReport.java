package io.github.ddm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the demo measured, written as one self-contained HTML file: inline SVG charts (no script, no
 * network, no external asset) of the cross-region latency in both directions, the conflicts each
 * scenario resolved (with examples), and each scenario's convergence timeline. Not thread-safe: the
 * demo's thread fills it.
 */
final class DemoReport {

    private static final String[] COLOURS = {"#1f77b4", "#e4572e", "#2a9d8f", "#8d6a9f"};
    private static final int WIDTH = 760;

    /** One phase of a scenario, from {@code start} to {@code end} seconds after it began; a moment when they are equal. */
    record Phase(String label, double start, double end) {
    }

    /** The conflicts one scenario resolved: per region that resolved them, and a few examples. */
    private record Conflicts(String scenario, Map<String, Long> perRegion, List<String> examples) {
    }

    private final Map<String, List<Double>> latencies = new LinkedHashMap<>();
    private final List<Conflicts> conflicts = new ArrayList<>();
    private final Map<String, List<Phase>> timelines = new LinkedHashMap<>();
    private final List<String[]> facts = new ArrayList<>();
    private List<String> failures = List.of();
    private String title = "DDM demo";

    void title(String text) {
        title = text;
    }

    /** The latencies of one direction, such as {@code eu -> us}, in milliseconds. */
    void latency(String direction, List<Double> millis) {
        latencies.put(direction, List.copyOf(millis));
    }

    void conflicts(String scenario, Map<String, Long> perRegion, List<String> examples) {
        conflicts.add(new Conflicts(scenario, new LinkedHashMap<>(perRegion), List.copyOf(examples)));
    }

    void timeline(String scenario, List<Phase> phases) {
        timelines.put(scenario, List.copyOf(phases));
    }

    /** One line of the summary table. */
    void fact(String name, String value) {
        facts.add(new String[] {name, value});
    }

    void failures(List<String> failed) {
        failures = List.copyOf(failed);
    }

    /** Writes the report, creating its directory. */
    void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Files.writeString(file, html(), StandardCharsets.UTF_8);
    }

    String html() {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n<style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:820px;color:#222}")
                .append("h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}")
                .append("table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;vertical-align:top}")
                .append("tr:nth-child(even){background:#f6f6f6}.ok{color:#2a7d2a}.bad{color:#b00020}svg{display:block;margin:8px 0}")
                .append("code{font-size:12px}</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append(failures.isEmpty() ? "<p class=\"ok\">Every check held.</p>\n"
                : "<p class=\"bad\">" + failures.size() + " check(s) failed:</p><ul>" + items(failures) + "</ul>\n");
        h.append("<table>");
        for (String[] fact : facts) {
            h.append("<tr><th>").append(esc(fact[0])).append("</th><td>").append(esc(fact[1])).append("</td></tr>");
        }
        h.append("</table>\n");
        h.append("<h2>Cross-region latency</h2>\n<p>A write in one region until a service's cache in the other region has it: "
                + "the share of writes (y) that arrived within a time (x).</p>\n").append(latencyChart());
        h.append("<h2>Conflicts resolved</h2>\n<p>Each region resolves the conflicts of the changes it takes in from the other, "
                + "by the rule table of docs/regions.md, and reports each one.</p>\n").append(conflictChart());
        for (Conflicts c : conflicts) {
            if (!c.examples().isEmpty()) {
                h.append("<p><b>").append(esc(c.scenario())).append("</b>, for example:</p><ul>").append(items(c.examples())).append("</ul>\n");
            }
        }
        h.append("<h2>Convergence timeline</h2>\n<p>Seconds from the start of each scenario until both regions hold identical "
                + "documents and clocks.</p>\n");
        timelines.forEach((scenario, phases) -> h.append("<h3>").append(esc(scenario)).append("</h3>\n").append(timelineChart(phases)));
        return h.append("</body></html>\n").toString();
    }

    private String latencyChart() {
        double max = 1;
        for (List<Double> millis : latencies.values()) {
            for (double ms : millis) {
                max = Math.max(max, ms);
            }
        }
        max = niceCeiling(max);
        int left = 50;
        int top = 10;
        int w = WIDTH - left - 20;
        int hgt = 240;
        StringBuilder s = svgOpen(WIDTH, hgt + 70, "Cross-region latency, cumulative distribution");
        axes(s, left, top, w, hgt, max, "ms");
        for (int p = 0; p <= 100; p += 25) {
            double y = top + hgt - hgt * p / 100.0;
            s.append(text(left - 6, y + 4, p + "%", "end"));
        }
        int series = 0;
        for (Map.Entry<String, List<Double>> direction : latencies.entrySet()) {
            List<Double> sorted = new ArrayList<>(direction.getValue());
            sorted.sort(null);
            String colour = COLOURS[series % COLOURS.length];
            StringBuilder points = new StringBuilder();
            points.append(fmt(left)).append(',').append(fmt(top + hgt)).append(' ');
            for (int i = 0; i < sorted.size(); i++) {
                double x = left + w * sorted.get(i) / max;
                points.append(fmt(x)).append(',').append(fmt(top + hgt - hgt * (double) i / sorted.size())).append(' ');
                points.append(fmt(x)).append(',').append(fmt(top + hgt - hgt * (i + 1.0) / sorted.size())).append(' ');
            }
            s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"").append(points).append("\"/>");
            String legend = direction.getKey() + ": " + sorted.size() + " writes, p50 " + ms(percentile(sorted, 0.50)) + ", p99 "
                    + ms(percentile(sorted, 0.99));
            // The legend goes bottom right, where a distribution that rises early leaves room.
            double legendY = top + hgt - 12 - 18 * (latencies.size() - 1 - series);
            s.append("<rect x=\"").append(left + w - 330).append("\" y=\"").append(fmt(legendY - 6)).append("\" width=\"12\" height=\"4\" fill=\"")
                    .append(colour).append("\"/>").append(text(left + w - 312, legendY, legend, "start"));
            series++;
        }
        return s.append("</svg>\n").toString();
    }

    private String conflictChart() {
        List<String> regions = new ArrayList<>();
        long max = 1;
        for (Conflicts c : conflicts) {
            for (Map.Entry<String, Long> r : c.perRegion().entrySet()) {
                if (!regions.contains(r.getKey())) {
                    regions.add(r.getKey());
                }
                max = Math.max(max, r.getValue());
            }
        }
        int left = 20;
        int row = 22;
        int w = WIDTH - left - 170; // room for the label after the longest bar
        int hgt = Math.max(1, conflicts.size() * ((regions.size() + 1) * row + 8));
        StringBuilder s = svgOpen(WIDTH, hgt + 10, "Conflicts resolved per scenario and region");
        int y = 4;
        for (Conflicts c : conflicts) {
            s.append("<text x=\"4\" y=\"").append(y + 14).append("\" font-weight=\"bold\">").append(esc(c.scenario())).append("</text>");
            y += row;
            for (int r = 0; r < regions.size(); r++) {
                long n = c.perRegion().getOrDefault(regions.get(r), 0L);
                double bar = w * (double) n / max;
                s.append("<rect x=\"").append(left).append("\" y=\"").append(y).append("\" width=\"").append(fmt(bar))
                        .append("\" height=\"").append(row - 6).append("\" fill=\"").append(COLOURS[r % COLOURS.length]).append("\"/>");
                s.append(text(left + bar + 6, y + row - 10, "resolved in " + regions.get(r) + ": " + n, "start"));
                y += row;
            }
            y += 8;
        }
        return s.append("</svg>\n").toString();
    }

    private String timelineChart(List<Phase> phases) {
        double max = 0.1;
        for (Phase p : phases) {
            max = Math.max(max, p.end());
        }
        max = niceCeiling(max);
        int left = 300;
        int row = 22;
        int top = 6;
        int w = WIDTH - left - 20;
        int hgt = phases.size() * row;
        StringBuilder s = svgOpen(WIDTH, hgt + 50, "Convergence timeline");
        axes(s, left, top, w, hgt, max, "s");
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            double y = top + i * row;
            double x0 = left + w * p.start() / max;
            double x1 = left + w * p.end() / max;
            String colour = COLOURS[i % COLOURS.length];
            s.append(text(left - 8, y + row - 8, p.label(), "end"));
            if (x1 - x0 < 2) {
                s.append("<path d=\"M").append(fmt(x0)).append(',').append(fmt(y + 3)).append(" l6,8 l-6,8 l-6,-8 z\" fill=\"").append(colour)
                        .append("\"/>").append(text(x0 + 9, y + row - 8, String.format(Locale.ROOT, "at %.2f s", p.start()), "start"));
            } else {
                s.append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(fmt(y + 4)).append("\" width=\"").append(fmt(x1 - x0))
                        .append("\" height=\"").append(row - 8).append("\" fill=\"").append(colour).append("\" opacity=\"0.8\"/>")
                        .append(text(Math.min(x1 + 4, left + w - 60), y + row - 8,
                                String.format(Locale.ROOT, "%.2f s long", p.end() - p.start()), "start"));
            }
        }
        return s.append("</svg>\n").toString();
    }

    private static void axes(StringBuilder s, int left, int top, int w, int hgt, double max, String unit) {
        s.append("<line x1=\"").append(left).append("\" y1=\"").append(top + hgt).append("\" x2=\"").append(left + w).append("\" y2=\"")
                .append(top + hgt).append("\" stroke=\"#888\"/>");
        s.append("<line x1=\"").append(left).append("\" y1=\"").append(top).append("\" x2=\"").append(left).append("\" y2=\"")
                .append(top + hgt).append("\" stroke=\"#888\"/>");
        for (int t = 0; t <= 5; t++) {
            double x = left + w * t / 5.0;
            s.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(top).append("\" x2=\"").append(fmt(x)).append("\" y2=\"")
                    .append(top + hgt).append("\" stroke=\"#eee\"/>");
            s.append(text(x, top + hgt + 16, number(max * t / 5.0) + (t == 5 ? " " + unit : ""), "middle"));
        }
    }

    private static StringBuilder svgOpen(int width, int height, String label) {
        return new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 "
                + width + " " + height + "\" role=\"img\" aria-label=\"" + esc(label) + "\" font-size=\"12\">");
    }

    private static String text(double x, double y, String content, String anchor) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">" + esc(content) + "</text>";
    }

    /** The nearest-rank percentile {@code p} (0..1] of sorted values; NaN for none. */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(sorted.size() * p);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.1f ms", value);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String items(List<String> lines) {
        StringBuilder s = new StringBuilder();
        lines.forEach(l -> s.append("<li>").append(esc(l)).append("</li>"));
        return s.toString();
    }

    static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
