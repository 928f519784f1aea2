package io.lrok.relay;

import io.lrok.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Binding tunnels (docs/protocol.md §3, bind): names, URLs, refusals, and releasing. */
@Timeout(30)
class BindTest {

    @Test
    void aRandomNameAndAPortOfItsOwnWithoutADomain() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = agent.bindHttp(null);
            assertThat(bound.id()).isEqualTo(1);
            assertThat(bound.tunnelId()).isEqualTo("t-1");
            assertThat(bound.publicUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
            assertThat(bound.publicUrl().getPort()).isNotIn(relay.httpPort(), relay.agentPort());
            assertThat(relay.server().tunnelCount()).isEqualTo(1);
        }
    }

    @Test
    void theRequestedNameUnderTheDomain() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("Tunnels.Example.TEST.").start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            assertThat(agent.welcome().domain()).isEqualTo("tunnels.example.test");
            Bound first = agent.bindHttp("my-app");
            assertThat(first.publicUrl())
                    .isEqualTo(URI.create("http://my-app.tunnels.example.test:" + relay.httpPort()));
            Bound second = agent.bindHttp(null);
            assertThat(second.tunnelId()).isEqualTo("t-2");
            assertThat(second.publicUrl().toString())
                    .matches("http://[a-z]+-[a-z]+\\.tunnels\\.example\\.test:" + relay.httpPort());
        }
    }

    @Test
    void aNameHeldByAnotherSessionIsTaken() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent holder = FakeAgent.connect(relay);
                FakeAgent other = FakeAgent.connect(relay)) {
            holder.bindHttp("shared");
            ControlMessage answer = other.bind(Proto.HTTP, "shared", null);
            assertThat(answer).isEqualTo(new ErrorMessage(ErrorCode.SUBDOMAIN_TAKEN,
                    "shared.localhost is in use", 1L));
            assertThat(holder.bind(Proto.HTTP, "shared", null))
                    .isInstanceOf(ErrorMessage.class); // its own session too: one tunnel per name
            assertThat(other.bindHttp("other-name")).isNotNull(); // a refused bind leaves the session going
        }
    }

    @Test
    void invalidNamesAreRefused() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            for (String bad : new String[] {"Upper", "under_score", "-lead", "trail-", "xn--punycode", "a.b",
                    "x".repeat(64)}) {
                ControlMessage answer = agent.bind(Proto.HTTP, bad, null);
                assertThat(answer).as(bad).isInstanceOf(ErrorMessage.class);
                assertThat(((ErrorMessage) answer).code()).as(bad).isEqualTo(ErrorCode.SUBDOMAIN_INVALID);
                assertThat(((ErrorMessage) answer).message()).contains(bad);
            }
            assertThat(relay.server().tunnelCount()).isZero();
        }
    }

    @Test
    void tunnelsPastTheSessionLimitAreRefusedUntilOneCloses() throws Exception {
        RelayLimits limits = RelayLimits.defaults().withMaxTunnelsPerSession(2);
        try (EmbeddedRelay relay = EmbeddedRelay.builder().limits(limits).start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            Bound first = agent.bindHttp(null);
            agent.bindHttp(null);
            ErrorMessage refused = (ErrorMessage) agent.bind(Proto.HTTP, null, null);
            assertThat(refused.code()).isEqualTo(ErrorCode.LIMIT_REACHED);
            assertThat(refused.id()).isEqualTo(3L);
            agent.send(new Unbind(first.tunnelId()));
            assertThat(agent.bind(Proto.HTTP, null, null)).isInstanceOf(Bound.class);
        }
    }

    @Test
    void aSubdomainOnATcpBindAndAPortOnAnHttpBindAreBadRequests() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            ErrorMessage tcp = (ErrorMessage) agent.bind(Proto.TCP, "db", null);
            assertThat(tcp.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            ErrorMessage port = (ErrorMessage) agent.bind(Proto.HTTP, null, 8080);
            assertThat(port.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void unbindFreesTheNameAndClosesTheTunnelsPort() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent holder = FakeAgent.connect(relay);
                FakeAgent other = FakeAgent.connect(relay)) {
            Bound bound = holder.bindHttp("moving");
            holder.send(new Unbind(bound.tunnelId()));
            holder.bindHttp(null); // answered after the unbind was handled: a barrier
            assertThat(other.bindHttp("moving").publicUrl()).isNotEqualTo(bound.publicUrl());
            assertRefused(bound.publicUrl().getPort());
        }
    }

    @Test
    void aSessionThatEndsFreesItsNames() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent other = FakeAgent.connect(relay)) {
            Bound bound;
            try (FakeAgent holder = FakeAgent.connect(relay)) {
                bound = holder.bindHttp("leaving");
            }
            Await.until("the name is freed", () -> relay.server().tunnelCount() == 0);
            assertThat(other.bindHttp("leaving")).isNotNull();
            assertRefused(bound.publicUrl().getPort());
        }
    }

    @Test
    void unbindOfAnUnknownTunnelIsIgnored() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            agent.send(new Unbind("t-99"));
            assertThat(agent.bindHttp(null).tunnelId()).isEqualTo("t-1");
        }
    }

    static void assertRefused(int port) {
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
    }
}
