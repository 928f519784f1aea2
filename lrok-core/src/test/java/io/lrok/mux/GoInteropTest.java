package io.lrok.mux;

import io.lrok.testing.Await;
import static io.lrok.testing.GoYamuxPeer.keyValues;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.testing.GoYamuxPeer;
import io.lrok.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Java ↔ hashicorp/yamux (Go, the 2019 Debian copy) over loopback TCP, in both roles: Java dials a Go server, and a
 * Go client dials Java. The Go side is {@link GoYamuxPeer}; the Java side serves the same stream services
 * ({@link JavaPeerServices}) and mirrors the Go commands that open streams ({@link JavaPeerCommands}).
 *
 * <p>Without Go or the yamux source the tests are skipped with a message (and fail with {@code LROK_STRICT_TESTS=1},
 * as in CI): every test starts its Go peer through {@link GoYamuxPeer}, which checks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GoInteropTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final int WINDOW = MuxConfig.INITIAL_STREAM_WINDOW;
    private static final int FRAME = MuxConfig.defaults().maxSendFrameSize();
    private static final long BULK = 256L * 1024 * 1024;

    /** Who dials whom. */
    enum Role {
        JAVA_CLIENT("Java client -> Go server"),
        JAVA_SERVER("Go client -> Java server");

        private final String text;

        Role(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A Java session and a Go peer connected to each other; Java serves the peer's streams. */
    static final class Interop implements AutoCloseable {
        private final GoYamuxPeer go;
        private final MuxSession java;
        private final JavaPeerServices services;
        /** Set by {@link #assertClean()}: {@link #close()} then checks Go's whole stderr once the process ended. */
        private boolean expectClean;

        private Interop(GoYamuxPeer go, MuxSession java, JavaPeerServices services) {
            this.go = go;
            this.java = java;
            this.services = services;
        }

        GoYamuxPeer go() {
            return go;
        }

        MuxSession java() {
            return java;
        }

        /** @return the Java services, null if {@code connect} was told not to serve */
        JavaPeerServices services() {
            return services;
        }

        static Interop connect(Role role, MuxConfig config, String... goFlags) throws IOException {
            return connect(role, config, true, goFlags);
        }

        static Interop connect(Role role, String... goFlags) throws IOException {
            return connect(role, MuxConfig.defaults(), goFlags);
        }

        /** With {@code serve} false, nobody accepts the streams Go opens: they wait in Java's accept backlog. */
        static Interop connect(Role role, MuxConfig config, boolean serve, String... goFlags) throws IOException {
            GoYamuxPeer go = null;
            MuxSession java = null;
            try {
                if (role == Role.JAVA_CLIENT) {
                    go = GoYamuxPeer.server(goFlags);
                    java = MuxSession.client(new Socket(go.address().getAddress(), go.address().getPort()), config);
                } else {
                    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                        listener.setSoTimeout((int) T.toMillis());
                        InetSocketAddress address =
                                new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
                        go = GoYamuxPeer.client(address, goFlags);
                        java = MuxSession.server(listener.accept(), config);
                    }
                }
                go.awaitReady(T);
                return new Interop(go, java, serve ? JavaPeerServices.start(java) : null);
            } catch (IOException | RuntimeException | Error e) {
                if (java != null) java.close();
                if (go != null) go.close();
                throw e;
            }
        }

        /**
         * Neither side saw anything wrong: no service errors on either side, no {@code [ERR]} from yamux in Go. Go's
         * stderr arrives on its own pipe, so {@link #close()} checks it again once the process has ended.
         */
        void assertClean() {
            expectClean = true;
            if (services != null) assertThat(services.serviceErrors()).as("Java service errors").isEmpty();
            assertThat(go.events()).as("Go events").noneMatch(e -> e.startsWith("EVENT service-error")
                    || e.startsWith("EVENT bad-service"));
            assertThat(go.recentStderr()).as("Go stderr").doesNotContain("[ERR]");
        }

        /** Fails at once if the Java session has ended, with its reason; for conditions that wait. */
        void assertJavaOpen() {
            if (java.isClosed()) {
                throw new AssertionError("the Java session ended: " + java.whenClosed().join().getMessage());
            }
        }

        /** Waits until both sides have forgotten every stream (FINs both ways, or RST). */
        void awaitNoStreams() {
            Await.until("Java has no streams left (" + java + ")", T, () -> java.streamCount() == 0);
            Await.until("Go has no streams left", T, () -> keyValues(go.call("stats", T)).get("streams").equals("0"));
        }

        @Override
        public void close() throws InterruptedException {
            try {
                if (services != null) services.close();
            } finally {
                java.close();
                go.close();
            }
            if (expectClean) assertThat(go.recentStderr()).as("Go stderr, whole").doesNotContain("[ERR]");
        }
    }

    // ---- 1. many concurrent streams ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void thousandConcurrentStreamsEchoEachWay(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            CompletableFuture<String> goOpens = p.go().callAsync("echo-many 1000 40000");
            JavaPeerCommands.echoMany(p.java(), 1000, 40_000, T);
            assertThat(goOpens.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo("streams=1000");
            // Fewer streams, each well beyond its window: flow control on many streams at once.
            goOpens = p.go().callAsync("echo-many 50 1000000");
            JavaPeerCommands.echoMany(p.java(), 50, 1_000_000, T);
            assertThat(goOpens.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo("streams=50");
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    // ---- 2. bulk -----------------------------------------------------------------------------------------------

    /**
     * 256 MiB each way at once, checked by SHA-256. The four ways to move bulk (who opens × which direction) are
     * split between the roles so each is done once at full size; each role also does the other two at 16 MiB.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bulkEachWayCheckedBySha256(Role role) throws Exception {
        long small = 16L * 1024 * 1024;
        boolean javaOpensBig = role == Role.JAVA_CLIENT;
        long javaOpens = javaOpensBig ? BULK : small;
        long goOpens = javaOpensBig ? small : BULK;
        try (Interop p = Interop.connect(role)) {
            CompletableFuture<String> goSend = p.go().callAsync("send " + goOpens); // Go -> Java sink
            CompletableFuture<String> goRecv = p.go().callAsync("recv " + goOpens); // Java source -> Go
            var javaSend = AppThread.start("java-send", () -> JavaPeerCommands.send(p.java(), javaOpens)); // to sink
            var javaRecv = AppThread.start("java-recv", () -> JavaPeerCommands.recv(p.java(), javaOpens)); // source
            // Pings are answered ahead of the queued data, both ways (Java's ping() gives up after 10 s).
            Duration javaPing = Duration.ZERO;
            long goPingMicros = 0;
            for (int i = 0; i < 3; i++) {
                javaPing = max(javaPing, p.java().ping());
                goPingMicros = Math.max(goPingMicros, Long.parseLong(keyValues(p.go().call("ping", T)).get("rtt_us")));
            }

            JavaPeerCommands.Transfer sent = javaSend.await(Duration.ofSeconds(100));
            assertThat(sent.sha256()).as("Java -> Go sink").isEqualTo(TestData.patternSha256(javaOpens));
            JavaPeerCommands.Transfer received = javaRecv.await(Duration.ofSeconds(100));
            assertThat(received.bytes()).isEqualTo(javaOpens);
            assertThat(received.sha256()).as("Go source -> Java").isEqualTo(TestData.patternSha256(javaOpens));
            Map<String, String> goSent = keyValues(goSend.get(100, TimeUnit.SECONDS));
            assertThat(goSent).as("Go send -> Java sink").containsEntry("sha", TestData.patternSha256(goOpens));
            Map<String, String> goReceived = keyValues(goRecv.get(100, TimeUnit.SECONDS));
            assertThat(goReceived).as("Go recv <- Java source").containsEntry("sha", TestData.patternSha256(goOpens));
            System.out.printf("bulk, %s, all four at once: Java send %d MiB %d ms, Java recv %d MiB %d ms, "
                            + "Go send %d MiB %s ms, Go recv %d MiB %s ms; slowest ping Java %d ms, Go %d ms%n",
                    role, mib(javaOpens), sent.elapsed().toMillis(), mib(javaOpens), received.elapsed().toMillis(),
                    mib(goOpens), goSent.get("ms"), mib(goOpens), goReceived.get("ms"), javaPing.toMillis(),
                    goPingMicros / 1000);
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    // ---- 3. half-close -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void halfCloseEachWay(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            for (long n : new long[] {0, 1, WINDOW + 1, 3_000_017}) {
                // Java writes, sends FIN, then reads Go's digest reply: Java reads after its own FIN.
                assertThat(JavaPeerCommands.halfClose(p.java(), n).sha256()).as("Java halfclose %d", n)
                        .isEqualTo(TestData.patternSha256(n));
                // Go writes and sends FIN; Java's digest service reads to EOF and replies after Go's FIN.
                assertThat(p.go().call("halfclose " + n, T)).as("Go halfclose %d", n)
                        .isEqualTo("sha=" + TestData.patternSha256(n));
            }
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    /**
     * Java closes a stream Go is still sending on: Java discards the rest and gives the window back at once, so
     * Go's {@code source} finishes and both sides forget the stream.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void javaCloseWhileGoStillSendsLetsGoFinish(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            MuxStream stream = JavaPeerCommands.open(p.java(), "source " + 8 * 1024 * 1024);
            stream.setReadTimeout(T);
            assertThat(stream.getInputStream().readNBytes(1000)).isEqualTo(TestData.patternBytes(1000));
            stream.close();
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    // ---- 4. RST ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void javaResetReachesGo(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            MuxStream stream = JavaPeerCommands.open(p.java(), "expect-reset");
            // More than a window: this returns only once Go's expect-reset service has read half of it, so the
            // reset cannot overtake the request line.
            TestData.writePattern(stream.getOutputStream(), WINDOW);
            stream.reset();
            assertThat(p.go().awaitEvent("reset", T)).isEqualTo("EVENT reset " + Integer.toUnsignedString(stream.id()));
            assertThatThrownBy(() -> stream.getOutputStream().write(1)).isInstanceOf(StreamResetException.class);
            assertThatThrownBy(() -> stream.getInputStream().read()).isInstanceOf(StreamResetException.class);
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    /** hashicorp resets the SYNs that overflow its accept backlog: the Java streams fail with the reset. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void goResetsStreamsBeyondItsAcceptBacklog(Role role) throws Exception {
        try (Interop p = Interop.connect(role, "-accept-backlog", "2")) {
            p.go().call("pause-accept", T);
            List<MuxStream> served = new ArrayList<>();
            served.add(JavaPeerCommands.open(p.java(), "echo"));
            // Go's accept goroutine takes this one and holds it; the next two wait in its backlog.
            assertThat(p.go().awaitEvent("accept-held", T))
                    .isEqualTo("EVENT accept-held " + Integer.toUnsignedString(served.get(0).id()));
            served.add(JavaPeerCommands.open(p.java(), "echo"));
            served.add(JavaPeerCommands.open(p.java(), "echo"));
            List<MuxStream> overflow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                MuxStream stream = p.java().openStream();
                overflow.add(stream);
                try {
                    stream.getOutputStream().write("echo\n".getBytes(UTF_8));
                } catch (StreamResetException alreadyReset) {
                    // the RST may come back before the request line is written
                }
            }
            for (MuxStream stream : overflow) {
                stream.setReadTimeout(T); // a bound: a stream that is never reset fails with MuxTimeoutException
                assertThatThrownBy(() -> stream.getInputStream().read()).as("%s", stream)
                        .isInstanceOf(StreamResetException.class).hasMessageContaining("reset by the peer");
                assertThatThrownBy(() -> stream.getOutputStream().write(1)).isInstanceOf(StreamResetException.class);
            }
            Await.until("Java forgot the reset streams", T, () -> p.java().streamCount() == 3);
            assertThat(keyValues(p.go().call("stats", T))).containsEntry("streams", "3");

            // The held and backlogged streams were only delayed.
            p.go().call("resume-accept", T);
            for (MuxStream stream : served) {
                byte[] hello = ("hello " + stream.id()).getBytes(UTF_8);
                stream.getOutputStream().write(hello);
                stream.shutdownOutput();
                stream.setReadTimeout(T);
                assertThat(stream.getInputStream().readAllBytes()).isEqualTo(hello);
                stream.close();
            }
            p.awaitNoStreams();
            Await.until("Go logs the overflow", T, () -> p.go().recentStderr().contains("backlog exceeded"));
            p.assertClean();
        }
    }

    /** The mirror image: Java refuses the SYNs past its accept backlog with RST, which Go reads as a reset. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void javaResetsStreamsBeyondItsAcceptBacklog(Role role) throws Exception {
        MuxConfig config = MuxConfig.defaults().withAcceptBacklog(2);
        try (Interop p = Interop.connect(role, config, false)) {
            List<CompletableFuture<String>> opens = new ArrayList<>();
            for (int i = 0; i < 2; i++) opens.add(p.go().callAsync("open-reset-expected hold"));
            Await.until("two streams wait in Java's backlog", T, () -> p.java().streamCount() == 2);
            CompletableFuture<String> third = p.go().callAsync("open-reset-expected hold");
            assertThat(third.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo("reset=true");
            p.java().ping();
            assertThat(opens).noneMatch(CompletableFuture::isDone);
            assertThat(p.java().streamCount()).isEqualTo(2);

            // The waiting streams were only delayed: accepted now, they carry the request line.
            for (int i = 0; i < 2; i++) {
                MuxStream accepted = p.java().acceptStream(T);
                accepted.setReadTimeout(T);
                assertThat(accepted.getInputStream().readNBytes(5)).isEqualTo("hold\n".getBytes(UTF_8));
            }
            p.assertClean();
        }
    }

    // ---- 5. pings ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void pingsEachWay(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            for (int i = 0; i < 3; i++) {
                assertThat(p.java().ping()).isPositive().isLessThan(T);
                assertThat(Long.parseLong(keyValues(p.go().call("ping", T)).get("rtt_us"))).isNotNegative();
            }
            p.assertClean();
        }
    }

    // ---- 6. GoAway ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void goAwayFromGoStopsJavaOpeningAndKeepsStreams(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            MuxStream existing = JavaPeerCommands.open(p.java(), "echo");
            p.java().ping(); // Go has seen the SYN: a SYN that reaches hashicorp after its GoAway is reset
            assertThat(p.go().call("goaway", T)).isEmpty();
            p.java().ping(); // Go wrote the GoAway before it answers this ping
            assertThat(p.java().isRemoteGoAway()).isTrue();
            assertThatThrownBy(() -> p.java().openStream())
                    .isInstanceOf(MuxException.class).hasMessageContaining("GoAway");

            assertEchoes(existing, "still open after GoAway");
            // GoAway only stops the side that received it: Go still opens streams to Java.
            assertThat(keyValues(p.go().call("send 300000", T))).containsEntry("sha", TestData.patternSha256(300_000));
            assertThat(p.java().isClosed()).isFalse();
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void goAwayFromJavaStopsGoOpeningAndKeepsStreams(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            MuxStream existing = JavaPeerCommands.open(p.java(), "echo");
            p.java().goAway();
            p.java().ping(); // the GoAway precedes the ping on the wire, and Go handles frames in order
            assertThat(keyValues(p.go().call("open-after-goaway", T)))
                    .containsEntry("err", "remote end is not accepting connections");

            assertEchoes(existing, "still open after our GoAway");
            // Java may still open streams itself.
            assertThat(JavaPeerCommands.send(p.java(), 300_000).sha256()).isEqualTo(TestData.patternSha256(300_000));
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    // ---- 7. a peer that stops reading --------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void javaWriterBlocksWhenGoStopsReadingAndFailsOnReset(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            assertWriterBlocksAfterWindow(p, WINDOW);
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void goFloodIsBoundedByTheJavaWindowUntilJavaReads(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            assertFloodBoundedByWindow(p, WINDOW, 3L * WINDOW + 7);
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    // ---- 8. session close --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void goCloseEndsTheJavaSession(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            MuxStream stream = JavaPeerCommands.open(p.java(), "hold");
            AppThread<Integer> pendingRead = AppThread.start("pending-read", () -> stream.getInputStream().read());
            AppThread<Void> pendingWrite = AppThread.start("pending-write", () -> {
                TestData.writePattern(stream.getOutputStream(), 2L * WINDOW); // blocks after the window
                return null;
            });
            // And a writer that Go keeps reading, so that it is most likely inside a socket write at the close.
            MuxStream sink = JavaPeerCommands.open(p.java(), "sink " + Long.MAX_VALUE);
            AtomicLong streamed = new AtomicLong();
            AppThread<Void> busyWrite = AppThread.start("busy-write", () -> {
                byte[] chunk = new byte[FRAME];
                while (true) {
                    sink.getOutputStream().write(chunk);
                    streamed.addAndGet(chunk.length);
                }
            });
            Await.until("data streams to Go", T, () -> streamed.get() > 4 * WINDOW);
            p.java().ping(); // the streams are established on both sides

            assertThat(p.go().call("close", T)).isEmpty();
            MuxException reason = p.java().whenClosed().get(T.toSeconds(), TimeUnit.SECONDS);
            // "connection closed by the peer" (or a connection reset, had Go left data unread)
            assertThat(reason).hasMessageContaining("connection");
            assertThat(pendingRead.awaitFailure(T)).isInstanceOf(MuxException.class);
            assertThat(pendingWrite.awaitFailure(T)).isInstanceOf(MuxException.class);
            assertThat(busyWrite.awaitFailure(T)).isInstanceOf(MuxException.class);
            assertThatThrownBy(() -> p.java().openStream()).isInstanceOf(MuxException.class);
            assertThat(p.java().streamCount()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    void javaCloseEndsTheGoSession(Role role) throws Exception {
        try (Interop p = Interop.connect(role)) {
            CompletableFuture<String> flood = p.go().callAsync("flood " + 4 * WINDOW); // blocks: Java holds it
            p.services().awaitHeld(T);
            p.java().close();
            assertThat(p.go().awaitEvent("session-closed", T)).isEqualTo("EVENT session-closed");
            assertThatThrownBy(() -> flood.get(T.toSeconds(), TimeUnit.SECONDS)).hasMessageContaining("flood");
            assertThat(p.java().whenClosed().get(T.toSeconds(), TimeUnit.SECONDS)).hasMessageContaining("closed");
        }
    }

    // ---- 9. a larger window ------------------------------------------------------------------------------------

    /**
     * Both sides configured for 4 MiB: each grants the extra window in the SYN/ACK window update (the yamux way),
     * each is then held to it, and 64 MiB cross each way.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Role.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void largerWindowNegotiatedTheYamuxWay(Role role) throws Exception {
        int window = 4 * 1024 * 1024;
        long size = 64L * 1024 * 1024;
        MuxConfig config = MuxConfig.defaults().withMaxStreamWindow(window);
        try (Interop p = Interop.connect(role, config, "-window", Integer.toString(window))) {
            assertWriterBlocksAfterWindow(p, window);
            assertFloodBoundedByWindow(p, window, window + 3L * FRAME + 11);

            CompletableFuture<String> goSend = p.go().callAsync("send " + size);
            JavaPeerCommands.Transfer sent = JavaPeerCommands.send(p.java(), size);
            assertThat(sent.sha256()).isEqualTo(TestData.patternSha256(size));
            Map<String, String> goSent = keyValues(goSend.get(60, TimeUnit.SECONDS));
            assertThat(goSent).containsEntry("sha", TestData.patternSha256(size));
            System.out.printf("4 MiB window, %s, both at once: Java send %d MiB %d ms, Go send %d MiB %s ms%n",
                    role, mib(size), sent.elapsed().toMillis(), mib(size), goSent.get("ms"));
            p.awaitNoStreams();
            p.assertClean();
        }
    }

    // ---- shared checks -----------------------------------------------------------------------------------------

    /**
     * Java writes to a Go {@code hold} stream, which reads nothing: the writer blocks once the window is used up,
     * and fails promptly when the stream is reset.
     */
    private static void assertWriterBlocksAfterWindow(Interop p, int window) throws Exception {
        MuxStream stream = JavaPeerCommands.open(p.java(), "hold");
        AtomicLong written = new AtomicLong("hold\n".length());
        int chunk = 16 * 1024;
        // A platform thread: WAITING then means a wait on the window, not socket I/O (RUNNABLE).
        AppThread<Void> writer = AppThread.start("blocked-writer", () -> {
            byte[] data = new byte[chunk];
            while (true) {
                stream.getOutputStream().write(data);
                written.addAndGet(chunk);
            }
        });
        Await.until("the writer blocks after about " + window + " bytes", T, () -> {
            p.assertJavaOpen();
            return written.get() > window - chunk && writer.thread().getState() == Thread.State.WAITING;
        });
        long blockedAt = written.get();
        p.java().ping(); // round trips: nothing moves any more
        p.go().call("ping", T);
        assertThat(writer.thread().getState()).isEqualTo(Thread.State.WAITING);
        assertThat(written.get()).isEqualTo(blockedAt).isLessThanOrEqualTo(window + FRAME);
        assertThat(writer.isDone()).isFalse();

        stream.reset();
        assertThat(writer.awaitFailure(Duration.ofSeconds(5))).isInstanceOf(StreamResetException.class);
    }

    /**
     * Go floods a Java {@code hold} stream the application does not read: Java buffers at most one window and Go's
     * write does not finish; once Java reads, everything arrives intact and Go's command completes.
     */
    private static void assertFloodBoundedByWindow(Interop p, int window, long size) throws Exception {
        CompletableFuture<String> flood = p.go().callAsync("flood " + size);
        try (MuxStream held = p.services().awaitHeld(T)) {
            InputStream in = held.getInputStream();
            int expected = window - "hold\n".length(); // the service read the request line
            Await.until("Java buffers the whole window", T, () -> {
                p.assertJavaOpen();
                int available = buffered(in);
                assertThat(available).isLessThanOrEqualTo(window);
                return available == expected;
            });
            p.go().call("ping", T); // round trips: Go has nothing more it may send
            p.java().ping();
            assertThat(in.available()).isEqualTo(expected);
            assertThat(flood).as("Go's flood while Java does not read").isNotDone();

            TestData.Sha256Sink sink = new TestData.Sha256Sink();
            byte[] buf = new byte[8 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                sink.write(buf, 0, n);
                assertThat(in.available()).isLessThanOrEqualTo(window);
            }
            assertThat(sink.count()).isEqualTo(size);
            assertThat(sink.hex()).isEqualTo(TestData.patternSha256(size));
            assertThat(flood.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo("written=" + size);
        }
    }

    private static void assertEchoes(MuxStream echoStream, String text) throws IOException {
        byte[] bytes = text.getBytes(UTF_8);
        OutputStream out = echoStream.getOutputStream();
        out.write(bytes);
        echoStream.shutdownOutput();
        echoStream.setReadTimeout(T);
        assertThat(echoStream.getInputStream().readAllBytes()).isEqualTo(bytes);
        echoStream.close();
    }

    private static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** {@code in.available()}, for conditions; a stream's input never throws it. */
    private static int buffered(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
