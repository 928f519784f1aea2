package io.lrok.bench;

import com.sun.net.httpserver.HttpServer;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.ExternalPrograms;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP through a tunnel beside the app itself: starts a local app (the JDK's HttpServer answering every request
 * with a short text), an {@link EmbeddedRelay} and a {@link Tunnel} to the app, all in this JVM, then runs wrk
 * against the tunnel's public URL and directly against the app, in turn, and prints requests/s and latency side by
 * side with the ratio. Run it with {@code bench/http-wrk}; see docs/benchmarks.md.
 */
public final class HttpTunnelBench {
    /** What the app answers: 13 bytes of text, with a Content-Length (keep-alive on every hop). */
    private static final byte[] BODY = "hello, world\n".getBytes(StandardCharsets.US_ASCII);
    /** Connections the kernel queues for the app. */
    private static final int BACKLOG = 1_024;
    /** How much longer than its own duration a wrk run may take before it is killed. */
    private static final Duration WRK_GRACE = Duration.ofSeconds(30);

    private static final String USAGE = """
            usage: bench/http-wrk [--duration SECONDS] [--connections N] [--threads N] [--warmup SECONDS] [--repeats N]
              --duration S     seconds per measured wrk run (default 10)
              --connections N  wrk's open connections (default 64)
              --threads N      wrk's threads (default 2)
              --warmup S       seconds of wrk against each target before measuring, for the JIT (default 5)
              --repeats N      measured runs per target, alternating (default 1); the table shows the median
            Runs: wrk -t<threads> -c<connections> -d<duration>s --latency <url>, against the tunnel and the app.
            """;

    private record Options(int duration, int connections, int threads, int warmup, int repeats) {
        static Options parse(String[] args) {
            int duration = 10;
            int connections = 64;
            int threads = 2;
            int warmup = 5;
            int repeats = 1;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException(arg + " needs a value");
                int value = Integer.parseInt(args[++i]);
                if (value < 0 || (value == 0 && !arg.equals("--warmup"))) {
                    throw new IllegalArgumentException(arg + " must be positive: " + value);
                }
                switch (arg) {
                    case "--duration" -> duration = value;
                    case "--connections" -> connections = value;
                    case "--threads" -> threads = value;
                    case "--warmup" -> warmup = value;
                    case "--repeats" -> repeats = value;
                    default -> throw new IllegalArgumentException("unknown argument: " + arg);
                }
            }
            return new Options(duration, connections, threads, warmup, repeats);
        }
    }

    /** What one wrk run reported. */
    record WrkResult(double requestsPerSecond, long requests, double avgMillis, Map<String, Double> percentileMillis,
            long errors, int appConnections, String output) {
        WrkResult withAppConnections(int count) {
            return new WrkResult(requestsPerSecond, requests, avgMillis, percentileMillis, errors, count, output);
        }
    }

    private HttpTunnelBench() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("http-wrk: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        Path wrk = ExternalPrograms.findOnPath("wrk").orElse(null);
        if (wrk == null) {
            System.err.println("http-wrk: wrk is not on the PATH; install it (apt-get install wrk)");
            System.exit(2);
            return;
        }
        String before = Machine.otherWork();
        ExecutorService appThreads = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        app.setExecutor(appThreads);
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        app.createContext("/", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            }
        });
        app.start();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                Tunnel tunnel = Tunnel.http(app.getAddress().getPort()).relay(relay).open()) {
            URI direct = URI.create("http://127.0.0.1:" + app.getAddress().getPort() + "/");
            URI tunnelled = tunnel.publicUrl().resolve("/");
            System.out.println("http-wrk: app at " + direct + ", tunnel at " + tunnelled + " (" + relay + ")");
            if (options.warmup() > 0) {
                System.out.println("http-wrk: warming up, " + options.warmup() + " s per target...");
                wrk(wrk, options, options.warmup(), tunnelled);
                wrk(wrk, options, options.warmup(), direct);
            }
            List<WrkResult> viaTunnel = new ArrayList<>();
            List<WrkResult> viaApp = new ArrayList<>();
            for (int round = 1; round <= options.repeats(); round++) {
                System.out.println("http-wrk: round " + round + " of " + options.repeats() + ": tunnel, then app...");
                clientPorts.clear();
                viaTunnel.add(wrk(wrk, options, options.duration(), tunnelled).withAppConnections(clientPorts.size()));
                clientPorts.clear();
                viaApp.add(wrk(wrk, options, options.duration(), direct).withAppConnections(clientPorts.size()));
            }
            String after = Machine.otherWork();
            printReport(options, median(viaTunnel), median(viaApp), before, after);
        } finally {
            app.stop(0);
            appThreads.shutdownNow();
        }
    }

    private static WrkResult median(List<WrkResult> runs) {
        List<WrkResult> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.requestsPerSecond(), b.requestsPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private static void printReport(Options o, WrkResult tunnel, WrkResult app, String before, String after) {
        String command = "wrk -t" + o.threads() + " -c" + o.connections() + " -d" + o.duration() + "s --latency <url>";
        System.out.println();
        System.out.println("HTTP through a tunnel, " + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)) + ": " + command
                + (o.repeats() > 1 ? ", median of " + o.repeats() + " runs" : ""));
        System.out.println("Machine: " + Machine.describe(null));
        System.out.println();
        System.out.println("| metric | through the tunnel | app directly | tunnel/direct |");
        System.out.println("|---|---:|---:|---:|");
        row("requests/s", tunnel.requestsPerSecond(), app.requestsPerSecond(), "%,.0f");
        row("latency, mean (ms)", tunnel.avgMillis(), app.avgMillis(), "%.2f");
        for (String p : List.of("50%", "90%", "99%")) {
            row("latency, " + p + " (ms)", tunnel.percentileMillis().getOrDefault(p, Double.NaN),
                    app.percentileMillis().getOrDefault(p, Double.NaN), "%.2f");
        }
        System.out.printf(Locale.ROOT, "| errors (socket, non-2xx) | %d | %d | |%n", tunnel.errors(), app.errors());
        System.out.printf(Locale.ROOT, "| connections the app served (distinct client ports) | %,d | %,d | |%n",
                tunnel.appConnections(), app.appConnections());
        System.out.println();
        System.out.println("Idle-machine check: before, " + before + "; after, " + after + ".");
    }

    private static void row(String name, double tunnel, double app, String format) {
        System.out.printf(Locale.ROOT, "| %s | " + format + " | " + format + " | %.2fx |%n", name, tunnel, app,
                tunnel / app);
    }

    /** Runs wrk once and parses its report; its full output goes to standard error. */
    private static WrkResult wrk(Path wrk, Options o, int seconds, URI url) throws IOException, InterruptedException {
        List<String> command = List.of(wrk.toString(), "-t" + o.threads(), "-c" + o.connections(), "-d" + seconds + "s",
                "--latency", url.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds + WRK_GRACE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish: " + String.join(" ", command));
        }
        System.err.print(output);
        if (process.exitValue() != 0) {
            throw new IOException("wrk exited with " + process.exitValue() + ": " + output);
        }
        return parse(output);
    }

    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern LATENCY = Pattern.compile("Latency\\s+([0-9.]+)(us|ms|s)\\b");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    static WrkResult parse(String output) {
        Matcher rps = REQUESTS_PER_SECOND.matcher(output);
        Matcher requests = REQUESTS.matcher(output);
        Matcher latency = LATENCY.matcher(output);
        if (!rps.find() || !requests.find() || !latency.find()) {
            throw new IllegalStateException("cannot read wrk's report:\n" + output);
        }
        Map<String, Double> percentiles = new LinkedHashMap<>();
        Matcher p = PERCENTILE.matcher(output);
        while (p.find()) percentiles.put(p.group(1) + "%", millis(p.group(2), p.group(3)));
        long errors = 0;
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) errors += Long.parseLong(socket.group(g));
        }
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) errors += Long.parseLong(non2xx.group(1));
        return new WrkResult(Double.parseDouble(rps.group(1)), Long.parseLong(requests.group(1)),
                millis(latency.group(1), latency.group(2)), percentiles, errors, 0, output);
    }

    private static double millis(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }
}
