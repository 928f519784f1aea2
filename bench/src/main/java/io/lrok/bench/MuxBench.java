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
import java.util.Locale;
import java.util.Map;

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
        if (java.util.List.of(args).contains("--help") || java.util.List.of(args).contains("-h")) {
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
        GoYamux go = GoYamux.locate(options.yamuxbench());
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

    private void run(String args) throws Exception {
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

    private void bulk(String measurement, int streams, String metric) throws Exception {
        long warmBytes = Math.min(options.bytes(), Math.max(MIN_WARMUP_BYTES, options.bytes() / 4));
        for (int i = 0; i < BULK_WARMUPS; i++) {
            progress(measurement + ": warm-up " + (i + 1) + "/" + BULK_WARMUPS);
            Workloads.bulkMBps(MuxTransport.create(config), warmBytes, streams);
            Workloads.bulkMBps(TcpTransport.create(), warmBytes, streams);
        }
        double[] lrok = new double[options.repeats()];
        double[] raw = new double[options.repeats()];
        double[] goValues = new double[options.repeats()];
        String goFailure = null;
        for (int r = 0; r < options.repeats(); r++) {
            System.gc();
            lrok[r] = Workloads.bulkMBps(MuxTransport.create(config), options.bytes(), streams);
            System.gc();
            raw[r] = Workloads.bulkMBps(TcpTransport.create(), options.bytes(), streams);
            if (goFailure == null) goFailure = runGo(measurement, measurement + "_MBps", goValues, r);
            progress(String.format(Locale.ROOT, "%s: run %d/%d: lrok %.0f, raw TCP %.0f, Go %s MB/s", measurement, r + 1,
                    options.repeats(), lrok[r], raw[r], goFailure == null ? Report.number(goValues[r], 0) : "n/a"));
        }
        Row row = new Row(metric, 0, Cell.of(new Samples(lrok)), Cell.of(new Samples(raw)), goCell(goValues, goFailure));
        report.add(row);
        if (streams == 1) {
            report.target(ratioTarget("one bulk stream >= " + TARGET_BULK_VS_GO + "x Go yamux", row.lrok(), row.go(), TARGET_BULK_VS_GO));
            report.target(ratioTarget("one bulk stream >= " + TARGET_BULK_VS_RAW + "x raw TCP", row.lrok(), row.raw(), TARGET_BULK_VS_RAW));
        }
    }

    private void openClose() throws Exception {
        String measurement = BenchOptions.OPEN_CLOSE;
        Duration warm = options.duration().dividedBy(3).compareTo(MIN_WARMUP_DURATION) > 0
                ? options.duration().dividedBy(3) : MIN_WARMUP_DURATION;
        progress(measurement + ": warm-up");
        Workloads.openClosePerSecond(MuxTransport.create(config), warm);
        Workloads.openClosePerSecond(TcpTransport.create(), warm);
        double[] lrok = new double[options.repeats()];
        double[] raw = new double[options.repeats()];
        double[] goValues = new double[options.repeats()];
        String goFailure = null;
        for (int r = 0; r < options.repeats(); r++) {
            System.gc();
            lrok[r] = Workloads.openClosePerSecond(MuxTransport.create(config), options.duration());
            System.gc();
            raw[r] = Workloads.openClosePerSecond(TcpTransport.create(), options.duration());
            if (goFailure == null) goFailure = runGo(measurement, "open_close_per_s", goValues, r);
            progress(String.format(Locale.ROOT, "%s: run %d/%d: lrok %.0f, raw TCP %.0f, Go %s ops/s", measurement, r + 1,
                    options.repeats(), lrok[r], raw[r], goFailure == null ? Report.number(goValues[r], 0) : "n/a"));
        }
        report.add(new Row("stream open+close, ops/s", 0, Cell.of(new Samples(lrok)), Cell.of(new Samples(raw)),
                goCell(goValues, goFailure)));
    }

    private void idleHeap() throws Exception {
        String measurement = BenchOptions.IDLE_STREAM_HEAP;
        progress(measurement + ": warm-up");
        IdleStreams.heapBytes(config);
        double[] lrok = new double[options.repeats()];
        double[] goValues = new double[options.repeats()];
        String goFailure = null;
        for (int r = 0; r < options.repeats(); r++) {
            lrok[r] = IdleStreams.heapBytes(config) / (double) IdleStreams.COUNT;
            if (goFailure == null) goFailure = runGo(measurement, "idle_stream_heap_bytes", goValues, r);
            progress(String.format(Locale.ROOT, "%s: run %d/%d: lrok %.0f, Go %s bytes/stream", measurement, r + 1,
                    options.repeats(), lrok[r], goFailure == null ? Report.number(goValues[r], 0) : "n/a"));
        }
        Cell rawNa = Cell.missing("n/a");
        Samples perStream = new Samples(lrok);
        Cell goPerStream = goCell(goValues, goFailure);
        report.add(new Row("heap per idle stream (both ends), bytes", 0, Cell.of(perStream), rawNa, goPerStream));
        double toMiB = IdleStreams.COUNT / (double) (1L << 20);
        Cell goTotal = goPerStream.samples() == null ? goPerStream : Cell.of(goPerStream.samples().scaled(toMiB));
        Samples total = perStream.scaled(toMiB);
        report.add(new Row(String.format(Locale.ROOT, "heap for %,d idle streams, MiB", IdleStreams.COUNT), 1,
                Cell.of(total), rawNa, goTotal));
        report.target(new Target(String.format(Locale.ROOT, "%,d idle streams < %.0f MiB heap", IdleStreams.COUNT, TARGET_IDLE_HEAP_MIB),
                String.format(Locale.ROOT, "%.1f MiB (worst run %.1f MiB)", total.median(), total.max()),
                total.max() < TARGET_IDLE_HEAP_MIB));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Runs yamuxbench once into {@code values[r]}; returns null, or why the Go column is not available. */
    private String runGo(String measurement, String key, double[] values, int r) {
        if (!go.available()) return "n/a (Go not available: " + go.unavailable() + ")";
        try {
            Map<String, Double> result = go.run(measurement, options.bytes(), options.duration(), options.window());
            Double value = result.get(key);
            if (value == null) return "n/a (yamuxbench printed no " + key + ")";
            values[r] = value;
            return null;
        } catch (IOException e) {
            progress("Go yamux: " + e.getMessage());
            return "n/a (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "n/a (interrupted)";
        }
    }

    private static Cell goCell(double[] values, String failure) {
        return failure == null ? Cell.of(new Samples(values)) : Cell.missing(failure);
    }

    private static Target ratioTarget(String goal, Cell lrok, Cell other, double atLeast) {
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
