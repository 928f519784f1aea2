package io.lrok.bench;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hashicorp/yamux baseline: yamuxbench, a Go program shipped in lrok-test-fixtures and built by
 * {@code io.lrok.testing.GoPrograms}, runs a yamux client and server in one process over loopback TCP and prints
 * one JSON object of results. Each {@link #run} is a fresh process.
 */
final class GoYamux {
    /** The longest one yamuxbench run may take. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(-?[0-9.eE+-]+)");

    private final Path binary;
    private final String unavailable;

    private GoYamux(Path binary, String unavailable) {
        this.binary = binary;
        this.unavailable = unavailable;
    }

    /**
     * Finds the yamuxbench binary: {@code override} if given, otherwise built by GoPrograms. Never throws: when
     * there is no binary, {@link #unavailable()} says why.
     */
    static GoYamux locate(Path override) {
        if (override != null) {
            return Files.isExecutable(override) ? new GoYamux(override, null)
                    : new GoYamux(null, override + " is not an executable file");
        }
        try {
            return new GoYamux(buildWithGoPrograms(), null);
        } catch (Exception | LinkageError e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            return new GoYamux(null, reason.lines().findFirst().orElse(reason));
        }
    }

    /**
     * GoPrograms is being added to lrok-test-fixtures on another branch; until it is in main it is looked up by
     * name, so that this module compiles either way.
     */
    private static Path buildWithGoPrograms() throws Exception {
        Class<?> goPrograms;
        try {
            goPrograms = Class.forName("io.lrok.testing.GoPrograms");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("io.lrok.testing.GoPrograms is not in lrok-test-fixtures yet");
        }
        try {
            return (Path) goPrograms.getMethod("build", String.class).invoke(null, "yamuxbench");
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    boolean available() {
        return binary != null;
    }

    /** @return why there is no binary, or null when there is one */
    String unavailable() {
        return unavailable;
    }

    Path binary() {
        return binary;
    }

    /**
     * Runs yamuxbench for one measurement.
     *
     * @param measurement one of bulk_single, bulk_64, open_close, idle_stream_heap
     * @return the numeric fields of its JSON output
     * @throws IOException if it fails or prints no result
     */
    Map<String, Double> run(String measurement, long bytes, Duration duration, int window)
            throws IOException, InterruptedException {
        if (binary == null) throw new IllegalStateException("no yamuxbench: " + unavailable);
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-only", measurement,
                "-bytes", Long.toString(bytes), "-duration", duration.toMillis() + "ms", "-window", Integer.toString(window)));
        Path stderr = Files.createTempFile("yamuxbench-", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(RUN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("yamuxbench " + measurement + " ran longer than " + RUN_LIMIT.toMinutes() + " min");
            }
            if (process.exitValue() != 0) {
                List<String> log = Files.readAllLines(stderr);
                throw new IOException("yamuxbench " + measurement + " exited with " + process.exitValue() + ": "
                        + (log.isEmpty() ? "no message" : log.getLast()));
            }
            Map<String, Double> fields = new HashMap<>();
            Matcher m = NUMBER_FIELD.matcher(stdout);
            while (m.find()) fields.put(m.group(1), Double.parseDouble(m.group(2)));
            if (fields.isEmpty()) throw new IOException("yamuxbench " + measurement + " printed no result: " + stdout);
            return fields;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    /** @return the Go version the binary was built with ({@code go version BINARY}), or null if unknown */
    String goVersion() {
        if (binary == null) return null;
        try {
            Process process = new ProcessBuilder("go", "version", binary.toString()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor() != 0) return null;
            // "BINARY: go1.19.8"
            int colon = out.lastIndexOf(": ");
            return colon < 0 ? out : out.substring(colon + 2);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
