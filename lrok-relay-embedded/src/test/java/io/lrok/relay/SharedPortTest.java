package io.lrok.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.tls.CertificateAuthority;
import io.lrok.internal.tls.IssuedCertificate;
import io.lrok.internal.tls.TlsContexts;
import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.Protocol;
import io.lrok.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents and the public on one HTTPS port ({@link EmbeddedRelay.Builder#agentsOnHttpsPort()}), told apart by ALPN
 * (docs/protocol.md §1): real TLS sockets offering what agents and browsers offer.
 */
@Timeout(60)
class SharedPortTest {

    @TempDir
    Path dir;

    @Test
    void aClientOfferingTheLrokIdIsAnAgentAndItsTunnelIsServedOnTheSamePort() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").agentsOnHttpsPort().start()) {
            int port = relay.httpsPort();
            SSLSocket agentSocket = tls(relay.clientContext(), port, "lrok.test", Protocol.ALPN_ID);
            assertThat(agentSocket.getApplicationProtocol()).isEqualTo("lrok/1");
            try (FakeAgent agent = FakeAgent.over(agentSocket, relay)) {
                Bound bound = agent.bindHttp("alpha");
                agent.serve(Responses.fixed("alpha here"));
                assertThat(bound.publicUrl()).isEqualTo(URI.create("https://alpha.lrok.test:" + port));
                // the agent's connection is a session, not a public connection
                assertThat(relay.server().sessionCount()).isEqualTo(1);
                Await.until("the agent's connection no longer counts as public",
                        () -> relay.server().publicConnectionCount() == 0);

                try (SSLSocket browser = tls(relay.clientContext(), port, "alpha.lrok.test", "h2", "http/1.1")) {
                    assertThat(browser.getApplicationProtocol()).isEqualTo("http/1.1");
                    String answer = exchange(browser, "GET /x HTTP/1.1\r\nHost: alpha.lrok.test\r\n"
                            + "Connection: close\r\n\r\n");
                    assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("alpha here");
                }
                assertThat(agent.takeRequest().head().headers().get("X-Forwarded-Proto")).isEqualTo("https");
            }
        }
    }

    @Test
    void browserLikeClientsNeverGetTheAgentProtocol() throws Exception {
        byte[] hello = ControlCodec.encode(Hello.create(null, "pretending-agent/1"));
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").agentsOnHttpsPort().start()) {
            int port = relay.httpsPort();
            for (String[] offered : List.of(new String[] {"http/1.1"}, new String[] {"h2", "http/1.1"},
                    new String[] {})) {
                try (SSLSocket client = tls(relay.clientContext(), port, "alpha.lrok.test", offered)) {
                    assertThat(client.getApplicationProtocol()).as(List.of(offered).toString())
                            .isEqualTo(offered.length == 0 ? "" : "http/1.1");
                    // an agent's hello (here ended by a blank line, so the head ends) is a malformed HTTP request
                    // to the edge, never a hello to a session
                    client.getOutputStream().write(hello);
                    client.getOutputStream().write("\r\n\r\n".getBytes(UTF_8));
                    assertThat(new String(client.getInputStream().readAllBytes(), UTF_8))
                            .as(List.of(offered).toString()).startsWith("HTTP/1.1 400 ");
                }
            }
            assertThat(relay.server().sessionCount()).isZero();
            // an h2-only client fails the handshake, as on an HTTPS port that is not shared
            assertThatThrownBy(() -> tls(relay.clientContext(), port, "alpha.lrok.test", "h2"))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("no_application_protocol");
            // offering the id is what makes an agent, whatever else is offered
            try (SSLSocket both = tls(relay.clientContext(), port, "lrok.test", "http/1.1", Protocol.ALPN_ID)) {
                assertThat(both.getApplicationProtocol()).isEqualTo(Protocol.ALPN_ID);
            }
        }
    }

    @Test
    void anHttpsPortNotSharedRefusesTheAgentProtocolInTheHandshake() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().https().start()) {
            assertThat(relay.server().agentsOnHttpsPort()).isFalse();
            // the alert comes at once: not a read timeout, not a session that never answers
            assertThatThrownBy(() -> tls(relay.clientContext(), relay.httpsPort(), null, Protocol.ALPN_ID))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("no_application_protocol");
        }
    }

    @Test
    void theAgentPortTakesAgentsWithOrWithoutTheIdAsBefore() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().agentsOnHttpsPort().start()) {
            SSLSocket withId = tls(relay.clientContext(), relay.agentPort(), null, Protocol.ALPN_ID);
            assertThat(withId.getApplicationProtocol()).isEqualTo(Protocol.ALPN_ID);
            try (FakeAgent agent = FakeAgent.over(withId, relay)) {
                assertThat(agent.bindHttp(null).publicUrl().getScheme()).isEqualTo("https");
            }
            SSLSocket withoutAlpn = tls(relay.clientContext(), relay.agentPort(), null);
            assertThat(withoutAlpn.getApplicationProtocol()).isEmpty();
            try (FakeAgent agent = FakeAgent.over(withoutAlpn, relay)) {
                assertThat(agent.reply).isInstanceOf(Welcome.class);
            }
            // any other TLS client (a health check, say) gets its handshake as before, with no protocol
            try (SSLSocket other = tls(relay.clientContext(), relay.agentPort(), null, "h2", "http/1.1")) {
                assertThat(other.getApplicationProtocol()).isEmpty();
            }
        }
    }

    @Test
    void theStandaloneRelaySharesItsHttpsPortWithConfiguredCertificateFiles() throws Exception {
        assertThatThrownBy(() -> RelayMain.parse(List.of("--agents-on-https-port")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert");
        assertThat(RelayMain.USAGE).contains("--agents-on-https-port");
        CertificateAuthority ca = CertificateAuthority.create();
        IssuedCertificate certificate = ca.issue("lrok.test", "*.lrok.test");
        Path chain = Files.writeString(dir.resolve("fullchain.pem"), certificate.chainPem());
        Path key = Files.writeString(dir.resolve("privkey.pem"), certificate.privateKeyPem());
        EmbeddedRelay.Builder builder = RelayMain.parse(List.of("--domain", "lrok.test", "--agent-port", "0",
                "--http-port", "0", "--https-port", "0", "--tls-cert", chain.toString(), "--tls-key", key.toString(),
                "--agents-on-https-port"));
        try (EmbeddedRelay relay = builder.start()) {
            assertThat(relay.server().agentsOnHttpsPort()).isTrue();
            // agents verify the public certificate by the apex name, like any server's
            SSLSocket socket = tls(ca.clientContext(), relay.httpsPort(), "lrok.test", Protocol.ALPN_ID);
            try (FakeAgent agent = FakeAgent.over(socket, relay)) {
                assertThat(agent.bindHttp("web").publicUrl())
                        .isEqualTo(URI.create("https://web.lrok.test:" + relay.httpsPort()));
            }
        }
    }

    @Test
    void aHeadTimeoutOfZeroLeavesTheTlsHandshakeUnbounded() throws Exception {
        RelayLimits limits = RelayLimits.defaults().withHeadTimeout(Duration.ZERO);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().agentsOnHttpsPort().limits(limits).start();
                Socket plain = new Socket(InetAddress.getLoopbackAddress(), relay.httpsPort())) {
            // the relay holds the connection, waiting for a ClientHello; a bound of "zero" must not end it
            Await.until("the relay holds the connection", () -> relay.server().publicConnectionCount() == 1);
            SSLSocket socket = (SSLSocket) relay.clientContext().getSocketFactory().createSocket(plain, "127.0.0.1",
                    relay.httpsPort(), true);
            SSLParameters parameters = TlsContexts.clientParameters(relay.clientContext());
            parameters.setApplicationProtocols(new String[] {Protocol.ALPN_ID});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout((int) FakeAgent.WAIT.toMillis());
            socket.startHandshake();
            try (FakeAgent agent = FakeAgent.over(socket, relay)) {
                assertThat(agent.reply).isInstanceOf(Welcome.class);
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** A TLS client to the relay offering these ALPN ids (none: no ALPN extension), SNI when a name is given. */
    private static SSLSocket tls(SSLContext trust, int port, String serverName, String... alpn) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        try {
            SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(plain,
                    serverName != null ? serverName : "127.0.0.1", port, true);
            SSLParameters parameters = TlsContexts.clientParameters(trust);
            if (serverName != null) parameters.setServerNames(List.of(new SNIHostName(serverName)));
            if (alpn.length > 0) parameters.setApplicationProtocols(alpn);
            socket.setSSLParameters(parameters);
            socket.setSoTimeout((int) FakeAgent.WAIT.toMillis());
            socket.startHandshake();
            return socket;
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    /** Writes a request and reads everything until the relay closes. */
    private static String exchange(SSLSocket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(UTF_8));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        socket.getInputStream().transferTo(all);
        return all.toString(UTF_8);
    }
}
