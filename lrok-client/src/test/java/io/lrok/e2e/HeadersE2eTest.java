package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the app sees of the Host and of the forwarding headers. */
@Timeout(60)
class HeadersE2eTest {
    private static final String SPOOFED_IP = "203.0.113.66";
    private static final String SPOOFED_HOST = "evil.example";

    private static LocalHttpApp ok() throws java.io.IOException {
        return LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200, "ok"));
    }

    @Test
    void byDefaultTheAppSeesThePublicHost() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = ok();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).subdomain("shop").open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl()).build(), BodyHandlers.discarding());
            Headers viaOwnPort = app.take().headers();
            assertThat(viaOwnPort.getFirst("Host")).isEqualTo(tunnel.publicUrl().getAuthority());
            assertThat(viaOwnPort.getFirst("X-Forwarded-Host")).isEqualTo(tunnel.publicUrl().getAuthority());

            Curl.Result r = Curl.run(E2e.CURL, "-sS", "-H", "Host: shop.localhost:" + relay.httpPort(),
                    "http://127.0.0.1:" + relay.httpPort() + "/");
            assertThat(r.out()).as(r.err()).isEqualTo("ok");
            Headers viaSharedPort = app.take().headers();
            assertThat(viaSharedPort.getFirst("Host")).isEqualTo("shop.localhost:" + relay.httpPort());
            assertThat(viaSharedPort.getFirst("X-Forwarded-Host")).isEqualTo("shop.localhost:" + relay.httpPort());
        }
    }

    @Test
    void rewriteHostHeaderGivesTheAppItsOwnAddressAndKeepsThePublicHostInXForwardedHost() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = ok();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).subdomain("vite").rewriteHostHeader().open();
                HttpClient client = E2e.http11()) {
            client.send(HttpRequest.newBuilder(tunnel.publicUrl()).build(), BodyHandlers.discarding());
            Headers seen = app.take().headers();
            assertThat(seen.getFirst("Host")).isEqualTo("127.0.0.1:" + app.port());
            assertThat(seen.getFirst("X-Forwarded-Host")).isEqualTo(tunnel.publicUrl().getAuthority());

            Curl.run(E2e.CURL, "-sS", "-H", "Host: vite.localhost", "http://127.0.0.1:" + relay.httpPort() + "/");
            Headers shared = app.take().headers();
            assertThat(shared.getFirst("Host")).isEqualTo("127.0.0.1:" + app.port());
            assertThat(shared.getFirst("X-Forwarded-Host")).isEqualTo("vite.localhost");
        }
    }

    @Test
    void forwardingHeadersFromTheClientAreReplacedByTheRelays() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = ok();
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open();
                HttpClient client = E2e.http11()) {
            String authority = tunnel.publicUrl().getAuthority();
            Curl.Result r = Curl.run(E2e.CURL, "-sS",
                    "-H", "X-Forwarded-For: " + SPOOFED_IP,
                    "-H", "X-Forwarded-For: 10.0.0.1, " + SPOOFED_IP,
                    "-H", "Forwarded: for=" + SPOOFED_IP + ";host=" + SPOOFED_HOST + ";proto=https",
                    "-H", "X-Real-IP: " + SPOOFED_IP,
                    "-H", "X-Forwarded-Host: " + SPOOFED_HOST,
                    "-H", "X-Forwarded-Proto: https",
                    "-H", "X-Forwarded-Port: 443",
                    tunnel.publicUrl() + "/");
            assertThat(r.out()).as(r.err()).isEqualTo("ok");
            assertRelaysValues(app.take().headers(), authority);

            client.send(HttpRequest.newBuilder(tunnel.publicUrl())
                    .header("X-Forwarded-For", SPOOFED_IP)
                    .header("Forwarded", "for=\"[2001:db8::66]\";proto=https")
                    .header("X-Real-IP", SPOOFED_IP)
                    .build(), BodyHandlers.discarding());
            assertRelaysValues(app.take().headers(), authority);
        }
    }

    private static void assertRelaysValues(Headers seen, String authority) {
        assertThat(seen.get("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(seen.get("Forwarded")).containsExactly("for=127.0.0.1;host=\"" + authority + "\";proto=http");
        assertThat(seen.get("X-Forwarded-Host")).containsExactly(authority);
        assertThat(seen.get("X-Forwarded-Proto")).containsExactly("http");
        assertThat(seen.containsKey("X-Real-IP")).isFalse();
        assertThat(seen.containsKey("X-Forwarded-Port")).isFalse();
        for (Map.Entry<String, List<String>> field : seen.entrySet()) {
            assertThat(field.getValue()).as(field.getKey()).noneMatch(v -> v.contains(SPOOFED_IP)
                    || v.contains(SPOOFED_HOST) || v.contains("2001:db8") || v.contains("https"));
        }
    }
}
