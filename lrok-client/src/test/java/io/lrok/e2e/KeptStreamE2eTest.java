package io.lrok.e2e;

import static io.lrok.e2e.RawLocalApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.ResponseHead;
import io.lrok.relay.EmbeddedRelay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A public keep-alive connection's requests share one stream between relay and agent (docs/protocol.md §5, kept
 * streams), each request and response delimited by its own framing: whatever the framing, whatever the app does
 * with a body, the connection and the stream stay in step, request after request.
 */
@Timeout(60)
class KeptStreamE2eTest {

    /** A public client on a raw socket that reads responses with lrok's own parser. */
    private record Client(Socket socket, HttpReader reader, String host) implements AutoCloseable {
        static Client to(Tunnel tunnel) throws IOException {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), tunnel.publicUrl().getPort());
            socket.setSoTimeout((int) E2e.WAIT.toMillis());
            return new Client(socket, new HttpReader(socket.getInputStream()), tunnel.publicUrl().getAuthority());
        }

        void send(String head, byte[] body) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(ascii(head.replace("{host}", host)));
            out.write(body);
            out.flush();
        }

        /** @return "status body" of the next response */
        String read(String method) throws IOException {
            ResponseHead head = reader.readResponseHead(HttpLimits.defaults());
            byte[] body = reader.body(BodyFraming.forResponse(method, head), HttpLimits.defaults()).readAllBytes();
            assertThat(head.headers().containsToken("Connection", "close")).as("connection kept").isFalse();
            return head.status() + " " + new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void bodiesOfEveryFramingAndBodilessResponsesTakeTurnsOnOneConnection() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    String path = exchange.getRequestURI().getPath();
                    int status = path.equals("/none") ? 204 : 200;
                    LocalHttpApp.respond(exchange, status, exchange.getRequestMethod() + " " + path + " "
                            + new String(body, StandardCharsets.UTF_8));
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                Client client = Client.to(tunnel)) {
            for (int round = 0; round < 3; round++) {
                client.send("POST /fixed HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\n\r\n", ascii("hello"));
                assertThat(client.read("POST")).isEqualTo("200 POST /fixed hello");
                client.send("POST /chunked HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n",
                        ascii("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
                assertThat(client.read("POST")).isEqualTo("200 POST /chunked abcde");
                client.send("HEAD /head HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
                assertThat(client.read("HEAD")).isEqualTo("200 ");
                client.send("GET /none HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
                assertThat(client.read("GET")).isEqualTo("204 ");
                client.send("GET /get HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
                assertThat(client.read("GET")).isEqualTo("200 GET /get ");
            }
            assertThat(app.connections()).as("local connections the agent used").isEqualTo(1);
        }
    }

    @Test
    void anAppThatAnswersWithoutReadingALargeBodyLeavesTheConnectionInStep() throws Exception {
        LinkedBlockingQueue<String> served = new LinkedBlockingQueue<>();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                RawLocalApp app = RawLocalApp.start(socket -> {
                    InputStream in = socket.getInputStream();
                    String head;
                    while (!(head = RawLocalApp.readHead(in)).isEmpty()) {
                        String target = head.split(" ", 3)[1];
                        served.add(target);
                        if (target.equals("/upload")) { // refuses the body unread and hangs up, as many apps do
                            socket.getOutputStream().write(ascii("HTTP/1.1 413 Content Too Large\r\n"
                                    + "Content-Length: 8\r\nConnection: close\r\n\r\ntoo big\n"));
                            socket.setSoLinger(true, 0);
                            return;
                        }
                        socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                    }
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                Client client = Client.to(tunnel)) {
            byte[] large = new byte[4 << 20]; // more than the stream's window and the sockets' buffers
            client.send("POST /upload HTTP/1.1\r\nHost: {host}\r\nContent-Length: " + large.length + "\r\n\r\n",
                    large);
            assertThat(client.read("POST")).isEqualTo("413 too big\n");
            client.send("GET /after HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
            assertThat(client.read("GET")).isEqualTo("200 ok");
            assertThat(served.poll(E2e.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("/upload");
            assertThat(served.poll(E2e.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("/after");
        }
    }

    @Test
    void anHttp10ClientThatAsksForKeepAliveKeepsItsConnection() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200,
                        exchange.getRequestURI().getPath()));
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                Client client = Client.to(tunnel)) {
            for (int i = 1; i <= 3; i++) {
                client.send("GET /old" + i + " HTTP/1.0\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n",
                        new byte[0]);
                assertThat(client.read("GET")).isEqualTo("200 /old" + i);
            }
        }
    }

    @Test
    void aLocalAppThatIsDownGets502OnAKeptConnectionWhichThenGoesOn() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "up"));
            int port = app.port();
            try (app; Tunnel tunnel = Tunnel.http(port).relay(relay).open(); Client client = Client.to(tunnel)) {
                client.send("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
                assertThat(client.read("GET")).isEqualTo("200 up");
                app.close();
                client.send("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 3\r\n\r\n", ascii("abc"));
                // the pooled connection is dead and a POST is not sent again: "lost", or "could not reach" if the
                // agent saw it closed before taking it
                assertThat(client.read("POST")).startsWith("502 lrok ").contains("the local app at 127.0.0.1:" + port);
                try (LocalHttpApp again = LocalHttpApp.startOn(port,
                        exchange -> LocalHttpApp.respond(exchange, 200, "back"))) {
                    client.send("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
                    assertThat(client.read("GET")).isEqualTo("200 back");
                }
            }
        }
    }

    @Test
    void eachExchangeOnAKeptStreamIsRecordedFromWhenItsOwnRequestArrived() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "ok"));
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                Client client = Client.to(tunnel)) {
            client.send("GET /first HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
            assertThat(client.read("GET")).isEqualTo("200 ok");
            tunnel.awaitExchange(e -> e.request().target().equals("/first")
                    && e.state() != io.lrok.inspect.ExchangeState.IN_PROGRESS, E2e.WAIT);
            java.time.Instant sent = java.time.Instant.now();
            client.send("GET /second HTTP/1.1\r\nHost: {host}\r\n\r\n", new byte[0]);
            assertThat(client.read("GET")).isEqualTo("200 ok");
            io.lrok.inspect.RecordedExchange second = tunnel.awaitExchange(
                    e -> e.request().target().equals("/second"), E2e.WAIT);
            assertThat(second.timings().start()).as("not when the stream's previous exchange ended")
                    .isAfterOrEqualTo(sent);
        }
    }
}
