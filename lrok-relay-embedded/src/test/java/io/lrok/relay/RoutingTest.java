package io.lrok.relay;

import io.lrok.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Public requests find their tunnel: by Host on the shared port, by port on a tunnel's own, or not at all. */
@Timeout(30)
class RoutingTest {

    @Test
    void twoTunnelsOnOneKeptAliveConnectionEachRequestByItsOwnHost() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent alpha = FakeAgent.connect(relay);
                FakeAgent beta = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            alpha.bindHttp("alpha");
            beta.bindHttp("beta");
            alpha.serve(Responses.whoAmI("alpha"));
            beta.serve(Responses.whoAmI("beta"));
            String port = ":" + relay.httpPort();

            assertThat(client.get("alpha.localhost" + port, "/").body()).isEqualTo("alpha:");
            assertThat(client.get("BETA.LocalHost.", "/").body()).isEqualTo("beta:");
            RawClient.Response third = client.get("alpha.localhost", "/again");
            assertThat(third.body()).isEqualTo("alpha:");
            assertThat(third.header("Connection")).isNull();
            assertThat(alpha.takeRequest().head().target()).isEqualTo("/");
            assertThat(beta.takeRequest().header().host()).isEqualTo("BETA.LocalHost.");
        }
    }

    @Test
    void aTunnelsOwnPortTakesAnyHostAndItsUrlWorksAsIs() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.fixed("hello"));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(bound.publicUrl().resolve("/x?y=1"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.head().target()).isEqualTo("/x?y=1");
            assertThat(seen.header().host()).isEqualTo("127.0.0.1:" + bound.publicUrl().getPort());
            // java.net.http asks to upgrade to h2c; that cannot pass, so the agent sees an ordinary request
            assertThat(seen.head().headers().contains("Upgrade")).isFalse();
            assertThat(seen.head().headers().contains("HTTP2-Settings")).isFalse();
            assertThat(seen.head().headers().all("Connection")).containsExactly("close");

            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                assertThat(client.get("unrelated.example", "/").body()).isEqualTo("hello");
            }
        }
    }

    @Test
    void anUnknownHostGets404NamingIt() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); RawClient client = new RawClient(relay.httpPort())) {
            RawClient.Response response = client.get("nobody.localhost:" + relay.httpPort(), "/");
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.header("Content-Type")).startsWith("text/plain");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(response.header("X-Lrok-Error")).isEqualTo("404");
            assertThat(response.body()).contains("404 Not Found", "no tunnel for host nobody.localhost:"
                    + relay.httpPort(), "Check the URL");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void browsersGetTheErrorPageInHtmlWithTheHostEscaped() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); RawClient client = new RawClient(relay.httpPort())) {
            // A Host may hold '&' (a sub-delim); '<' and '>' it may not, and such a request is 400 before routing.
            client.send("GET / HTTP/1.1\r\nHost: a&b.localhost\r\nAccept: text/html,*/*\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.header("Content-Type")).startsWith("text/html");
            assertThat(response.body()).contains("<title>404 Not Found</title>", "a&amp;b.localhost")
                    .doesNotContain("a&b");
        }
    }

    @Test
    void aRequestWithoutHostOnTheSharedPortIs400() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); RawClient client = new RawClient(relay.httpPort())) {
            client.send("GET / HTTP/1.0\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("no Host header");
        }
    }

    @Test
    void withADomainHostsUnderItAreRoutedAndLocalhostOnesAreNot() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("lrok.test").start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("app");
            agent.serve(Responses.whoAmI("app"));
            assertThat(client.get("app.lrok.test:" + relay.httpPort(), "/").body()).isEqualTo("app:");
            assertThat(client.get("App.LROK.test.", "/").body()).isEqualTo("app:");
            assertThat(client.get("app.localhost", "/").status()).isEqualTo(404);
        }
    }

    @Test
    void anAbsoluteTargetIsRoutedByItsAuthorityAndPassedOnInOriginForm() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("abs");
            agent.serve(Responses.whoAmI("abs"));
            client.send("GET http://abs.localhost:" + relay.httpPort() + "/p?q=1 HTTP/1.1\r\nHost: ABS.localhost\r\n\r\n");
            assertThat(client.read("GET").body()).isEqualTo("abs:");
            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.head().target()).isEqualTo("/p?q=1");
            assertThat(seen.head().headers().get("Host")).isEqualTo("abs.localhost:" + relay.httpPort());
        }
    }

    @Test
    void anAbsoluteTargetWhoseHostNamesAnotherTunnelIs400AndReachesNeither() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("one");
            agent.bindHttp("two");
            java.util.concurrent.atomic.AtomicInteger exchanges = new java.util.concurrent.atomic.AtomicInteger();
            FakeAgent.Handler whoAmI = Responses.whoAmI("either");
            agent.serve(ex -> {
                exchanges.incrementAndGet();
                whoAmI.handle(ex);
            });
            client.send("GET http://two.localhost/ HTTP/1.1\r\nHost: one.localhost\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("names host two.localhost but the Host header one.localhost");
            assertThat(client.closedByPeer()).isTrue();
            // The relay opens an exchange's stream before it answers anything: none was opened.
            assertThat(exchanges).hasValue(0);
        }
    }

    @Test
    void anAgentThatSentGoAwayIsOffline() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp("gone");
            agent.mux.goAway();
            agent.mux.ping(); // answered after the relay has read the GoAway before it: a barrier
            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                RawClient.Response response = client.get("whatever", "/");
                assertThat(response.status()).isEqualTo(502);
                assertThat(response.body()).contains("tunnel gone is offline", "Start it again");
            }
        }
    }

    @Test
    void anAgentShuttingDownIsOffline() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            agent.bindHttp("leaving");
            agent.send(new Shutdown("agent restarting", 1000));
            agent.bindHttp(null); // a barrier: the shutdown has been handled
            try (RawClient client = new RawClient(relay.httpPort())) {
                RawClient.Response response = client.get("leaving.localhost", "/");
                assertThat(response.status()).isEqualTo(502);
                assertThat(response.body()).contains("tunnel leaving is offline");
            }
        }
    }

    @Test
    void afterTheAgentDisconnectsItsHostIs404() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            try (FakeAgent agent = FakeAgent.connect(relay)) {
                agent.bindHttp("brief");
            }
            Await.until("the tunnel is released", () -> relay.server().tunnelCount() == 0);
            try (RawClient client = new RawClient(relay.httpPort())) {
                assertThat(client.get("brief.localhost", "/").status()).isEqualTo(404);
            }
        }
    }
}
