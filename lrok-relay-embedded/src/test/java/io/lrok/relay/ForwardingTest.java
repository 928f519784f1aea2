package io.lrok.relay;

import io.lrok.testing.Await;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.http.HttpHeaders;
import io.lrok.http.HttpLimits;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.ResponseHead;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.Proto;
import io.lrok.mux.StreamResetException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What passes through a tunnel, and how: heads rewritten, bodies byte for byte, connections kept or closed. */
@Timeout(30)
class ForwardingTest {

    @Test
    void clientForwardingHeadersNeverReachTheAgentAndTheRelaySetsItsOwn() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            Bound bound = agent.bindHttp("fwd");
            agent.serve(Responses.fixed("ok"));
            String host = "fwd.localhost:" + relay.httpPort();
            client.send("GET /path HTTP/1.1\r\nHost: " + host + "\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n"
                    + "X-Forwarded-Port: 443\r\nx-real-ip: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
                    + "Connection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nUser-Agent: raw/1\r\n\r\n");
            assertThat(client.read("GET").status()).isEqualTo(200);

            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.header().tunnelId()).isEqualTo(bound.tunnelId());
            assertThat(seen.header().kind()).isEqualTo(Proto.HTTP);
            assertThat(seen.header().scheme()).isEqualTo("http");
            assertThat(seen.header().host()).isEqualTo(host);
            assertThat(seen.header().clientAddress()).isEqualTo("127.0.0.1:" + client.socket.getLocalPort());
            HttpHeaders h = seen.head().headers();
            assertThat(h.all("X-Forwarded-For")).containsExactly("127.0.0.1");
            assertThat(h.all("X-Forwarded-Proto")).containsExactly("http");
            assertThat(h.all("X-Forwarded-Host")).containsExactly(host);
            assertThat(h.all("Forwarded")).containsExactly("for=127.0.0.1;host=\"" + host + "\";proto=http");
            assertThat(h.all("Connection")).containsExactly("close");
            for (String gone : new String[] {"X-Forwarded-Port", "X-Real-IP", "X-Hop", "Keep-Alive", "TE",
                    "Proxy-Connection", "Upgrade"}) {
                assertThat(h.contains(gone)).as(gone).isFalse();
            }
            assertThat(h.get("User-Agent")).isEqualTo("raw/1");
            assertThat(h.get("Host")).isEqualTo(host);
        }
    }

    @Test
    void aChunkedRequestBodyArrivesByteForByte() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("chunks");
            agent.serve(Responses.fixed("got it"));
            String body = "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: 42\r\n\r\n";
            client.send("POST /upload HTTP/1.1\r\nHost: chunks.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + body);
            assertThat(client.read("POST").body()).isEqualTo("got it");
            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.bodyText()).isEqualTo(body);
            assertThat(seen.head().headers().get("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(seen.head().headers().contains("Content-Length")).isFalse();
        }
    }

    @Test
    void aLargeBodyStreamsBothWaysIntact() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(ex -> {
                byte[] body = ex.readBody();
                ex.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                ex.stream.getOutputStream().write(body);
                ex.end();
            });
            byte[] upload = new byte[5 * 1024 * 1024 + 17];
            new Random(42).nextBytes(upload);
            HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(bound.publicUrl()).POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                            .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(MessageDigest.isEqual(response.body(), upload)).isTrue();
        }
    }

    @Test
    void expectContinueGetsTheAgentsInterimResponse() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            Bound bound = agent.bindHttp("cont");
            agent.serve(Responses.continueThenEcho());
            client.send("PUT /f HTTP/1.1\r\nHost: cont.localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            // The 100 comes before the body is sent: read it on its own, then send the body.
            HttpReader reader = new HttpReader(client.socket.getInputStream());
            assertThat(reader.readResponseHead(HttpLimits.defaults()).status()).isEqualTo(100);
            client.send("hello");
            ResponseHead last = reader.readResponseHead(HttpLimits.defaults());
            assertThat(last.status()).isEqualTo(200);
            assertThat(reader.fixedLength(5).readAllBytes()).asString(ISO_8859_1).isEqualTo("hello");

            HttpResponse<String> viaJdk = HttpClient.newHttpClient().send(HttpRequest.newBuilder(bound.publicUrl())
                    .expectContinue(true).POST(HttpRequest.BodyPublishers.ofString("from the jdk")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(viaJdk.body()).isEqualTo("from the jdk");
        }
    }

    @Test
    void interimResponsesArePassedOn() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("hints");
            agent.serve(Responses.earlyHints("page"));
            RawClient.Response response = client.get("hints.localhost", "/");
            assertThat(response.interim()).hasSize(1);
            assertThat(response.interim().get(0).status()).isEqualTo(103);
            assertThat(response.interim().get(0).headers().get("Link")).isEqualTo("</style.css>; rel=preload");
            assertThat(response.body()).isEqualTo("page");
        }
    }

    @Test
    void oneConnectionCarriesManyExchangesWhateverTheAgentsConnectionHeaderSays() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.fixed("same")); // says Connection: close, about the agent's local connection
            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                for (int i = 0; i < 3; i++) {
                    RawClient.Response response = client.get("x", "/" + i);
                    assertThat(response.body()).isEqualTo("same");
                    assertThat(response.header("Connection")).isNull();
                }
                client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawClient.Response head = client.read("HEAD");
                assertThat(head.header("Content-Length")).isEqualTo("4");
                assertThat(head.body()).isEmpty();
                assertThat(client.get("x", "/after-head").body()).isEqualTo("same");
            }
            for (int i = 0; i < 5; i++) assertThat(agent.takeRequest().header().clientAddress()).isNotNull();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderUntilConnectionClose() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent a = FakeAgent.connect(relay);
                FakeAgent b = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            a.bindHttp("first");
            b.bindHttp("second");
            a.serve(Responses.whoAmI("first"));
            b.serve(Responses.whoAmI("second"));
            client.send("POST / HTTP/1.1\r\nHost: first.localhost\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET / HTTP/1.1\r\nHost: second.localhost\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: first.localhost\r\nConnection: close\r\n\r\n"
                    + "GET /never HTTP/1.1\r\nHost: first.localhost\r\n\r\n"); // after close: dropped
            assertThat(client.read("POST").body()).isEqualTo("first:abc");
            assertThat(client.read("GET").body()).isEqualTo("second:");
            RawClient.Response last = client.read("GET");
            assertThat(last.body()).isEqualTo("first:");
            assertThat(last.header("Connection")).isEqualTo("close");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void anHttp10ClientKeepsItsConnectionOnlyWhenItAsks() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.fixed("old"));
            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawClient.Response kept = client.read("GET");
                assertThat(kept.header("Connection")).isEqualTo("keep-alive");
                client.send("GET / HTTP/1.0\r\n\r\n");
                RawClient.Response closed = client.read("GET");
                assertThat(closed.header("Connection")).isEqualTo("close");
                assertThat(closed.body()).isEqualTo("old");
                assertThat(client.closedByPeer()).isTrue();
            }
        }
    }

    @Test
    void aChunkedResponseKeepsItsFramingAndAnHttp10ClientGetsItDecoded() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.chunked("ab", "cde"));
            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                RawClient.Response modern = client.get("x", "/");
                assertThat(modern.header("Transfer-Encoding")).isEqualTo("chunked");
                assertThat(modern.body()).isEqualTo("abcde");
                client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                RawClient.Response old = client.read("GET");
                assertThat(old.header("Transfer-Encoding")).isNull();
                assertThat(old.header("Connection")).isEqualTo("close");
                assertThat(old.body()).isEqualTo("abcde");
                assertThat(client.closedByPeer()).isTrue();
            }
        }
    }

    @Test
    void aResponseThatEndsWithTheStreamEndsThePublicConnection() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.untilClose("to the end"));
            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                RawClient.Response response = client.get("x", "/");
                assertThat(response.header("Connection")).isEqualTo("close");
                assertThat(response.body()).isEqualTo("to the end");
            }
        }
    }

    @Test
    void anAgentResetOrSilenceBeforeTheResponseIs502() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent resetting = FakeAgent.connect(relay);
                FakeAgent silent = FakeAgent.connect(relay);
                FakeAgent garbled = FakeAgent.connect(relay)) {
            resetting.bindHttp("resets");
            resetting.serve(Responses.reset());
            silent.bindHttp("silent");
            silent.serve(Responses.silentEnd());
            garbled.bindHttp("garbled");
            garbled.serve(ex -> {
                ex.readBody();
                ex.send("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
                ex.end();
            });
            try (RawClient client = new RawClient(relay.httpPort())) {
                RawClient.Response r = client.get("resets.localhost", "/");
                assertThat(r.status()).isEqualTo(502);
                assertThat(r.body()).contains("tunnel resets gave no response");
            }
            try (RawClient client = new RawClient(relay.httpPort())) {
                assertThat(client.get("silent.localhost", "/").body()).contains("tunnel silent gave no response");
            }
            try (RawClient client = new RawClient(relay.httpPort())) {
                assertThat(client.get("garbled.localhost", "/").body())
                        .contains("tunnel garbled sent a malformed response", "Content-Length");
            }
        }
    }

    @Test
    void malformedRequestsGetTheirStatusAndAClosedConnection() throws Exception {
        String[][] cases = {
                {"GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n", "400"},
                {"GET / HTTP/1.1\nHost: a\n\n", "400"},
                {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"},
                {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
                {"GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", "414"},
                {"GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(70_000) + "\r\n\r\n", "431"},
                {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: br, chunked\r\n\r\n", "501"},
                {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "505"},
        };
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            for (String[] c : cases) {
                try (RawClient client = new RawClient(relay.httpPort())) {
                    client.send(c[0]);
                    RawClient.Response response = client.read("GET");
                    assertThat(response.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
                    assertThat(response.header("Connection")).isEqualTo("close");
                    assertThat(response.body()).contains("the relay could not read the request");
                    assertThat(client.closedByPeer()).isTrue();
                }
            }
        }
    }

    @Test
    void aMalformedChunkedBodyIs400AndTheAgentsStreamIsReset() throws Exception {
        CountDownLatch agentHasHead = new CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("badbody");
            agent.serve(ex -> {
                agentHasHead.countDown();
                ex.readBody();
                ex.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nnever");
            });
            client.send("POST / HTTP/1.1\r\nHost: badbody.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n");
            assertThat(agentHasHead.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            client.send("zz\r\n");
            RawClient.Response response = client.read("POST");
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("chunk");
            assertThat(agent.takeFailure()).isInstanceOf(StreamResetException.class);
        }
    }

    @Test
    void aSlowHeadGets408AndAnIdleConnectionIsClosedQuietly() throws Exception {
        RelayLimits limits = RelayLimits.defaults().withHeadTimeout(Duration.ofMillis(200))
                .withIdleTimeout(Duration.ofMillis(200));
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(limits).start()) {
            try (RawClient client = new RawClient(relay.httpPort())) {
                client.send("GET / HTTP/1.1\r\n");
                RawClient.Response response = client.read("GET");
                assertThat(response.status()).isEqualTo(408);
            }
            try (RawClient client = new RawClient(relay.httpPort())) {
                assertThat(client.closedByPeer()).isTrue();
            }
        }
    }

    @Test
    void connectionsPastTheLimitGet503() throws Exception {
        RelayLimits limits = RelayLimits.defaults().withMaxEdgeConnections(1);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(limits).start();
                RawClient first = new RawClient(relay.httpPort())) {
            Await.until("the first connection is counted", () -> relay.server().publicConnectionCount() == 1);
            try (RawClient second = new RawClient(relay.httpPort())) {
                RawClient.Response response = second.read("GET");
                assertThat(response.status()).isEqualTo(503);
            }
            assertThat(first.get("nobody.localhost", "/").status()).isEqualTo(404);
        }
    }

    @Test
    void connectionsPastTheLimitOfOneAddressGet503AndAreCountedWhileOthersAreServed() throws Exception {
        RelayLimits limits = RelayLimits.defaults().withMaxConnectionsPerAddress(2);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(limits).start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient first = new RawClient(relay.httpPort());
                RawClient second = new RawClient(relay.httpPort())) {
            agent.bindHttp("app");
            agent.serve(Responses.whoAmI("app"));
            Await.until("both connections are counted", () -> relay.server().publicConnectionCount() == 2);
            try (RawClient third = new RawClient(relay.httpPort())) {
                RawClient.Response response = third.read("GET");
                assertThat(response.status()).isEqualTo(503);
                assertThat(response.body()).contains("too many open connections from your address");
                assertThat(third.closedByPeer()).isTrue();
            }
            assertThat(relay.server().refusedForAddressCount()).isEqualTo(1);
            // The two admitted connections are served as ever, and once one closes its slot is free again.
            assertThat(first.get("app.localhost", "/").body()).isEqualTo("app:");
            second.close();
            Await.until("the closed connection is let go", () -> relay.server().publicConnectionCount() == 1);
            try (RawClient again = new RawClient(relay.httpPort())) {
                assertThat(again.get("app.localhost", "/").body()).isEqualTo("app:");
            }
        }
    }

    @Test
    void theRelaysUrlsNeedNoDnsForTheJdkClient() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            URI url = agent.bindHttp(null).publicUrl();
            assertThat(url.getHost()).isEqualTo("127.0.0.1");
        }
    }
}
