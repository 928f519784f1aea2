package io.lrok.bench;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The first {@code Tunnel.open} in a JVM, taken apart (bench/first-open; docs/benchmarks.md, "The first Tunnel.open
 * in a JVM"). The same scenario as bench/compare's "first in the JVM" row: the app in a JVM of its own
 * ({@link CompareApp}), then in this fresh JVM {@code EmbeddedRelay.start()} (TLS, the defaults) and, timed, {@code
 * Tunnel.http(port).relay(relay).capture(false).open()} until the first 200 through the public URL, polled every
 * millisecond with a raw socket. Prints one line of figures: the relay's start, the first open, the open call alone,
 * the first poll, the CPU time this JVM spent on the first open (all threads), and a second open in the same JVM.
 * {@code --capture} opens with the defaults instead (capture and the inspector on); {@code --default-logging}
 * leaves the JDK's logging as a JVM starts it (bench/compare turns lrok's INFO lines off first).
 *
 * <p>{@code --phases} also samples this thread's stack every {@value #SAMPLE_MICROS} µs during the first open and
 * prints where the time went: the spans between the open path's landmarks (connect, TLS handshake, hello, bind)
 * and the most frequent frames in each. Sampling slows the open a little; the plain run gives the figures.
 *
 * <p>{@code --class-log FILE}: the file of {@code -Xlog:class+load:file=FILE} for this JVM; the classes loaded in
 * each phase are counted (marker classes, loaded at each phase's start, divide the log).
 */
public final class FirstOpen {
    /** How often {@code --phases} samples the opening thread's stack, in microseconds. */
    static final long SAMPLE_MICROS = 200;
    /** How many of the most frequent frames {@code --phases} prints for each phase. */
    static final int TOP_FRAMES = Integer.getInteger("lrok.firstopen.frames", 6);
    /** How long the public URL may take to answer. */
    static final long ANSWER_LIMIT_NANOS = 60_000_000_000L;

    /**
     * The open path's landmarks, outermost first: a sample is in the phase of the innermost one on its stack. A
     * phase is the time from a landmark's first sample to the next landmark's.
     */
    private static final List<String> LANDMARKS = List.of(
            "io.lrok.HttpTunnelBuilder.open",
            "io.lrok.internal.agent.RelayDialer.connect",
            "io.lrok.internal.agent.RelayTls.handshake",
            "io.lrok.mux.MuxSession.client",
            "io.lrok.internal.agent.RelayDialer.dial",
            "io.lrok.internal.agent.Agent.bind",
            "io.lrok.bench.FirstOpen.poll");

    // Marker classes: loading one writes its name into the class+load log at a phase's start.
    static final class MarkRelayStart {}
    static final class MarkOpen {}
    static final class MarkPoll {}
    static final class MarkDone {}

    private FirstOpen() {
    }

    /**
     * Runs one measurement in this JVM.
     *
     * @param args {@code [--phases] [--default-logging] [--capture] [--class-log FILE]}
     * @throws Exception if something fails
     */
    public static void main(String[] args) throws Exception {
        boolean phases = false;
        boolean defaultLogging = false;
        boolean capture = false;
        Path classLog = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--phases" -> phases = true;
                case "--default-logging" -> defaultLogging = true;
                case "--capture" -> capture = true;
                case "--class-log" -> classLog = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        // As bench/compare does before its open: lrok's INFO lines off. With --default-logging the JDK's logging is
        // left as a JVM starts it (not initialised; INFO to standard error), as in a test that configures none.
        if (!defaultLogging) java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Path work = Files.createTempDirectory("lrok-first-open-");
        ComparePaths.App app = ComparePaths.App.start(work);
        try {
            // The poll client's own classes, loaded here so that the timed part holds none of the harness's: a
            // request built, the response reader's class loaded (no connection made: Socket.connect is the
            // library's first step too, and stays in the timed part where the library pays for it).
            new Loads.HttpTarget(1, "warm").request(false);
            mark(MarkRelayStart.class);
            long t0 = System.nanoTime();
            try (EmbeddedRelay relay = EmbeddedRelay.start()) {
                long relayStarted = System.nanoTime();
                Sampler sampler = phases ? Sampler.start(Thread.currentThread()) : null;
                mark(MarkOpen.class);
                Map<String, Long> cpuBefore = phases ? cpuByThread() : Map.of();
                long cpu0 = processCpuNanos();
                long start = System.nanoTime();
                Tunnel tunnel = Tunnel.http(app.http()).relay(relay).capture(capture).open();
                long opened = System.nanoTime();
                URI url = tunnel.publicUrl();
                mark(MarkPoll.class);
                long[] firstPoll = new long[1];
                int polls = poll(new Loads.HttpTarget(url.getPort(), ComparePaths.hostHeader(url)), firstPoll);
                long answered = System.nanoTime();
                long cpu = processCpuNanos() - cpu0;
                Map<String, Long> cpuAfter = phases ? cpuByThread() : Map.of();
                if (sampler != null) sampler.stop();
                mark(MarkDone.class);
                tunnel.close();
                // a second open in the same JVM, for comparison (bench/compare's "later ones")
                long start2 = System.nanoTime();
                double second;
                try (Tunnel t2 = Tunnel.http(app.http()).relay(relay).capture(capture).open()) {
                    URI u2 = t2.publicUrl();
                    poll(new Loads.HttpTarget(u2.getPort(), ComparePaths.hostHeader(u2)), new long[1]);
                    second = ms(System.nanoTime() - start2);
                }
                System.out.printf(Locale.ROOT, "relay_start_ms=%.1f first_open_ms=%.1f open_call_ms=%.1f "
                                + "first_poll_ms=%.1f polls=%d first_open_cpu_ms=%.1f second_open_ms=%.1f%n",
                        ms(relayStarted - t0), ms(answered - start), ms(opened - start), ms(firstPoll[0]), polls,
                        ms(cpu), second);
                if (sampler != null) {
                    sampler.report(start, opened, answered);
                    System.out.println("CPU time of the first open by OS thread (ms; the sampler's own included):");
                    cpuAfter.entrySet().stream()
                            .map(e -> Map.entry(e.getKey(), e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L)))
                            .filter(e -> e.getValue() >= 500_000)
                            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                            .forEach(e -> System.out.printf(Locale.ROOT, "  %6.1f %s%n", ms(e.getValue()), e.getKey()));
                }
            }
        } finally {
            app.child().close();
        }
        if (classLog != null) countClasses(classLog);
        System.exit(0);
    }

    private static void mark(Class<?> marker) throws ClassNotFoundException {
        Class.forName(marker.getName(), true, FirstOpen.class.getClassLoader());
    }

    /**
     * Polls (every millisecond) until one GET gets a 200, as bench/compare does.
     *
     * @param firstPoll set to the time the first attempt took, success or not
     * @return how many attempts it took
     */
    static int poll(Loads.HttpTarget target, long[] firstPoll) throws IOException {
        long deadline = System.nanoTime() + ANSWER_LIMIT_NANOS;
        for (int attempt = 1; ; attempt++) {
            long t = System.nanoTime();
            try (Loads.HttpConnection c = new Loads.HttpConnection(target)) {
                c.exchange();
                if (attempt == 1) firstPoll[0] = System.nanoTime() - t;
                return attempt;
            } catch (IOException e) {
                if (attempt == 1) firstPoll[0] = System.nanoTime() - t;
                if (System.nanoTime() > deadline) throw new IOException("no answer from " + target, e);
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /**
     * The CPU time of every thread of this JVM so far (carriers of virtual threads, the JIT compilers and GC
     * included), from {@code /proc/self/task/<tid>/schedstat}; threads that ended are not counted, so read it
     * around a span in which none ends. Less moved by other work on the machine than the wall-clock time.
     */
    static long processCpuNanos() throws IOException {
        return cpuByThread().values().stream().mapToLong(Long::longValue).sum();
    }

    /** CPU nanoseconds so far by kind of OS thread (its name, digits dropped: "C2 CompilerThread", "GC Thread"). */
    static Map<String, Long> cpuByThread() throws IOException {
        Map<String, Long> byName = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("schedstat"));
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("#?[0-9]+", "");
                    byName.merge(name, Long.parseLong(stat.substring(0, stat.indexOf(' '))), Long::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return byName;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Counts the classes each phase loaded, by the marker classes in a class+load log. */
    private static void countClasses(Path log) throws IOException {
        Map<String, Map<String, Integer>> byPhase = new LinkedHashMap<>();
        String phase = "JVM start to relay start";
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("] ");
            if (at < 0 || !line.contains(" source: ")) continue;
            String name = line.substring(line.lastIndexOf("] ", line.indexOf(" source: ")) + 2,
                    line.indexOf(" source: "));
            if (name.endsWith("$MarkRelayStart")) phase = "EmbeddedRelay.start()";
            else if (name.endsWith("$MarkOpen")) phase = "Tunnel...open() returns";
            else if (name.endsWith("$MarkPoll")) phase = "open() to the first 200";
            else if (name.endsWith("$MarkDone")) phase = "after (second open, close)";
            String group = group(name);
            byPhase.computeIfAbsent(phase, p -> new LinkedHashMap<>()).merge(group, 1, Integer::sum);
        }
        System.out.println("classes loaded per phase (by package group):");
        for (var e : byPhase.entrySet()) {
            int total = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder top = new StringBuilder();
            e.getValue().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                    .forEach(g -> top.append(' ').append(g.getKey()).append('=').append(g.getValue()));
            System.out.printf(Locale.ROOT, "  %-28s %5d:%s%n", e.getKey(), total, top);
        }
    }

    private static String group(String className) {
        String[] parts = className.split("\\.");
        if (className.startsWith("io.lrok.")) return parts.length > 3 ? String.join(".", parts[0], parts[1], parts[2], parts[3]) : className;
        if (className.contains("$$Lambda") || className.contains("LambdaForm") || className.contains("$Species_")) return "lambda/invoke";
        return parts.length > 2 ? parts[0] + "." + parts[1] + "." + parts[2] : className;
    }

    /** Samples one thread's stack on a platform thread of its own: a wall-clock profile of that thread. */
    private static final class Sampler implements Runnable {
        private final Thread target;
        private final Thread thread;
        private final List<long[]> times = new ArrayList<>();
        private final List<StackTraceElement[]> stacks = new ArrayList<>();
        private volatile boolean stop;

        private Sampler(Thread target) {
            this.target = target;
            this.thread = Thread.ofPlatform().daemon().name("first-open-sampler").unstarted(this);
        }

        static Sampler start(Thread target) {
            Sampler s = new Sampler(target);
            s.thread.start();
            return s;
        }

        /** Samples of lrok's other threads (the relay's, the agent's; virtual ones too): per thread kind, causes. */
        private final Map<String, Map<String, Integer>> others = new LinkedHashMap<>();
        private int rounds;

        @Override
        public void run() {
            java.lang.reflect.Method threads = allThreads();
            while (!stop) {
                long t = System.nanoTime();
                StackTraceElement[] stack = target.getStackTrace();
                times.add(new long[] {t});
                stacks.add(stack);
                if (threads != null) sampleOthers(threads);
                LockSupport.parkNanos(SAMPLE_MICROS * 1_000);
            }
        }

        /**
         * Every thread of the JVM, virtual ones included, through the JDK's internal thread containers; null (and
         * only the opening thread sampled) unless the JVM runs with
         * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}, as bench/first-open runs it.
         */
        private static java.lang.reflect.Method allThreads() {
            try {
                Class<?> containers = Class.forName("jdk.internal.vm.ThreadContainers");
                Object root = containers.getMethod("root").invoke(null);
                java.lang.reflect.Method threads = Class.forName("jdk.internal.vm.ThreadContainer").getMethod("threads");
                threads.invoke(root);
                return threads;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        private void sampleOthers(java.lang.reflect.Method threads) {
            try {
                Object root = Class.forName("jdk.internal.vm.ThreadContainers").getMethod("root").invoke(null);
                @SuppressWarnings("unchecked")
                java.util.stream.Stream<Thread> all = (java.util.stream.Stream<Thread>) threads.invoke(root);
                rounds++;
                for (Thread th : all.toList()) {
                    if (th == target || !th.getName().startsWith("lrok-")) continue;
                    StackTraceElement[] s = th.getStackTrace();
                    if (s.length == 0 || kind(s).equals("waiting")) continue;
                    String name = th.getName().replaceAll("-[0-9a-f]{6,}", "-*").replaceAll("[0-9]+", "N");
                    others.computeIfAbsent(name, n -> new HashMap<>()).merge(cause(s), 1, Integer::sum);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join();
        }

        void report(long start, long opened, long answered) {
            // phase of each sample: the innermost landmark on its stack
            List<String> phaseOf = new ArrayList<>();
            for (StackTraceElement[] stack : stacks) phaseOf.add(phase(stack));
            System.out.printf(Locale.ROOT, "phases of the first open (%d samples every %d us; ms from the open):%n",
                    stacks.size(), SAMPLE_MICROS);
            int i = 0;
            while (i < stacks.size() && times.get(i)[0] < start) i++;
            while (i < stacks.size()) {
                String p = phaseOf.get(i);
                int j = i;
                while (j < stacks.size() && phaseOf.get(j).equals(p)) j++;
                long from = times.get(i)[0] - start;
                long to = (j < stacks.size() ? times.get(j)[0] : answered) - start;
                if (to - from >= 1_000_000 || j - i > 3) {
                    System.out.printf(Locale.ROOT, "  %7.1f - %7.1f  %6.1f ms  %s   [%s]%n", ms(from), ms(to),
                            ms(to - from), p, kinds(i, j));
                    for (String f : topFrames(i, j, TOP_FRAMES)) System.out.println("                               " + f);
                }
                i = j;
            }
            System.out.printf(Locale.ROOT, "  open() returned at %.1f ms, first 200 at %.1f ms%n", ms(opened - start),
                    ms(answered - start));
            if (rounds == 0) return;
            double msPerRound = ms(times.get(times.size() - 1)[0] - times.get(0)[0]) / rounds;
            System.out.printf(Locale.ROOT, "lrok's other threads while not waiting, from the open to the first 200 "
                    + "(%d rounds of samples, %.2f ms each):%n", rounds, msPerRound);
            others.forEach((name, causes) -> {
                int total = causes.values().stream().mapToInt(Integer::intValue).sum();
                System.out.printf(Locale.ROOT, "  %-40s %6.1f ms%n", name, total * msPerRound);
                causes.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .limit(TOP_FRAMES).forEach(e -> System.out.printf(Locale.ROOT, "        %5.1f ms %s%n",
                                e.getValue() * msPerRound, e.getKey()));
            });
        }

        /** What the samples [from, to) were doing, by kind, in percent: see {@link #kind}. */
        private String kinds(int from, int to) {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String k : List.of("waiting", "class loading", "indy linkage", "class init", "running")) counts.put(k, 0);
            for (int k = from; k < to; k++) counts.merge(kind(stacks.get(k)), 1, Integer::sum);
            StringBuilder b = new StringBuilder();
            counts.forEach((k, c) -> {
                if (c > 0) b.append(b.isEmpty() ? "" : ", ").append(k).append(' ').append(100 * c / (to - from)).append('%');
            });
            return b.toString();
        }

        /**
         * A sample's cause: the outermost static initialiser on the stack, else the innermost lrok or JSSE frame,
         * else the top frame; marked when the thread was waiting.
         */
        private static String cause(StackTraceElement[] s) {
            String why = null;
            for (int f = s.length - 1; f >= 0 && why == null; f--) {
                if (s[f].getMethodName().equals("<clinit>")) why = s[f].getClassName() + ".<clinit>";
            }
            for (StackTraceElement e : s) {
                if (why != null) break;
                if (e.getClassName().startsWith("io.lrok") || e.getClassName().startsWith("sun.security")
                        || e.getClassName().startsWith("javax.net")) {
                    why = e.getClassName() + "." + e.getMethodName();
                }
            }
            if (why == null) why = s[0].getClassName() + "." + s[0].getMethodName();
            return kind(s).equals("waiting") ? "(waiting) " + why : why;
        }

        /**
         * One sample's kind: waiting (parked, or blocked in a socket read or poll: for the peer), class loading
         * (finding, defining or linking a class), indy linkage (a lambda, string concatenation or pattern switch
         * bootstrapped: java.lang.invoke and the class-file API spinning a class), class init (in a static
         * initialiser), else running.
         */
        private static String kind(StackTraceElement[] stack) {
            if (stack.length == 0) return "running";
            String top = stack[0].getClassName() + "." + stack[0].getMethodName();
            if (top.equals("jdk.internal.misc.Unsafe.park") || top.startsWith("sun.nio.ch.Net.poll")
                    || top.startsWith("sun.nio.ch.SocketDispatcher.read")) {
                return "waiting";
            }
            for (int f = 0; f < Math.min(stack.length, 4); f++) { // an unmounted virtual thread: parked
                String m = stack[f].getClassName() + "." + stack[f].getMethodName();
                if (m.startsWith("java.lang.VirtualThread.park") || m.startsWith("jdk.internal.vm.Continuation.yield")
                        || m.startsWith("java.lang.VirtualThread.yield")) {
                    return "waiting";
                }
            }
            for (StackTraceElement e : stack) {
                String c = e.getClassName();
                String m = e.getMethodName();
                if (c.startsWith("java.lang.ClassLoader") || c.startsWith("jdk.internal.loader.")
                        || m.equals("findBootstrapClass") || m.startsWith("defineClass")) {
                    return "class loading";
                }
                if (c.startsWith("java.lang.invoke.") || c.startsWith("jdk.internal.classfile.")
                        || c.startsWith("java.lang.classfile.") || c.startsWith("java.lang.runtime.")) {
                    return "indy linkage";
                }
                if (m.equals("<clinit>")) return "class init";
            }
            return "running";
        }

        private static String phase(StackTraceElement[] stack) {
            for (StackTraceElement e : stack) {
                String m = e.getClassName() + "." + e.getMethodName();
                if (LANDMARKS.contains(m)) return m;
            }
            return stack.length > 0 ? "(outside: " + stack[0].getClassName() + "." + stack[0].getMethodName() + ")"
                    : "(no stack)";
        }

        /**
         * The most frequent causes over samples [from, to), with the time they stand for: the outermost static
         * initialiser on the stack, else the innermost lrok or JSSE frame, else the top frame.
         */
        private List<String> topFrames(int from, int to, int n) {
            Map<String, Integer> counts = new HashMap<>();
            for (int k = from; k < to; k++) {
                StackTraceElement[] s = stacks.get(k);
                if (s.length == 0) continue;
                counts.merge(cause(s), 1, Integer::sum);
            }
            double msPerSample = ms(times.get(Math.min(to, times.size() - 1))[0] - times.get(from)[0])
                    / Math.max(1, to - from);
            return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                    .thenComparing(Map.Entry.comparingByKey())).limit(n)
                    .map(e -> String.format(Locale.ROOT, "%5.1f ms %s", e.getValue() * msPerSample, e.getKey()))
                    .toList();
        }
    }
}
