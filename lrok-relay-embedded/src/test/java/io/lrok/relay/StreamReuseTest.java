package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.relay.FakeAgent.Handler;
import io.lrok.relay.FakeAgent.Recorded;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent that offers {@code http-stream-reuse} gets a public keep-alive connection's requests to one tunnel on
 * one stream, each delimited by its own framing (docs/protocol.md §5); an agent that does not gets a stream per
 * request, ended by FIN, as before.
 */
@Timeout(30)
class StreamReuseTest {

    /** Answers with the request's path and body, delimited by a Content-Length, and leaves the stream open. */
    private static final Handler ECHO = ex -> {
        String body = ex.head.target() + ":" + new String(ex.readBody(), java.nio.charset.StandardCharsets.ISO_8859_1);
        ex.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    };

    @Test
    void aKeepAliveConnectionsRequestsShareOneStreamEachDelimitedByItsFraming() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connectReusingStreams(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("keep");
            agent.serve(ECHO);
            String host = "keep.localhost:" + relay.httpPort();
            assertThat(client.get(host, "/one").body()).isEqualTo("/one:");
            client.send("POST /two HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(client.read("POST").body()).isEqualTo("/two:hello");
            client.send("POST /three HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n");
            assertThat(client.read("POST").body()).isEqualTo("/three:3\r\nabc\r\n0\r\n\r\n");
            assertThat(client.get(host, "/four").body()).isEqualTo("/four:");

            List<Recorded> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) seen.add(agent.takeRequest());
            assertThat(seen).extracting(Recorded::streamId).containsOnly(seen.get(0).streamId());
            assertThat(seen).extracting(r -> r.head().target()).containsExactly("/one", "/two", "/three", "/four");
            // The stream is the hop Connection describes: kept alive, so no "close" for the agent.
            assertThat(seen).allSatisfy(r -> assertThat(r.head().headers().all("Connection")).isEmpty());
            assertThat(agent.failures()).isEmpty();
        }
    }

    @Test
    void eachPublicConnectionAndEachTunnelHasAStreamOfItsOwn() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connectReusingStreams(relay);
                RawClient first = new RawClient(relay.httpPort());
                RawClient second = new RawClient(relay.httpPort())) {
            agent.bindHttp("red");
            agent.bindHttp("blue");
            agent.serve(ECHO);
            String red = "red.localhost:" + relay.httpPort();
            String blue = "blue.localhost:" + relay.httpPort();
            first.get(red, "/r1");
            second.get(red, "/r2");
            first.get(blue, "/b1"); // another tunnel on the same connection: the red stream is given up
            first.get(red, "/r3");
            first.get(red, "/r4");

            ConcurrentHashMap<String, Integer> streams = new ConcurrentHashMap<>();
            for (int i = 0; i < 5; i++) {
                Recorded r = agent.takeRequest();
                streams.put(r.head().target(), r.streamId());
            }
            assertThat(streams.get("/r1")).isNotEqualTo(streams.get("/r2"));
            assertThat(streams.get("/b1")).isNotIn(streams.get("/r1"), streams.get("/r2"));
            assertThat(streams.get("/r3")).isNotIn(streams.get("/r1"), streams.get("/b1"));
            assertThat(streams.get("/r4")).isEqualTo(streams.get("/r3"));
            assertThat(agent.failures()).isEmpty();
        }
    }

    @Test
    void anAgentWithoutTheFeatureGetsAStreamPerRequestEndedByFin() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("plain");
            agent.serve(ex -> {
                ECHO.handle(ex);
                assertThat(ex.stream.getInputStream().read()).as("the relay's FIN after the request").isEqualTo(-1);
                ex.end();
            });
            String host = "plain.localhost:" + relay.httpPort();
            assertThat(client.get(host, "/a").body()).isEqualTo("/a:");
            assertThat(client.get(host, "/b").body()).isEqualTo("/b:");
            Recorded a = agent.takeRequest();
            Recorded b = agent.takeRequest();
            assertThat(a.streamId()).isNotEqualTo(b.streamId());
            assertThat(a.head().headers().all("Connection")).containsExactly("close");
            assertThat(agent.failures()).isEmpty();
        }
    }

    @Test
    void aGetOnAKeptStreamTheAgentGaveUpIsSentAgainOnANewStream() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connectReusingStreams(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("retry");
            agent.serve(ex -> {
                if (ex.indexOnStream == 1) { // the second request on a stream: read, then given up without an answer
                    ex.readBody();
                    ex.stream.reset();
                    return;
                }
                ECHO.handle(ex);
            });
            String host = "retry.localhost:" + relay.httpPort();
            assertThat(client.get(host, "/first").body()).isEqualTo("/first:");
            RawClient.Response again = client.get(host, "/second");
            assertThat(again.head().status()).isEqualTo(200);
            assertThat(again.body()).isEqualTo("/second:");

            Recorded first = agent.takeRequest();
            Recorded dropped = agent.takeRequest();
            Recorded retried = agent.takeRequest();
            assertThat(dropped.streamId()).isEqualTo(first.streamId());
            assertThat(retried.head().target()).isEqualTo("/second");
            assertThat(retried.streamId()).isNotEqualTo(first.streamId());
        }
    }

    @Test
    void aPostOnAKeptStreamTheAgentGaveUpIsNotSentAgain() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connectReusingStreams(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("once");
            AtomicInteger posts = new AtomicInteger();
            agent.serve(ex -> {
                if (ex.head.method().equals("POST")) {
                    posts.incrementAndGet();
                    ex.readBody();
                    ex.stream.reset();
                    return;
                }
                ECHO.handle(ex);
            });
            String host = "once.localhost:" + relay.httpPort();
            assertThat(client.get(host, "/first").body()).isEqualTo("/first:");
            client.send("POST /pay HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 3\r\n\r\n$10");
            assertThat(client.read("POST").head().status()).isEqualTo(502);
            agent.takeRequest();
            assertThat(agent.takeRequest().head().target()).isEqualTo("/pay");
            assertThat(posts.get()).as("the POST reached the agent once").isEqualTo(1);
        }
    }

    @Test
    void aQuietConnectionGivesUpItsStreamAndItsNextRequestOpensANewOne() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder()
                        .limits(RelayLimits.defaults().withKeptStreamIdle(java.time.Duration.ofMillis(200))).start();
                FakeAgent agent = FakeAgent.connectReusingStreams(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("quiet");
            agent.serve(ECHO);
            String host = "quiet.localhost:" + relay.httpPort();
            assertThat(client.get(host, "/before").body()).isEqualTo("/before:");
            int first = agent.takeRequest().streamId();
            Integer ended = agent.endedStreams.poll(FakeAgent.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(ended).as("the relay closed the quiet connection's stream").isEqualTo(first);
            assertThat(client.get(host, "/after").body()).as("the connection itself stays").isEqualTo("/after:");
            assertThat(agent.takeRequest().streamId()).isNotEqualTo(first);
        }
    }

    @Test
    void withNoKeptStreamIdleEachRequestHasItsOwnStream() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder()
                        .limits(RelayLimits.defaults().withKeptStreamIdle(java.time.Duration.ZERO)).start();
                FakeAgent agent = FakeAgent.connectReusingStreams(relay);
                RawClient client = new RawClient(relay.httpPort())) {
            agent.bindHttp("never");
            agent.serve(ECHO);
            String host = "never.localhost:" + relay.httpPort();
            client.get(host, "/a");
            client.get(host, "/b");
            Recorded a = agent.takeRequest();
            Recorded b = agent.takeRequest();
            assertThat(a.streamId()).isNotEqualTo(b.streamId());
            assertThat(a.head().headers().all("Connection")).containsExactly("close");
        }
    }
}
