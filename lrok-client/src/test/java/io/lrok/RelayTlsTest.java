package io.lrok;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.tls.CertificateAuthority;
import io.lrok.internal.tls.IssuedCertificate;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.spi.RelayEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent's TLS to the relay (docs/protocol.md §1), against a real EmbeddedRelay over real sockets. */
@Timeout(30)
class RelayTlsTest {

    @TempDir
    Path dir;

    @Test
    void aTunnelThroughTheDefaultRelaySpeaksTlsWithNoSetUp() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); LocalApp app = LocalApp.echo();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            assertThat(relay.tls()).isTrue();
            assertThat(get(HttpClient.newHttpClient(), tunnel.publicUrl().resolve("/over-tls")).body())
                    .isEqualTo("GET /over-tls 0");
        }
    }

    @Test
    void anLrokUriDialsTlsWithTheTrustGiven() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); LocalApp app = LocalApp.echo()) {
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            URI address = URI.create("lrok://127.0.0.1:" + relay.agentPort());
            try (Tunnel tunnel = Tunnel.http(app.port()).relay(address).trustedCertificates(ca).open()) {
                assertThat(get(HttpClient.newHttpClient(), tunnel.publicUrl()).statusCode()).isEqualTo(200);
            }
            try (Tunnel tunnel = Tunnel.http(app.port()).relay(address).trustStore(relay.trustStore()).open()) {
                assertThat(tunnel.isOpen()).isTrue();
            }
            // the JDK's trust store knows nothing of the relay's throwaway CA
            assertThatThrownBy(() -> Tunnel.http(app.port()).relay(address).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNTRUSTED))
                    .hasMessageContaining("not issued by an authority this agent trusts");
        }
    }

    @Test
    void aRelayAndItsCaFromTheEnvironmentWork() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); LocalApp app = LocalApp.echo()) {
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            RelayEndpoint resolved = new io.lrok.internal.agent.RelayResolver(Map.of("LROK_RELAY",
                    "lrok://localhost:" + relay.agentPort(), "LROK_RELAY_CA", ca.toString()), new Properties(), null,
                    () -> java.util.Collections.emptyIterator()).resolve();
            try (LrokClient client = LrokClient.connect(resolved); Tunnel tunnel = client.http(app.port()).open()) {
                assertThat(get(HttpClient.newHttpClient(), tunnel.publicUrl().resolve("/env")).body())
                        .isEqualTo("GET /env 0");
            }
        }
    }

    @Test
    void aTcpTunnelTakesTheSameTrustOptions() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                java.net.ServerSocket local = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = local.accept()) {
                    s.getOutputStream().write("over tls".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.io.IOException ignored) {
                    // the test fails on its side
                }
            });
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            URI address = URI.create("lrok://127.0.0.1:" + relay.agentPort());
            try (Tunnel tunnel = Tunnel.tcp(local.getLocalPort()).relay(address).trustedCertificates(ca).open();
                    java.net.Socket client = new java.net.Socket(tunnel.publicUrl().getHost(),
                            tunnel.publicUrl().getPort())) {
                client.setSoTimeout(10_000);
                assertThat(new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("over tls");
            }
            assertThatThrownBy(() -> Tunnel.tcp(5432).relay(address).trustStore(CertificateAuthority.create()
                    .trustStore()).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNTRUSTED));
        }
        assertThatThrownBy(() -> Tunnel.tcp(5432).relay(URI.create("lrok://relay.example.com"))
                .insecureTrustAnyCertificateForLoopbackDevelopment().open())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.INVALID_RELAY_ADDRESS));
    }

    @Test
    void aRelayCertificateFromAnotherCaIsRefusedSayingSo() throws Exception {
        CertificateAuthority other = CertificateAuthority.create();
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            assertThatThrownBy(() -> Tunnel.http(3000).relay(relay).trustStore(other.trustStore()).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNTRUSTED))
                    .hasMessageContaining("lrok://127.0.0.1:" + relay.agentPort() + " was not trusted")
                    .hasMessageContaining("not issued by an authority this agent trusts")
                    .hasMessageContaining("trustedCertificates(Path)");
        }
    }

    @Test
    void anEmbeddedRelaysContextTrustsThatRelayOnlyNotAnotherOne() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); EmbeddedRelay other = EmbeddedRelay.start()) {
            // the other relay's address with this relay's trust: its certificate is not the one pinned
            RelayEndpoint impostor = new RelayEndpoint() {
                @Override
                public String host() {
                    return other.host();
                }

                @Override
                public int port() {
                    return other.port();
                }

                @Override
                public boolean tls() {
                    return true;
                }

                @Override
                public java.util.Optional<javax.net.ssl.SSLContext> sslContext() {
                    return relay.sslContext();
                }
            };
            assertThatThrownBy(() -> Tunnel.http(3000).relay(impostor).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNTRUSTED))
                    .hasMessageContaining("lrok://127.0.0.1:" + other.agentPort() + " was not trusted")
                    .hasMessageContaining("not the one this agent was given to expect");
        }
    }

    @Test
    void anExpiredRelayCertificateIsRefusedSayingSo() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create();
        Instant now = Instant.now();
        IssuedCertificate expired = ca.issue(List.of("127.0.0.1"), now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)));
        try (EmbeddedRelay relay = withFiles(expired)) {
            assertThatThrownBy(() -> Tunnel.http(3000).relay(relay).trustStore(ca.trustStore()).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNTRUSTED))
                    .hasMessageContaining("certificate has expired").hasMessageContaining("renew");
        }
    }

    @Test
    void aRelayCertificateForAnotherNameIsRefusedSayingSo() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create();
        try (EmbeddedRelay relay = withFiles(ca.issue("relay.example.test"))) {
            assertThatThrownBy(() -> Tunnel.http(3000).relay(relay).trustStore(ca.trustStore()).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNTRUSTED))
                    .hasMessageContaining("not for the host name 127.0.0.1");
        }
    }

    @Test
    void trustingAnyCertificateWorksOnLoopbackOnly() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create();
        try (EmbeddedRelay relay = withFiles(ca.issue("relay.example.test")); LocalApp app = LocalApp.echo();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay)
                        .insecureTrustAnyCertificateForLoopbackDevelopment().open()) {
            assertThat(tunnel.isOpen()).isTrue();
        }
        RelayEndpoint remote = RelayEndpoint.of(URI.create("lrok://relay.example.com"), null);
        assertThatThrownBy(() -> Tunnel.http(3000).relay(remote).insecureTrustAnyCertificateForLoopbackDevelopment()
                .open())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.INVALID_RELAY_ADDRESS))
                .hasMessageContaining("only for a relay on a loopback address");
    }

    @Test
    void aPlaintextRelayCannotBeDialledWithTls() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().plaintextAgentPort().start()) {
            URI address = URI.create("lrok://127.0.0.1:" + relay.agentPort());
            assertThatThrownBy(() -> Tunnel.http(3000).relay(address).trustStore(relay.trustStore()).open())
                    .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code())
                            .isIn(TunnelException.PROTOCOL_ERROR, TunnelException.RELAY_TIMEOUT))
                    .hasMessageContaining("TLS");
        }
    }

    private EmbeddedRelay withFiles(IssuedCertificate certificate) throws Exception {
        Path chain = Files.writeString(dir.resolve("chain.pem"), certificate.chainPem());
        Path key = Files.writeString(dir.resolve("key.pem"), certificate.privateKeyPem());
        return EmbeddedRelay.builder().certificate(chain, key).start();
    }

    private static HttpResponse<String> get(HttpClient client, URI url) throws Exception {
        return client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
