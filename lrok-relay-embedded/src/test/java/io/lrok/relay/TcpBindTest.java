package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.ControlMessage;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.internal.wire.ControlMessage.ErrorMessage;
import io.lrok.internal.wire.ControlMessage.Unbind;
import io.lrok.internal.wire.ErrorCode;
import io.lrok.internal.wire.Proto;
import io.lrok.testing.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP binds (docs/protocol.md §3, bind with proto tcp): ports, ranges, refusals, and releasing. */
@Timeout(30)
class TcpBindTest {

    @Test
    void anyFreePortWithoutARangeAndATcpUrl() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
            Bound bound = tcp(agent, null);
            assertThat(bound.tunnelId()).isEqualTo("t-1");
            assertThat(bound.publicUrl().toString()).matches("tcp://127\\.0\\.0\\.1:\\d+");
            assertThat(bound.publicUrl().getPort()).isNotIn(relay.httpPort(), relay.agentPort());
            assertListening(bound.publicUrl().getPort());
        }
    }

    @Test
    void theRequestedPortWhenFreeAndPortUnavailableWhenTaken() throws Exception {
        int port = freePort();
        try (EmbeddedRelay relay = EmbeddedRelay.start();
                FakeAgent holder = FakeAgent.connect(relay);
                FakeAgent other = FakeAgent.connect(relay)) {
            assertThat(tcp(holder, port).publicUrl().getPort()).isEqualTo(port);
            ErrorMessage taken = (ErrorMessage) other.bind(Proto.TCP, null, port);
            assertThat(taken.code()).isEqualTo(ErrorCode.PORT_UNAVAILABLE);
            assertThat(taken.message()).contains("port " + port + " is taken");
            ErrorMessage agentPort = (ErrorMessage) other.bind(Proto.TCP, null, relay.agentPort());
            assertThat(agentPort.code()).isEqualTo(ErrorCode.PORT_UNAVAILABLE);
        }
    }

    @Test
    void aRangeLimitsThePortsAndRunsOut() throws Exception {
        int port = freePort();
        try (EmbeddedRelay relay = EmbeddedRelay.builder().tcpPortRange(port, port).start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            ErrorMessage outside = (ErrorMessage) agent.bind(Proto.TCP, null, port == 65_535 ? port - 1 : port + 1);
            assertThat(outside.code()).isEqualTo(ErrorCode.PORT_UNAVAILABLE);
            assertThat(outside.message()).contains("outside this relay's TCP ports " + port + "-" + port);
            assertThat(tcp(agent, null).publicUrl().getPort()).isEqualTo(port);
            ErrorMessage none = (ErrorMessage) agent.bind(Proto.TCP, null, null);
            assertThat(none.code()).isEqualTo(ErrorCode.PORT_UNAVAILABLE);
            assertThat(none.message()).contains("no free port");
        }
    }

    @Test
    void aDomainIsTheHostOfTheUrl() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().domain("tunnels.example.test").start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            assertThat(tcp(agent, null).publicUrl().toString()).matches("tcp://tunnels\\.example\\.test:\\d+");
        }
    }

    @Test
    void unbindAndTheSessionsEndFreeThePort() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            int port;
            try (FakeAgent agent = FakeAgent.connect(relay)) {
                Bound bound = tcp(agent, null);
                port = bound.publicUrl().getPort();
                agent.send(new Unbind(bound.tunnelId()));
                Await.until("port " + port + " freed", () -> !listening(port));
                assertThat(tcp(agent, port).publicUrl().getPort()).isEqualTo(port); // bindable again
            }
            Await.until("port " + port + " freed at the session's end", () -> !listening(port));
            try (FakeAgent again = FakeAgent.connect(relay)) {
                assertThat(tcp(again, port).publicUrl().getPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void tcpTunnelsCountAgainstTheSessionsLimit() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder()
                .limits(RelayLimits.defaults().withMaxTunnelsPerSession(1)).start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            tcp(agent, null);
            ErrorMessage limit = (ErrorMessage) agent.bind(Proto.TCP, null, null);
            assertThat(limit.code()).isEqualTo(ErrorCode.LIMIT_REACHED);
        }
    }

    @Test
    void aRangeIsChecked() {
        for (List<Integer> bad : List.of(List.of(0, 10), List.of(10, 9), List.of(1, 65_536))) {
            assertThatThrownBy(() -> EmbeddedRelay.builder().tcpPortRange(bad.get(0), bad.get(1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(RelayMain.parse(List.of("--tcp-ports", "20000-20999"))).isNotNull();
        assertThatThrownBy(() -> RelayMain.parse(List.of("--tcp-ports", "20000")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Bound tcp(FakeAgent agent, Integer port) throws IOException {
        ControlMessage answer = agent.bind(Proto.TCP, null, port);
        if (!(answer instanceof Bound bound)) throw new AssertionError("expected bound, got " + answer);
        return bound;
    }

    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void assertListening(int port) {
        assertThat(listening(port)).as("port %d listening", port).isTrue();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
