package io.lrok.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.tls.CertificateAuthority;
import io.lrok.internal.tls.IssuedCertificate;
import io.lrok.internal.tls.TlsContexts;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.testing.ExternalPrograms;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The public HTTPS edge: real TLS clients (java.net.http, curl, SSLSocket) trusting only the relay's CA. */
@Timeout(60)
class HttpsEdgeTest {

    @TempDir
    Path dir;

    @Test
    void aTunnelOfAnHttpsRelayHasAnHttpsUrlThatJavaNetHttpTrustsThroughTheRelaysCa() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().https().start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.fixed("secret"));
            assertThat(bound.publicUrl().getScheme()).isEqualTo("https");
            assertThat(relay.httpsPort()).isPositive();
            HttpClient client = HttpClient.newBuilder().sslContext(relay.clientContext()).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(bound.publicUrl().resolve("/s"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("secret");
            assertThat(response.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.header().scheme()).isEqualTo("https");
            assertThat(seen.head().headers().get("X-Forwarded-Proto")).isEqualTo("https");
            // a client trusting only the JDK's store refuses the throwaway CA
            assertThat(failure(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(bound.publicUrl())
                    .build(), HttpResponse.BodyHandlers.ofString()))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void curlReachesATunnelByNameOnTheSharedHttpsPortWithAlpnHttp11() throws Exception {
        Path curl = curl();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").https().start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            agent.bindHttp("alpha");
            agent.serve(Responses.fixed("alpha here"));
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            int port = relay.httpsPort();
            Result r = run(curl, "-sS", "--cacert", ca.toString(), "--resolve", "alpha.lrok.test:" + port
                    + ":127.0.0.1", "-w", "\n%{http_code} %{http_version} %{scheme}",
                    "https://alpha.lrok.test:" + port + "/x");
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).isEqualTo("alpha here\n200 1.1 HTTPS");
            assertThat(agent.takeRequest().head().headers().get("X-Forwarded-Proto")).isEqualTo("https");
        }
    }

    @Test
    void aHostThatDisagreesWithSniIsMisdirected() throws Exception {
        Path curl = curl();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").https().start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            agent.bindHttp("alpha");
            agent.bindHttp("beta");
            agent.serve(Responses.fixed("should not be reached"));
            Path ca = Files.writeString(dir.resolve("ca.pem"), relay.caCertificatePem());
            int port = relay.httpsPort();
            Result r = run(curl, "-sS", "--cacert", ca.toString(), "--resolve", "alpha.lrok.test:" + port
                    + ":127.0.0.1", "-H", "Host: beta.lrok.test:" + port, "-w", "\n%{http_code}",
                    "https://alpha.lrok.test:" + port + "/");
            assertThat(r.exit).as(r.err).isZero();
            assertThat(r.out).endsWith("\n421").contains("beta.lrok.test").contains("alpha.lrok.test");

            // the same with an SSLSocket whose SNI is set explicitly
            try (SSLSocket socket = tlsTo(relay.clientContext(), port, "alpha.lrok.test")) {
                socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: beta.lrok.test\r\n\r\n").getBytes(UTF_8));
                String answer = new String(socket.getInputStream().readAllBytes(), UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 421 Misdirected Request\r\n");
            }
        }
    }

    @Test
    void anUpgradeOverHttpsBecomesAPipeWithHalfClosesAndAlpnIsHttp11() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().https().start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.upgradeEcho());
            try (SSLSocket socket = tlsTo(relay.clientContext(), bound.publicUrl().getPort(), null)) {
                assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
                socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                        + "Upgrade: websocket\r\n\r\n").getBytes(UTF_8));
                java.io.InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.read());
                assertThat(head.toString()).startsWith("HTTP/1.1 101 ");
                socket.getOutputStream().write("ping over tls".getBytes(UTF_8));
                assertThat(new String(in.readNBytes(13), UTF_8)).isEqualTo("ping over tls");
                socket.shutdownOutput(); // TLS 1.3 half-close: close_notify one way; the echo ends, its FIN reaches us
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void plainHttpRedirectsToHttpsWith308() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().redirectHttpToHttps().start();
                RawClient client = new RawClient(relay.httpPort())) {
            RawClient.Response response = client.get("alpha.lrok.test:" + relay.httpPort(), "/path?q=1");
            assertThat(response.head().status()).isEqualTo(308);
            assertThat(response.header("Location"))
                    .isEqualTo("https://alpha.lrok.test:" + relay.httpsPort() + "/path?q=1");
        }
    }

    @Test
    void certificateFilesFromOpensslInEveryKeyFormatServeHttpsAndTheAgentPort() throws Exception {
        var openssl = ExternalPrograms.findOnPath("openssl");
        ExternalPrograms.require("openssl", openssl.isPresent(), "apt-get install openssl");
        Path curl = curl();
        for (String kind : List.of("rsa-pkcs1", "ec-sec1", "ec-pkcs8")) {
            Path work = Files.createDirectories(dir.resolve(kind));
            Path caKey = work.resolve("ca.key"), caCert = work.resolve("ca.pem");
            Path key = work.resolve("key.pem"), chain = work.resolve("fullchain.pem");
            String newKey = kind.startsWith("rsa") ? "rsa:2048" : "ec";
            List<String> curve = kind.startsWith("ec") ? List.of("-pkeyopt", "ec_paramgen_curve:P-256") : List.of();
            exec(openssl.get(), concat(List.of("req", "-x509", "-newkey", newKey), curve, List.of("-nodes",
                    "-keyout", caKey.toString(), "-out", caCert.toString(), "-days", "2", "-subj", "/CN=test CA")));
            Path leafKey = work.resolve("leaf.key"), csr = work.resolve("leaf.csr"), leaf = work.resolve("leaf.pem");
            exec(openssl.get(), concat(List.of("req", "-newkey", newKey), curve, List.of("-nodes", "-keyout",
                    leafKey.toString(), "-out", csr.toString(), "-subj", "/CN=lrok.test")));
            Path ext = Files.writeString(work.resolve("ext"), "subjectAltName=DNS:lrok.test,DNS:*.lrok.test\n"
                    + "extendedKeyUsage=serverAuth\n");
            exec(openssl.get(), List.of("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
                    caKey.toString(), "-CAcreateserial", "-out", leaf.toString(), "-days", "2", "-extfile",
                    ext.toString()));
            Files.writeString(chain, Files.readString(leaf) + Files.readString(caCert));
            switch (kind) {
                case "rsa-pkcs1" -> exec(openssl.get(), List.of("rsa", "-in", leafKey.toString(), "-traditional",
                        "-out", key.toString()));
                case "ec-sec1" -> exec(openssl.get(), List.of("ec", "-in", leafKey.toString(), "-out",
                        key.toString()));
                default -> exec(openssl.get(), List.of("pkcs8", "-topk8", "-nocrypt", "-in", leafKey.toString(),
                        "-out", key.toString()));
            }
            EmbeddedRelay.Builder builder = RelayMain.parse(List.of("--domain", "lrok.test", "--agent-port", "0",
                    "--http-port", "0", "--https-port", "0", "--tls-cert", chain.toString(), "--tls-key",
                    key.toString()));
            SSLContext trust = trusting(caCert);
            try (EmbeddedRelay relay = builder.start(); FakeAgent agent = FakeAgent.connect(relay, trust,
                    "lrok.test")) {
                assertThat(relay.tls()).isTrue();
                Bound bound = agent.bindHttp("web");
                agent.serve(Responses.fixed(kind));
                int port = relay.httpsPort();
                assertThat(bound.publicUrl()).isEqualTo(URI.create("https://web.lrok.test:" + port));
                Result r = run(curl, "-sS", "--cacert", caCert.toString(), "--resolve", "web.lrok.test:" + port
                        + ":127.0.0.1", "https://web.lrok.test:" + port + "/");
                assertThat(r.exit).as(kind + ": " + r.err).isZero();
                assertThat(r.out).isEqualTo(kind);
            }
        }
    }

    @Test
    void replacedCertificateFilesAreServedOnTheNextConnection() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create();
        IssuedCertificate first = ca.issue("127.0.0.1", "localhost");
        IssuedCertificate second = ca.issue("127.0.0.1", "localhost");
        Path chain = dir.resolve("fullchain.pem"), key = dir.resolve("privkey.pem");
        Files.writeString(chain, first.chainPem());
        Files.writeString(key, first.privateKeyPem());
        try (EmbeddedRelay relay = EmbeddedRelay.builder().certificate(chain, key).start()) {
            SSLContext trust = ca.clientContext();
            assertThat(servedSerial(trust, relay.httpsPort())).isEqualTo(first.certificate().getSerialNumber());
            try (SSLSocket before = tlsTo(trust, relay.httpsPort(), "localhost")) {
                Files.writeString(chain, second.chainPem());
                Files.writeString(key, second.privateKeyPem());
                FileTime later = FileTime.from(Instant.now().plusSeconds(5));
                Files.setLastModifiedTime(chain, later);
                Files.setLastModifiedTime(key, later);
                assertThat(servedSerial(trust, relay.httpsPort())).isEqualTo(second.certificate().getSerialNumber());
                assertThat(servedSerial(trust, relay.agentPort())).isEqualTo(second.certificate().getSerialNumber());
                // the connection made before keeps its certificate and still works
                assertThat(((X509Certificate) before.getSession().getPeerCertificates()[0]).getSerialNumber())
                        .isEqualTo(first.certificate().getSerialNumber());
            }
            // a half-written renewal keeps the last good certificate
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbroken\n");
            Files.setLastModifiedTime(key, FileTime.from(Instant.now().plusSeconds(10)));
            assertThat(servedSerial(trust, relay.httpsPort())).isEqualTo(second.certificate().getSerialNumber());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static BigInteger servedSerial(SSLContext trust, int port) throws IOException {
        try (SSLSocket socket = tlsTo(trust, port, "localhost")) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static SSLSocket tlsTo(SSLContext trust, int port, String serverName) throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(plain,
                serverName != null ? serverName : "127.0.0.1", port, true);
        SSLParameters parameters = TlsContexts.clientParameters(trust);
        if (serverName != null) parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) FakeAgent.WAIT.toMillis());
        socket.startHandshake();
        return socket;
    }

    private static SSLContext trusting(Path pem) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", io.lrok.internal.tls.Pem.readCertificates(pem).get(0));
        return TlsContexts.client(store);
    }

    private static Path curl() {
        var found = ExternalPrograms.findOnPath("curl");
        ExternalPrograms.require("curl", found.isPresent(), "apt-get install curl");
        return found.orElseThrow();
    }

    private interface Call {
        Object call() throws Exception;
    }

    private static Throwable failure(Call call) {
        try {
            call.call();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) all.addAll(part);
        return all;
    }

    private static void exec(Path program, List<String> args) throws Exception {
        Result r = run(program, args.toArray(String[]::new));
        assertThat(r.exit).as(program + " " + args + ": " + r.err).isZero();
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(Path program, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        if (program.getFileName().toString().equals("curl")) command.addAll(1, List.of("--max-time", "20"));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + command);
        }
        return new Result(p.exitValue(), out, err.join());
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
