package io.lrok.mux;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lrok.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Java side of the yamuxpeer stream services: accepts the streams the Go peer opens on a {@link MuxSession} and
 * serves each on its own virtual thread, as {@code yamuxpeer/main.go} does for streams opened towards it. The
 * opener first writes one line {@code "<service> [args]\n"}:
 *
 * <ul>
 *   <li>{@code echo}: copies everything back until the opener's FIN, then closes (FIN).</li>
 *   <li>{@code sink N}: reads exactly N bytes, writes {@code "<sha256 hex>\n"}, reads until EOF, closes.</li>
 *   <li>{@code source N}: writes PATTERN(N), then closes (FIN).</li>
 *   <li>{@code digest}: reads until EOF, then writes {@code "<sha256 hex>\n"} and closes: it writes after the
 *       peer's FIN.</li>
 *   <li>{@code hold}: reads and writes nothing more; the stream is handed to the test ({@link #awaitHeld}).</li>
 *   <li>{@code expect-reset}: reads until an error; records event {@code "reset <id>"} for a
 *       {@link StreamResetException}, else {@code "eof <id> <what>"}.</li>
 * </ul>
 *
 * <p>Events, as the Go peer prints them without the {@code EVENT} prefix: {@code reset <id>}, {@code eof <id> ...},
 * {@code bad-service <line>}, {@code service-error <id> <service> <error>}. Tests wait for them with
 * {@link #awaitEvent} and check {@link #serviceErrors()} at the end.
 *
 * <p>Locking: {@code lock} guards {@code unconsumed} and {@code all}; nothing else is done while holding it.
 */
final class JavaPeerServices implements AutoCloseable {
    private static final int MAX_REQUEST_LINE = 1024;

    private final MuxSession session;
    private final Thread acceptor;
    private final LinkedBlockingQueue<MuxStream> held = new LinkedBlockingQueue<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition eventAdded = lock.newCondition();
    private final List<String> unconsumed = new ArrayList<>();
    private final List<String> all = new ArrayList<>();

    private JavaPeerServices(MuxSession session) {
        this.session = session;
        this.acceptor = Thread.ofVirtual().name("java-peer-accept").unstarted(this::acceptLoop);
    }

    /** Starts accepting and serving the streams the peer opens on {@code session}, until it closes. */
    static JavaPeerServices start(MuxSession session) {
        JavaPeerServices services = new JavaPeerServices(session);
        services.acceptor.start();
        return services;
    }

    /** Waits for the next stream that asked for {@code hold}; the caller owns it from now on. */
    MuxStream awaitHeld(Duration timeout) throws InterruptedException {
        MuxStream stream = held.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (stream == null) throw new AssertionError("no 'hold' stream within " + timeout + "; events: " + events());
        return stream;
    }

    /** Waits for the first event starting with {@code prefix} that no earlier call returned, and returns it. */
    String awaitEvent(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Iterator<String> it = unconsumed.iterator(); it.hasNext(); ) {
                    String event = it.next();
                    if (event.startsWith(prefix)) {
                        it.remove();
                        return event;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no event '" + prefix + "' within " + timeout + "; events: " + all);
                }
                eventAdded.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return every event so far, in order */
    List<String> events() {
        lock.lock();
        try {
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    /** @return the {@code service-error} and {@code bad-service} events so far */
    List<String> serviceErrors() {
        return events().stream().filter(e -> e.startsWith("service-error") || e.startsWith("bad-service")).toList();
    }

    /** Stops accepting; streams being served carry on until the session closes. */
    @Override
    public void close() throws InterruptedException {
        acceptor.interrupt();
        if (!acceptor.join(Duration.ofSeconds(5))) throw new AssertionError("the accept loop did not stop");
    }

    // ---- serving -------------------------------------------------------------------------------------------

    private void acceptLoop() {
        while (true) {
            MuxStream stream;
            try {
                stream = session.acceptStream();
            } catch (InterruptedIOException e) {
                return; // closed
            } catch (IOException e) {
                return; // the session ended
            }
            String name = "java-peer-stream-" + Integer.toUnsignedString(stream.id());
            Thread.ofVirtual().name(name).start(() -> serve(stream));
        }
    }

    private void serve(MuxStream stream) {
        String id = Integer.toUnsignedString(stream.id());
        String request;
        try {
            request = readLine(stream.getInputStream());
        } catch (IOException e) {
            event("service-error " + id + " - request line: " + e);
            stream.close();
            return;
        }
        String[] fields = request.strip().split(" +");
        String service = fields[0];
        boolean keepOpen = false;
        try {
            switch (service) {
                case "echo" -> stream.getInputStream().transferTo(stream.getOutputStream());
                case "sink" -> {
                    long n = Long.parseLong(fields[1]);
                    TestData.Sha256Sink sha = new TestData.Sha256Sink();
                    long got = copy(stream.getInputStream(), sha, n);
                    if (got < n) throw new IOException("EOF after " + got + " of " + n + " bytes");
                    stream.getOutputStream().write((sha.hex() + "\n").getBytes(UTF_8));
                    stream.getInputStream().transferTo(OutputStream.nullOutputStream());
                }
                case "source" -> TestData.writePattern(stream.getOutputStream(), Long.parseLong(fields[1]));
                case "digest" -> {
                    TestData.Sha256Sink sha = new TestData.Sha256Sink();
                    stream.getInputStream().transferTo(sha);
                    stream.getOutputStream().write((sha.hex() + "\n").getBytes(UTF_8));
                }
                case "hold" -> {
                    keepOpen = true;
                    held.add(stream);
                }
                case "expect-reset" -> {
                    try {
                        stream.getInputStream().transferTo(OutputStream.nullOutputStream());
                        event("eof " + id + " EOF");
                    } catch (StreamResetException e) {
                        event("reset " + id);
                    } catch (IOException e) {
                        event("eof " + id + " " + e);
                    }
                }
                default -> event("bad-service " + request);
            }
        } catch (IOException | RuntimeException e) {
            event("service-error " + id + " " + service + " " + e);
        } finally {
            if (!keepOpen) stream.close();
        }
    }

    /** Reads one request line byte by byte, so that nothing after it is consumed. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new IOException("EOF inside the request line '" + line.toString(UTF_8) + "'");
            if (line.size() == MAX_REQUEST_LINE) throw new IOException("request line longer than " + MAX_REQUEST_LINE);
            line.write(b);
        }
        return line.toString(UTF_8);
    }

    /** Copies up to {@code n} bytes; returns how many (fewer at EOF). */
    static long copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long done = 0;
        while (done < n) {
            int k = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (k < 0) break;
            out.write(buf, 0, k);
            done += k;
        }
        return done;
    }

    private void event(String event) {
        lock.lock();
        try {
            unconsumed.add(event);
            all.add(event);
            eventAdded.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
