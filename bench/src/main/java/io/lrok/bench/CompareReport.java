package io.lrok.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Renders bench/compare's results: the machine, one table (median and min–max), the targets as ratios. */
final class CompareReport {
    /** The columns, in order. */
    static final List<String> COLUMNS = List.of("direct", "lrok-http", "lrok-http-nocapture", "lrok-tcp", "ssh",
            "go-yamux");

    /** A row: metric key, label, number format. */
    private record Row(String key, String label, String format) {
    }

    private static final List<Row> ROWS = List.of(
            new Row("bulk_up", "one bulk stream, client → app, Gbit/s", "%.2f"),
            new Row("bulk_down", "one bulk stream, app → client, Gbit/s", "%.2f"),
            new Row("bulk16", "16 streams at once (app → client), aggregate Gbit/s", "%.2f"),
            new Row("cpu_per_gib", "CPU s per GiB moved, the tunnel's processes (one stream each way)", "%.2f"),
            new Row("http_rps", "HTTP requests/s (wrk -t2 -c64, keep-alive, 13-byte body)", "%,.0f"),
            new Row("cpu_per_request", "CPU µs per HTTP request in that wrk run, the tunnel's processes", "%.1f"),
            new Row("lat_p50", "latency at 1,000 req/s, p50, ms", "%.3f"),
            new Row("lat_p99", "latency at 1,000 req/s, p99, ms", "%.3f"),
            new Row("lat_p999", "latency at 1,000 req/s, p99.9, ms", "%.3f"),
            new Row("added_p50", "added latency over direct, p50, ms", "%.3f"),
            new Row("added_p99", "added latency over direct, p99, ms", "%.3f"),
            new Row("added_p999", "added latency over direct, p99.9, ms", "%.3f"),
            new Row("conn_rate", "new connections/s (16 clients, one request each)", "%,.0f"),
            new Row("stream_heap_1000", "heap per idle stream, 1,000 streams, bytes", "%,.0f"),
            new Row("stream_heap_10000", "heap per idle stream, 10,000 streams, bytes", "%,.0f"),
            new Row("streams_heap_total_10000", "heap in use with 10,000 idle streams (relay + agent), MiB", "%.1f"),
            new Row("stream_rss_1000", "RSS per idle stream, 1,000 streams, bytes", "%,.0f"),
            new Row("stream_rss_10000", "RSS per idle stream, 10,000 streams, bytes", "%,.0f"),
            new Row("streams_rss_total_10000", "RSS with 10,000 idle streams (relay + agent), MiB", "%.1f"),
            new Row("tunnel_heap_1000", "heap per idle tunnel, 1,000 tunnels, bytes", "%,.0f"),
            new Row("tunnel_heap_10000", "heap per idle tunnel, 10,000 tunnels, bytes", "%,.0f"),
            new Row("tunnel_rss_1000", "RSS per idle tunnel, 1,000 tunnels, bytes", "%,.0f"),
            new Row("tunnel_rss_10000", "RSS per idle tunnel, 10,000 tunnels, bytes", "%,.0f"),
            new Row("open_first", "Tunnel.open to a URL that answers, first in the JVM, ms", "%.1f"),
            new Row("open_warm", "Tunnel.open (ssh, Go: client process start) to a URL that answers, ms", "%.1f"),
            new Row("restart_ready", "relay restart: new relay up to serving again, ms", "%.0f"),
            new Row("restart_total", "relay restart: kill to serving again, ms", "%.0f"));

    private CompareReport() {
    }

    static String render(Map<String, Map<String, List<Double>>> results, Map<String, String> missing,
            List<String> notes, Compare.Mode mode, String started, String args, String before, String after,
            String goVersion, String sshVersion) {
        addedLatency(results);
        Set<String> present = new LinkedHashSet<>();
        for (String c : COLUMNS) {
            for (Map<String, List<Double>> m : results.values()) if (m.containsKey(c)) present.add(c);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Run ").append(started).append(", `bench/compare ").append(args).append("` (").append(mode.name())
                .append(" mode: ").append(mode.bulkBytes() >> 20).append(" MiB per bulk run, wrk ")
                .append(mode.wrkSeconds()).append(" s, latency ").append(fmt("%.0f", mode.latencySeconds()))
                .append(" s, ").append(mode.repeats()).append(" rounds; cells are the median with min–max).\n\n");
        sb.append("Machine: ").append(Machine.describe(goVersion)).append(" for the harness; lrok's relay and agent JVMs ").append(ComparePaths.CHILD_HEAP)
                .append(", the app ").append(ComparePaths.APP_HEAP)
                .append(". Kernel ")
                .append(System.getProperty("os.version")).append(sshVersion == null ? "" : "; " + sshVersion)
                .append(". A shared 2-core machine: other sessions' builds and tests may run beside the benchmark. ")
                .append("Idle-machine check: before, ").append(before).append("; after, ").append(after).append(".\n\n");
        sb.append("| metric |");
        for (String c : present) sb.append(' ').append(c).append(" |");
        sb.append("\n|---|");
        sb.append("---:|".repeat(present.size()));
        sb.append('\n');
        for (Row row : ROWS) {
            Map<String, List<Double>> m = results.get(row.key());
            if (m == null) continue;
            sb.append("| ").append(row.label()).append(" |");
            for (String c : present) {
                List<Double> v = m.get(c);
                sb.append(' ').append(v == null || v.isEmpty() ? "" : cell(v, row.format())).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
        if (!missing.isEmpty()) {
            for (var e : missing.entrySet()) sb.append("- column ").append(e.getKey()).append(" not run: ")
                    .append(e.getValue()).append('\n');
            sb.append('\n');
        }
        sb.append("Targets (issue 8), ratios of medians in this run:\n\n");
        for (String line : targets(results)) sb.append("- ").append(line).append('\n');
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n\n");
            for (String n : new LinkedHashSet<>(notes)) sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    /** Added latency: each path's median percentile less direct's. */
    private static void addedLatency(Map<String, Map<String, List<Double>>> results) {
        for (String p : List.of("p50", "p99", "p999")) {
            Map<String, List<Double>> m = results.get("lat_" + p);
            if (m == null || !m.containsKey("direct")) continue;
            double direct = new Samples(toArray(m.get("direct"))).median();
            for (var e : m.entrySet()) {
                if (e.getKey().equals("direct")) continue;
                double[] added = e.getValue().stream().mapToDouble(v -> v - direct).toArray();
                results.computeIfAbsent("added_" + p, k -> new java.util.LinkedHashMap<>())
                        .put(e.getKey(), java.util.Arrays.stream(added).boxed().toList());
            }
        }
    }

    private static List<String> targets(Map<String, Map<String, List<Double>>> r) {
        List<String> lines = new ArrayList<>();
        ratio(lines, r, "http_rps", "lrok-http", "ssh", 1.5, "HTTP requests/s, lrok HTTP tunnel vs ssh -R");
        ratio(lines, r, "http_rps", "lrok-http", "go-yamux", 2.0, "HTTP requests/s, lrok HTTP tunnel vs Go yamux");
        ratio(lines, r, "http_rps", "lrok-http", "direct", 0.5, "HTTP requests/s, lrok HTTP tunnel vs direct");
        ratio(lines, r, "http_rps", "lrok-tcp", "ssh", 1.5, "(for comparison) HTTP requests/s, lrok TCP tunnel vs ssh -R");
        ratio(lines, r, "http_rps", "lrok-tcp", "go-yamux", 2.0, "(for comparison) HTTP requests/s, lrok TCP tunnel vs Go yamux");
        ratio(lines, r, "bulk_up", "lrok-tcp", "ssh", 1.2, "one bulk stream client → app, lrok TCP tunnel vs ssh -R");
        ratio(lines, r, "bulk_down", "lrok-tcp", "ssh", 1.2, "one bulk stream app → client, lrok TCP tunnel vs ssh -R");
        atMost(lines, r, "added_p99", "lrok-http", 1.0, "ms", "added p99 latency at 1,000 req/s, lrok HTTP tunnel");
        atMost(lines, r, "added_p99", "lrok-tcp", 1.0, "ms", "added p99 latency at 1,000 req/s, lrok TCP tunnel");
        atMost(lines, r, "streams_heap_total_10000", "lrok-tcp", 128, "MiB",
                "heap in use with 10,000 idle streams, relay + agent");
        atMost(lines, r, "open_first", "lrok-http", 100, "ms", "Tunnel.open to a working URL, first in the JVM");
        atMost(lines, r, "open_warm", "lrok-http", 100, "ms", "Tunnel.open to a working URL, later ones");
        return lines;
    }

    private static void ratio(List<String> lines, Map<String, Map<String, List<Double>>> r, String metric, String a,
            String b, double target, String what) {
        Double x = median(r, metric, a);
        Double y = median(r, metric, b);
        if (x == null || y == null) {
            lines.add(what + " ≥ " + target + "x: not measured in this run");
            return;
        }
        double q = x / y;
        lines.add(what + " ≥ " + target + "x: " + fmt("%.2f", q) + "x — " + (q >= target ? "**met**" : "**missed**"));
    }

    private static void atMost(List<String> lines, Map<String, Map<String, List<Double>>> r, String metric, String a,
            double limit, String unit, String what) {
        Double x = median(r, metric, a);
        String l = fmt("%.0f", limit) + " " + unit;
        if (x == null) {
            lines.add(what + " ≤ " + l + ": not measured in this run");
            return;
        }
        lines.add(what + " ≤ " + l + ": " + fmt("%.2f", x) + " " + unit + " — " + (x <= limit ? "**met**" : "**missed**"));
    }

    private static Double median(Map<String, Map<String, List<Double>>> r, String metric, String path) {
        Map<String, List<Double>> m = r.get(metric);
        if (m == null || m.get(path) == null || m.get(path).isEmpty()) return null;
        return new Samples(toArray(m.get(path))).median();
    }

    private static String cell(List<Double> values, String format) {
        Samples s = new Samples(toArray(values));
        String median = fmt(format, s.median());
        if (s.count() == 1) return median;
        return median + " (" + fmt(format, s.min()) + "–" + fmt(format, s.max()) + ")";
    }

    private static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
