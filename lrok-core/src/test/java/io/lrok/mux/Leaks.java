package io.lrok.mux;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that tests leave nothing behind: heap use after a full collection, and a session's virtual threads
 * (which {@code Thread.getAllStackTraces()} does not list; the JDK's JSON thread dump does).
 */
final class Leaks {
    private static final Pattern SESSION_NAME = Pattern.compile("^MuxSession\\[([^,\\]]+)");

    private Leaks() {}

    /** Bytes of heap in use after asking twice for a full collection; compare two calls with generous bounds. */
    static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Waits until the session's reader and control writer threads have ended. */
    static void awaitSessionThreadsGone(MuxSession session, Duration timeout) {
        Matcher m = SESSION_NAME.matcher(session.toString());
        if (!m.find()) throw new AssertionError("cannot tell the session's name from " + session);
        String reader = "\"lrok-mux-reader-" + m.group(1) + "\"";
        String writer = "\"lrok-mux-writer-" + m.group(1) + "\"";
        Await.until(timeout, () -> {
            String dump = threadDump();
            return !dump.contains(reader) && !dump.contains(writer);
        }, "the threads of " + session + " have ended");
    }

    private static String threadDump() {
        try {
            Path dir = Files.createTempDirectory("lrok-threads");
            Path file = dir.resolve("dump.json");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                return Files.readString(file);
            } finally {
                Files.deleteIfExists(file);
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
