package io.lrok;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One relay port for agents and the public (docs/relay.md, "One port for agents and the public"): a real agent opens
 * its tunnel through the relay's HTTPS port, and curl and java.net.http reach the tunnel's URL on that same port.
 */
@Timeout(60)
class SharedHttpsPortTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void anAgentOpensItsTunnelThroughTheHttpsPortAndJavaNetHttpReachesItThere() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").agentsOnHttpsPort().start();
                LocalApp app = LocalApp.echo();
                Tunnel tunnel = Tunnel.http(app.port()).relay(URI.create("lrok://127.0.0.1:" + relay.httpsPort()))
                        .trustStore(relay.trustStore()).subdomain("alpha").open();
                ConnectProxy dns = new ConnectProxy(relay.httpsPort())) {
            int port = relay.httpsPort();
            assertThat(tunnel.publicUrl()).isEqualTo(URI.create("https://alpha.lrok.test:" + port));
            // java.net.http cannot be told where a name is; the proxy plays the wildcard DNS record's part
            HttpClient client = HttpClient.newBuilder().sslContext(relay.clientContext())
                    .proxy(ProxySelector.of(dns.address())).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/hook"))
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("GET /hook 0");
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(dns.takeTarget()).isEqualTo("alpha.lrok.test:" + port);
            assertThat(app.take().headers().getFirst("X-Forwarded-Proto")).isEqualTo("https");
        }
    }

    @Test
    void curlReachesTheTunnelOnThePortItsAgentDialed() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").agentsOnHttpsPort().start();
                LocalApp app = LocalApp.echo();
                Tunnel tunnel = Tunnel.http(app.port()).relay(URI.create("lrok://127.0.0.1:" + relay.httpsPort()))
                        .trustStore(relay.trustStore()).subdomain("beta").open()) {
            int port = relay.httpsPort();
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            Curl.Result r = Curl.run(WAIT, "-sS", "--cacert", ca.toString(), "--resolve",
                    "beta.lrok.test:" + port + ":127.0.0.1", "-w", "\n%{http_code} %{http_version}",
                    tunnel.publicUrl().resolve("/x").toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("GET /x 0\n200 1.1");
        }
    }

    @Test
    void anAgentDialingAnHttpsPortThatIsNotSharedFailsAtOnceSayingWhy() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().https().start()) {
            URI httpsPort = URI.create("lrok://127.0.0.1:" + relay.httpsPort());
            assertThatThrownBy(() -> Tunnel.http(3000).relay(httpsPort).trustStore(relay.trustStore()).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.PROTOCOL_ERROR))
                    .hasMessageContaining("does not serve lrok agents")
                    .hasMessageContaining("--agents-on-https-port");
            // the agent port of the same relay serves it
            try (LocalApp app = LocalApp.echo(); Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
                assertThat(tunnel.isOpen()).isTrue();
            }
        }
    }

    /**
     * A forward proxy answering every {@code CONNECT} with a connection to one loopback port, whatever host was asked
     * for: for java.net.http, the part a wildcard DNS record plays in production.
     */
    private static final class ConnectProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int target;
        private final BlockingQueue<String> targets = new LinkedBlockingQueue<>();

        ConnectProxy(int target) throws IOException {
            this.target = target;
            Thread.ofVirtual().start(this::acceptLoop);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        /** @return the authority of the next CONNECT */
        String takeTarget() throws InterruptedException {
            String next = targets.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) throw new AssertionError("no CONNECT within " + WAIT);
            return next;
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Thread.ofVirtual().start(() -> tunnel(client));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void tunnel(Socket client) {
            try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
                String head = readHead(client.getInputStream());
                String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
                if (!requestLine[0].equals("CONNECT")) return;
                targets.add(requestLine[1]);
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(ISO_8859_1));
                Thread up = Thread.ofVirtual().start(() -> copy(client, upstream));
                copy(upstream, client);
                up.join();
            } catch (IOException | InterruptedException e) {
                // the client or the relay went away: the test sees it on its side
            }
        }

        /** Reads a request head byte by byte, so that nothing after it (the TLS handshake) is consumed. */
        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new IOException("the client closed before the end of its CONNECT");
                head.append((char) b);
            }
            return head.toString();
        }

        private static void copy(Socket from, Socket to) {
            try { // closing a socket's stream would close the socket: the caller closes both when done
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // one side closed; the other copy ends with it
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
