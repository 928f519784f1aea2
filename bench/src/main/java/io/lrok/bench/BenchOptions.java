package io.lrok.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@link MuxBench}.
 *
 * @param bytes      bytes moved by each bulk measurement
 * @param duration   how long each open/close measurement runs
 * @param repeats    measured runs per metric and column (after warm-up)
 * @param window     the per-stream receive window, for lrok and Go alike
 * @param only       the measurements to run, in order
 * @param out        where to write the Markdown report, or null
 */
record BenchOptions(long bytes, Duration duration, int repeats, int window, List<String> only, Path out) {

    static final String BULK_SINGLE = "bulk_single";
    static final String BULK_64 = "bulk_64";
    static final String OPEN_CLOSE = "open_close";
    static final String IDLE_STREAM_HEAP = "idle_stream_heap";
    static final List<String> MEASUREMENTS = List.of(BULK_SINGLE, BULK_64, OPEN_CLOSE, IDLE_STREAM_HEAP);

    static final long FULL_BYTES = 1L << 30;
    static final long QUICK_BYTES = 256L << 20;
    static final Duration FULL_DURATION = Duration.ofSeconds(3);
    static final Duration QUICK_DURATION = Duration.ofSeconds(1);
    static final int DEFAULT_REPEATS = 3;
    static final int DEFAULT_WINDOW = 256 * 1024;

    static final String USAGE = """
            usage: bench/run [--quick] [--repeats N] [--bytes N[k|m|g]] [--duration SECONDS] [--window BYTES]
                             [--only a,b] [--out FILE.md]
              --quick        a fast look: 256 MiB per bulk run, 1 s per open/close run (default 1 GiB, 3 s)
              --repeats N    measured runs per metric and column, after warm-up (default 3); median and min-max
              --bytes N      bytes per bulk run, e.g. 512m
              --duration S   seconds per open/close run
              --window N     per-stream receive window for lrok and Go yamux (default 262144)
              --only LIST    some of: bulk_single,bulk_64,open_close,idle_stream_heap
              --out FILE     also write the report as Markdown to FILE
            """;

    /** @throws IllegalArgumentException with a message for the user on a bad command line */
    static BenchOptions parse(String[] args) {
        boolean quick = List.of(args).contains("--quick");
        long bytes = quick ? QUICK_BYTES : FULL_BYTES;
        Duration duration = quick ? QUICK_DURATION : FULL_DURATION;
        int repeats = DEFAULT_REPEATS;
        int window = DEFAULT_WINDOW;
        List<String> only = MEASUREMENTS;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> { }
                case "--repeats" -> repeats = positiveInt(arg, value(args, ++i, arg));
                case "--bytes" -> bytes = size(arg, value(args, ++i, arg));
                case "--duration" -> duration = Duration.ofMillis(Math.round(1000 * Double.parseDouble(value(args, ++i, arg))));
                case "--window" -> window = (int) size(arg, value(args, ++i, arg));
                case "--only" -> only = measurements(value(args, ++i, arg));
                case "--out" -> out = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException("--duration must be positive");
        return new BenchOptions(bytes, duration, repeats, window, only, out);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int positiveInt(String option, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) throw new IllegalArgumentException(option + " must be positive: " + value);
        return n;
    }

    /** A byte count with an optional k, m or g suffix (powers of 1024). */
    private static long size(String option, String value) {
        String v = value.toLowerCase().replaceAll("i?b$", "");
        long unit = switch (v.isEmpty() ? ' ' : v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
        if (n <= 0) throw new IllegalArgumentException(option + " must be positive: " + value);
        return n;
    }

    private static List<String> measurements(String list) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            String m = name.trim();
            if (!MEASUREMENTS.contains(m)) {
                throw new IllegalArgumentException("--only: unknown measurement " + m + "; known: " + MEASUREMENTS);
            }
            chosen.add(m);
        }
        return MEASUREMENTS.stream().filter(chosen::contains).toList();
    }
}
