package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.Tunnel;
import io.lrok.inspect.ExchangeState;
import io.lrok.inspect.Header;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedRequest;
import io.lrok.inspect.RecordedResponse;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import io.lrok.testing.TestData;
import io.lrok.testing.WebSocketEchoServer;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an HTTP tunnel records of each exchange, end to end through a relay with real clients. */
@Timeout(60)
class CaptureE2eTest {

    @TempDir
    Path dir;

    /** Echoes the request body back with the request's Content-Type, and a header of its own. */
    private static LocalHttpApp echoApp() throws Exception {
        return LocalHttpApp.start(exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            exchange.getResponseHeaders().set("Content-Type", type != null ? type : "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("X-App", "echo");
            exchange.sendResponseHeaders(201, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
        });
    }

    private static RecordedExchange ended(Tunnel tunnel, long id) throws InterruptedException {
        return tunnel.awaitExchange(e -> e.id() == id && e.state() != ExchangeState.IN_PROGRESS, E2e.WAIT);
    }

    @Test
    void aJsonPostIsRecordedWithHeadersBodiesStatusClientAndTimings() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            String json = "{\"type\":\"invoice.paid\",\"amount\":4200}";
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/hooks?x=1"))
                    .header("Content-Type", "application/json").header("X-Signature", "abc")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(201);

            RecordedRequest request = tunnel.takeRequest(E2e.WAIT);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.target()).isEqualTo("/hooks?x=1");
            assertThat(request.path()).isEqualTo("/hooks");
            assertThat(request.query()).contains("x=1");
            assertThat(request.header("x-signature")).contains("abc");
            assertThat(request.header("X-Forwarded-For")).contains("127.0.0.1");
            assertThat(request.headers()).contains(new Header("Content-Type", "application/json"));
            assertThat(request.bodyText()).isEqualTo(json);
            assertThat(request.bodyComplete()).isTrue();
            assertThat(request.chunked()).isFalse();
            assertThat(request.body().truncated()).isFalse();
            assertThat(request.body().isText()).isTrue();
            assertThat(request.clientAddress()).startsWith("127.0.0.1:");
            assertThat(request.scheme()).isEqualTo("http");
            assertThat(request.host()).isEqualTo(tunnel.publicUrl().getAuthority());
            assertThat(request.replayOf()).isEmpty();

            RecordedExchange exchange = ended(tunnel, request.id());
            assertThat(exchange.state()).isEqualTo(ExchangeState.COMPLETE);
            assertThat(exchange.upgraded()).isFalse();
            assertThat(exchange.error()).isEmpty();
            RecordedResponse recorded = exchange.response().orElseThrow();
            assertThat(recorded.status()).isEqualTo(201);
            assertThat(recorded.header("X-App")).contains("echo");
            assertThat(recorded.bodyText()).isEqualTo(json);
            assertThat(recorded.bodyComplete()).isTrue();
            assertThat(recorded.fromAgent()).isFalse();
            var t = exchange.timings();
            assertThat(t.requestComplete()).isPresent();
            assertThat(t.firstResponseByte()).isPresent();
            assertThat(t.total()).isPresent();
            assertThat(t.total().orElseThrow()).isGreaterThanOrEqualTo(t.firstResponseByte().orElseThrow());
        }
    }

    @Test
    void bodiesLongerThanTheLimitAreTruncatedWhileTheProxiedBytesStayWhole() throws Exception {
        int size = 300_000;
        int limit = 1_000;
        byte[] data = TestData.patternBytes(size);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).captureBodyLimit(limit).open();
                HttpClient client = E2e.http11()) {
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/big"))
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(Arrays.equals(response.body(), data)).as("the echo arrived whole").isTrue();

            RecordedExchange exchange = ended(tunnel, tunnel.takeRequest(E2e.WAIT).id());
            for (var body : new io.lrok.inspect.RecordedBody[] {exchange.request().body(),
                    exchange.response().orElseThrow().body()}) {
                assertThat(body.size()).isEqualTo(size);
                assertThat(body.capturedSize()).isEqualTo(limit);
                assertThat(body.truncated()).isTrue();
                assertThat(Arrays.equals(body.bytes(), Arrays.copyOf(data, limit))).as("the first bytes kept").isTrue();
            }
            assertThat(exchange.request().bodyComplete()).isTrue();
        }
    }

    @Test
    void binaryBodiesAreKeptByteForByte() throws Exception {
        byte[] data = new byte[512];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 7);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/bin"))
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofByteArray());
            RecordedExchange exchange = ended(tunnel, tunnel.takeRequest(E2e.WAIT).id());
            assertThat(exchange.request().body().bytes()).isEqualTo(data);
            assertThat(exchange.request().body().isText()).isFalse();
            assertThat(exchange.response().orElseThrow().body().bytes()).isEqualTo(data);
        }
    }

    @Test
    void textIsDecodedWithTheContentTypesCharset() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/latin"))
                    .header("Content-Type", "text/plain; charset=ISO-8859-1")
                    .POST(HttpRequest.BodyPublishers.ofString("café crème", StandardCharsets.ISO_8859_1)).build(),
                    HttpResponse.BodyHandlers.discarding());
            RecordedRequest request = tunnel.takeRequest(E2e.WAIT);
            assertThat(request.body().size()).isEqualTo(10);
            assertThat(request.body().charset()).isEqualTo(StandardCharsets.ISO_8859_1);
            assertThat(request.bodyText()).isEqualTo("café crème");
        }
    }

    @Test
    void chunkedBodiesAreRecordedDecodedAndPassUnchanged() throws Exception {
        Curl.require();
        int size = 60_000; // under the default body limit: all of it is kept
        Path file = dir.resolve("upload.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            TestData.writePattern(out, size);
        }
        // The JDK's HttpServer answers with a chunked body when the length is not given (0).
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    exchange.sendResponseHeaders(200, 0);
                    exchange.getResponseBody().write(body);
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            Curl.Result r = Curl.run(E2e.CURL, "-sS", "-H", "Transfer-Encoding: chunked", "-H",
                    "Content-Type: application/octet-stream", "--data-binary", Curl.at(file), "-o",
                    dir.resolve("out.bin").toString(), "-D", "-", tunnel.publicUrl() + "/chunks");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().toLowerCase()).contains("transfer-encoding: chunked");
            assertThat(TestData.sha256Hex(Files.readAllBytes(dir.resolve("out.bin"))))
                    .isEqualTo(TestData.patternSha256(size));

            RecordedExchange exchange = ended(tunnel, tunnel.takeRequest(E2e.WAIT).id());
            assertThat(exchange.request().chunked()).isTrue();
            assertThat(exchange.request().body().size()).isEqualTo(size);
            assertThat(TestData.sha256Hex(exchange.request().body().bytes())).isEqualTo(TestData.patternSha256(size));
            RecordedResponse response = exchange.response().orElseThrow();
            assertThat(response.chunked()).isTrue();
            assertThat(response.body().size()).isEqualTo(size);
            assertThat(TestData.sha256Hex(response.body().bytes())).isEqualTo(TestData.patternSha256(size));
            assertThat(response.bodyComplete()).isTrue();
        }
    }

    @Test
    void aChunkedUploadFromJavaNetHttpIsRecordedDecoded() throws Exception {
        byte[] data = "line one\nline two\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            // An input stream publisher has no length: the JDK client sends it chunked.
            client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/stream"))
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build(),
                    HttpResponse.BodyHandlers.discarding());
            RecordedRequest request = tunnel.takeRequest(E2e.WAIT);
            assertThat(request.chunked()).isTrue();
            assertThat(request.body().bytes()).isEqualTo(data);
            assertThat(request.header("Transfer-Encoding")).contains("chunked");
        }
    }

    @Test
    void aWebSocketExchangeIsRecordedAsUpgradedWithoutItsFrames() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                WebSocketEchoServer app = WebSocketEchoServer.start();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = HttpClient.newHttpClient()) {
            CompletableFuture<String> echoed = new CompletableFuture<>();
            WebSocket ws = client.newWebSocketBuilder().buildAsync(
                    URI.create("ws://" + tunnel.publicUrl().getAuthority() + "/socket"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            w.request(1); // go on reading: the server's close frame comes next
                            return null;
                        }
                    }).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.sendText("hello through the tunnel", true).get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(echoed.get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello through the tunnel");

            RecordedRequest request = tunnel.takeRequest(E2e.WAIT);
            assertThat(request.path()).isEqualTo("/socket");
            assertThat(request.header("Upgrade")).hasValueSatisfying(v -> assertThat(v).isEqualToIgnoringCase("websocket"));
            RecordedExchange open = tunnel.awaitExchange(e -> e.upgraded(), E2e.WAIT);
            assertThat(open.response().orElseThrow().status()).isEqualTo(101);

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(E2e.WAIT.toSeconds(), TimeUnit.SECONDS);
            RecordedExchange done = ended(tunnel, request.id());
            assertThat(done.upgraded()).isTrue();
            assertThat(done.state()).isEqualTo(ExchangeState.COMPLETE);
            RecordedResponse response = done.response().orElseThrow();
            assertThat(response.status()).isEqualTo(101);
            assertThat(response.body().isEmpty()).isTrue(); // the frames are not recorded
            assertThat(response.bodyComplete()).isFalse();
        }
    }

    @Test
    void whenTheAppIsDownTheAgentsOwn502IsRecorded() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                Tunnel tunnel = Tunnel.http(port).relay(relay).localHost("127.0.0.1").open();
                HttpClient client = E2e.http11()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/down"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(502);
            RecordedExchange exchange = ended(tunnel, tunnel.takeRequest(E2e.WAIT).id());
            RecordedResponse recorded = exchange.response().orElseThrow();
            assertThat(recorded.status()).isEqualTo(502);
            assertThat(recorded.fromAgent()).isTrue();
            assertThat(recorded.bodyText()).isEqualTo(response.body());
            assertThat(exchange.error()).hasValueSatisfying(e -> assertThat(e).contains("could not reach"));
        }
    }

    @Test
    void theRingKeepsTheMostRecentExchanges() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).captureCapacity(3).open();
                HttpClient client = E2e.http11()) {
            for (int i = 1; i <= 5; i++) {
                client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/" + i)).build(),
                        HttpResponse.BodyHandlers.discarding());
                int n = i;
                tunnel.awaitExchange(e -> e.request().path().equals("/" + n) && e.state() != ExchangeState.IN_PROGRESS,
                        E2e.WAIT);
            }
            assertThat(tunnel.exchanges()).extracting(e -> e.request().path()).containsExactly("/3", "/4", "/5");
            assertThat(tunnel.requests()).extracting(RecordedRequest::path).containsExactly("/3", "/4", "/5");
            // the two evicted ones are not handed out any more
            assertThat(tunnel.takeRequest(E2e.WAIT).path()).isEqualTo("/3");
        }
    }

    @Test
    void withCaptureOffNothingIsRecordedAndTheTestApiSaysWhy() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).capture(false).open();
                HttpClient client = E2e.http11()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("still forwarded")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("still forwarded");
            assertThatThrownBy(() -> tunnel.takeRequest(E2e.WAIT)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("capture(false)");
            assertThatThrownBy(tunnel::requests).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aTcpTunnelHasNoRecordedRequests() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoApp();
                Tunnel tunnel = Tunnel.tcp(app.port()).relay(relay).open()) {
            assertThatThrownBy(tunnel::exchanges).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TCP tunnel");
        }
    }
}
