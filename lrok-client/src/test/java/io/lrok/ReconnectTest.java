package io.lrok;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Shutdown;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.testing.Await;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's side of reconnecting (docs/protocol.md §6), against a scripted relay: it dials again after any loss,
 * presents the resume secret, binds every tunnel again with the name it had, tells listeners each step, and stops
 * for good only when the relay refuses it, the policy gives up, or its owner closes it.
 */
@Timeout(60)
class ReconnectTest {
    /** Fast retries, so that the tests spend no time waiting for backoff. */
    private static final ReconnectPolicy FAST = ReconnectPolicy.defaults()
            .withDelays(Duration.ofMillis(20), Duration.ofMillis(100));
    private static final AgentConfig CONFIG = AgentConfig.defaults().withReconnect(FAST);

    /** Records the events a listener hears. */
    private static final class Events implements ConnectionListener {
        final List<ConnectionEvent> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onConnectionEvent(ConnectionEvent event) {
            seen.add(event);
        }

        List<ConnectionState> states() {
            return seen.stream().map(ConnectionEvent::state).toList();
        }

        ConnectionEvent last() {
            return seen.getLast();
        }

        void awaitState(ConnectionState state, int count) {
            Await.until(count + " x " + state + " in " + seen, FakeRelay.WAIT,
                    () -> seen.stream().filter(e -> e.state() == state).count() >= count);
        }
    }

    /** Welcomes every hello: the session it asks to resume, if any, with a fresh secret; else a new one. */
    private static void resumeEverySession(FakeRelay relay) {
        AtomicInteger sessions = new AtomicInteger();
        AtomicInteger secrets = new AtomicInteger();
        relay.onHello = hello -> new Welcome(hello.version(),
                hello.resumeSession() != null ? hello.resumeSession() : "s-" + sessions.incrementAndGet(),
                "secret-" + secrets.incrementAndGet(), "fake-relay", "lrok.test");
    }

    @Test
    void aLostConnectionIsMadeAgainWithTheResumeSecretAndTheSameNames() throws Exception {
        Events events = new Events();
        try (FakeRelay relay = FakeRelay.start()) {
            resumeEverySession(relay);
            try (LrokClient client = LrokClient.connect(relay.endpoint(), CONFIG, List.of(events))) {
                FakeRelay.Agent first = relay.awaitAgent();
                assertThat(first.hello.resumeSession()).isNull();
                Tunnel random = client.http(3000).open();
                Tunnel chosen = client.http(3001).subdomain("my-api").open();
                Tunnel tcp = client.tcp(5432).open();
                URI randomUrl = random.publicUrl();
                assertThat(randomUrl).hasHost("random-1.lrok.test");

                first.mux.close(); // the connection drops

                FakeRelay.Agent second = relay.awaitAgent();
                assertThat(second.hello.resumeSession()).isEqualTo("s-1");
                assertThat(second.hello.resumeSecret()).isEqualTo("secret-1");
                List<Bind> rebinds = List.of((Bind) second.awaitMessage(m -> m instanceof Bind),
                        (Bind) second.awaitMessage(m -> m instanceof Bind),
                        (Bind) second.awaitMessage(m -> m instanceof Bind));
                assertThat(rebinds).extracting(Bind::subdomain).containsExactlyInAnyOrder("random-1", "my-api", null);
                assertThat(rebinds).filteredOn(b -> b.subdomain() == null).singleElement()
                        .satisfies(b -> assertThat(b.port()).as("the TCP tunnel asks for its port again")
                                .isEqualTo(tcp.publicUrl().getPort() > 0 ? tcp.publicUrl().getPort() : null));

                events.awaitState(ConnectionState.CONNECTED, 2);
                assertThat(events.states()).containsExactly(ConnectionState.CONNECTED, ConnectionState.RECONNECTING,
                        ConnectionState.CONNECTED);
                assertThat(events.seen.get(1).cause()).isNotNull();
                assertThat(events.seen.get(1).attempt()).isZero();
                assertThat(events.last().detail()).contains("session resumed");
                assertThat(client.connectionState()).isEqualTo(ConnectionState.CONNECTED);
                assertThat(random.publicUrl()).isEqualTo(randomUrl);
                assertThat(chosen.publicUrl()).hasHost("my-api.lrok.test");
                assertThat(List.of(random, chosen, tcp)).allMatch(Tunnel::isOpen);

                // the next drop resumes with the secret of the latest welcome, not the spent one
                second.mux.close();
                FakeRelay.Agent third = relay.awaitAgent();
                assertThat(third.hello.resumeSecret()).isEqualTo("secret-2");
            }
        }
        events.awaitState(ConnectionState.CLOSED, 1);
        assertThat(events.last().cause()).as("closed by its owner").isNull();
    }

    @Test
    void tunnelsOpenedWhileReconnectingWaitForTheNextSession() throws Exception {
        try (FakeRelay relay = FakeRelay.start()) {
            resumeEverySession(relay);
            Events events = new Events();
            try (LrokClient client = LrokClient.connect(relay.endpoint(), CONFIG, List.of(events))) {
                FakeRelay.Agent first = relay.awaitAgent();
                ErrorMessage busy = new ErrorMessage(ErrorCode.INTERNAL, "try later", null);
                AtomicInteger hellos = new AtomicInteger();
                var welcome = relay.onHello;
                relay.onHello = hello -> hellos.incrementAndGet() <= 2 ? busy : welcome.apply(hello);
                first.mux.close();
                events.awaitState(ConnectionState.RECONNECTING, 1);
                Tunnel tunnel = client.http(3000).open(); // waits for the third hello's session
                assertThat(tunnel.isOpen()).isTrue();
                assertThat(hellos).hasValueGreaterThanOrEqualTo(3);
                events.awaitState(ConnectionState.CONNECTED, 2);
                assertThat(events.seen).filteredOn(e -> e.state() == ConnectionState.RECONNECTING)
                        .extracting(ConnectionEvent::attempt).containsExactly(0, 1, 2);
                assertThat(events.seen).filteredOn(e -> e.state() == ConnectionState.RECONNECTING).allSatisfy(e ->
                        assertThat(e.nextDelay()).isLessThanOrEqualTo(FAST.maxDelay()));
            }
        }
    }

    @Test
    void aRevokedTokenClosesForGood() throws Exception {
        Events events = new Events();
        try (FakeRelay relay = FakeRelay.start();
             LrokClient client = LrokClient.connect(relay.endpoint(), CONFIG, List.of(events))) {
            Tunnel tunnel = client.http(3000).open();
            FakeRelay.Agent first = relay.awaitAgent();
            relay.onHello = hello -> new ErrorMessage(ErrorCode.UNAUTHORIZED, "unknown token", null);
            first.mux.close();
            events.awaitState(ConnectionState.CLOSED, 1);
            assertThat(events.last().cause()).isNotNull()
                    .satisfies(e -> assertThat(e.code()).isEqualTo("unauthorized"));
            assertThat(tunnel.isOpen()).isFalse();
            assertThat(tunnel.connectionState()).isEqualTo(ConnectionState.CLOSED);
            assertThat(client.isOpen()).isFalse();
            assertThatThrownBy(() -> client.http(3000).open()).isInstanceOfSatisfying(TunnelException.class,
                    e -> assertThat(e.code()).isEqualTo(TunnelException.SESSION_CLOSED));
        }
    }

    @Test
    void theRelayEndingASessionWithAnErrorThatIsNotFinalIsReconnected() throws Exception {
        Events events = new Events();
        try (FakeRelay relay = FakeRelay.start();
             LrokClient client = LrokClient.connect(relay.endpoint(), CONFIG, List.of(events))) {
            Tunnel tunnel = client.http(3000).open();
            relay.awaitAgent().send(new ErrorMessage(ErrorCode.INTERNAL, "relay restarting its routing", null));
            relay.awaitAgent();
            events.awaitState(ConnectionState.CONNECTED, 2);
            assertThat(tunnel.isOpen()).isTrue();
            assertThat(events.seen.get(1).cause().code()).isEqualTo("internal");
        }
    }

    @Test
    void aRelayThatStaysAwayIsGivenUpOnWhenThePolicySaysSo() throws Exception {
        Events events = new Events();
        FakeRelay relay = FakeRelay.start();
        AgentConfig config = AgentConfig.defaults().withReconnect(FAST.withGiveUpAfter(Duration.ofMillis(500)));
        try (LrokClient client = LrokClient.connect(relay.endpoint(), config, List.of(events))) {
            Tunnel tunnel = client.tcp(5432).open();
            relay.close(); // no listener any more: every attempt is refused
            events.awaitState(ConnectionState.CLOSED, 1);
            assertThat(events.last().cause().code()).isEqualTo(TunnelException.RELAY_UNREACHABLE);
            assertThat(events.last().detail()).contains("gave up reconnecting");
            assertThat(events.seen).filteredOn(e -> e.state() == ConnectionState.RECONNECTING)
                    .extracting(ConnectionEvent::attempt).startsWith(0, 1);
            assertThat(tunnel.isOpen()).isFalse();
        }
    }

    @Test
    void closingWhileReconnectingStopsTheAttempts() throws Exception {
        Events events = new Events();
        try (FakeRelay relay = FakeRelay.start()) {
            AgentConfig slow = AgentConfig.defaults().withReconnect(ReconnectPolicy.defaults()
                    .withDelays(Duration.ofSeconds(20), Duration.ofSeconds(20)));
            LrokClient client = LrokClient.connect(relay.endpoint(), slow, List.of(events));
            Tunnel tunnel = client.http(3000).open();
            relay.awaitAgent().mux.close();
            events.awaitState(ConnectionState.RECONNECTING, 1);
            assertThat(tunnel.connectionState()).isEqualTo(ConnectionState.RECONNECTING);
            assertThat(tunnel.isOpen()).as("a reconnecting tunnel is still in service").isTrue();
            client.close(); // ends the 10-20 s wait at once
            events.awaitState(ConnectionState.CLOSED, 1);
            assertThat(tunnel.isOpen()).isFalse();
        }
    }

    @Test
    void aShutdownNoticeMovesToANewSessionWhileTheOldOneDrains() throws Exception {
        Events events = new Events();
        try (FakeRelay relay = FakeRelay.start()) {
            resumeEverySession(relay);
            try (LrokClient client = LrokClient.connect(relay.endpoint(), CONFIG, List.of(events))) {
                Tunnel tunnel = client.http(3000).open();
                FakeRelay.Agent draining = relay.awaitAgent();
                draining.send(new Shutdown("relay restarting", 30_000));
                FakeRelay.Agent next = relay.awaitAgent();
                assertThat(next.hello.resumeSession()).isEqualTo("s-1");
                assertThat(((Bind) next.awaitMessage(m -> m instanceof Bind)).subdomain()).isEqualTo("random-1");
                events.awaitState(ConnectionState.CONNECTED, 2);
                assertThat(draining.mux.isClosed()).as("the old session is left to finish its exchanges").isFalse();
                assertThat(tunnel.publicUrl()).hasHost("random-1.lrok.test");
                Tunnel later = client.http(3001).open();
                next.awaitMessage(m -> m instanceof Bind b && b.subdomain() == null);
                assertThat(later.isOpen()).isTrue();
                draining.mux.close(); // the old session's end changes nothing
                assertThat(client.connectionState()).isEqualTo(ConnectionState.CONNECTED);
            }
        }
    }

    @Test
    void aNameTakenMeanwhileGivesARandomTunnelANewNameAndClosesAChosenOne() throws Exception {
        Events events = new Events();
        try (FakeRelay relay = FakeRelay.start();
             LrokClient client = LrokClient.connect(relay.endpoint(), CONFIG, List.of(events))) {
            Tunnel random = client.http(3000).open();
            Tunnel chosen = client.http(3001).subdomain("mine").open();
            URI before = random.publicUrl();
            var grant = relay.onBind;
            relay.onBind = bind -> bind.subdomain() != null
                    ? new ErrorMessage(ErrorCode.SUBDOMAIN_TAKEN, bind.subdomain() + " is in use", bind.id())
                    : grant.apply(bind);
            relay.awaitAgent().mux.close();
            events.awaitState(ConnectionState.CONNECTED, 2);
            assertThat(random.isOpen()).isTrue();
            assertThat(random.publicUrl()).isNotEqualTo(before);
            assertThat(chosen.isOpen()).isFalse();
            assertThat(events.last().detail()).contains(before + " is now " + random.publicUrl())
                    .contains("mine.lrok.test closed");
        }
    }

    @Test
    void theBackoffDoublesUpToItsCeilingWithJitterInTheUpperHalf() {
        ReconnectPolicy policy = ReconnectPolicy.defaults().withDelays(Duration.ofMillis(100), Duration.ofSeconds(2));
        for (int i = 0; i < 200; i++) {
            assertThat(policy.delayBefore(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(policy.delayBefore(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
            assertThat(policy.delayBefore(10)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
            assertThat(policy.delayBefore(1_000)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        }
        assertThatThrownBy(() -> policy.withDelays(Duration.ofSeconds(3), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ReconnectPolicy.disabled().enabled()).isFalse();
    }
}
