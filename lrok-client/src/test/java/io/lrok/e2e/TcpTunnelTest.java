package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.LrokClient;
import io.lrok.Tunnel;
import io.lrok.TunnelException;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.relay.RelayLimits;
import io.lrok.testing.Await;
import io.lrok.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP tunnels end to end (docs/protocol.md §5, TCP streams): a real {@link EmbeddedRelay}, a real agent, and real
 * sockets on both sides.
 */
@Timeout(120)
class TcpTunnelTest {
    /** Bytes sent each way in the large transfer. */
    private static final long LARGE = 256L << 20;
    /** How soon a public client must see its connection closed when the local app is down. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private EmbeddedRelay relay;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void startRelay() throws IOException {
        relay = EmbeddedRelay.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
        relay.close();
    }

    @Test
    void echoesThroughTheTunnel() throws Exception {
        LocalServer app = serve(TcpTunnelTest::echo);
        try (Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open();
                Socket client = connect(tunnel)) {
            assertThat(tunnel.publicUrl().toString()).matches("tcp://127\\.0\\.0\\.1:\\d+");
            assertThat(tunnel.localUrl()).isEqualTo(URI.create("tcp://127.0.0.1:" + app.port()));
            for (String line : List.of("hello\n", "through the tunnel\n")) {
                client.getOutputStream().write(line.getBytes(StandardCharsets.UTF_8));
                assertThat(readN(client.getInputStream(), line.length())).isEqualTo(line);
            }
            client.shutdownOutput();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aClientsHalfCloseReachesTheAppWhichStillReplies() throws Exception {
        LocalServer app = serve(socket -> {
            byte[] all = socket.getInputStream().readAllBytes(); // to EOF: the client's half-close
            socket.getOutputStream().write(("got " + all.length + " bytes").getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
        });
        try (Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open(); Socket client = connect(tunnel)) {
            client.getOutputStream().write(new byte[1000]);
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("got 1000 bytes"); // the reply, then EOF
        }
    }

    @Test
    void anAppsHalfCloseReachesTheClientWhichStillSends() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        LocalServer app = serve(socket -> {
            socket.getOutputStream().write("greeting".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            received.complete(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        });
        try (Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open(); Socket client = connect(tunnel)) {
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("greeting");
            client.getOutputStream().write("still talking".getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo("still talking");
        }
    }

    @Test
    void twoHundredFiftySixMebibytesEachWay() throws Exception {
        CompletableFuture<String> appReceived = new CompletableFuture<>();
        LocalServer app = serve(socket -> {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    TestData.writePattern(socket.getOutputStream(), LARGE);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            appReceived.complete(sha256(socket.getInputStream()));
            join(writer);
        });
        try (Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open(); Socket client = connect(tunnel)) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    TestData.writePattern(client.getOutputStream(), LARGE);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            String clientReceived = sha256(client.getInputStream());
            sent.get(60, TimeUnit.SECONDS);
            String expected = TestData.patternSha256(LARGE);
            assertThat(clientReceived).as("app to client").isEqualTo(expected);
            assertThat(appReceived.get(60, TimeUnit.SECONDS)).as("client to app").isEqualTo(expected);
        }
    }

    @Test
    void manyConcurrentConnections() throws Exception {
        int count = 200;
        LocalServer app = serve(TcpTunnelTest::echo);
        try (LrokClient lrok = LrokClient.connect(relay); Tunnel tunnel = lrok.tcp(app.port()).open()) {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String message = "connection " + i + " " + "x".repeat(i * 37);
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try (Socket client = connect(tunnel)) {
                        client.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
                        client.shutdownOutput();
                        return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r)));
            }
            for (int i = 0; i < count; i++) {
                assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("connection " + i + " "
                        + "x".repeat(i * 37));
            }
        }
    }

    @Test
    void aLocalAppThatIsDownGetsThePublicConnectionClosedPromptly() throws Exception {
        int nobody = freePort();
        try (Tunnel tunnel = Tunnel.tcp(nobody).relay(relay).open(); Socket client = connect(tunnel)) {
            client.setSoTimeout((int) PROMPTLY.toMillis());
            long start = System.nanoTime();
            int read;
            try {
                client.getOutputStream().write("anyone?".getBytes(StandardCharsets.UTF_8)); // may meet the reset
                read = client.getInputStream().read();
            } catch (SocketException reset) {
                read = -1;
            }
            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
            assertThat(tunnel.isOpen()).isTrue(); // the tunnel stays; the next connection may find the app up
        }
    }

    @Test
    void anAbortiveCloseIsCarriedBothWays() throws Exception {
        CompletableFuture<Throwable> appSaw = new CompletableFuture<>();
        CompletableFuture<Void> reached = new CompletableFuture<>();
        LocalServer app = serve(socket -> {
            InputStream in = socket.getInputStream();
            try {
                in.read();
                reached.complete(null);
                while (in.read() >= 0) {
                    // until the reset
                }
                appSaw.complete(null);
            } catch (IOException e) {
                appSaw.complete(e);
            }
        });
        try (Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open()) {
            Socket client = connect(tunnel);
            client.getOutputStream().write(1);
            reached.get(30, TimeUnit.SECONDS); // a reset before that would end the stream before the app is dialed
            client.setSoLinger(true, 0);
            client.close(); // a TCP reset
            assertThat(appSaw.get(30, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);

            LocalServer aborting = serve(socket -> {
                socket.getInputStream().read();
                socket.setSoLinger(true, 0);
                socket.close();
            });
            try (Tunnel second = Tunnel.tcp(aborting.port()).relay(relay).open(); Socket other = connect(second)) {
                other.getOutputStream().write(1);
                assertThatThrownBy(() -> {
                    while (other.getInputStream().read() >= 0) {
                        // until the reset
                    }
                }).isInstanceOf(SocketException.class);
            }
        }
    }

    @Test
    void thePortIsReleasedWhenTheTunnelCloses() throws Exception {
        LocalServer app = serve(TcpTunnelTest::echo);
        Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open();
        int port = tunnel.publicUrl().getPort();
        tunnel.close();
        Await.until("port " + port + " released", () -> canBind(port));
        try (Tunnel again = Tunnel.tcp(app.port()).relay(relay).remotePort(port).open();
                Socket client = connect(again)) {
            assertThat(again.publicUrl().getPort()).isEqualTo(port);
            client.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
            assertThat(readN(client.getInputStream(), 1)).isEqualTo("x");
        }
    }

    @Test
    void aRequestedPortThatIsTakenIsPortUnavailable() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Tunnel.tcp(5432).relay(relay).remotePort(taken.getLocalPort()).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("port_unavailable"));
        }
    }

    @Test
    void publicConnectionsCountAgainstTheRelaysLimit() throws Exception {
        LocalServer app = serve(TcpTunnelTest::echo);
        try (EmbeddedRelay limited = EmbeddedRelay.builder()
                .limits(RelayLimits.defaults().withMaxEdgeConnections(1)).start();
                Tunnel tunnel = Tunnel.tcp(app.port()).relay(limited).open();
                Socket first = connect(tunnel)) {
            first.getOutputStream().write('a');
            assertThat(readN(first.getInputStream(), 1)).isEqualTo("a"); // counted by now
            try (Socket second = connect(tunnel)) {
                assertThat(endOrReset(second)).isEqualTo(-1);
            }
            first.getOutputStream().write('b');
            assertThat(readN(first.getInputStream(), 1)).isEqualTo("b");
        }
    }

    @Test
    void theSessionsEndClosesOpenConnections() throws Exception {
        LocalServer app = serve(TcpTunnelTest::echo);
        Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open();
        try (Socket client = connect(tunnel)) {
            client.getOutputStream().write('a');
            assertThat(readN(client.getInputStream(), 1)).isEqualTo("a");
            tunnel.close(); // its own session ends with it
            client.setSoTimeout((int) PROMPTLY.toMillis());
            assertThat(endOrReset(client)).isEqualTo(-1);
        }
    }

    /** @return -1 when the connection ends or is reset; the byte read otherwise */
    private static int endOrReset(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** A local app: a loopback server socket handing each connection to a handler on a virtual thread. */
    private record LocalServer(ServerSocket server) {
        int port() {
            return server.getLocalPort();
        }
    }

    /** The handler of one connection; the connection is closed after it returns. */
    private interface Handler {
        void handle(Socket socket) throws IOException;
    }

    private LocalServer serve(Handler handler) throws IOException {
        ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        closing.add(server);
        Thread.ofVirtual().name("local-app-" + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        handler.handle(socket);
                    } catch (IOException e) {
                        // the test sees it from its side
                    }
                });
            }
        });
        return new LocalServer(server);
    }

    private static void echo(Socket socket) throws IOException {
        socket.getInputStream().transferTo(socket.getOutputStream());
        socket.shutdownOutput();
    }

    private static Socket connect(Tunnel tunnel) throws IOException {
        URI url = tunnel.publicUrl();
        return new Socket(url.getHost(), url.getPort());
    }

    private static String readN(InputStream in, int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static String sha256(InputStream in) throws IOException {
        TestData.Sha256Sink sink = new TestData.Sha256Sink();
        in.transferTo(sink);
        return sink.hex();
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
