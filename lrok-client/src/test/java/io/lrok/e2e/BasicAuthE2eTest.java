package io.lrok.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.Tunnel;
import io.lrok.relay.EmbeddedRelay;
import io.lrok.testing.Curl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP Basic authentication in front of a tunnel: curl as a visitor, with and without the credentials. */
@Timeout(60)
class BasicAuthE2eTest {

    @Test
    void onlyRequestsWithTheCredentialsReachTheAppAndWithoutTheTunnelsAuthorization() throws Exception {
        Curl.require();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                LocalHttpApp app = LocalHttpApp.start(exchange -> LocalHttpApp.respond(exchange, 200,
                        "authorization=" + exchange.getRequestHeaders().getFirst("Authorization")));
                Tunnel tunnel = Tunnel.http(app.port()).relay(relay).basicAuth("alice", "s3cret:with colon").open()) {
            String url = tunnel.publicUrl() + "/private";

            Curl.Result none = Curl.run(E2e.CURL, "-sS", "-i", url);
            assertThat(none.out()).startsWith("HTTP/1.1 401 Unauthorized\r\n")
                    .containsIgnoringCase("WWW-Authenticate: Basic realm=\"lrok\", charset=\"UTF-8\"\r\n")
                    .endsWith("this tunnel needs a user name and password\n");

            Curl.Result wrong = Curl.run(E2e.CURL, "-sS", "-i", "-u", "alice:guess", url);
            assertThat(wrong.out()).startsWith("HTTP/1.1 401 ");

            Curl.Result right = Curl.run(E2e.CURL, "-sS", "-i", "-u", "alice:s3cret:with colon", url);
            assertThat(right.out()).startsWith("HTTP/1.1 200 ").endsWith("authorization=null");
            assertThat(app.pending()).as("the app saw only the authorized request").isEqualTo(1);
        }
    }

    @Test
    void unusableCredentialsAreRefusedByTheBuilder() {
        assertThatThrownBy(() -> Tunnel.http(3000).basicAuth("a:b", "c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> Tunnel.http(3000).basicAuth("a", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
