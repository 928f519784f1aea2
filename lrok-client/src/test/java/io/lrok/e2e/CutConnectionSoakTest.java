package io.lrok.e2e;

import static io.lrok.e2e.RawLocalApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.ConnectionState;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import io.lrok.testing.FaultyProxy;
import io.lrok.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Soak: at least {@value #TARGET_MIB} MiB through {@value #CLIENTS} concurrent public clients while the agent's
 * connection to the relay is cut every {@link #CUT_EVERY}. Every exchange that completes must carry exactly the bytes
 * the app sent for that request (its id, then a known pattern, checked by SHA-256); every other must fail with an
 * error the client can see: a refused or reset connection, a body shorter than its Content-Length, or an error
 * status from the relay. Never wrong data.
 *
 * <p>Tagged {@code soak}: not part of {@code ./build verify}. Run it with
 * {@code ./build -q -B test -pl lrok-client -Dlrok.test.excludedGroups= -Dgroups=soak}; it prints its figures.
 */
@Tag("soak")
@Timeout(600)
class CutConnectionSoakTest {
    static final int CLIENTS = 200;
    static final long TARGET_MIB = 2_048;
    static final Duration CUT_EVERY = Duration.ofSeconds(3);
    /** The test gives up (and fails) if the target is not reached in this time. */
    static final Duration TIME_LIMIT = Duration.ofMinutes(6);
    /** Response bodies are 16 KiB to 2 MiB: many exchanges, and many of them cut mid-body. */
    static final int MIN_BODY = 16 * 1024;
    static final int MAX_BODY = 2 * 1024 * 1024;
    static final long SEED = 20261124L;
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)");

    /** The app's answer to /blob/{id}/{size}: the line {@code id\n}, then {@code size} pattern bytes. */
    private static void blob(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().split("/");
        byte[] id = (parts[2] + "\n").getBytes(StandardCharsets.US_ASCII);
        long size = Long.parseLong(parts[3]);
        exchange.sendResponseHeaders(200, id.length + size);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(id);
            TestData.writePattern(out, size);
        }
    }

    @Test
    void everyCompletedExchangeIsIntactWhileTheConnectionIsCutEveryFewSeconds() throws Exception {
        Map<Long, String> patternSha = new ConcurrentHashMap<>();
        AtomicLong completedBytes = new AtomicLong();
        AtomicInteger completed = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger cuts = new AtomicInteger();

        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").start();
             FaultyProxy network = FaultyProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                     relay.agentPort()));
             LocalHttpApp app = LocalHttpApp.start(CutConnectionSoakTest::blob);
             Tunnel tunnel = Tunnel.http(app.port())
                     .relay(URI.create("lrok://127.0.0.1:" + network.address().getPort()))
                     .trustStore(relay.trustStore())
                     .reconnect(ReconnectE2eTest.FAST)
                     .open()) {
            URI url = tunnel.publicUrl();
            int httpPort = relay.httpPort();
            long start = System.nanoTime();
            List<Thread> clients = new ArrayList<>();
            AtomicInteger ids = new AtomicInteger();
            for (int c = 0; c < CLIENTS; c++) {
                SplittableRandom random = new SplittableRandom(SEED + c);
                clients.add(Thread.ofVirtual().name("soak-client-" + c).start(() -> {
                    while (!stop.get()) {
                        int id = ids.incrementAndGet();
                        int size = MIN_BODY + random.nextInt(MAX_BODY - MIN_BODY + 1);
                        String outcome = fetch(httpPort, url, id, size, patternSha);
                        switch (outcome) {
                            case "ok" -> {
                                completed.incrementAndGet();
                                completedBytes.addAndGet(size);
                            }
                            case String s when s.startsWith("WRONG") -> wrong.add(s);
                            default -> failures.merge(outcome, 1, Integer::sum);
                        }
                    }
                }));
            }
            // A cut every CUT_EVERY, on a schedule (a timer, not a wait for an event).
            var cutter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            cutter.scheduleAtFixedRate(() -> {
                network.cut();
                cuts.incrementAndGet();
            }, CUT_EVERY.toMillis(), CUT_EVERY.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            try {
                Await.until("at least " + TARGET_MIB + " MiB in intact exchanges", TIME_LIMIT,
                        () -> completedBytes.get() >= TARGET_MIB << 20 || !wrong.isEmpty());
            } finally {
                stop.set(true);
                cutter.shutdownNow();
                for (Thread t : clients) t.join(E2e.WAIT);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("soak: %,d MiB in %,d intact exchanges, %,d failed cleanly %s, %d cuts, %.1f s, "
                    + "%.0f MiB/s%n", completedBytes.get() >> 20, completed.get(),
                    failures.values().stream().mapToInt(Integer::intValue).sum(), failures, cuts.get(), seconds,
                    (completedBytes.get() >> 20) / seconds);
            assertThat(wrong).as("exchanges that completed with wrong data").isEmpty();
            assertThat(completedBytes.get()).isGreaterThanOrEqualTo(TARGET_MIB << 20);
            assertThat(cuts.get()).as("cuts while the data moved").isGreaterThanOrEqualTo(2);
            assertThat(tunnel.publicUrl()).as("the URL survived every cut").isEqualTo(url);
            Await.until("connected after the last cut", E2e.WAIT,
                    () -> tunnel.connectionState() == ConnectionState.CONNECTED);
        }
    }

    /**
     * One exchange on a new public connection.
     *
     * @return "ok", "WRONG ..." for wrong data, or the kind of clean failure
     */
    private static String fetch(int httpPort, URI url, int id, int size, Map<Long, String> patternSha) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), httpPort)) {
            socket.setSoTimeout((int) E2e.WAIT.toMillis());
            socket.getOutputStream().write(ascii("GET /blob/" + id + "/" + size + " HTTP/1.1\r\nHost: "
                    + url.getAuthority() + "\r\nConnection: close\r\n\r\n"));
            InputStream in = socket.getInputStream();
            String head = RawLocalApp.readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            if (status != 200) return "status " + status;
            Matcher length = CONTENT_LENGTH.matcher(head);
            if (!length.find()) return "WRONG " + id + ": a 200 without Content-Length: " + head;
            long declared = Long.parseLong(length.group(1));
            byte[] expectedId = (id + "\n").getBytes(StandardCharsets.US_ASCII);
            if (declared != expectedId.length + size) return "WRONG " + id + ": Content-Length " + declared;
            byte[] gotId = in.readNBytes(expectedId.length);
            if (gotId.length < expectedId.length) return "truncated";
            if (!java.util.Arrays.equals(gotId, expectedId)) {
                return "WRONG " + id + ": the body of another request (" + new String(gotId, StandardCharsets.US_ASCII)
                        .strip() + ")";
            }
            TestData.Sha256Sink sink = new TestData.Sha256Sink();
            in.transferTo(sink);
            if (sink.count() < size) return "truncated";
            if (sink.count() > size) return "WRONG " + id + ": " + sink.count() + " bytes for " + size;
            String expected = patternSha.computeIfAbsent((long) size, TestData::patternSha256);
            return sink.hex().equals(expected) ? "ok" : "WRONG " + id + ": SHA-256 mismatch";
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}
