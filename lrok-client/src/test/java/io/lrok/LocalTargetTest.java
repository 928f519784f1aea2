package io.lrok;

import static io.lrok.Fixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where the agent connects: an https app verified against the trust it was given, and the IPv6 loopback. */
@Timeout(60)
class LocalTargetTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static SSLContext serverContext;
    private static SSLContext trustingContext;

    @BeforeAll
    static void makeCertificate(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("app.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "app", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance(store.toFile(), PASSWORD);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        trustingContext = SSLContext.getInstance("TLS");
        trustingContext.init(null, tmf.getTrustManagers(), null);
    }

    private static HttpsServer httpsApp() throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            LocalApp.respond(exchange, 200, "secure, Host " + exchange.getRequestHeaders().getFirst("Host"));
        });
        server.start();
        return server;
    }

    @Test
    void anHttpsAppIsVerifiedAgainstTheTrustGiven() throws Exception {
        HttpsServer app = httpsApp();
        int port = app.getAddress().getPort();
        try (Fixture f = Fixture.open(port, b -> b.localSslContext(trustingContext).rewriteHostHeader())) {
            assertThat(f.tunnel().localUrl()).isEqualTo(URI.create("https://localhost:" + port));
            assertThat(f.roundTrip(get("/"))).startsWith("HTTP/1.1 200 OK\r\n")
                    .endsWith("secure, Host localhost:" + port);
            assertThat(f.roundTrip(get("/again"))).startsWith("HTTP/1.1 200 OK\r\n");
        } finally {
            app.stop(0);
        }
    }

    @Test
    void anHttpsAppTheJdkDoesNotTrustGetsA502() throws Exception {
        HttpsServer app = httpsApp();
        int port = app.getAddress().getPort();
        try (Fixture f = Fixture.open(port, b -> b.localScheme("https"))) {
            assertThat(f.roundTrip(get("/"))).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("lrok could not reach the local app at https://localhost:" + port + ": TLS failed");
        } finally {
            app.stop(0);
        }
    }

    @Test
    void theDefaultHostFallsBackToTheIpv6Loopback() throws Exception {
        HttpServer app;
        try {
            app = HttpServer.create(new InetSocketAddress(InetAddress.getByName("::1"), 0), 10);
        } catch (IOException noIpv6) {
            assumeTrue(false, "no IPv6 loopback here: " + noIpv6);
            return;
        }
        app.createContext("/", exchange -> LocalApp.respond(exchange, 200, "on ::1"));
        app.start();
        int port = app.getAddress().getPort();
        try (Fixture f = Fixture.open(port)) {
            assertThat(f.roundTrip(get("/"))).endsWith("on ::1");
            try (Tunnel only = f.client().http(port).localHost("127.0.0.1").open()) {
                assertThat(f.agent().roundTrip("t-2", get("/"))).startsWith("HTTP/1.1 502")
                        .contains("at 127.0.0.1:" + port + ": connection refused");
            }
        } finally {
            app.stop(0);
        }
    }
}
