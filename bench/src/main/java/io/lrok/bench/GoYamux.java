package io.lrok.bench;

import io.lrok.testing.ExternalPrograms;
import io.lrok.testing.GoPrograms;
import io.lrok.testing.GoYamuxBench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The hashicorp/yamux baseline: yamuxbench, a Go program in lrok-test-fixtures, built by {@link GoPrograms} and run
 * by {@link GoYamuxBench}: a yamux client and server in one process over loopback TCP, one JSON object of results.
 * Each {@link #run} is a fresh process.
 */
final class GoYamux {
    /** The longest one yamuxbench run may take. */
    private static final Duration RUN_LIMIT = Duration.ofMinutes(10);

    private final Path binary;
    private final String unavailable;

    private GoYamux(Path binary, String unavailable) {
        this.binary = binary;
        this.unavailable = unavailable;
    }

    /**
     * Builds yamuxbench (or finds it in GoPrograms' cache). Never throws: when there is no binary (no Go, no
     * yamux source, a failed build), {@link #unavailable()} says why.
     */
    static GoYamux locate() {
        if (ExternalPrograms.findOnPath("go").isEmpty()) {
            return new GoYamux(null, "no 'go' command on the PATH; " + GoPrograms.INSTALL_HINT);
        }
        if (!Files.isRegularFile(GoPrograms.yamuxSource().resolve("session.go"))) {
            return new GoYamux(null, "no hashicorp/yamux source in " + GoPrograms.yamuxSource() + "; " + GoPrograms.INSTALL_HINT);
        }
        try {
            return new GoYamux(GoPrograms.build(GoYamuxBench.PROGRAM), null);
        } catch (RuntimeException | AssertionError e) { // a skip (TestAbortedException), a failed build
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            return new GoYamux(null, reason.lines().findFirst().orElse(reason));
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
     * @return the fields of its JSON output
     * @throws IOException if it fails or prints no result
     */
    Map<String, Double> run(String measurement, long bytes, Duration duration, int window) throws IOException {
        if (binary == null) throw new IllegalStateException("no yamuxbench: " + unavailable);
        try {
            return GoYamuxBench.run(RUN_LIMIT, "-only", measurement, "-bytes", Long.toString(bytes),
                    "-duration", duration.toMillis() + "ms", "-window", Integer.toString(window));
        } catch (AssertionError e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            throw new IOException(message.lines().findFirst().orElse(message), e);
        }
    }

    /** @return the Go version the binary was built with ({@code go version BINARY}), or null if unknown */
    String goVersion() {
        if (binary == null) return null;
        try {
            Process process = new ProcessBuilder("go", "version", binary.toString()).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor() != 0) return null;
            int colon = out.lastIndexOf(": "); // "BINARY: go1.19.8"
            return colon < 0 ? out : out.substring(colon + 2);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
