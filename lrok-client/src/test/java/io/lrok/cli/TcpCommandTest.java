package io.lrok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.TunnelException;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code lrok tcp <port>}: a raw TCP echo server reached through the printed tcp:// address. */
@Timeout(60)
class TcpCommandTest {
    private static final Pattern FORWARDING = Pattern.compile("forwarding\\s+(tcp://\\S+)\\s+->\\s+(\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private ServerSocket echo;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket connection = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (connection) {
                            connection.getInputStream().transferTo(connection.getOutputStream());
                            connection.shutdownOutput(); // half-close: the client's EOF comes back as ours
                        } catch (IOException e) {
                            // the client went away; its test fails on its side
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    @Test
    void tcpPrintsItsAddressAndEchoesThroughItUntilStopped() throws Exception {
        PipedLines out = new PipedLines();
        CountDownLatch stop = new CountDownLatch(1);
        var options = TcpCommand.Options.parse(new String[] {String.valueOf(echo.getLocalPort())});
        CompletableFuture<Integer> command = runAsync(options, out.printStream(), stop);
        Matcher forwarding = out.awaitLine(FORWARDING, WAIT);
        URI publicUrl = URI.create(forwarding.group(1));
        assertThat(publicUrl.getScheme()).isEqualTo("tcp");
        assertThat(forwarding.group(2)).isEqualTo("tcp://127.0.0.1:" + echo.getLocalPort());
        assertThat(roundTrip(publicUrl, "hello through lrok tcp")).isEqualTo("hello through lrok tcp");

        stop.countDown(); // what Ctrl-C does in Main
        assertThat(command.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        Await.until("the tunnel's public port is released", () -> !accepts(publicUrl));
    }

    @Test
    void theRelayFlagsAndTheRemotePortAreUsed() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            int wanted = freePort();
            PipedLines out = new PipedLines();
            CountDownLatch stop = new CountDownLatch(1);
            var options = TcpCommand.Options.parse(new String[] {String.valueOf(echo.getLocalPort()),
                    "--relay", "lrok://127.0.0.1:" + relay.agentPort(), "--relay-ca", ca.toString(),
                    "--remote-port", String.valueOf(wanted), "--local-host", "127.0.0.1"});
            CompletableFuture<Integer> command = runAsync(options, out.printStream(), stop);
            URI publicUrl = URI.create(out.awaitLine(FORWARDING, WAIT).group(1));
            assertThat(publicUrl).isEqualTo(URI.create("tcp://127.0.0.1:" + wanted));
            assertThat(roundTrip(publicUrl, "via the relay given")).isEqualTo("via the relay given");
            stop.countDown();
            assertThat(command.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();

            // a remote port that is taken: the relay refuses the bind, and the command says so
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                var busy = TcpCommand.Options.parse(new String[] {String.valueOf(echo.getLocalPort()),
                        "--relay", "lrok://127.0.0.1:" + relay.agentPort(), "--relay-ca", ca.toString(),
                        "--remote-port", String.valueOf(taken.getLocalPort())});
                assertThatThrownBy(() -> TcpCommand.run(busy, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), new CountDownLatch(0)))
                        .isInstanceOfSatisfying(TunnelException.class,
                                e -> assertThat(e.code()).isEqualTo("port_unavailable"));
            }
        }
    }

    @Test
    void helpAndUsageErrorsComeFromMain() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Main.run(new String[] {"tcp", "--help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: lrok tcp <port>")
                .contains("--remote-port").contains("--relay-ca");
        assertThat(Main.run(new String[] {"help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("tcp <port>");
        assertThat(Main.run(new String[] {"tcp"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("tcp: which local port?");
        assertThat(Main.run(new String[] {"tcp", "5432", "--remote-port", "0"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a port number: '0'");
    }

    @Test
    void optionsAreCheckedBeforeAnythingStarts() {
        assertThatThrownBy(() -> TcpCommand.Options.parse(new String[] {"5432", "--bogus"}))
                .hasMessageContaining("unexpected argument '--bogus'");
        assertThatThrownBy(() -> TcpCommand.Options.parse(new String[] {"5432", "6543"}))
                .hasMessageContaining("unexpected argument '6543'");
        assertThatThrownBy(() -> TcpCommand.Options.parse(new String[] {"5432", "--relay"}))
                .hasMessageContaining("tcp: --relay needs a value");
        assertThatThrownBy(() -> TcpCommand.Options.parse(new String[] {"5432", "--relay-ca", "missing.pem"})
                .builder()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
        var options = TcpCommand.Options.parse(new String[] {"--remote-port", "20432", "5432", "--authtoken", "t"});
        assertThat(options.port()).isEqualTo(5432);
        assertThat(options.remotePort()).isEqualTo(20432);
        assertThat(options.authToken()).isEqualTo("t");
    }

    private static CompletableFuture<Integer> runAsync(TcpCommand.Options options, PrintStream out,
            CountDownLatch stop) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return TcpCommand.run(options, out, stop);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Sends text, half-closes, and reads until the far end's half-close. */
    private static String roundTrip(URI address, String text) throws IOException {
        try (Socket socket = new Socket(address.getHost(), address.getPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean accepts(URI address) {
        try (Socket ignored = new Socket(address.getHost(), address.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
