package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the public sees when there is no tunnel for its host, or the tunnel's local app is down. */
@Timeout(60)
class ErrorsE2eTest {

    @Test
    void anUnknownHostOnTheSharedPortIs404NamingTheHost() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "ok"));
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).subdomain("known").open()) {
            Curl.Result r = Curl.run(E2e.CURL, "-sS", "-i", "-H", "Host: nope.localhost",
                    "http://127.0.0.1:" + relay.httpPort() + "/some/path");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("HTTP/1.1 404 Not Found\r\n").contains("X-Lrok-Error: 404\r\n")
                    .contains("\r\n\r\n404 Not Found\nno tunnel for host nope.localhost\n");
            assertThat(app.pending()).isZero();

            Curl.Result known = Curl.run(E2e.CURL, "-sS", "-H", "Host: known.localhost",
                    "http://127.0.0.1:" + relay.httpPort() + "/");
            assertThat(known.out()).isEqualTo("ok"); // the same port routes a name that is bound
        }
    }

    @Test
    void aLocalAppThatIsNotListeningGets502SayingItCouldNotBeReached() throws Exception {
        Curl.require();
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort(); // free once closed: nothing listens there
        }
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                Tunnel tunnel = Tunnel.http(deadPort).relay(relay).open();
                HttpClient client = E2e.http11()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/x"))
                    .build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(response.body()).startsWith("lrok could not reach the local app at 127.0.0.1:" + deadPort + ": ")
                    .containsIgnoringCase("connection refused");
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");

            Curl.Result r = Curl.run(E2e.CURL, "-sS", "-i", tunnel.publicUrl() + "/y");
            assertThat(r.out()).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
                    .contains("lrok could not reach the local app at 127.0.0.1:" + deadPort);
            assertThat(tunnel.isOpen()).as("the tunnel stays up for when the app comes back").isTrue();
        }
    }

    @Test
    void anAppThatGoesDownAfterServingGets502AndComesBack() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                HttpClient client = E2e.http11()) {
            LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "up"));
            int port = app.port();
            try (app; Tunnel tunnel = Tunnel.http(port).relay(relay).open()) {
                HttpRequest request = HttpRequest.newBuilder(tunnel.publicUrl()).build();
                assertThat(client.send(request, BodyHandlers.ofString()).body()).isEqualTo("up");
                app.close(); // the agent's pooled connection to it dies too

                HttpResponse<String> down = client.send(request, BodyHandlers.ofString());
                assertThat(down.statusCode()).isEqualTo(502);
                assertThat(down.body()).contains("could not reach the local app at 127.0.0.1:" + port);

                try (LocalHttpApp again = LocalHttpApp.startOn(port,
                        exchange -> LocalHttpApp.respond(exchange, 200, "back"))) {
                    assertThat(client.send(request, BodyHandlers.ofString()).body()).isEqualTo("back");
                }
            }
        }
    }

    @Test
    void aLocalAppThatDoesNotAnswerInTimeGets504AndTheTunnelGoesOn() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> {
                    if (exchange.getRequestURI().getPath().equals("/stuck")) {
                        try {
                            release.await(); // answers only when the test is done with it
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    LocalHttpApp.respond(exchange, 200, "quick");
                });
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay)
                        .localResponseTimeout(java.time.Duration.ofMillis(300)).open();
                HttpClient client = E2e.http11()) {
            HttpResponse<String> slow = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/stuck"))
                    .build(), BodyHandlers.ofString());
            assertThat(slow.statusCode()).isEqualTo(504);
            assertThat(slow.body()).startsWith("the local app at 127.0.0.1:" + app.port() + " did not answer within");
            release.countDown();
            HttpResponse<String> next = client.send(HttpRequest.newBuilder(tunnel.publicUrl().resolve("/fine"))
                    .build(), BodyHandlers.ofString());
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("quick");
            assertThat(tunnel.isOpen()).isTrue();
        }
    }
}
