package io.lrok;

import io.lrok.internal.agent.AgentConfig;
import io.lrok.internal.agent.AgentSession;
import io.lrok.internal.agent.HttpTunnelSpec;
import io.lrok.internal.agent.RelayResolver;
import io.lrok.internal.agent.TcpTunnelSpec;
import io.lrok.spi.RelayEndpoint;
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
 * #connect(RelayEndpoint)} dials the one given. Thread-safe.
 */
public final class LrokClient implements AutoCloseable {
    private final AgentSession session;

    private LrokClient(AgentSession session) {
        this.session = session;
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
        return connect(relay, AgentConfig.defaults());
    }

    static LrokClient connect(RelayEndpoint relay, AgentConfig config) throws TunnelException {
        return new LrokClient(AgentSession.connect(Objects.requireNonNull(relay, "relay"), config));
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

    /** @return whether the session with the relay is up */
    public boolean isOpen() {
        return session.isOpen();
    }

    /** Closes every tunnel of this client and the session. Idempotent. */
    @Override
    public void close() {
        session.close();
    }

    Tunnel bind(HttpTunnelSpec spec, boolean owned) throws TunnelException {
        return new Tunnel(session.bind(spec), owned ? this : null);
    }

    Tunnel bindTcp(TcpTunnelSpec spec, boolean owned) throws TunnelException {
        return new Tunnel(session.bindTcp(spec), owned ? this : null);
    }

    @Override
    public String toString() {
        return "LrokClient[" + session + "]";
    }
}
