package io.lrok.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes over loopback with certificates from a {@link CertificateAuthority}. */
@Timeout(60)
class TlsHandshakeTest {

    private static final String NAME = "tunnel.lrok.test";
    private static CertificateAuthority ca;
    private static IssuedCertificate leaf;

    @TempDir
    Path dir;

    @BeforeAll
    static void issue() throws Exception {
        ca = CertificateAuthority.create();
        leaf = ca.issue(NAME, "127.0.0.1");
    }

    @Test
    void handshakesForTheSanNameAndTheIpAddress() throws Exception {
        try (HttpsServer server = new HttpsServer(leaf.serverContext())) {
            for (String host : List.of(NAME, "127.0.0.1")) {
                try (SSLSocket socket = connect(ca.clientContext(), host, server.port())) {
                    assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
                    assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(leaf.certificate());
                    assertThat(get(socket)).startsWith("HTTP/1.1 200 OK\r\n").endsWith(HttpsServer.BODY);
                }
            }
        }
    }

    @Test
    void refusesANameTheCertificateDoesNotHave() throws Exception {
        try (HttpsServer server = new HttpsServer(leaf.serverContext())) {
            assertThatThrownBy(() -> connect(ca.clientContext(), "other.lrok.test", server.port()).close())
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("other.lrok.test");
        }
    }

    @Test
    void refusesAnotherCa() throws Exception {
        try (HttpsServer server = new HttpsServer(leaf.serverContext())) {
            SSLContext strangers = CertificateAuthority.create().clientContext();
            assertThatThrownBy(() -> connect(strangers, NAME, server.port()).close())
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void refusesAnExpiredCertificate() throws Exception {
        Instant now = Instant.now();
        IssuedCertificate expired = ca.issue(List.of(NAME), now.minus(Duration.ofDays(10)), now.minusSeconds(60));
        try (HttpsServer server = new HttpsServer(expired.serverContext())) {
            assertThatThrownBy(() -> connect(ca.clientContext(), NAME, server.port()).close())
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
        }
    }

    @Test
    void aPinnedContextAcceptsThatCertificateAndNoOtherOfTheSameCa() throws Exception {
        SSLContext pinned = TlsContexts.pinning(List.of(leaf.certificate()));
        try (HttpsServer server = new HttpsServer(leaf.serverContext());
                SSLSocket socket = connect(pinned, "127.0.0.1", server.port())) {
            // the server presents the whole chain, leaf first
            assertThat(socket.getSession().getPeerCertificates()).containsExactlyElementsOf(leaf.chain());
            assertThat(get(socket)).endsWith(HttpsServer.BODY);
        }
        IssuedCertificate sibling = ca.issue(NAME, "127.0.0.1"); // same CA, same names, another key
        try (HttpsServer server = new HttpsServer(sibling.serverContext())) {
            assertThatThrownBy(() -> connect(pinned, "127.0.0.1", server.port()).close())
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(PinnedCertificateException.class)
                    .hasMessageContaining("not the one pinned");
        }
    }

    @Test
    void aPinnedCertificateThatHasExpiredIsRefused() throws Exception {
        Instant now = Instant.now();
        IssuedCertificate expired = ca.issue(List.of(NAME), now.minus(Duration.ofDays(10)), now.minusSeconds(60));
        try (HttpsServer server = new HttpsServer(expired.serverContext())) {
            SSLContext pinned = TlsContexts.pinning(List.of(expired.certificate()));
            assertThatThrownBy(() -> connect(pinned, NAME, server.port()).close())
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(CertificateExpiredException.class);
        }
    }

    @Test
    void rsaWorksToo() throws Exception {
        CertificateAuthority rsa = CertificateAuthority.create(CertificateAuthority.KeyType.RSA_2048, "lrok RSA CA");
        try (HttpsServer server = new HttpsServer(rsa.issue("localhost").serverContext());
                SSLSocket socket = connect(rsa.clientContext(), "localhost", server.port())) {
            assertThat(socket.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm()).isEqualTo("RSA");
            assertThat(get(socket)).endsWith(HttpsServer.BODY);
        }
    }

    @Test
    void curlTrustsTheCaFile() throws Exception {
        Programs.require("curl");
        Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
        try (HttpsServer server = new HttpsServer(leaf.serverContext())) {
            String url = "https://127.0.0.1:" + server.port() + "/";
            assertThat(Programs.ok(dir, "curl", "-sS", "--tlsv1.3", "--cacert", "ca.pem", url))
                    .isEqualTo(HttpsServer.BODY);
            String byName = "https://" + NAME + ":" + server.port() + "/";
            assertThat(Programs.ok(dir, "curl", "-sS", "--cacert", "ca.pem",
                    "--resolve", NAME + ":" + server.port() + ":127.0.0.1", byName)).isEqualTo(HttpsServer.BODY);
            // Without the CA curl trusts nothing here.
            assertThat(Programs.run(dir, "curl", "-sS", url).exit()).isNotZero();
        }
    }

    /** Connects to loopback, then handshakes as if {@code host} had been dialled: SNI and name check use it. */
    private static SSLSocket connect(SSLContext context, String host, int port) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        socket.setSSLParameters(TlsContexts.clientParameters(context));
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    private static String get(SSLSocket socket) throws IOException {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
}
