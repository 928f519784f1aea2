package io.lrok;

import static io.lrok.Fixture.get;
import static io.lrok.Fixture.request;
import static io.lrok.RawApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.mux.MuxStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exchanges that are not a plain request and response: 100-continue, a protocol switch, an event stream, an
 * app that is down or misbehaves, a public client that goes away, a kept-alive connection the app has dropped.
 */
@Timeout(30)
class ForwardingEdgeTest {

    @Test
    void expectContinueGoesBothWays() throws Exception {
        try (RawApp app = RawApp.start((socket, n) -> {
            InputStream in = socket.getInputStream();
            String head = RawApp.readHead(in);
            if (!head.contains("Expect: 100-continue")) throw new AssertionError(head);
            socket.getOutputStream().write(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
            String body = new String(in.readNBytes(5), StandardCharsets.US_ASCII);
            socket.getOutputStream().write(ascii("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n" + body));
            in.read();
        }); Fixture f = Fixture.open(app.port())) {
            String head = request("POST", "/upload", "Expect: 100-continue\r\nContent-Length: 5\r\n", null);
            try (MuxStream stream = f.agent().exchange(Fixture.TUNNEL, head)) {
                stream.setReadTimeout(FakeRelay.WAIT);
                InputStream in = stream.getInputStream();
                assertThat(RawApp.readHead(in)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n"); // before any body byte
                stream.getOutputStream().write(ascii("hello"));
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello");
            }
        }
    }

    @Test
    void anUpgradeBecomesARawPipeWithHalfCloseBothWays() throws Exception {
        CompletableFuture<String> appSaw = new CompletableFuture<>();
        try (RawApp app = RawApp.start((socket, n) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            appSaw.complete(RawApp.readHead(in));
            out.write(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"));
            in.transferTo(out); // echo until the relay's FIN arrives as EOF
            out.write(ascii("bye"));
            socket.shutdownOutput(); // and our own half-close goes back as FIN
            in.read();
        }); Fixture f = Fixture.open(app.port())) {
            String upgrade = request("GET", "/ws", "Upgrade: echo\r\n", null).replace("Connection: close",
                    "Connection: upgrade");
            try (MuxStream stream = f.agent().exchange(Fixture.TUNNEL, upgrade)) {
                stream.setReadTimeout(FakeRelay.WAIT);
                InputStream in = stream.getInputStream();
                assertThat(RawApp.readHead(in)).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
                stream.getOutputStream().write(ascii("ping"));
                assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
                stream.getOutputStream().write(ascii("pong"));
                assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
                stream.shutdownOutput();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye"); // then FIN
            }
            assertThat(appSaw.get()).contains("Connection: upgrade\r\n").contains("Upgrade: echo\r\n");
        }
    }

    @Test
    void eventStreamChunksArriveBeforeTheResponseEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LocalApp app = LocalApp.start(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0); // chunked
            OutputStream out = exchange.getResponseBody();
            out.write(ascii("data: one\n\n"));
            out.flush();
            try {
                release.await(FakeRelay.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(ascii("data: two\n\n"));
            out.close();
        }); Fixture f = Fixture.open(app.port())) {
            try (MuxStream stream = f.agent().exchange(Fixture.TUNNEL, get("/events"))) {
                stream.setReadTimeout(FakeRelay.WAIT);
                InputStream in = stream.getInputStream();
                assertThat(FakeRelay.readUntil(in, "data: one\n\n")).contains("text/event-stream")
                        .doesNotContain("data: two");
                release.countDown();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                        .contains("data: two\n\n").endsWith("0\r\n\r\n");
            }
        }
    }

    @Test
    void anAppThatIsDownGetsA502NamingIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Fixture f = Fixture.open(port)) {
            String response = f.roundTrip(request("POST", "/hook", "", "{\"event\":1}"));
            assertThat(response).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("Content-Type: text/plain; charset=utf-8\r\n")
                    .endsWith("lrok could not reach the local app at 127.0.0.1:" + port + ": connection refused\n");
            assertThat(f.tunnel().isOpen()).isTrue();
        }
    }

    @Test
    void aMalformedResponseGetsA502() throws Exception {
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 OK\r\n\r\n"));
        }); Fixture f = Fixture.open(app.port())) {
            assertThat(f.roundTrip(get("/"))).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("the local app at 127.0.0.1:" + app.port() + " sent a malformed response");
        }
    }

    @Test
    void aResetFromTheRelayMidResponseClosesTheLocalConnection() throws Exception {
        CompletableFuture<Integer> appReadAfterReset = new CompletableFuture<>();
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            if (n > 1) {
                socket.getOutputStream().write(ascii("HTTP/1.1 204 No Content\r\n\r\n"));
                socket.getInputStream().read();
                return;
            }
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"));
            try {
                appReadAfterReset.complete(socket.getInputStream().read());
            } catch (java.io.IOException e) {
                appReadAfterReset.complete(-2); // reset: closed as well
            }
        }); Fixture f = Fixture.open(app.port())) {
            MuxStream stream = f.agent().exchange(Fixture.TUNNEL, get("/slow"));
            stream.setReadTimeout(FakeRelay.WAIT);
            assertThat(FakeRelay.readUntil(stream.getInputStream(), "0123456789")).startsWith("HTTP/1.1 200 OK");
            stream.reset(); // the public client went away
            assertThat(appReadAfterReset).succeedsWithin(FakeRelay.WAIT).isIn(-1, -2);
            assertThat(f.roundTrip(get("/next"))).startsWith("HTTP/1.1 204"); // on a fresh connection
            assertThat(app.connections()).isEqualTo(2);
        }
    }

    @Test
    void aDeadKeptAliveConnectionIsReplacedOnceForARequestWithoutBody() throws Exception {
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + n));
            // then close, as an app does when its keep-alive timeout passes
        }); Fixture f = Fixture.open(app.port())) {
            assertThat(f.roundTrip(get("/a"))).endsWith("#1");
            assertThat(f.roundTrip(get("/b"))).endsWith("#2"); // the pooled connection was dead: retried
            assertThat(app.connections()).isEqualTo(2);
        }
    }

    @Test
    void theRetryAfterADeadKeptAliveConnectionUsesANewConnectionNotAnotherPooledOne() throws Exception {
        // Two connections are pooled, then the app closes both (as an app does that keeps few idle connections):
        // the next request finds the first dead, and its one retry must not take the second, dead too.
        CountDownLatch bothArrived = new CountDownLatch(2);
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            if (n <= 2) {
                bothArrived.countDown();
                bothArrived.await(FakeRelay.WAIT.toSeconds(), TimeUnit.SECONDS); // two exchanges at once
            }
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + n));
            // then close, without Connection: close
        }); Fixture f = Fixture.open(app.port());
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> roundTrip(f, "/a"), threads);
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> roundTrip(f, "/b"), threads);
            assertThat(List.of(first.get(), second.get())).allMatch(r -> r.startsWith("HTTP/1.1 200 OK\r\n"));
            assertThat(f.roundTrip(get("/c"))).startsWith("HTTP/1.1 200 OK\r\n").endsWith("#3");
            assertThat(app.connections()).isEqualTo(3);
        }
    }

    private static String roundTrip(Fixture f, String target) {
        try {
            return f.roundTrip(get(target));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aPostOnADeadKeptAliveConnectionIsNotRetried() throws Exception {
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + n));
        }); Fixture f = Fixture.open(app.port())) {
            assertThat(f.roundTrip(get("/a"))).endsWith("#1");
            assertThat(f.roundTrip(request("POST", "/order", "", "buy")))
                    .startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("lrok lost the local app at 127.0.0.1:" + app.port() + " before it answered");
            assertThat(app.connections()).isEqualTo(1);
        }
    }

    @Test
    void anAppAnsweringBeforeReadingTheBodyIsNotReused() throws Exception {
        try (RawApp app = RawApp.start((socket, n) -> {
            RawApp.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n"));
            RawApp.readHead(socket.getInputStream()); // whatever comes next, never a clean request
        }); Fixture f = Fixture.open(app.port())) {
            String head = request("POST", "/big", "Content-Length: 100000\r\n", null);
            try (MuxStream stream = f.agent().exchange(Fixture.TUNNEL, head)) {
                stream.setReadTimeout(FakeRelay.WAIT);
                assertThat(new String(stream.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 413");
            }
            assertThat(f.roundTrip(get("/next"))).startsWith("HTTP/1.1 413");
            assertThat(app.connections()).isEqualTo(2);
        }
    }
}
