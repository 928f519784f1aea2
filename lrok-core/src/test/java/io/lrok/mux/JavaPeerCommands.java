package io.lrok.mux;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lrok.testing.TestData;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The Java mirror of the yamuxpeer commands that open streams: each opens a stream on a {@link MuxSession}, asks
 * the peer for a service with the line {@code "<service> [args]\n"} and checks what comes back, as
 * {@code yamuxpeer/main.go} does. The peer (Go's yamuxpeer, or {@link JavaPeerServices}) serves the stream.
 */
final class JavaPeerCommands {

    /** What a bulk command moved: the byte count, the SHA-256 (hex) of the bytes, and how long it took. */
    record Transfer(long bytes, String sha256, Duration elapsed) {}

    private JavaPeerCommands() {}

    /** Opens a stream and writes its request line. */
    static MuxStream open(MuxSession session, String request) throws IOException {
        MuxStream stream = session.openStream();
        try {
            stream.getOutputStream().write((request + "\n").getBytes(UTF_8));
        } catch (IOException | RuntimeException e) {
            stream.reset();
            throw e;
        }
        return stream;
    }

    /**
     * {@code echo-many}: opens {@code n} streams at once, each on its virtual thread; each writes {@code size}
     * random bytes (on a second thread) while reading them back, half-closes, reads to EOF, and compares.
     *
     * @throws AssertionError naming how many streams failed and the first failure
     */
    static void echoMany(MuxSession session, int n, int size, Duration timeout) throws InterruptedException {
        long seed = System.nanoTime();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long streamSeed = seed + i;
            tasks.add(() -> {
                echoOnce(session, size, streamSeed);
                return null;
            });
        }
        List<Future<Void>> results;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            results = executor.invokeAll(tasks, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        int failed = 0;
        Throwable first = null;
        for (Future<Void> result : results) {
            try {
                result.get();
            } catch (ExecutionException | CancellationException e) {
                failed++;
                if (first == null) first = e instanceof ExecutionException ? e.getCause() : e;
            }
        }
        if (failed > 0) {
            throw new AssertionError(failed + " of " + n + " echo streams failed (or did not finish within "
                    + timeout + "), first: " + first, first);
        }
    }

    private static void echoOnce(MuxSession session, int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        try (MuxStream stream = open(session, "echo")) {
            CompletableFuture<Void> written = new CompletableFuture<>();
            Thread.ofVirtual().name("echo-writer-" + stream).start(() -> {
                try {
                    stream.getOutputStream().write(data);
                    stream.shutdownOutput();
                    written.complete(null);
                } catch (Throwable e) {
                    written.completeExceptionally(e);
                }
            });
            byte[] got = stream.getInputStream().readAllBytes(); // until the peer's FIN, after ours
            written.get();
            if (!Arrays.equals(got, data)) {
                throw new AssertionError(stream + ": the " + got.length + " bytes echoed differ from the "
                        + size + " sent");
            }
        }
    }

    /** {@code send}: asks for {@code sink n}, writes PATTERN(n), reads the peer's SHA-256 of it, closes. */
    static Transfer send(MuxSession session, long n) throws IOException {
        long start = System.nanoTime();
        try (MuxStream stream = open(session, "sink " + n)) {
            TestData.writePattern(stream.getOutputStream(), n);
            byte[] reply = stream.getInputStream().readNBytes(65);
            String text = new String(reply, UTF_8);
            if (reply.length != 65 || !text.endsWith("\n")) {
                throw new AssertionError(stream + ": bad sink reply '" + text + "'");
            }
            return new Transfer(n, text.strip(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** {@code recv}: asks for {@code source n} and reads until EOF, hashing. */
    static Transfer recv(MuxSession session, long n) throws IOException {
        long start = System.nanoTime();
        try (MuxStream stream = open(session, "source " + n)) {
            TestData.Sha256Sink sink = new TestData.Sha256Sink();
            stream.getInputStream().transferTo(sink);
            return new Transfer(sink.count(), sink.hex(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * {@code halfclose}: asks for {@code digest}, writes PATTERN(n), half-closes (FIN), then reads the peer's
     * SHA-256 reply and its FIN: we read after our own FIN.
     */
    static Transfer halfClose(MuxSession session, long n) throws IOException {
        long start = System.nanoTime();
        try (MuxStream stream = open(session, "digest")) {
            TestData.writePattern(stream.getOutputStream(), n);
            stream.shutdownOutput();
            String reply = new String(stream.getInputStream().readAllBytes(), UTF_8);
            if (reply.length() != 65 || !reply.endsWith("\n")) {
                throw new AssertionError(stream + ": bad digest reply '" + reply + "'");
            }
            return new Transfer(n, reply.strip(), Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
