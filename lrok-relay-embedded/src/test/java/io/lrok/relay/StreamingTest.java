package io.lrok.relay;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.mux.StreamResetException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exchanges that are not one request and one response: upgrades to a raw pipe, and responses that stream. */
@Timeout(30)
class StreamingTest {

    @Test
    void anUpgradeBecomesARawPipeBothWaysWithHalfCloses() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("ws");
            agent.serve(Responses.upgradeEcho());
            client.send("GET /socket HTTP/1.1\r\nHost: ws.localhost\r\nConnection: keep-alive, Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            RawClient.Response switched = client.read("GET");
            assertThat(switched.status()).isEqualTo(101);
            assertThat(switched.header("Upgrade")).isEqualTo("websocket");

            FakeAgent.Recorded seen = agent.takeRequest();
            assertThat(seen.head().headers().all("Connection")).containsExactly("upgrade");
            assertThat(seen.head().headers().get("Upgrade")).isEqualTo("websocket");
            assertThat(seen.head().headers().get("Sec-WebSocket-Key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");

            InputStream fromRelay = client.rest();
            byte[] frame = new byte[256];
            for (int i = 0; i < frame.length; i++) frame[i] = (byte) i;
            client.socket.getOutputStream().write(frame);
            assertThat(fromRelay.readNBytes(frame.length)).isEqualTo(frame);
            client.send("second");
            assertThat(new String(fromRelay.readNBytes(6), ISO_8859_1)).isEqualTo("second");

            client.socket.shutdownOutput(); // our FIN reaches the agent, whose echo ends: its FIN reaches us
            assertThat(fromRelay.read()).isEqualTo(-1);
        }
    }

    @Test
    void anUpgradeTheAgentDeclinesIsAnOrdinaryResponse() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("plain");
            agent.serve(Responses.fixed("no upgrade here"));
            client.send("GET / HTTP/1.1\r\nHost: plain.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("no upgrade here");
            assertThat(client.get("plain.localhost", "/next").status()).isEqualTo(200);
        }
    }

    @Test
    void a101ToARequestThatAskedForNoUpgradeIs502() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("rogue");
            agent.serve(Responses.upgradeEcho());
            RawClient.Response response = client.get("rogue.localhost", "/");
            assertThat(response.status()).isEqualTo(502);
            assertThat(response.body()).contains("101 Switching Protocols to a request that asked for no upgrade");
        }
    }

    @Test
    void theFirstServerSentEventArrivesWhileTheResponseIsStillOpen() throws Exception {
        CountDownLatch firstSeen = new CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(Responses.events(firstSeen));
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(bound.publicUrl().resolve("/events")).header("Accept", "text/event-stream")
                            .build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
            Iterator<String> lines = response.body().iterator();
            assertThat(lines.next()).isEqualTo("data: one");
            firstSeen.countDown(); // only now does the agent send the rest
            assertThat(lines.next()).isEmpty();
            assertThat(lines.next()).isEqualTo("data: two");
        }
    }

    @Test
    void aClientThatGoesAwayMidResponseHasTheAgentsStreamReset() throws Exception {
        CountDownLatch clientGone = new CountDownLatch(1);
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            agent.serve(ex -> {
                ex.readBody();
                ex.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Responses.chunk("data: first\n\n"));
                assertThat(clientGone.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                while (true) ex.send(Responses.chunk("data: " + "x".repeat(1000) + "\n\n")); // until reset
            });
            try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
                BufferedReader reader = new BufferedReader(new InputStreamReader(client.socket.getInputStream(),
                        ISO_8859_1));
                while (!reader.readLine().equals("data: first")) {
                    // head and chunk size line
                }
            }
            clientGone.countDown();
            assertThat(agent.takeFailure()).isInstanceOf(StreamResetException.class);
        }
    }
}
