package io.lrok.relay;

import io.lrok.testing.Await;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Unknown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.Protocol;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The control stream's opening (docs/protocol.md §3, §4), against a fake agent. */
@Timeout(30)
class HandshakeTest {

    @Test
    void welcomesAnAgent() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Welcome welcome = agent.welcome();
            assertThat(welcome.version()).isEqualTo(Protocol.VERSION);
            assertThat(welcome.sessionId()).matches("s-[0-9a-f]{12}");
            assertThat(Base64.getUrlDecoder().decode(welcome.resumeSecret())).hasSizeGreaterThanOrEqualTo(16);
            assertThat(welcome.relay()).isEqualTo("lrok-relay");
            assertThat(welcome.domain()).isEqualTo("localhost");
        }
    }

    @Test
    void eachSessionHasItsOwnIdAndSecret() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent a = FakeAgent.connect(relay);
                FakeAgent b = FakeAgent.connect(relay)) {
            assertThat(a.welcome().sessionId()).isNotEqualTo(b.welcome().sessionId());
            assertThat(a.welcome().resumeSecret()).isNotEqualTo(b.welcome().resumeSecret());
        }
    }

    @Test
    void anotherVersionIsToldWhyAndClosed() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().start();
                FakeAgent agent = FakeAgent.connect(relay, new Hello(2, null, "future", null, null))) {
            assertThat(agent.reply).isEqualTo(new ErrorMessage(ErrorCode.UNSUPPORTED_VERSION,
                    "relay speaks lrok protocol 1, agent sent 2", null));
            assertClosed(agent);
        }
    }

    @Test
    void theVersionIsCheckedBeforeTheToken() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().authTokens(List.of("s3cret")).start();
                FakeAgent agent = FakeAgent.connect(relay, new Hello(7, "wrong", "future", null, null))) {
            assertThat(((ErrorMessage) agent.reply).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void aWrongTokenIsUnauthorized() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().authTokens(List.of("s3cret")).start();
                FakeAgent agent = FakeAgent.connect(relay, Hello.create("guess", "fake"))) {
            assertThat(agent.reply).isEqualTo(new ErrorMessage(ErrorCode.UNAUTHORIZED, "unknown token", null));
            assertClosed(agent);
        }
    }

    @Test
    void aMissingTokenIsUnauthorized() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().authTokens(List.of("s3cret")).start();
                FakeAgent agent = FakeAgent.connect(relay, Hello.create(null, "fake"))) {
            assertThat(agent.reply)
                    .isEqualTo(new ErrorMessage(ErrorCode.UNAUTHORIZED, "this relay needs a token", null));
        }
    }

    @Test
    void anyConfiguredTokenIsAcceptedAndTheFirstIsHandedToAgents() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().authTokens(List.of("first", "second")).start();
                FakeAgent agent = FakeAgent.connect(relay, Hello.create("second", "fake"))) {
            assertThat(agent.reply).isInstanceOf(Welcome.class);
            assertThat(relay.authToken()).contains("first");
        }
    }

    @Test
    void aRelayWithoutTokensTakesAnyToken() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent agent = FakeAgent.connect(relay, Hello.create("whatever", "fake"))) {
            assertThat(agent.reply).isInstanceOf(Welcome.class);
        }
    }

    @Test
    void theFirstMessageMustBeHello() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().start();
                FakeAgent agent = FakeAgent.connect(relay, new Bind(1, Proto.HTTP, null, null))) {
            assertThat(((ErrorMessage) agent.reply).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((ErrorMessage) agent.reply).message()).contains("hello");
            assertClosed(agent);
        }
    }

    @Test
    void aHelloThatDoesNotDecodeIsABadRequest() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().start()) {
            MuxSession mux = MuxSession.client(FakeAgent.dial(relay));
            try (MuxStream control = mux.openStream()) {
                control.getOutputStream().write("\0\0\0\u0010{\"type\":\"hello\"}".getBytes(US_ASCII));
                control.setReadTimeout(FakeAgent.WAIT);
                ErrorMessage reply = (ErrorMessage) ControlCodec.read(control.getInputStream());
                assertThat(reply.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(reply.message()).startsWith("malformed hello: ").contains("version");
            } finally {
                mux.close();
            }
        }
    }

    @Test
    void anAgentThatSaysNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        RelayLimits limits = RelayLimits.defaults().withHandshakeTimeout(Duration.ofMillis(200));
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(limits).start()) {
            MuxSession mux = MuxSession.client(FakeAgent.dial(relay));
            try (MuxStream control = mux.openStream()) {
                mux.whenClosed().get(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                mux.close();
            }
        }
    }

    @Test
    void aMalformedMessageEndsTheSessionWithBadRequest() throws Exception {
        try (EmbeddedRelay relay = quickToRefuse().start(); FakeAgent agent = FakeAgent.connect(relay)) {
            agent.control.getOutputStream().write(new byte[] {0, 0, 0, 2, '{', ']'});
            ControlMessage reply = ControlCodec.read(agent.control.getInputStream());
            assertThat(((ErrorMessage) reply).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((ErrorMessage) reply).id()).isNull();
            assertClosed(agent);
        }
    }

    @Test
    void unknownMessagesAreIgnored() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            agent.send(new Unknown("telemetry", Map.of("x", 1L)));
            assertThat(agent.bindHttp(null).tunnelId()).isEqualTo("t-1");
        }
    }

    @Test
    void sessionsPastTheLimitAreRefusedUntilOneEnds() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(RelayLimits.defaults().withMaxSessions(1)).start()) {
            FakeAgent first = FakeAgent.connect(relay);
            try (FakeAgent second = FakeAgent.connect(relay, Hello.create(null, "fake"))) {
                assertThat(((ErrorMessage) second.reply).code()).isEqualTo(ErrorCode.LIMIT_REACHED);
            }
            first.close();
            Await.until("the first session ends", () -> relay.server().sessionCount() == 0);
            try (FakeAgent third = FakeAgent.connect(relay)) {
                assertThat(third.reply).isInstanceOf(Welcome.class);
            }
        }
    }

    @Test
    void streamsTheAgentOpensAfterTheControlStreamAreReset() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            MuxStream stray = agent.mux.openStream();
            stray.setReadTimeout(FakeAgent.WAIT);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                stray.getOutputStream().write("hi".getBytes(US_ASCII)); // fails if the reset came first
                stray.getInputStream().read();
            }).isInstanceOf(io.lrok.mux.StreamResetException.class);
            assertThat(agent.bindHttp(null)).isNotNull(); // the session goes on
        }
    }

    /** A relay that waits only briefly for a refused agent to close first (this fake agent never does). */
    private static EmbeddedRelay.Builder quickToRefuse() {
        return EmbeddedRelay.builder().limits(RelayLimits.defaults().withLingerTimeout(Duration.ofMillis(50)));
    }

    private static void assertClosed(FakeAgent agent) throws Exception {
        agent.mux.whenClosed().get(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
