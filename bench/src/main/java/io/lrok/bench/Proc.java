package io.lrok.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, from Linux's /proc; 0 when the process is gone. */
final class Proc {
    /** /proc/PID/stat counts in USER_HZ ticks, 100 a second on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000;

    private Proc() {
    }

    /** @return utime + stime of the process, in nanoseconds */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK; // fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** @return VmRSS of the process, in bytes */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
