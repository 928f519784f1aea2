package io.lrok;

import io.lrok.internal.agent.Agent;
import io.lrok.internal.agent.HttpTunnelSpec;
import io.lrok.internal.agent.RelayResolver;
import io.lrok.internal.agent.TcpTunnelSpec;
import io.lrok.spi.RelayEndpoint;
import java.util.List;
import java.util.Objects;

/**
 * One session with a relay, shared by several tunnels:
 *
 * <pre>{@code
 * try (LrokClient lrok = LrokClient.connect()) {
 *     Tunnel web = lrok.http(3000).open();
 *     Tunnel api = lrok.http(8080).subdomain("my-api").open();
 *     ...
 * } // closes both tunnels and the session
 * }</pre>
 *
 * {@link #connect()} finds the relay as {@link Tunnel} does when the code names none; {@link
 * #connect(RelayEndpoint)} dials the one given. A lost connection is made again on its own, with the same URLs where
 * the relay still holds them ({@link ReconnectPolicy#defaults()}); {@link #connectionState()} tells where it stands.
 * Thread-safe.
 */
public final class LrokClient implements AutoCloseable {
    private final Agent agent;

    private LrokClient(Agent agent) {
        this.agent = agent;
    }

    /**
     * Connects to the configured relay: system property {@code lrok.relay} (and {@code lrok.authtoken}), else the
     * environment's {@code LROK_RELAY} (and {@code LROK_AUTHTOKEN}), else {@code relay} (and {@code authtoken}) in
     * {@code $XDG_CONFIG_HOME/lrok/config.properties} or {@code ~/.config/lrok/config.properties}, else an in-process
     * relay if lrok-relay-embedded is on the class path (its URLs reachable from this machine only).
     *
     * @return the connected client
     * @throws TunnelException {@code no_relay_configured} if none of these names a relay, or why the relay could
     *                         not be reached or refused
     */
    public static LrokClient connect() throws TunnelException {
        return connect(RelayResolver.fromSystem().resolve());
    }

    /**
     * Connects to the given relay, with the token it carries.
     *
     * @param relay the relay, such as an {@code EmbeddedRelay} or {@code RelayEndpoint.of(uri, token)}
     * @return the connected client
     * @throws TunnelException why the relay could not be reached or refused
     */
    public static LrokClient connect(RelayEndpoint relay) throws TunnelException {
        return connect(relay, AgentConfig.defaults(), List.of());
    }

    /**
     * Connects to the given relay, telling {@code listener} of every change of the connection's state from now on
     * (connected, reconnecting with the cause, closed with the cause).
     *
     * @param relay    the relay, such as an {@code EmbeddedRelay} or {@code RelayEndpoint.of(uri, token)}
     * @param listener told of each change, in order, on a thread of lrok's
     * @return the connected client
     * @throws TunnelException why the relay could not be reached or refused
     */
    public static LrokClient connect(RelayEndpoint relay, ConnectionListener listener) throws TunnelException {
        return connect(relay, AgentConfig.defaults(), List.of(Objects.requireNonNull(listener, "listener")));
    }

    /**
     * Connects to the given relay with these agent settings (limits, timeouts, heartbeat, reconnect policy).
     *
     * @param relay     the relay
     * @param config    the agent's settings
     * @param listeners told of each change of the connection's state, in order, on a thread of lrok's
     * @return the connected client
     * @throws TunnelException why the relay could not be reached or refused
     */
    public static LrokClient connect(RelayEndpoint relay, AgentConfig config, ConnectionListener... listeners)
            throws TunnelException {
        return connect(relay, config, List.of(listeners));
    }

    static LrokClient connect(RelayEndpoint relay, AgentConfig config, List<ConnectionListener> listeners)
            throws TunnelException {
        return new LrokClient(Agent.connect(Objects.requireNonNull(relay, "relay"), config, listeners));
    }

    /**
     * Starts describing an HTTP tunnel on this client's session; finish with {@link HttpTunnelBuilder#open()}.
     *
     * @param port the local app's port, 1 to 65535
     * @return a builder bound to this client (its relay and token are this client's)
     */
    public HttpTunnelBuilder http(int port) {
        return new HttpTunnelBuilder(port, this);
    }

    /**
     * Starts describing a TCP tunnel on this client's session; finish with {@link TcpTunnelBuilder#open()}.
     *
     * @param port the local app's port, 1 to 65535
     * @return a builder bound to this client (its relay and token are this client's)
     */
    public TcpTunnelBuilder tcp(int port) {
        return new TcpTunnelBuilder(port, this);
    }

    /** @return whether the client is still in service: connected, or reconnecting; false once closed */
    public boolean isOpen() {
        return !agent.isClosed();
    }

    /** @return where the connection to the relay stands now */
    public ConnectionState connectionState() {
        return agent.state();
    }

    /** Closes every tunnel of this client and the session. Idempotent. */
    @Override
    public void close() {
        agent.close();
    }

    Tunnel bind(HttpTunnelSpec spec, boolean owned) throws TunnelException {
        return new Tunnel(agent.bind(spec), owned ? this : null);
    }

    Tunnel bindTcp(TcpTunnelSpec spec, boolean owned) throws TunnelException {
        return new Tunnel(agent.bindTcp(spec), owned ? this : null);
    }

    @Override
    public String toString() {
        return "LrokClient[" + agent + "]";
    }
}
