package io.lrok.bench;

import io.lrok.ConnectionState;
import io.lrok.ReconnectPolicy;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.ExternalPrograms;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * bench/compare: lrok beside the app reached directly, {@code ssh -R} through a local sshd, and the same tunnel
 * shape on hashicorp/yamux in Go, in one run on loopback; prints one Markdown table with the ratios against the
 * targets of issue 8 and writes it into docs/benchmarks.md. Every path runs in processes of its own (the app, lrok's
 * relay and agent, sshd and ssh, the Go relay and agent); this JVM is the client. See docs/benchmarks.md.
 */
public final class Compare {
    /** Marks the generated part of the output file; what lies outside the markers is kept. */
    static final String BEGIN = "<!-- bench/compare: begin (generated, do not edit by hand) -->";
    static final String END = "<!-- bench/compare: end -->";
    /** The rate of the latency test, requests per second. */
    static final int LATENCY_RATE = 1_000;
    /** wrk's connections and threads. */
    static final int WRK_CONNECTIONS = 64;
    static final int WRK_THREADS = 2;
    /** Concurrent clients of the new-connection test. */
    static final int CONNECT_WORKERS = 16;
    /** Streams of the aggregate bulk test. */
    static final int PARALLEL_STREAMS = 16;
    /** Idle streams and tunnels are measured at these counts. */
    static final List<Integer> IDLE_COUNTS = List.of(1_000, 10_000);
    /** Idle connections opened at once. */
    static final int IDLE_OPEN_PARALLEL = 32;
    /** How much longer than its duration a wrk run may take before it is killed. */
    static final Duration WRK_GRACE = Duration.ofSeconds(30);
    /** How long a tunnel may take to answer after it was opened or its relay restarted. */
    static final Duration ANSWER_LIMIT = Duration.ofSeconds(60);

    static final String USAGE = """
            usage: bench/compare [--quick|--full] [--out FILE.md] [--only PATH,...] [--repeats N]
              --quick          256 MiB per bulk run, wrk 3 s, latency 5 s, 3 rounds: about 6 minutes (the default)
              --full           1 GiB per bulk run, wrk 10 s, latency 10 s, 5 rounds: about 20 minutes
              --out FILE       write the report into FILE between its markers (docs/benchmarks.md, say)
              --only LIST      paths to run, of: direct,lrok-http,lrok-http-nocapture,lrok-tcp,ssh,go-yamux
                               (direct is always run: every ratio needs it)
              --repeats N      rounds of the throughput and latency measurements
              --skip LIST      parts to leave out, of: throughput (all of it), http (its HTTP part: wrk, latency,
                               new connections), memory, open, restart
            """;

    /** The sizes of one run. */
    record Mode(String name, long bulkBytes, int wrkSeconds, int warmupSeconds, double latencySeconds,
            double latencyWarmup, double connectSeconds, int repeats, int openRepeats, int restartRepeats) {
        static final Mode QUICK = new Mode("quick", 256L << 20, 3, 2, 5, 1, 2, 3, 5, 3);
        static final Mode FULL = new Mode("full", 1L << 30, 10, 5, 10, 2, 3, 5, 10, 5);
    }

    private final Mode mode;
    private final Path work;
    private final Path wrk;
    /** metric -> path -> samples; filled in order of first use. */
    private final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    /** Why a path is missing from the run. */
    private final Map<String, String> missing = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    private Compare(Mode mode, Path work, Path wrk) {
        this.mode = mode;
        this.work = work;
        this.wrk = wrk;
    }

    /**
     * Runs the comparison; see {@link #USAGE}.
     *
     * @param args the command line
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        Mode mode = Mode.QUICK;
        Path out = null;
        Set<String> only = null;
        Set<String> skip = Set.of();
        Integer repeats = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> mode = Mode.QUICK;
                    case "--full" -> mode = Mode.FULL;
                    case "--out" -> out = Path.of(args[++i]);
                    case "--only" -> only = new LinkedHashSet<>(List.of(args[++i].split(",")));
                    case "--skip" -> skip = Set.of(args[++i].split(","));
                    case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("compare: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (repeats != null) {
            mode = new Mode(mode.name(), mode.bulkBytes(), mode.wrkSeconds(), mode.warmupSeconds(),
                    mode.latencySeconds(), mode.latencyWarmup(), mode.connectSeconds(), repeats, mode.openRepeats(),
                    mode.restartRepeats());
        }
        Path wrk = ExternalPrograms.findOnPath("wrk").orElse(null);
        if (wrk == null) {
            System.err.println("compare: wrk is not on the PATH; install it (apt-get install wrk)");
            System.exit(2);
            return;
        }
        // lrok's INFO lines (every bind, every session) would drown the progress lines of this JVM.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path work = Files.createTempDirectory("lrok-compare-");
        log("work directory (logs of every process): " + work);
        Compare compare = new Compare(mode, work, wrk);
        String report = compare.run(only, skip, String.join(" ", args));
        System.out.println();
        System.out.println(report);
        if (out != null) {
            writeInto(out, report);
            log("wrote " + out);
        }
        System.exit(0); // children are closed; stop the HTTP client's and relay's threads too
    }

    static void log(String message) {
        System.err.println("compare: " + message);
    }

    private void add(String metric, String path, double value) {
        results.computeIfAbsent(metric, m -> new LinkedHashMap<>()).computeIfAbsent(path, p -> new ArrayList<>())
                .add(value);
    }

    private String run(Set<String> only, Set<String> skip, String args) throws Exception {
        String before = Machine.otherWork();
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'",
                Locale.ROOT));
        List<AutoCloseable> toClose = new ArrayList<>();
        GoYamux goBench = null;
        try {
            ComparePaths.App app = ComparePaths.App.start(work);
            toClose.add(app.child());
            if (!skip.contains("open")) openTimes(app);
            List<BenchPath> paths = new ArrayList<>();
            paths.add(ComparePaths.direct(app));
            if (wanted(only, "lrok-http") || wanted(only, "lrok-http-nocapture") || wanted(only, "lrok-tcp")) {
                for (BenchPath p : ComparePaths.lrok(work, app, toClose)) if (wanted(only, p.key())) paths.add(p);
            }
            if (wanted(only, "ssh")) {
                String why = ComparePaths.sshUnavailable();
                if (why == null) {
                    paths.add(ComparePaths.ssh(work, app, toClose));
                } else {
                    missing.put("ssh", why);
                    log("ssh column skipped: " + why);
                }
            }
            if (wanted(only, "go-yamux")) {
                String why = ComparePaths.goUnavailable();
                if (why == null) {
                    paths.add(ComparePaths.yamux(work, app, toClose));
                    goBench = GoYamux.locate();
                } else {
                    missing.put("go-yamux", why);
                    log("go-yamux column skipped: " + why);
                }
            }
            log("paths: " + paths.stream().map(BenchPath::key).toList());
            if (!skip.contains("open")) startTimes(app, paths);
            if (!skip.contains("throughput")) throughput(paths, !skip.contains("http"));
            if (!skip.contains("memory")) memory(paths);
            if (!skip.contains("restart")) restart(app, only);
        } finally {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                try {
                    toClose.get(i).close();
                } catch (Exception e) {
                    log("closing: " + e);
                }
            }
        }
        String after = Machine.otherWork();
        return CompareReport.render(results, missing, notes, mode, started, args, before, after,
                goBench == null ? null : goBench.goVersion(), sshVersion());
    }

    private static boolean wanted(Set<String> only, String key) {
        return only == null || only.contains(key);
    }

    // ---- time to a URL that answers ----

    /**
     * Tunnel.open to a URL that answers, in this JVM against an in-process EmbeddedRelay (TLS): the first open after
     * this JVM started (lrok's classes not yet loaded), then warm ones.
     */
    private void openTimes(ComparePaths.App app) throws Exception {
        log("Tunnel.open to a working URL, in-process EmbeddedRelay...");
        // The poll client's classes loaded before the clock starts, so that the first open holds none of the
        // harness's own (the app has served a request already: CompareApp warms itself before READY).
        new Loads.HttpTarget(1, "warm").request(false);
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            for (int i = 0; i <= mode.openRepeats(); i++) {
                long start = System.nanoTime();
                try (Tunnel tunnel = Tunnel.http(app.http()).relay(relay).capture(false).open()) {
                    URI url = tunnel.publicUrl();
                    awaitAnswer(new Loads.HttpTarget(url.getPort(), ComparePaths.hostHeader(url)));
                    double ms = (System.nanoTime() - start) / 1e6;
                    add(i == 0 ? "open_first" : "open_warm", "lrok-http", ms);
                }
            }
        }
    }

    /** Polls (every millisecond) until one GET through {@code target} gets a 200. */
    static void awaitAnswer(Loads.HttpTarget target) throws IOException {
        long deadline = System.nanoTime() + ANSWER_LIMIT.toNanos();
        while (true) {
            try (Loads.HttpConnection c = new Loads.HttpConnection(target)) {
                c.exchange();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw new IOException("no answer from " + target + " within " + ANSWER_LIMIT, e);
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** For ssh and Go: from starting the client process to its public port answering. */
    private void startTimes(ComparePaths.App app, List<BenchPath> paths) throws Exception {
        for (BenchPath p : paths) {
            if (p.key().equals("ssh")) {
                log("ssh -R start to a working port...");
                Path dir = work.resolve("ssh");
                int sshPort = p.agentPort();
                for (int i = 0; i < mode.openRepeats(); i++) {
                    int pub = ComparePaths.freePort();
                    long start = System.nanoTime();
                    try (Child ssh = Child.start("ssh-open", List.of("ssh", "-N", "-p", Integer.toString(sshPort),
                            "-i", dir.resolve("client_key").toString(), "-o", "StrictHostKeyChecking=no",
                            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                            "-R", "127.0.0.1:" + pub + ":127.0.0.1:" + app.http(),
                            System.getProperty("user.name") + "@127.0.0.1"), work.resolve("ssh-open.log"))) {
                        awaitAnswer(new Loads.HttpTarget(pub, "127.0.0.1:" + pub));
                        add("open_warm", "ssh", (System.nanoTime() - start) / 1e6);
                    }
                }
            } else if (p.key().equals("go-yamux")) {
                log("Go agent start to a working port...");
                int agentPort = p.agentPort();
                for (int i = 0; i < mode.openRepeats(); i++) {
                    long start = System.nanoTime();
                    try (Child agent = ComparePaths.goAgent(work, "go-agent-open", agentPort, app)) {
                        agent.expect("READY");
                        awaitAnswer(p.http());
                        add("open_warm", "go-yamux", (System.nanoTime() - start) / 1e6);
                    }
                    // The relay sends to the newest session; wait until the one just closed is gone.
                    awaitAnswer(p.http());
                }
            }
        }
    }

    // ---- throughput and latency ----

    private void throughput(List<BenchPath> paths, boolean http) throws Exception {
        log("warm-up...");
        for (BenchPath p : paths) {
            log("warm-up: " + p.key());
            if (p.bulkPort() > 0) {
                Loads.bulkUp(p.bulkPort(), mode.bulkBytes() / 4);
                Loads.bulkDown(p.bulkPort(), mode.bulkBytes() / 4);
            }
            if (!http) continue;
            wrk(p, mode.warmupSeconds());
            OpenLoop.run(p.http(), LATENCY_RATE, mode.latencyWarmup(), 0);
        }
        for (int round = 1; round <= mode.repeats(); round++) {
            // Each round starts with another path, so that a slow spell of the shared machine does not always hit
            // the same column first.
            List<BenchPath> order = new ArrayList<>(paths);
            java.util.Collections.rotate(order, -(round - 1));
            for (BenchPath p : order) {
                log("round " + round + " of " + mode.repeats() + ": " + p.key());
                if (p.bulkPort() > 0) bulk(p);
                if (!http) continue;
                long cpu0 = p.cpuNanos();
                var w = wrk(p, mode.wrkSeconds());
                long cpu = p.cpuNanos() - cpu0;
                add("http_rps", p.key(), w.requestsPerSecond());
                // CPU per request is what the tunnel costs, less moved than requests/s by other work on the machine
                if (!p.processes().isEmpty() && w.requests() > 0) add("cpu_per_request", p.key(), cpu / 1e3 / w.requests());
                if (w.errors() > 0) notes.add(p.key() + ": wrk counted " + w.errors() + " errors in round " + round);
                OpenLoop.Result r = OpenLoop.run(p.http(), LATENCY_RATE, mode.latencySeconds(), mode.latencyWarmup());
                add("lat_p50", p.key(), r.percentileMillis(50));
                add("lat_p99", p.key(), r.percentileMillis(99));
                add("lat_p999", p.key(), r.percentileMillis(99.9));
                if (r.errors() > 0) notes.add(p.key() + ": " + r.errors() + " failed requests in the latency test");
                add("conn_rate", p.key(), Loads.newConnections(p.http(), mode.connectSeconds(), CONNECT_WORKERS));
            }
        }
    }

    private void bulk(BenchPath p) throws Exception {
        long bytes = mode.bulkBytes();
        long cpu0 = p.cpuNanos();
        add("bulk_up", p.key(), gbits(bytes, Loads.bulkUp(p.bulkPort(), bytes)));
        add("bulk_down", p.key(), gbits(bytes, Loads.bulkDown(p.bulkPort(), bytes)));
        long cpu = p.cpuNanos() - cpu0;
        if (!p.processes().isEmpty()) add("cpu_per_gib", p.key(), cpu / 1e9 / (2.0 * bytes / (1L << 30)));
        add("bulk16", p.key(), gbits(bytes, Loads.bulkParallelDown(p.bulkPort(), bytes, PARALLEL_STREAMS)));
    }

    private static double gbits(long bytes, double seconds) {
        return bytes * 8 / 1e9 / seconds;
    }

    private HttpTunnelBench.WrkResult wrk(BenchPath p, int seconds) throws IOException, InterruptedException {
        List<String> command = List.of(wrk.toString(), "-t" + WRK_THREADS, "-c" + WRK_CONNECTIONS, "-d" + seconds + "s",
                "-H", "Host: " + p.http().host(), p.http().url());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds + WRK_GRACE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish: " + command);
        }
        Files.writeString(work.resolve("wrk.log"), String.join(" ", command) + "\n" + output,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        if (process.exitValue() != 0) throw new IOException("wrk exited with " + process.exitValue() + ": " + output);
        return HttpTunnelBench.parse(output);
    }

    // ---- memory ----

    private void memory(List<BenchPath> paths) throws Exception {
        for (BenchPath p : paths) {
            if (p.idlePorts() == null) continue;
            for (int count : IDLE_COUNTS) {
                log("idle streams: " + count + " through " + p.key());
                List<Integer> ports = p.idlePorts().open(count);
                long heap0 = p.heapBytes();
                long rss0 = p.rssBytes();
                List<Socket> sockets = Loads.idleConnections(ports, count, IDLE_OPEN_PARALLEL);
                try {
                    long heap1 = p.heapBytes();
                    long rss1 = p.rssBytes();
                    add("stream_rss_" + count, p.key(), (rss1 - rss0) / (double) count);
                    add("streams_rss_total_" + count, p.key(), rss1 / (double) (1 << 20));
                    if (heap0 >= 0) {
                        add("stream_heap_" + count, p.key(), (heap1 - heap0) / (double) count);
                        add("streams_heap_total_" + count, p.key(), heap1 / (double) (1 << 20));
                    }
                } finally {
                    for (Socket s : sockets) s.close();
                }
            }
        }
        idleTunnels(paths);
    }

    /** Idle tunnels: lrok's HTTP tunnels (capture off) on the agent's one session; Go: more yamux sessions. */
    private void idleTunnels(List<BenchPath> paths) throws Exception {
        for (BenchPath p : paths) {
            String command;
            String column;
            if (p.key().equals("lrok-tcp")) {
                command = "tunnels %d " + p.http().port(); // any local port: idle tunnels are never used
                column = "lrok-http-nocapture";
            } else if (p.key().equals("go-yamux")) {
                command = "sessions %d";
                column = "go-yamux";
            } else {
                continue;
            }
            Child agent = p.processes().get(1);
            long heap0 = p.heapBytes();
            long rss0 = p.rssBytes();
            int opened = 0;
            for (int count : IDLE_COUNTS) {
                log("idle tunnels: " + count + " on " + column);
                agent.command(command.formatted(count - opened), "OK");
                opened = count;
                long heap1 = p.heapBytes();
                long rss1 = p.rssBytes();
                add("tunnel_heap_" + count, column, (heap1 - heap0) / (double) count);
                add("tunnel_rss_" + count, column, (rss1 - rss0) / (double) count);
            }
        }
    }

    // ---- relay restart ----

    private void restart(ComparePaths.App app, Set<String> only) throws Exception {
        Path cert = work.resolve("go-cert.pem");
        Path key = work.resolve("go-key.pem");
        if (wanted(only, "lrok-http")) restartLrok(app, cert, key);
        if (wanted(only, "go-yamux") && !missing.containsKey("go-yamux")) restartGo(app);
    }

    /**
     * lrok: a relay child on fixed ports, with the certificate yamuxtunnel made (or plaintext without Go), an agent
     * in this JVM with ReconnectPolicy.defaults(); kill the relay (SIGKILL), start it again on the same ports, and
     * time until the URL answers.
     */
    private void restartLrok(ComparePaths.App app, Path cert, Path key) throws Exception {
        boolean tls = Files.isRegularFile(cert) && Files.isRegularFile(key);
        int agentPort = ComparePaths.freePort();
        int httpPort = ComparePaths.freePort();
        int httpsPort = ComparePaths.freePort();
        List<String> args = new ArrayList<>(List.of("--agent-port", Integer.toString(agentPort),
                "--http-port", Integer.toString(httpPort)));
        if (tls) {
            args.addAll(List.of("--https-port", Integer.toString(httpsPort), "--cert", cert.toString(),
                    "--key", key.toString()));
        } else {
            args.addAll(List.of("--plaintext", "true"));
        }
        notes.add("Relay restart, lrok: " + (tls ? "TLS with the same certificate on both starts"
                : "plaintext agent port (no certificate from yamuxtunnel to reuse)") + ".");
        log("relay restart: lrok...");
        Child relay = ComparePaths.lrokRelay(work, "lrok-restart-relay", args);
        AtomicLong connectedAt = new AtomicLong();
        try {
            relay.expect("READY");
            var builder = Tunnel.http(app.http()).subdomain("restart").capture(false)
                    .reconnect(ReconnectPolicy.defaults())
                    .onConnectionEvent(e -> {
                        if (e.state() == ConnectionState.CONNECTED) connectedAt.set(System.nanoTime());
                    });
            builder = tls ? builder.relay(LrokAgentChild.endpoint(agentPort, LrokAgentChild.trusting(cert)))
                    : builder.relay(URI.create("lrok+plain://127.0.0.1:" + agentPort));
            try (Tunnel tunnel = builder.open()) {
                Loads.HttpTarget target = new Loads.HttpTarget(httpPort, ComparePaths.hostHeader(tunnel.publicUrl()));
                awaitAnswer(target);
                for (int i = 0; i < mode.restartRepeats(); i++) {
                    long killed = System.nanoTime();
                    relay.kill();
                    relay = ComparePaths.lrokRelay(work, "lrok-restart-relay", args);
                    relay.expect("READY");
                    long ready = System.nanoTime();
                    awaitAnswer(target);
                    long served = System.nanoTime();
                    add("restart_ready", "lrok-http", (served - ready) / 1e6);
                    add("restart_total", "lrok-http", (served - killed) / 1e6);
                }
            }
        } finally {
            relay.close();
        }
    }

    /** The same with yamuxtunnel: the Go agent dials again with the same backoff as lrok's defaults. */
    private void restartGo(ComparePaths.App app) throws Exception {
        log("relay restart: go-yamux...");
        int agentPort = ComparePaths.freePort();
        int pubHttp = ComparePaths.freePort();
        int pubBulk = ComparePaths.freePort();
        Child relay = ComparePaths.goRelay(work, "go-restart-relay", agentPort, pubHttp, pubBulk);
        try {
            relay.expect("READY");
            try (Child agent = ComparePaths.goAgent(work, "go-restart-agent", agentPort, app)) {
                agent.expect("READY");
                Loads.HttpTarget target = new Loads.HttpTarget(pubHttp, "127.0.0.1:" + pubHttp);
                awaitAnswer(target);
                for (int i = 0; i < mode.restartRepeats(); i++) {
                    long killed = System.nanoTime();
                    relay.kill();
                    relay = ComparePaths.goRelay(work, "go-restart-relay", agentPort, pubHttp, pubBulk);
                    relay.expect("READY");
                    long ready = System.nanoTime();
                    awaitAnswer(target);
                    long served = System.nanoTime();
                    add("restart_ready", "go-yamux", (served - ready) / 1e6);
                    add("restart_total", "go-yamux", (served - killed) / 1e6);
                }
            }
        } finally {
            relay.close();
        }
    }

    private static String sshVersion() {
        try {
            Process p = new ProcessBuilder("ssh", "-V").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return v.isEmpty() ? null : v.lines().findFirst().orElse(null);
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** Replaces the text between the markers in {@code file} (or appends markers and report). */
    static void writeInto(Path file, String report) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        String block = BEGIN + "\n\n" + report.strip() + "\n\n" + END;
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        String updated = b >= 0 && e > b ? text.substring(0, b) + block + text.substring(e + END.length())
                : text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "\n" + block + "\n";
        Files.writeString(file, updated);
    }
}
