package io.lrok.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lrok.internal.wire.Protocol;
import io.lrok.mux.MuxConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RelayLimitsTest {

    @Test
    void defaultsAreDocumentedValues() {
        RelayLimits d = RelayLimits.defaults();
        assertThat(d.handshakeTimeout()).isEqualTo(Protocol.HANDSHAKE_TIMEOUT);
        assertThat(d.maxSessions()).isEqualTo(RelayLimits.DEFAULT_MAX_SESSIONS);
        assertThat(d.maxTunnelsPerSession()).isEqualTo(RelayLimits.DEFAULT_MAX_TUNNELS_PER_SESSION);
        assertThat(d.maxEdgeConnections()).isEqualTo(RelayLimits.DEFAULT_MAX_EDGE_CONNECTIONS);
        assertThat(d.maxConnectionsPerAddress()).isEqualTo(1_024);
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(d.headTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.lingerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.mux()).isEqualTo(MuxConfig.defaults());
        assertThat(d.maxSessionsPerAccount()).isEqualTo(100).isEqualTo(RelayLimits.DEFAULT_MAX_SESSIONS_PER_ACCOUNT);
        assertThat(d.maxStreamsPerSession()).isEqualTo(1_000).isEqualTo(RelayLimits.DEFAULT_MAX_STREAMS_PER_SESSION);
        assertThat(d.maxStreamsPerSession()).isLessThan(d.mux().maxConcurrentStreams());
    }

    @Test
    void eachWitherChangesOneValue() {
        RelayLimits d = RelayLimits.defaults();
        assertThat(d.withHandshakeTimeout(Duration.ofSeconds(1)).handshakeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.withMaxSessions(3).maxSessions()).isEqualTo(3);
        assertThat(d.withMaxTunnelsPerSession(4).maxTunnelsPerSession()).isEqualTo(4);
        assertThat(d.withMaxEdgeConnections(5).maxEdgeConnections()).isEqualTo(5);
        assertThat(d.withMaxConnectionsPerAddress(6).maxConnectionsPerAddress()).isEqualTo(6);
        assertThat(d.withMaxConnectionsPerAddress(6).maxEdgeConnections()).isEqualTo(d.maxEdgeConnections());
        assertThat(d.withIdleTimeout(Duration.ZERO).idleTimeout()).isZero();
        assertThat(d.withHeadTimeout(Duration.ZERO).headTimeout()).isZero();
        assertThat(d.withLingerTimeout(Duration.ZERO).lingerTimeout()).isZero();
        MuxConfig mux = MuxConfig.defaults().withAcceptBacklog(7);
        assertThat(d.withMux(mux).mux()).isEqualTo(mux);
        assertThat(d.withMaxSessions(3).withIdleTimeout(Duration.ZERO).maxSessions()).isEqualTo(3);
        assertThat(d.withMaxSessionsPerAccount(6).maxSessionsPerAccount()).isEqualTo(6);
        assertThat(d.withMaxStreamsPerSession(8).maxStreamsPerSession()).isEqualTo(8);
        assertThat(d.withMaxStreamsPerSession(8).withMux(mux).maxStreamsPerSession()).isEqualTo(8);
    }

    @Test
    void nonsenseIsRefused() {
        RelayLimits d = RelayLimits.defaults();
        assertThatThrownBy(() -> d.withHandshakeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxSessions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxTunnelsPerSession(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxEdgeConnections(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxConnectionsPerAddress(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withIdleTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMux(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> d.withMaxSessionsPerAccount(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withMaxStreamsPerSession(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
