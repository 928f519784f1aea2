package io.lrok;

import io.lrok.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ControlMessage.Unknown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.Protocol;
import io.lrok.mux.MuxStream;
import io.lrok.mux.StreamResetException;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent's session: handshake, binds, the control stream's notices, and streams it must refuse. */
@Timeout(30)
class SessionTest {

    @Test
    void opensATunnelWithHelloAndBindAndForwards() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LocalApp app = LocalApp.echo();
             Tunnel tunnel = Tunnel.http(app.port()).relay(relay.endpoint()).subdomain("violet-mole").open()) {
            FakeRelay.Agent agent = relay.awaitAgent();
            assertThat(agent.hello.version()).isEqualTo(Protocol.VERSION);
            assertThat(agent.hello.client()).startsWith("lrok-java/");
            assertThat(agent.hello.token()).isNull();
            assertThat(agent.hello.supports(Protocol.FEATURE_HTTP_STREAM_REUSE)).isTrue();
            Bind bind = (Bind) agent.awaitMessage(m -> m instanceof Bind);
            assertThat(bind.proto()).isEqualTo(Proto.HTTP);
            assertThat(bind.subdomain()).isEqualTo("violet-mole");
            assertThat(bind.port()).isNull();
            assertThat(tunnel.publicUrl()).isEqualTo(URI.create("http://violet-mole.lrok.test"));
            assertThat(tunnel.localUrl()).isEqualTo(URI.create("http://127.0.0.1:" + app.port()));
            assertThat(tunnel.isOpen()).isTrue();

            String response = agent.roundTrip("t-" + bind.id(), "GET /hello HTTP/1.1\r\nHost: violet-mole.lrok.test\r\n"
                    + "Connection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("GET /hello 0");
        }
    }

    @Test
    void aKeptStreamCarriesRequestAfterRequestUntilTheRelayEndsIt() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LocalApp app = LocalApp.echo();
             Tunnel tunnel = Tunnel.http(app.port()).relay(relay.endpoint()).subdomain("kept").open()) {
            FakeRelay.Agent agent = relay.awaitAgent();
            Bind bind = (Bind) agent.awaitMessage(m -> m instanceof Bind);
            // As a relay keeping the stream sends them: no Connection: close, no FIN after a request.
            try (io.lrok.mux.MuxStream stream = agent.exchange("t-" + bind.id(),
                    "POST /one HTTP/1.1\r\nHost: kept.lrok.test\r\nContent-Length: 3\r\n\r\nabc")) {
                stream.setReadTimeout(FakeRelay.WAIT);
                io.lrok.internal.http.HttpReader reader = new io.lrok.internal.http.HttpReader(stream.getInputStream());
                assertThat(bodyOfNext(reader)).isEqualTo("POST /one 3");
                stream.getOutputStream().write("GET /two HTTP/1.1\r\nHost: kept.lrok.test\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                assertThat(bodyOfNext(reader)).isEqualTo("GET /two 0");
                stream.getOutputStream().write("GET /last HTTP/1.1\r\nHost: kept.lrok.test\r\nConnection: close\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                assertThat(bodyOfNext(reader)).isEqualTo("GET /last 0");
                assertThat(stream.getInputStream().read()).as("FIN after a request that said close").isEqualTo(-1);
            }
            assertThat(app.take().uri()).isEqualTo("/one");
            assertThat(app.take().uri()).isEqualTo("/two");
            assertThat(app.take().uri()).isEqualTo("/last");
        }
    }

    private static String bodyOfNext(io.lrok.internal.http.HttpReader reader) throws Exception {
        io.lrok.internal.http.ResponseHead head = reader.readResponseHead(io.lrok.http.HttpLimits.defaults());
        assertThat(head.status()).isEqualTo(200);
        return new String(reader.body(io.lrok.internal.http.BodyFraming.forResponse("GET", head),
                io.lrok.http.HttpLimits.defaults()).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void helloCarriesTheTokenFromTheBuilderOrTheEndpoint() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LocalApp app = LocalApp.echo()) {
            try (Tunnel ignored = Tunnel.http(app.port()).relay(relay.endpoint()).authToken("s3cret").open()) {
                assertThat(relay.awaitAgent().hello.token()).isEqualTo("s3cret");
            }
            try (LrokClient ignored = LrokClient.connect(RelayEndpoint.of(relay.uri(), "from-endpoint"))) {
                assertThat(relay.awaitAgent().hello.token()).isEqualTo("from-endpoint");
            }
        }
    }

    @Test
    void unauthorizedReachesTheUserWithTheRelaysMessage() throws Exception {
        try (FakeRelay relay = FakeRelay.start()) {
            relay.onHello = hello -> new ErrorMessage(ErrorCode.UNAUTHORIZED, "unknown token", null);
            assertThatThrownBy(() -> Tunnel.http(3000).relay(relay.endpoint()).authToken("wrong").open())
                    .isInstanceOfSatisfying(TunnelException.class, e -> assertThat(e.code()).isEqualTo("unauthorized"))
                    .hasMessageContaining("the relay refused the session: unauthorized: unknown token")
                    .hasMessageContaining("LROK_AUTHTOKEN");
        }
    }

    @Test
    void anUnsupportedVersionSaysWhatToDo() throws Exception {
        try (FakeRelay relay = FakeRelay.start()) {
            relay.onHello = hello -> new ErrorMessage(ErrorCode.UNSUPPORTED_VERSION, "relay speaks lrok protocol 2, "
                    + "agent sent 1", null);
            assertThatThrownBy(() -> LrokClient.connect(relay.endpoint()))
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("unsupported_version"))
                    .hasMessageContaining("relay said: relay speaks lrok protocol 2, agent sent 1")
                    .hasMessageContaining("use an lrok version that matches it");

            relay.onHello = hello -> new Welcome(2, "s-1", "secret", "fake-relay", "lrok.test");
            assertThatThrownBy(() -> LrokClient.connect(relay.endpoint()))
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("unsupported_version"))
                    .hasMessageContaining("the relay answered with lrok protocol 2");
        }
    }

    @Test
    void anUnreachableRelayIsNamed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> Tunnel.http(3000).relay(URI.create("lrok+plain://127.0.0.1:" + port)).open())
                .isInstanceOfSatisfying(TunnelException.class,
                        e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_UNREACHABLE))
                .hasMessageContaining("could not reach the lrok relay at lrok+plain://127.0.0.1:" + port
                        + ": connection refused");
    }

    @Test
    void plaintextIsRefusedToARemoteRelay() {
        assertThatThrownBy(() -> Tunnel.http(3000).relay(URI.create("lrok+plain://relay.example.com:4443")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback");
    }

    @Test
    void aSilentRelayTimesOutTheHandshake() throws Exception {
        try (FakeRelay relay = FakeRelay.start()) {
            relay.onHello = hello -> null;
            AgentConfig config = AgentConfig.defaults().withHandshakeTimeout(Duration.ofMillis(300));
            assertThatThrownBy(() -> LrokClient.connect(relay.endpoint(), config))
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_TIMEOUT))
                    .hasMessageContaining("did not answer");
        }
    }

    @Test
    void aRefusedBindFailsThatTunnelOnly() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint())) {
            relay.onBind = bind -> bind.subdomain() != null
                    ? new ErrorMessage(ErrorCode.SUBDOMAIN_TAKEN, bind.subdomain() + ".lrok.test is in use", bind.id())
                    : new Bound(bind.id(), "t-" + bind.id(), URI.create("http://random.lrok.test"));
            assertThatThrownBy(() -> client.http(3000).subdomain("violet-mole").open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo("subdomain_taken"))
                    .hasMessageContaining("violet-mole.lrok.test is in use")
                    .hasMessageContaining("choose another subdomain");
            assertThat(client.isOpen()).isTrue();
            try (Tunnel tunnel = client.http(3000).open()) {
                assertThat(tunnel.publicUrl()).hasHost("random.lrok.test");
            }
        }
    }

    @Test
    void aBindAnsweredTooLateIsUnbound() throws Exception {
        try (FakeRelay relay = FakeRelay.start();
             LrokClient client = LrokClient.connect(relay.endpoint(),
                     AgentConfig.defaults().withBindTimeout(Duration.ofMillis(200)))) {
            relay.onBind = bind -> null;
            assertThatThrownBy(() -> client.http(3000).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.RELAY_TIMEOUT));
            FakeRelay.Agent agent = relay.awaitAgent();
            Bind bind = (Bind) agent.awaitMessage(m -> m instanceof Bind);
            agent.send(new Bound(bind.id(), "t-late", URI.create("http://late.lrok.test")));
            assertThat(agent.awaitMessage(m -> m instanceof Unbind)).isEqualTo(new Unbind("t-late"));
        }
    }

    @Test
    void severalTunnelsShareOneSession() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LocalApp web = LocalApp.echo(); LocalApp api = LocalApp.echo();
             LrokClient client = LrokClient.connect(relay.endpoint())) {
            Tunnel first = client.http(web.port()).subdomain("web").open();
            Tunnel second = client.http(api.port()).subdomain("api-1").open();
            FakeRelay.Agent agent = relay.awaitAgent();
            Bind a = (Bind) agent.awaitMessage(m -> m instanceof Bind);
            Bind b = (Bind) agent.awaitMessage(m -> m instanceof Bind);
            assertThat(a.id()).isNotEqualTo(b.id());
            assertThat(first.publicUrl()).hasHost("web.lrok.test");
            assertThat(second.publicUrl()).hasHost("api-1.lrok.test");

            assertThat(agent.roundTrip("t-" + a.id(), "GET /w HTTP/1.1\r\nHost: web.lrok.test\r\n\r\n")).endsWith("GET /w 0");
            assertThat(agent.roundTrip("t-" + b.id(), "GET /a HTTP/1.1\r\nHost: api-1.lrok.test\r\n\r\n")).endsWith("GET /a 0");
            assertThat(web.take().uri()).isEqualTo("/w");
            assertThat(api.take().uri()).isEqualTo("/a");

            client.close();
            assertThat(first.isOpen()).isFalse();
            assertThat(second.isOpen()).isFalse();
            assertThat(agent.mux.whenClosed()).succeedsWithin(FakeRelay.WAIT);
        }
    }

    @Test
    void closingATunnelUnbindsItAndAnOwnedSessionEndsWithIt() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint())) {
            FakeRelay.Agent shared = relay.awaitAgent();
            Tunnel tunnel = client.http(3000).open();
            tunnel.close();
            assertThat(shared.awaitMessage(m -> m instanceof Unbind)).isEqualTo(new Unbind("t-1"));
            assertThat(tunnel.isOpen()).isFalse();
            assertThat(client.isOpen()).isTrue();

            Tunnel own = Tunnel.http(3000).relay(relay.endpoint()).open();
            FakeRelay.Agent alone = relay.awaitAgent();
            own.close();
            assertThat(alone.mux.whenClosed()).succeedsWithin(FakeRelay.WAIT);
        }
    }

    /** The agent's config with reconnecting off: a lost session closes the tunnels, as these tests check. */
    private static final AgentConfig NO_RECONNECT = AgentConfig.defaults().withReconnect(ReconnectPolicy.disabled());

    @Test
    void tunnelsCloseWhenTheRelayEndsTheSessionOrUnbinds() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint(), NO_RECONNECT)) {
            FakeRelay.Agent agent = relay.awaitAgent();
            Tunnel dropped = client.http(3000).open();
            Tunnel kept = client.http(3001).open();
            agent.send(new Unbind("t-1"));
            Await.until("the unbound tunnel closes", () -> !dropped.isOpen());
            assertThat(kept.isOpen()).isTrue();

            agent.send(new Unknown("future-notice", Map.of("x", 1L))); // ignored
            agent.send(new ErrorMessage(ErrorCode.INTERNAL, "relay is going down", null));
            Await.until("the session ends", () -> !client.isOpen());
            assertThat(kept.isOpen()).isFalse();
            assertThatThrownBy(() -> client.http(3000).open())
                    .isInstanceOfSatisfying(TunnelException.class,
                            e -> assertThat(e.code()).isEqualTo(TunnelException.SESSION_CLOSED));
        }
    }

    @Test
    void withoutReconnectingALostConnectionClosesTheTunnels() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint(), NO_RECONNECT)) {
            Tunnel tunnel = client.http(3000).open();
            relay.awaitAgent().mux.close();
            Await.until("the tunnel closes", () -> !tunnel.isOpen());
            assertThat(client.isOpen()).isFalse();
        }
    }

    @Test
    void streamsForUnknownTunnelsOrWithBadHeadersAreReset() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint());
             Tunnel ignored = client.http(3000).open()) {
            FakeRelay.Agent agent = relay.awaitAgent();
            try (MuxStream stream = agent.exchange("t-nope", "GET / HTTP/1.1\r\nHost: x\r\n\r\n")) {
                stream.setReadTimeout(FakeRelay.WAIT);
                assertThatThrownBy(() -> stream.getInputStream().read()).isInstanceOf(StreamResetException.class);
            }
            try (MuxStream stream = agent.mux.openStream()) {
                stream.getOutputStream().write(new byte[] {0, 0, 0, 2, '[', ']'}); // not an object
                stream.setReadTimeout(FakeRelay.WAIT);
                assertThatThrownBy(() -> stream.getInputStream().read()).isInstanceOf(StreamResetException.class);
            }
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void aMalformedControlMessageEndsTheSessionWithBadRequest() throws Exception {
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint(), NO_RECONNECT)) {
            FakeRelay.Agent agent = relay.awaitAgent();
            agent.control.getOutputStream().write(new byte[] {0, 0, 0, 2, '{', '}'}); // no "type"
            ControlMessage answer = agent.awaitMessage(m -> m instanceof ErrorMessage);
            assertThat(((ErrorMessage) answer).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((ErrorMessage) answer).id()).isNull();
            Await.until("the session ends", () -> !client.isOpen());
        }
    }

    @Test
    void builderArgumentsAreCheckedEarly() throws IOException {
        assertThatThrownBy(() -> Tunnel.http(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tunnel.http(3000).subdomain("-bad")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tunnel.http(3000).addRequestHeader("Content-Length", "5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("framed");
        assertThatThrownBy(() -> Tunnel.http(3000).addRequestHeader("Host", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hostHeader");
        assertThatThrownBy(() -> Tunnel.http(3000).addResponseHeader("X-Bad", "a\r\nb"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tunnel.http(3000).localScheme("ftp")).isInstanceOf(IllegalArgumentException.class);
        try (FakeRelay relay = FakeRelay.start(); LrokClient client = LrokClient.connect(relay.endpoint())) {
            assertThatThrownBy(() -> client.http(3000).authToken("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("LrokClient.connect");
        }
    }
}
