package io.lrok;

import static io.lrok.Fixture.get;
import static io.lrok.Fixture.request;
import static io.lrok.RawApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.mux.MuxStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exchanges through the agent to a real local app: methods, framing byte for byte, Host and header edits, reuse. */
@Timeout(30)
class HttpForwardingTest {

    @Test
    void everyMethodReachesTheAppAndItsResponseComesBack() throws Exception {
        try (LocalApp app = LocalApp.echo(); Fixture f = Fixture.open(app.port())) {
            assertThat(f.roundTrip(get("/items?page=2"))).startsWith("HTTP/1.1 200 OK\r\n").endsWith("GET /items?page=2 0");
            assertThat(f.roundTrip(request("POST", "/items", "Content-Type: text/plain\r\n", "hello")))
                    .endsWith("POST /items 5");
            assertThat(f.roundTrip(request("PUT", "/items/1", "", "hello, world"))).endsWith("PUT /items/1 12");
            assertThat(f.roundTrip(request("DELETE", "/items/1", "", null))).endsWith("DELETE /items/1 0");
            String head = f.roundTrip(request("HEAD", "/items", "", null));
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("Content-Length: 13\r\n")
                    .endsWith("\r\n\r\n"); // "HEAD /items 0": the length of the body a GET would get

            LocalApp.Seen seen = app.take();
            assertThat(seen.method()).isEqualTo("GET");
            assertThat(seen.headers().getFirst("Host")).isEqualTo("app.lrok.test");
            assertThat(seen.headers().getFirst("X-Forwarded-For")).isEqualTo("203.0.113.7");
            assertThat(seen.headers().getFirst("X-Forwarded-Host")).isEqualTo("app.lrok.test");
            assertThat(seen.headers().containsKey("Connection")).isFalse(); // keep-alive on the local hop
            assertThat(new String(app.take().body(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(new String(app.take().body(), StandardCharsets.UTF_8)).isEqualTo("hello, world");
            assertThat(app.take().method()).isEqualTo("DELETE");
            assertThat(app.take().method()).isEqualTo("HEAD");
        }
    }

    @Test
    void chunkedBodiesPassByteForByteBothWays() throws Exception {
        String requestBody = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: abc\r\n\r\n";
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-App: raw\r\n\r\n"
                + "4;name=\"v\"\r\nwiki\r\n5\r\npedia\r\n0\r\nX-Trailer: yes\r\n\r\n";
        CompletableFuture<String> received = new CompletableFuture<>();
        try (RawApp app = RawApp.start((socket, n) -> {
            InputStream in = socket.getInputStream();
            String head = RawApp.readHead(in);
            received.complete(head + RawApp.readThrough(in, "X-Checksum: abc\r\n\r\n"));
            socket.getOutputStream().write(ascii(response));
            in.read(); // hold the connection until the agent closes it
        }); Fixture f = Fixture.open(app.port())) {
            String answer = f.roundTrip(request("POST", "/upload", "Transfer-Encoding: chunked\r\n", null) + requestBody);
            assertThat(answer).isEqualTo(response);
            String seen = received.get();
            assertThat(seen).startsWith("POST /upload HTTP/1.1\r\n").contains("Transfer-Encoding: chunked\r\n")
                    .doesNotContain("Connection:").endsWith("\r\n\r\n" + requestBody);
        }
    }

    @Test
    void aResponseWithoutLengthEndsWithTheAppsConnection() throws Exception {
        String response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the connection closes";
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii(response));
        }); Fixture f = Fixture.open(app.port())) {
            assertThat(f.roundTrip(get("/old"))).isEqualTo(response);
            assertThat(f.roundTrip(get("/old"))).isEqualTo(response);
            assertThat(app.connections()).isEqualTo(2);
        }
    }

    @Test
    void connectionsToTheAppAreKeptAliveAndReused() throws Exception {
        try (LocalApp app = LocalApp.echo(); Fixture f = Fixture.open(app.port())) {
            for (int i = 0; i < 5; i++) assertThat(f.roundTrip(get("/" + i))).endsWith("GET /" + i + " 0");
            assertThat(f.roundTrip(request("POST", "/p", "", "body"))).endsWith("POST /p 4");
            assertThat(f.roundTrip(request("POST", "/c", "Transfer-Encoding: chunked\r\n", null) + "2\r\nab\r\n0\r\n\r\n"))
                    .endsWith("POST /c 2");
            assertThat(f.roundTrip(get("/last"))).endsWith("GET /last 0");
            assertThat(app.connections()).isEqualTo(1);
        }
    }

    @Test
    void anAppThatClosesGetsANewConnectionEachTime() throws Exception {
        try (LocalApp app = LocalApp.start(exchange -> {
            exchange.getResponseHeaders().set("Connection", "close");
            LocalApp.respond(exchange, 200, "bye");
        }); Fixture f = Fixture.open(app.port())) {
            for (int i = 0; i < 3; i++) assertThat(f.roundTrip(get("/"))).endsWith("bye");
            assertThat(app.connections()).isEqualTo(3);
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        CompletableFuture<Integer> afterIdle = new CompletableFuture<>();
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 204 No Content\r\n\r\n"));
            afterIdle.complete(socket.getInputStream().read()); // -1 once the agent closes the idle connection
        }); Fixture f = Fixture.open(app.port(),
                AgentConfig.defaults().withLocalIdleTimeout(Duration.ofMillis(100)), b -> b)) {
            assertThat(f.roundTrip(get("/"))).startsWith("HTTP/1.1 204");
            assertThat(afterIdle).succeedsWithin(FakeRelay.WAIT).isEqualTo(-1);
        }
    }

    @Test
    void theHostHeaderIsKeptRewrittenOrSet() throws Exception {
        try (LocalApp app = LocalApp.echo(); Fixture f = Fixture.open(app.port())) {
            Tunnel rewritten = f.client().http(app.port()).rewriteHostHeader().open();
            Tunnel fixed = f.client().http(app.port()).hostHeader("myapp.test").open();
            f.roundTrip(get("/"));
            f.agent().roundTrip("t-2", get("/"));
            f.agent().roundTrip("t-3", get("/"));
            assertThat(app.take().headers().getFirst("Host")).isEqualTo("app.lrok.test");
            LocalApp.Seen seen = app.take();
            assertThat(seen.headers().getFirst("Host")).isEqualTo("127.0.0.1:" + app.port());
            assertThat(seen.headers().getFirst("X-Forwarded-Host")).isEqualTo("app.lrok.test");
            assertThat(app.take().headers().getFirst("Host")).isEqualTo("myapp.test");
            rewritten.close();
            fixed.close();
        }
    }

    @Test
    void headerEditsApplyToRequestsAndFinalResponses() throws Exception {
        try (LocalApp app = LocalApp.start(exchange -> {
            exchange.getResponseHeaders().add("X-Internal", "secret");
            LocalApp.respond(exchange, 200, "ok");
        }); Fixture f = Fixture.open(app.port(), b -> b
                .addRequestHeader("X-Env", "demo")
                .removeRequestHeader("cookie")
                .removeRequestHeader("X-Env") // removals come first: the added field survives
                .addResponseHeader("X-Served-By", "lrok")
                .removeResponseHeader("x-internal"))) {
            String response = f.roundTrip(request("GET", "/", "Cookie: a=b\r\nX-Env: from-client\r\n", null));
            assertThat(response).contains("X-Served-By: lrok\r\n").doesNotContain("X-Internal").endsWith("ok");
            LocalApp.Seen seen = app.take();
            assertThat(seen.headers().get("X-Env")).containsExactly("demo");
            assertThat(seen.headers().containsKey("Cookie")).isFalse();
        }
    }

    @Test
    void aLargeBodyStreamsThroughIntact() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + i / 7);
        try (LocalApp app = LocalApp.start(exchange -> {
            byte[] body = (byte[]) exchange.getAttribute(LocalApp.BODY);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }); Fixture f = Fixture.open(app.port())) {
            byte[] head = ascii(request("PUT", "/blob", "", null).replace("\r\n\r\n",
                    "\r\nContent-Length: " + big.length + "\r\n\r\n"));
            try (MuxStream stream = f.agent().exchange(Fixture.TUNNEL, head)) {
                CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                    try {
                        stream.getOutputStream().write(big);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                stream.setReadTimeout(FakeRelay.WAIT);
                String responseHead = RawApp.readHead(stream.getInputStream());
                assertThat(responseHead).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Length: " + big.length);
                assertThat(stream.getInputStream().readAllBytes()).isEqualTo(big);
                upload.get();
            }
        }
    }
}
