package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lrok.internal.wire.ControlCodec;
import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import io.lrok.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Accounts (docs/relay.md, "Tokens"), end to end over loopback with agents on the wire: who gets in, reserved
 * subdomains, and each account's limits of sessions, tunnels and exchanges.
 */
@Timeout(60)
class TokensTest {
    private static final String ALICE = "alice-s3cret-token";
    private static final String BOB = "bob-s3cret-token";

    private static TokenVerifier aliceAndBob(AgentGrant.Limits aliceLimits) {
        return TokenVerifier.of(Map.of(
                ALICE, AgentGrant.of("alice").withReservedSubdomains("alice-app").withLimits(aliceLimits),
                BOB, AgentGrant.of("bob")));
    }

    private static EmbeddedRelay.Builder relay(AgentGrant.Limits aliceLimits) {
        return EmbeddedRelay.builder().tokenVerifier(aliceAndBob(aliceLimits));
    }

    /** Connects with this token and expects a welcome. */
    private static FakeAgent agent(EmbeddedRelay relay, String token) throws IOException {
        FakeAgent agent = FakeAgent.connect(relay, Hello.create(token, "fake-agent/1"));
        if (!(agent.reply instanceof Welcome)) throw new AssertionError("expected welcome, got " + agent.reply);
        return agent;
    }

    @Test
    void aVerifierDecidesWhoGetsIn() throws Exception {
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS).start();
                FakeAgent wrong = FakeAgent.connect(relay, Hello.create("guess", "fake"));
                FakeAgent none = FakeAgent.connect(relay, Hello.create(null, "fake"));
                FakeAgent bob = agent(relay, BOB)) {
            assertThat(wrong.reply).isEqualTo(new ErrorMessage(ErrorCode.UNAUTHORIZED, "unknown token", null));
            assertThat(none.reply).isEqualTo(new ErrorMessage(ErrorCode.UNAUTHORIZED, "this relay needs a token", null));
            assertThat(bob.bindHttp(null)).isNotNull();
            assertThat(relay.authToken()).as("a verifier's tokens are not handed out").isEmpty();
        }
    }

    @Test
    void aReservedNameIsItsAccountsEvenWhileTheAccountIsOffline() throws Exception {
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS).domain("lrok.test").start();
                FakeAgent bob = agent(relay, BOB)) {
            ErrorMessage offline = (ErrorMessage) bob.bind(Proto.HTTP, "alice-app", null);
            assertThat(offline).isEqualTo(new ErrorMessage(ErrorCode.SUBDOMAIN_RESERVED,
                    "alice-app.lrok.test is reserved for another account", 1L));

            try (FakeAgent alice = agent(relay, ALICE)) {
                Bound bound = alice.bindHttp("alice-app");
                assertThat(bound.publicUrl().getHost()).isEqualTo("alice-app.lrok.test");
                ErrorMessage online = (ErrorMessage) bob.bind(Proto.HTTP, "alice-app", null);
                assertThat(online.code()).as("reserved, not merely taken").isEqualTo(ErrorCode.SUBDOMAIN_RESERVED);
            }
            Await.until("alice's tunnel is released", () -> relay.server().tunnelCount() == 0);
            assertThat(((ErrorMessage) bob.bind(Proto.HTTP, "alice-app", null)).code())
                    .isEqualTo(ErrorCode.SUBDOMAIN_RESERVED);
            assertThat(bob.bindHttp("bob-app").publicUrl().getHost()).isEqualTo("bob-app.lrok.test");
            try (FakeAgent aliceAgain = agent(relay, ALICE)) {
                assertThat(aliceAgain.bindHttp("alice-app")).isNotNull();
            }
        }
    }

    @Test
    void randomNamesAreNeverReservedOnes() throws Exception {
        // Every name without a -NN suffix is reserved for alice: random names must come with a suffix.
        TokenVerifier verifier = new TokenVerifier() {
            @Override
            public Optional<AgentGrant> verify(String token) {
                return BOB.equals(token) ? Optional.of(AgentGrant.of("bob"))
                        : ALICE.equals(token) ? Optional.of(AgentGrant.of("alice")) : Optional.empty();
            }

            @Override
            public Optional<String> reservedBy(String subdomain) {
                return subdomain.matches(".*-[0-9]{2}") ? Optional.empty() : Optional.of("alice");
            }
        };
        try (EmbeddedRelay relay = EmbeddedRelay.builder().tokenVerifier(verifier).domain("lrok.test").start();
                FakeAgent bob = agent(relay, BOB);
                FakeAgent alice = agent(relay, ALICE)) {
            for (int i = 0; i < 5; i++) {
                assertThat(bob.bindHttp(null).publicUrl().getHost()).matches("[a-z]+-[a-z]+-[0-9]{2}\\.lrok\\.test");
                assertThat(alice.bindHttp(null).publicUrl().getHost()).as("not even the account's own")
                        .matches("[a-z]+-[a-z]+-[0-9]{2}\\.lrok\\.test");
            }
            assertThat(alice.bindHttp("violet-mole")).as("but it may ask for one of its names").isNotNull();
        }
    }

    @Test
    void whenEveryNameIsReservedARandomBindReachesItsLimit() throws Exception {
        TokenVerifier verifier = new TokenVerifier() {
            @Override
            public Optional<AgentGrant> verify(String token) {
                return Optional.of(AgentGrant.of("bob"));
            }

            @Override
            public Optional<String> reservedBy(String subdomain) {
                return Optional.of("alice");
            }
        };
        try (EmbeddedRelay relay = EmbeddedRelay.builder().tokenVerifier(verifier).start();
                FakeAgent bob = agent(relay, BOB)) {
            ErrorMessage refused = (ErrorMessage) bob.bind(Proto.HTTP, null, null);
            assertThat(refused.code()).isEqualTo(ErrorCode.LIMIT_REACHED);
            assertThat(relay.server().tunnelCount()).isZero();
        }
    }

    @Test
    void anAccountsSessionsAreLimited() throws Exception {
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS.withMaxSessions(1)).start()) {
            FakeAgent first = agent(relay, ALICE);
            try (FakeAgent second = FakeAgent.connect(relay, Hello.create(ALICE, "fake"));
                    FakeAgent bob1 = agent(relay, BOB);
                    FakeAgent bob2 = agent(relay, BOB)) {
                assertThat(second.reply).isEqualTo(new ErrorMessage(ErrorCode.LIMIT_REACHED,
                        "account alice holds its maximum of 1 agent sessions; end one, or retry later", null));
            }
            first.close();
            Await.until("alice's first session ends", () -> relay.server().sessionCount() == 0);
            try (FakeAgent third = agent(relay, ALICE)) {
                assertThat(third.bindHttp(null)).isNotNull();
            }
        }
    }

    @Test
    void theRelaysDefaultLimitsSessionsPerAccount() throws Exception {
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS)
                .limits(RelayLimits.defaults().withMaxSessionsPerAccount(1)).start();
                FakeAgent bob = agent(relay, BOB);
                FakeAgent again = FakeAgent.connect(relay, Hello.create(BOB, "fake"))) {
            assertThat(((ErrorMessage) again.reply).code()).isEqualTo(ErrorCode.LIMIT_REACHED);
        }
    }

    @Test
    void anAccountsTunnelsPerSessionAreLimited() throws Exception {
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS.withMaxTunnelsPerSession(1)).start();
                FakeAgent alice = agent(relay, ALICE);
                FakeAgent bob = agent(relay, BOB)) {
            alice.bindHttp(null);
            assertThat(alice.bind(Proto.TCP, null, null)).isEqualTo(new ErrorMessage(ErrorCode.LIMIT_REACHED,
                    "this session holds its maximum of 1 tunnels", 2L));
            bob.bindHttp(null);
            assertThat(bob.bindHttp(null)).as("bob has the relay's default").isNotNull();
        }
    }

    @Test
    void requestsBeyondAnAccountsStreamLimitGet503() throws Exception {
        CountDownLatch slowArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS.withMaxStreamsPerSession(1)).start();
                FakeAgent alice = agent(relay, ALICE)) {
            alice.serve(ex -> {
                if (ex.head.target().equals("/slow")) {
                    slowArrived.countDown();
                    release.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
                Responses.fixed("ok").handle(ex);
            });
            int port = alice.bindHttp(null).publicUrl().getPort();
            CompletableFuture<RawClient.Response> slow = CompletableFuture.supplyAsync(() -> {
                try (RawClient client = new RawClient(port)) {
                    return client.get("x", "/slow");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            assertThat(slowArrived.await(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            try (RawClient client = new RawClient(port)) {
                RawClient.Response refused = client.get("x", "/fast");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("X-Lrok-Error")).isEqualTo("503");
                assertThat(refused.body()).contains("has too many requests in progress")
                        .contains("at most 1 requests and connections at once");
            }
            release.countDown();
            assertThat(slow.get(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("ok");
            Await.until("the slow exchange is over", () -> relay.server().openStreamCount() == 0);
            try (RawClient client = new RawClient(port)) {
                assertThat(client.get("x", "/fast").body()).isEqualTo("ok");
            }
            assertThat(alice.failures()).isEmpty();
        }
    }

    @Test
    void tcpConnectionsBeyondAnAccountsStreamLimitAreReset() throws Exception {
        try (EmbeddedRelay relay = relay(AgentGrant.Limits.RELAY_DEFAULTS.withMaxStreamsPerSession(1)).start();
                FakeAgent alice = agent(relay, ALICE)) {
            BlockingQueue<MuxStream> streams = new LinkedBlockingQueue<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        MuxStream stream = alice.mux.acceptStream();
                        StreamHeader.read(stream.getInputStream());
                        streams.add(stream);
                    }
                } catch (IOException sessionOver) {
                    // the test is over
                }
            });
            ControlMessage answer = alice.bind(Proto.TCP, null, null);
            int port = ((Bound) answer).publicUrl().getPort();
            try (Socket first = connect(port)) {
                MuxStream held = streams.poll(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(held).as("the first connection's stream").isNotNull();
                try (Socket second = connect(port)) {
                    assertThat(refused(second.getInputStream())).as("the second connection is refused").isTrue();
                }
                first.shutdownOutput();
                held.close();
            }
            Await.until("the first connection is over", () -> relay.server().openStreamCount() == 0);
            try (Socket third = connect(port)) {
                MuxStream stream = streams.poll(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(stream).as("the third connection's stream").isNotNull();
                third.getOutputStream().write("hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(stream.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII));
                stream.close();
            }
        }
    }

    @Test
    void recheckTokensEndsRevokedSessionsAndAppliesChangedGrants() throws Exception {
        AtomicReference<TokenVerifier> current = new AtomicReference<>(aliceAndBob(
                AgentGrant.Limits.RELAY_DEFAULTS.withMaxTunnelsPerSession(1)));
        TokenVerifier changing = new TokenVerifier() {
            @Override
            public Optional<AgentGrant> verify(String token) {
                return current.get().verify(token);
            }

            @Override
            public Optional<String> reservedBy(String subdomain) {
                return current.get().reservedBy(subdomain);
            }
        };
        try (EmbeddedRelay relay = EmbeddedRelay.builder().tokenVerifier(changing).start();
                FakeAgent alice = agent(relay, ALICE);
                FakeAgent bob = agent(relay, BOB)) {
            alice.bindHttp(null);
            assertThat(((ErrorMessage) alice.bind(Proto.HTTP, null, null)).code()).isEqualTo(ErrorCode.LIMIT_REACHED);
            bob.bindHttp(null);

            current.set(TokenVerifier.of(Map.of(ALICE, AgentGrant.of("alice")
                    .withLimits(AgentGrant.Limits.RELAY_DEFAULTS.withMaxTunnelsPerSession(2)))));
            relay.recheckTokens();

            assertThat(ControlCodec.read(bob.control.getInputStream())).isEqualTo(new ErrorMessage(
                    ErrorCode.UNAUTHORIZED, "the token was revoked", null));
            bob.mux.whenClosed().get(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Await.until("bob's session and tunnel are gone", () -> relay.server().sessionCount() == 1
                    && relay.server().tunnelCount() == 1);
            assertThat(alice.bindHttp(null)).as("alice's new limit applies to her next bind").isNotNull();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) FakeAgent.WAIT.toMillis());
        return socket;
    }

    /** @return whether the relay ended the connection without a byte: a reset, or an EOF */
    private static boolean refused(InputStream in) {
        Throwable t = catchThrowable(() -> {
            if (in.read() >= 0) throw new AssertionError("a byte came through");
        });
        return t == null || t instanceof SocketException;
    }
}
