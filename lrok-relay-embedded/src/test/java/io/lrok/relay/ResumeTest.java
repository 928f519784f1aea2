package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Hello;
import io.lrok.internal.wire.ControlMessage.Welcome;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import io.lrok.testing.Await;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resuming a session (docs/protocol.md §6), relay side: a lost connection's names and ports are kept for the grace
 * period, for the agent that presents the session's id and secret and for no one else; public requests that arrive
 * meanwhile wait for the tunnel to come back; an agent that closes on purpose frees them at once.
 */
@Timeout(60)
class ResumeTest {

    private static Hello resuming(FakeAgent lost) {
        return Hello.create(null, "fake-agent/1").resuming(lost.welcome());
    }

    /** @return whether {@code agent} got {@code name} (it keeps it) */
    private static boolean binds(FakeAgent agent, String name) {
        try {
            return agent.bind(Proto.HTTP, name, null) instanceof Bound;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static EmbeddedRelay.Builder relayWithDomain() {
        return EmbeddedRelay.builder().domain("lrok.test");
    }

    @Test
    void aLostSessionsNamesAndPortsGoToItsResumerAndToNoOneElse() throws Exception {
        try (EmbeddedRelay relay = relayWithDomain().start();
             FakeAgent other = FakeAgent.connect(relay)) {
            FakeAgent lost = FakeAgent.connect(relay);
            Bound web = lost.bindHttp("keep-me");
            assertThat(web.subdomain()).isEqualTo("keep-me");
            Bound tcp = (Bound) lost.bind(Proto.TCP, null, null);
            lost.drop();
            Await.until("the relay noticed the lost connection", () -> relay.server().sessionCount() == 1);

            assertThat(other.bind(Proto.HTTP, "keep-me", null)).isInstanceOfSatisfying(ErrorMessage.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.SUBDOMAIN_TAKEN));
            assertThat(other.bind(Proto.TCP, null, tcp.publicUrl().getPort()))
                    .isInstanceOfSatisfying(ErrorMessage.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_UNAVAILABLE));

            try (FakeAgent back = FakeAgent.connect(relay, resuming(lost))) {
                Welcome welcome = back.welcome();
                assertThat(welcome.sessionId()).isEqualTo(lost.welcome().sessionId());
                assertThat(welcome.resumeSecret()).isNotEqualTo(lost.welcome().resumeSecret());
                assertThat(back.bindHttp("keep-me").publicUrl()).isEqualTo(web.publicUrl());
                assertThat(back.bind(Proto.TCP, null, tcp.publicUrl().getPort()))
                        .isInstanceOfSatisfying(Bound.class, b -> assertThat(b.publicUrl()).isEqualTo(tcp.publicUrl()));
                back.serve(Responses.fixed("resumed"));
                try (RawClient client = new RawClient(relay.httpPort())) {
                    assertThat(client.get("keep-me.lrok.test", "/").body()).isEqualTo("resumed");
                }
            }
        }
    }

    @Test
    void aWrongSecretOrASpentOneStartsANewSessionAndTheNamesStayKept() throws Exception {
        try (EmbeddedRelay relay = relayWithDomain().start()) {
            FakeAgent lost = FakeAgent.connect(relay);
            lost.bindHttp("mine");
            lost.drop();
            Welcome real = lost.welcome();
            Welcome forged = new Welcome(real.version(), real.sessionId(), "not-the-secret", real.relay(),
                    real.domain());
            try (FakeAgent intruder = FakeAgent.connect(relay, Hello.create(null, "x").resuming(forged))) {
                assertThat(intruder.welcome().sessionId()).isNotEqualTo(real.sessionId());
                assertThat(intruder.bind(Proto.HTTP, "mine", null)).isInstanceOfSatisfying(ErrorMessage.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.SUBDOMAIN_TAKEN));
            }
            FakeAgent back = FakeAgent.connect(relay, resuming(lost));
            assertThat(back.welcome().sessionId()).isEqualTo(real.sessionId());
            back.bindHttp("mine");
            back.drop();
            try (FakeAgent replay = FakeAgent.connect(relay, resuming(lost))) { // the first secret is spent
                assertThat(replay.welcome().sessionId()).isNotEqualTo(real.sessionId());
            }
            try (FakeAgent again = FakeAgent.connect(relay, resuming(back))) { // the latest one works
                assertThat(again.welcome().sessionId()).isEqualTo(real.sessionId());
                assertThat(again.bindHttp("mine").subdomain()).isEqualTo("mine");
            }
        }
    }

    @Test
    void requestsArrivingWhileTheAgentIsAwayWaitForItOrGet503() throws Exception {
        try (EmbeddedRelay relay = relayWithDomain().limits(RelayLimits.defaults()
                .withReconnectHold(Duration.ofSeconds(30))).start()) {
            FakeAgent lost = FakeAgent.connect(relay);
            lost.bindHttp("patient");
            lost.drop();
            Await.until("the relay noticed the lost connection", () -> relay.server().sessionCount() == 0);
            CompletableFuture<RawClient.Response> waiting = CompletableFuture.supplyAsync(() -> {
                try (RawClient client = new RawClient(relay.httpPort())) {
                    return client.get("patient.lrok.test", "/held");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Await.until("the request reached the relay", () -> relay.server().publicConnectionCount() == 1);
            assertThat(waiting).isNotDone();
            try (FakeAgent back = FakeAgent.connect(relay, resuming(lost))) {
                back.serve(Responses.fixed("worth the wait"));
                back.bindHttp("patient");
                RawClient.Response response = waiting.get();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("worth the wait");
                assertThat(back.takeRequest().head().target()).isEqualTo("/held");
            }
        }
        try (EmbeddedRelay relay = relayWithDomain().limits(RelayLimits.defaults()
                .withReconnectHold(Duration.ZERO)).start()) {
            FakeAgent lost = FakeAgent.connect(relay);
            lost.bindHttp("impatient");
            lost.drop();
            Await.until("the relay noticed the lost connection", () -> relay.server().sessionCount() == 0);
            try (RawClient client = new RawClient(relay.httpPort())) {
                RawClient.Response response = client.get("impatient.lrok.test", "/");
                assertThat(response.status()).isEqualTo(503);
                assertThat(response.body()).contains("reconnecting");
            }
        }
    }

    @Test
    void anAgentClosingOnPurposeFreesItsNamesAtOnceAndAnUnresumedSessionsNamesFreeAfterTheGrace()
            throws Exception {
        try (EmbeddedRelay relay = relayWithDomain().limits(RelayLimits.defaults()
                .withResumeGrace(Duration.ofMillis(300))).start();
             FakeAgent other = FakeAgent.connect(relay)) {
            FakeAgent closing = FakeAgent.connect(relay);
            closing.bindHttp("polite");
            closing.close(); // shutdown, then close
            Await.until("the name is free", () -> binds(other, "polite"));

            FakeAgent lost = FakeAgent.connect(relay);
            lost.bindHttp("gone");
            lost.drop();
            Await.until("the name is free once the grace has passed",
                    () -> binds(other, "gone"));
            try (FakeAgent late = FakeAgent.connect(relay, resuming(lost))) {
                assertThat(late.welcome().sessionId()).as("too late: a new session")
                        .isNotEqualTo(lost.welcome().sessionId());
            }
        }
    }

    @Test
    void aResumeWhileTheOldConnectionLooksAliveTakesTheSessionOver() throws Exception {
        try (EmbeddedRelay relay = relayWithDomain().start()) {
            FakeAgent stale = FakeAgent.connect(relay); // the agent gave it up; the relay has not noticed yet
            stale.bindHttp("moving");
            try (FakeAgent fresh = FakeAgent.connect(relay, resuming(stale))) {
                assertThat(fresh.welcome().sessionId()).isEqualTo(stale.welcome().sessionId());
                Await.until("the old connection is closed", () -> stale.mux.isClosed());
                assertThat(fresh.bindHttp("moving").publicUrl()).isEqualTo(URI.create("http://moving.lrok.test:"
                        + relay.httpPort()));
            }
        }
    }

    @Test
    void withoutADomainATunnelKeepsItsOwnPort() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            FakeAgent lost = FakeAgent.connect(relay);
            Bound bound = lost.bindHttp(null);
            assertThat(bound.subdomain()).as("the name, which the URL does not show").isNotNull();
            lost.drop();
            try (FakeAgent back = FakeAgent.connect(relay, resuming(lost))) {
                back.serve(Responses.fixed("same port"));
                assertThat(back.bindHttp(bound.subdomain()).publicUrl()).isEqualTo(bound.publicUrl());
                try (RawClient client = new RawClient(bound.publicUrl().getPort())) {
                    assertThat(client.get("anything", "/").body()).isEqualTo("same port");
                }
            }
        }
    }
}
