package io.lrok.e2e;

import static io.lrok.e2e.RawLocalApp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections are reused on both hops: sequential requests from one public client share one public connection,
 * and the agent's pool serves them, and requests from separate public connections too, on one local connection.
 */
@Timeout(60)
class KeepAliveE2eTest {
    private static LocalHttpApp echoPath() throws java.io.IOException {
        return LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, exchange.getRequestURI().getPath()));
    }

    @Test
    void oneCurlWithSeveralUrlsUsesOnePublicConnectionAndTheAppSeesOneConnection() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoPath();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            String url = tunnel.publicUrl().toString();
            // %{num_connects}: how many new connections curl made for each transfer.
            Curl.Result r = Curl.run(E2e.CURL, "-sS", "-v", "-w", " connects=%{num_connects}\n",
                    url + "/one", url + "/two", url + "/three", url + "/four");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("/one connects=1\n/two connects=0\n/three connects=0\n/four connects=0\n");
            assertThat(r.err()).containsIgnoringCase("re-using existing connection");
            assertThat(app.connections()).as("local connections the agent used").isEqualTo(1);
        }
    }

    @Test
    void sequentialRequestsOnOneRawPublicConnectionAreAllAnswered() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoPath();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                Socket client = new Socket(InetAddress.getLoopbackAddress(), tunnel.publicUrl().getPort())) {
            client.setSoTimeout((int) E2e.WAIT.toMillis());
            InputStream in = client.getInputStream();
            for (int i = 1; i <= 5; i++) {
                client.getOutputStream().write(ascii("GET /req" + i + " HTTP/1.1\r\nHost: "
                        + tunnel.publicUrl().getAuthority() + "\r\n\r\n"));
                String head = RawLocalApp.readHead(in);
                assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").doesNotContainIgnoringCase("Connection: close")
                        .containsIgnoringCase("Content-Length: 5\r\n");
                assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("/req" + i);
            }
            assertThat(app.connections()).as("local connections the agent used").isEqualTo(1);
        }
    }

    @Test
    void theAgentsPoolServesSeparatePublicConnectionsOnOneLocalConnection() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = echoPath();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
            URI url = tunnel.publicUrl();
            for (int i = 1; i <= 5; i++) { // a new client each time: a new public connection each time
                try (HttpClient client = E2e.http11()) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(url.resolve("/c" + i)).build(),
                            BodyHandlers.ofString());
                    assertThat(response.body()).isEqualTo("/c" + i);
                }
            }
            try (HttpClient client = E2e.http11()) { // one client, sequential requests
                for (int i = 1; i <= 5; i++) {
                    assertThat(client.send(HttpRequest.newBuilder(url.resolve("/s" + i)).build(),
                            BodyHandlers.ofString()).body()).isEqualTo("/s" + i);
                }
            }
            assertThat(app.connections()).as("local connections the agent used for 10 requests").isEqualTo(1);
        }
    }
}
