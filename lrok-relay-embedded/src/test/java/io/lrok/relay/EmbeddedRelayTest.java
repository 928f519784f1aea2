package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.relay.SharedInProcessRelay;
import io.lrok.internal.wire.ControlMessage.Bound;
import io.lrok.spi.InProcessRelayProvider;
import io.lrok.spi.RelayEndpoint;
import io.lrok.testing.Await;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay's life: start, what it says about itself, close; and the shared in-process relay. */
@Timeout(30)
class EmbeddedRelayTest {

    @Test
    void closeEndsSessionsAndConnectionsAndFreesEveryPort() throws Exception {
        EmbeddedRelay relay = EmbeddedRelay.start();
        FakeAgent agent = FakeAgent.connect(relay);
        Bound bound = agent.bindHttp(null);
        agent.serve(Responses.fixed("up"));
        RawClient idle = new RawClient(bound.publicUrl().getPort());
        assertThat(idle.get("x", "/").body()).isEqualTo("up"); // a kept-alive public connection
        List<Integer> ports = List.of(relay.agentPort(), relay.httpPort(), bound.publicUrl().getPort());

        relay.close();
        relay.close(); // idempotent

        agent.mux.whenClosed().get(FakeAgent.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(idle.closedByPeer()).isTrue();
        for (int port : ports) {
            BindTest.assertRefused(port);
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
        }
        idle.close();
        agent.close();
    }

    @Test
    void closeEndsAgentConnectionsStillInTheirTlsHandshake() throws Exception {
        EmbeddedRelay relay = EmbeddedRelay.start(); // handshakeTimeout: 10 s
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), relay.agentPort())) {
            silent.setSoTimeout((int) FakeAgent.WAIT.toMillis());
            Await.until("the relay accepted the connection and waits for a ClientHello",
                    () -> relay.server().agentHandshakeCount() == 1);
            long start = System.nanoTime();
            relay.close();
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void startsAndStopsRepeatedly() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (EmbeddedRelay relay = EmbeddedRelay.start(); FakeAgent agent = FakeAgent.connect(relay)) {
                assertThat(agent.bindHttp("round")).isNotNull();
            }
        }
    }

    @Test
    void describesItselfAsAnEndpointAgentsCanDial() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.start()) {
            assertThat(relay.host()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
            assertThat(relay.port()).isEqualTo(relay.agentPort()).isPositive();
            assertThat(relay.httpPort()).isPositive().isNotEqualTo(relay.agentPort());
            assertThat(relay.tls()).isTrue();
            assertThat(relay.sslContext()).isPresent();
            assertThat(relay.caCertificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(relay.httpsPort()).isEqualTo(-1);
            assertThat(relay.authToken()).isEmpty();
            assertThat(relay.domain()).isEqualTo("localhost");
            assertThat(relay.toString()).contains("lrok://", ":" + relay.agentPort());
        }
        try (EmbeddedRelay relay = EmbeddedRelay.builder().plaintextAgentPort().start()) {
            assertThat(relay.tls()).isFalse();
            assertThat(relay.sslContext()).isEmpty();
            assertThat(relay.toString()).contains("lrok+plain://", ":" + relay.agentPort());
        }
        try (EmbeddedRelay relay = EmbeddedRelay.builder().authTokens(List.of(" tok ")).domain("x.test").start()) {
            assertThat(relay.authToken()).contains("tok");
            assertThat(relay.domain()).isEqualTo("x.test");
        }
    }

    @Test
    void boundToEveryInterfaceItIsStillDialledAndReachedOnLoopback() throws Exception {
        try (EmbeddedRelay relay = EmbeddedRelay.builder().bindAddress(InetAddress.getByName("0.0.0.0")).start();
                FakeAgent agent = FakeAgent.connect(relay)) {
            assertThat(relay.host()).isEqualTo("127.0.0.1");
            Bound bound = agent.bindHttp(null);
            assertThat(bound.publicUrl().getHost()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void agentsFromANonLoopbackAddressAreRefusedWhilePlaintext() throws Exception {
        InetAddress own = NetworkInterface.networkInterfaces().filter(EmbeddedRelayTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        Assumptions.assumeTrue(own != null, "this machine has no non-loopback IPv4 address to connect from");
        try (EmbeddedRelay relay = EmbeddedRelay.builder().bindAddress(InetAddress.getByName("0.0.0.0"))
                .plaintextAgentPort().start();
                Socket socket = new Socket(own, relay.agentPort())) {
            socket.setSoTimeout((int) FakeAgent.WAIT.toMillis());
            assertThat(socket.getInputStream().read()).isEqualTo(-1); // closed unanswered
            assertThat(relay.server().sessionCount()).isZero();
        }
    }

    @Test
    void theBuilderRefusesNonsense() {
        EmbeddedRelay.Builder builder = EmbeddedRelay.builder();
        assertThatThrownBy(() -> builder.agentPort(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.httpPort(65_536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.domain("not a domain")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.authTokens(List.of("ok", " "))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTakenPortIsReportedWithTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> EmbeddedRelay.builder().httpPort(taken.getLocalPort()).start())
                    .hasMessageContaining("cannot listen on").hasMessageContaining(":" + taken.getLocalPort());
        }
    }

    @Test
    void theServiceLoaderFindsOneSharedRelayPerJvm() throws Exception {
        InProcessRelayProvider provider = ServiceLoader.load(InProcessRelayProvider.class).findFirst().orElseThrow();
        assertThat(provider).isInstanceOf(SharedInProcessRelay.class);
        RelayEndpoint shared = provider.sharedRelay();
        assertThat(new SharedInProcessRelay().sharedRelay()).isSameAs(shared);
        assertThat(shared.tls()).isTrue();
        assertThat(RelayEndpoint.isLoopback(shared.host())).isTrue();
        try (FakeAgent agent = FakeAgent.connect((EmbeddedRelay) shared)) {
            assertThat(agent.bindHttp(null).publicUrl().getHost()).isEqualTo("127.0.0.1");
        }
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp();
        } catch (java.net.SocketException e) {
            return false;
        }
    }
}
