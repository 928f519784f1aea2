package io.lrok.bench;

import io.lrok.bench.Report.Cell;
import io.lrok.bench.Report.Row;
import io.lrok.bench.Report.Target;
import io.lrok.mux.MuxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The multiplexer benchmark: lrok's yamux beside raw TCP and beside hashicorp/yamux in Go, over real loopback TCP,
 * in one run. For each metric: warm-up runs (lrok and raw TCP, for the JIT), then {@code --repeats} measured runs
 * of each column in turn; the table shows the median with the min-max spread and the ratios of the medians.
 * Run it with {@code bench/run}; see docs/benchmarks.md.
 */
public final class MuxBench {
    /** The concurrent bulk workload's stream count, as in yamuxbench. */
    private static final int MANY_STREAMS = 64;
    /** Warm-up bulk runs per column, each of a quarter of --bytes (at least 64 MiB, at most --bytes). */
    private static final int BULK_WARMUPS = 2;
    private static final long MIN_WARMUP_BYTES = 64L << 20;
    private static final Duration MIN_WARMUP_DURATION = Duration.ofMillis(500);
    /** The targets lrok is held to. */
    private static final double TARGET_BULK_VS_GO = 2.0;
    private static final double TARGET_BULK_VS_RAW = 0.5;
    private static final double TARGET_IDLE_HEAP_MIB = 64;

    private final BenchOptions options;
    private final MuxConfig config;
    private final GoYamux go;
    private final Report report = new Report();

    private MuxBench(BenchOptions options, GoYamux go) {
        this.options = options;
        this.config = MuxConfig.defaults().withMaxStreamWindow(options.window());
        this.go = go;
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        GoYamux go = GoYamux.locate();
        progress(go.available() ? "Go yamux baseline: " + go.binary() : "Go yamux baseline: n/a (" + go.unavailable() + ")");
        MuxBench bench = new MuxBench(options, go);
        bench.run(String.join(" ", args));
        String text = bench.report.text();
        System.out.print(text);
        if (options.out() != null) {
            Files.writeString(options.out(), bench.report.markdown());
            progress("wrote " + options.out());
        }
    }

    private void run(String args) throws InterruptedException {
        String command = System.getProperty("lrok.bench.command", "MuxBench " + args).trim();
        report.preamble("lrok multiplexer benchmark, " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        report.preamble("Command: " + command);
        report.preamble("Machine: " + Machine.describe(go.goVersion()));
        String before = Machine.otherWork();
        report.preamble(String.format(Locale.ROOT, "Settings: %s per bulk run, %.1f s per open/close run, window %d bytes, "
                        + "%d measured run(s) per cell after warm-up; cells are median (min-max)",
                bytesText(options.bytes()), options.duration().toMillis() / 1000.0, options.window(), options.repeats()));
        for (String measurement : options.only()) {
            switch (measurement) {
                case BenchOptions.BULK_SINGLE -> bulk(measurement, 1, "one bulk stream, MB/s");
                case BenchOptions.BULK_64 -> bulk(measurement, MANY_STREAMS, MANY_STREAMS + " bulk streams (aggregate), MB/s");
                case BenchOptions.OPEN_CLOSE -> openClose();
                case BenchOptions.IDLE_STREAM_HEAP -> idleHeap();
                default -> throw new IllegalStateException(measurement);
            }
        }
        report.note("Idle-machine check: before the run " + before + ", after it " + Machine.otherWork() + ".");
        report.note("Higher is better for MB/s and ops/s, lower for heap. Raw TCP uses one connection per stream "
                + "(a new connection per open/close operation). Go yamux is hashicorp/yamux, client and server in one "
                + "process, as lrok's two sessions share this JVM.");
    }

    // ---- the measurements ----------------------------------------------------------------------------------

    private void bulk(String measurement, int streams, String metric) {
        long warmBytes = Math.min(options.bytes(), Math.max(MIN_WARMUP_BYTES, options.bytes() / 4));
        Row row = measure(measurement, metric, 0, "MB/s", BULK_WARMUPS,
                new Columns(() -> Workloads.bulkMBps(MuxTransport.create(config), warmBytes, streams),
                        () -> Workloads.bulkMBps(TcpTransport.create(), warmBytes, streams)),
                new Columns(() -> Workloads.bulkMBps(MuxTransport.create(config), options.bytes(), streams),
                        () -> Workloads.bulkMBps(TcpTransport.create(), options.bytes(), streams)),
                measurement + "_MBps");
        report.add(row);
        if (streams == 1) {
            report.target(ratioTarget("one bulk stream >= " + TARGET_BULK_VS_GO + "x Go yamux", row.lrok(), row.go(), TARGET_BULK_VS_GO));
            report.target(ratioTarget("one bulk stream >= " + TARGET_BULK_VS_RAW + "x raw TCP", row.lrok(), row.raw(), TARGET_BULK_VS_RAW));
        }
    }

    private void openClose() {
        Duration third = options.duration().dividedBy(3);
        Duration warm = third.compareTo(MIN_WARMUP_DURATION) > 0 ? third : MIN_WARMUP_DURATION;
        report.add(measure(BenchOptions.OPEN_CLOSE, "stream open+close, ops/s", 0, "ops/s", 1,
                new Columns(() -> Workloads.openClosePerSecond(MuxTransport.create(config), warm),
                        () -> Workloads.openClosePerSecond(TcpTransport.create(), warm)),
                new Columns(() -> Workloads.openClosePerSecond(MuxTransport.create(config), options.duration()),
                        () -> Workloads.openClosePerSecond(TcpTransport.create(), options.duration())),
                "open_close_per_s"));
    }

    private void idleHeap() {
        Measured perStream = () -> IdleStreams.heapBytes(config) / (double) IdleStreams.COUNT;
        Row row = measure(BenchOptions.IDLE_STREAM_HEAP, "heap per idle stream (both ends), bytes", 0, "bytes/stream", 1,
                new Columns(perStream, null), new Columns(perStream, null), "idle_stream_heap_bytes");
        report.add(row);
        double toMiB = IdleStreams.COUNT / (double) (1L << 20);
        Row total = new Row(String.format(Locale.ROOT, "heap for %,d idle streams, MiB", IdleStreams.COUNT), 1,
                scaled(row.lrok(), toMiB), row.raw(), scaled(row.go(), toMiB));
        report.add(total);
        String goal = String.format(Locale.ROOT, "%,d idle streams < %.0f MiB heap", IdleStreams.COUNT, TARGET_IDLE_HEAP_MIB);
        Samples mib = total.lrok().samples();
        report.target(mib == null ? new Target(goal, total.lrok().note(), null)
                : new Target(goal, String.format(Locale.ROOT, "%.1f MiB (worst run %.1f MiB)", mib.median(), mib.max()),
                        mib.max() < TARGET_IDLE_HEAP_MIB));
    }

    // ---- running the columns ------------------------------------------------------------------------------------

    /** One run of one column; returns the figure. */
    @FunctionalInterface
    private interface Measured {
        double run() throws Exception;
    }

    /** The lrok and raw TCP runs of a metric; {@code raw} is null where raw TCP has no equivalent. */
    private record Columns(Measured lrok, Measured raw) {
    }

    /** One column's runs of one metric: the figures so far, or why it stopped (its later runs are skipped). */
    private static final class Series {
        private final String name;
        private final List<Double> values = new ArrayList<>();
        private String failure;

        Series(String name, String failure) {
            this.name = name;
            this.failure = failure;
        }

        void run(Measured measured) {
            if (failure != null || measured == null) return;
            try {
                values.add(measured.run());
            } catch (Exception e) {
                failure = "failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
                progress(name + " " + failure);
            }
        }

        Cell cell() {
            if (failure != null) return Cell.missing(failure);
            if (values.isEmpty()) return Cell.missing("n/a");
            return Cell.of(new Samples(values.stream().mapToDouble(Double::doubleValue).toArray()));
        }

        String last() {
            return failure != null || values.isEmpty() ? "n/a" : Report.number(values.getLast(), 0);
        }
    }

    /**
     * Warms up lrok and raw TCP, then runs each column {@code --repeats} times in turn (lrok, raw TCP, Go), so that
     * a slow spell of the machine hits all three alike. A column that fails shows why instead of figures.
     */
    private Row measure(String measurement, String metric, int decimals, String unit, int warmups, Columns warm,
                        Columns measured, String goKey) {
        for (int i = 0; i < warmups; i++) {
            progress(measurement + ": warm-up " + (i + 1) + "/" + warmups);
            new Series("lrok warm-up", null).run(warm.lrok());
            new Series("raw TCP warm-up", null).run(warm.raw());
        }
        Series lrok = new Series(measurement + ": lrok", null);
        Series raw = new Series(measurement + ": raw TCP", measured.raw() == null ? "n/a" : null);
        Series goYamux = new Series(measurement + ": Go yamux",
                go.available() ? null : "n/a (Go not available: " + go.unavailable() + ")");
        for (int r = 0; r < options.repeats(); r++) {
            System.gc();
            lrok.run(measured.lrok());
            System.gc();
            raw.run(measured.raw());
            goYamux.run(() -> {
                Double value = go.run(measurement, options.bytes(), options.duration(), options.window()).get(goKey);
                if (value == null) throw new IOException("yamuxbench printed no " + goKey);
                return value;
            });
            progress(String.format(Locale.ROOT, "%s: run %d/%d: lrok %s, raw TCP %s, Go %s %s", measurement, r + 1,
                    options.repeats(), lrok.last(), raw.last(), goYamux.last(), unit));
        }
        return new Row(metric, decimals, lrok.cell(), raw.cell(), goYamux.cell());
    }

    private static Cell scaled(Cell cell, double factor) {
        return cell.samples() == null ? cell : Cell.of(cell.samples().scaled(factor));
    }

    private static Target ratioTarget(String goal, Cell lrok, Cell other, double atLeast) {
        if (lrok.samples() == null) return new Target(goal, "lrok " + lrok.note(), null);
        if (other.samples() == null) return new Target(goal, "no baseline", null);
        double ratio = lrok.samples().median() / other.samples().median();
        return new Target(goal, Report.ratio(ratio), ratio >= atLeast);
    }

    private static String bytesText(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        return bytes + " bytes";
    }

    private static void progress(String line) {
        System.err.println("bench: " + line);
    }
}
