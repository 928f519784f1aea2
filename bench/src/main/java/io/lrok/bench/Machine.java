package io.lrok.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** One line describing the machine a report was measured on: cores, CPU, memory, JDK, OS. */
final class Machine {
    private Machine() {
    }

    static String describe(String goVersion) {
        StringBuilder sb = new StringBuilder();
        sb.append(Runtime.getRuntime().availableProcessors()).append(" cores");
        String cpu = cpuModel();
        if (cpu != null) sb.append(" (").append(cpu).append(')');
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            sb.append(", ").append(String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / (double) (1L << 30)))
                    .append(" memory");
        }
        sb.append(", JDK ").append(Runtime.version()).append(" (").append(System.getProperty("java.vm.name"))
                .append(", max heap ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB)");
        sb.append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(' ').append(System.getProperty("os.arch"));
        if (goVersion != null) sb.append(", ").append(goVersion);
        return sb.toString();
    }

    /** How long {@link #otherWork()} watches the CPUs. */
    private static final Duration IDLE_CHECK = Duration.ofSeconds(1);
    /** Above this share of the CPUs busy with other work, the report warns that its figures are noisy. */
    private static final double BUSY_WARNING = 0.10;
    /** /proc/stat counts in USER_HZ ticks, 100 a second on Linux. */
    private static final long NANOS_PER_JIFFY = 10_000_000;

    /**
     * What share of the CPUs other work uses while this benchmark sits idle: the busy time in /proc/stat over one
     * second, less this JVM's own CPU time (its JIT and GC threads). On a 2-core machine a busy neighbour skews
     * every column, so the report says so.
     */
    static String otherWork() throws InterruptedException {
        var os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o ? o : null;
        long[] first = cpuTimes();
        long ownFirst = os == null ? 0 : os.getProcessCpuTime();
        Thread.sleep(IDLE_CHECK.toMillis()); // a sampling interval, not a wait for an event
        long[] second = cpuTimes();
        long ownNanos = os == null ? 0 : os.getProcessCpuTime() - ownFirst;
        if (first == null || second == null || second[0] == first[0]) return "CPU use by other work unknown";
        long total = second[0] - first[0];
        long busy = total - (second[1] - first[1]);
        double other = Math.max(0, busy - ownNanos / (double) NANOS_PER_JIFFY) / total;
        String text = String.format(Locale.ROOT, "other work used %.0f%% of the CPUs", 100 * other);
        return other > BUSY_WARNING ? text + " (figures are noisy)" : text;
    }

    /** {total, idle} jiffies of all CPUs, or null where /proc/stat is not there. */
    private static long[] cpuTimes() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]); // user .. steal
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
            return new long[] {total, idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
