package io.lrok.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
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
