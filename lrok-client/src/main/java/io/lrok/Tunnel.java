package io.lrok;

import io.lrok.internal.agent.AgentTunnel;
import java.net.URI;

/**
 * A public URL for a local port: the relay sends every request for {@link #publicUrl()} down one connection, and
 * the tunnel replays it against the local app and streams the response back.
 *
 * <pre>{@code
 * try (Tunnel tunnel = Tunnel.open(3000)) {
 *     System.out.println(tunnel.publicUrl() + " -> http://127.0.0.1:3000");
 *     ...
 * }
 * }</pre>
 *
 * {@link #open(int)} and {@link #http(int)} open a session with the relay for this tunnel alone, and
 * {@link #close()} ends it; to share one session among several tunnels, use {@link LrokClient}. Where the relay is
 * comes from the code ({@link HttpTunnelBuilder#relay}) or, when the code names none, from the system property
 * {@code lrok.relay}, the environment variable {@code LROK_RELAY}, the config file
 * {@code ~/.config/lrok/config.properties}, or an in-process relay when lrok-relay-embedded is on the class path.
 *
 * <p>A tunnel stays open until it is closed, the relay drops it, or its connection closes for good (which is
 * logged); then {@link #isOpen()} turns false. A lost connection to the relay is not the end: the agent reconnects
 * with backoff ({@link ReconnectPolicy}) and binds the tunnel again with the same subdomain or port, so its
 * {@link #publicUrl()} stays; {@link #connectionState()} is {@link ConnectionState#RECONNECTING} meanwhile, and a
 * {@link ConnectionListener} given to the builder hears each change. Thread-safe.
 */
public final class Tunnel implements AutoCloseable {
    private final AgentTunnel binding;
    /** The client this tunnel opened for itself and closes with itself; null when it shares a client's session. */
    private final LrokClient ownedClient;

    Tunnel(AgentTunnel binding, LrokClient ownedClient) {
        this.binding = binding;
        this.ownedClient = ownedClient;
    }

    /**
     * Opens an HTTP tunnel to {@code http://127.0.0.1:port} with every setting at its default: the same as
     * {@code Tunnel.http(port).open()}.
     *
     * @param port the local app's port
     * @return the open tunnel
     * @throws TunnelException if no relay is configured, it cannot be reached, or it refuses; {@link
     *                         TunnelException#code()} says which
     */
    public static Tunnel open(int port) throws TunnelException {
        return http(port).open();
    }

    /**
     * Starts describing an HTTP tunnel to a local port; finish with {@link HttpTunnelBuilder#open()}.
     *
     * @param port the local app's port, 1 to 65535
     * @return a builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public static HttpTunnelBuilder http(int port) {
        return new HttpTunnelBuilder(port, null);
    }

    /**
     * Starts describing a TCP tunnel to a local port: every public connection to the tunnel's port becomes a
     * connection to {@code 127.0.0.1:port}, raw bytes both ways (a database, SSH, any TCP protocol); finish with
     * {@link TcpTunnelBuilder#open()}.
     *
     * <pre>{@code
     * try (Tunnel db = Tunnel.tcp(5432).open()) {
     *     URI url = db.publicUrl();   // tcp://127.0.0.1:<port> from an EmbeddedRelay
     * }
     * }</pre>
     *
     * @param port the local app's port, 1 to 65535
     * @return a builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public static TcpTunnelBuilder tcp(int port) {
        return new TcpTunnelBuilder(port, null);
    }

    /**
     * @return where the public reaches the tunnel, such as {@code https://violet-mole.lrok.example}, or
     *         {@code tcp://lrok.example:20001} for a TCP tunnel; the same after a reconnect, unless the relay gave
     *         its name to someone else meanwhile (then the change is logged and told to connection listeners)
     */
    public URI publicUrl() {
        return binding.publicUrl();
    }

    /** @return the local app it forwards to, such as {@code http://127.0.0.1:3000} or {@code tcp://127.0.0.1:5432} */
    public URI localUrl() {
        return binding.localUrl();
    }

    /**
     * @return whether it is still in service: not closed, not dropped by the relay, its connection not closed for
     *         good; true while reconnecting
     */
    public boolean isOpen() {
        return binding.isOpen();
    }

    /** @return where its connection to the relay stands: connected, reconnecting, or closed */
    public ConnectionState connectionState() {
        return binding.isOpen() ? binding.agent().state() : ConnectionState.CLOSED;
    }

    /**
     * Closes the tunnel: the relay stops routing to it (exchanges already running finish), and if the tunnel
     * opened its own session, that session ends. Idempotent.
     */
    @Override
    public void close() {
        binding.close();
        if (ownedClient != null) ownedClient.close();
    }

    @Override
    public String toString() {
        return "Tunnel[" + publicUrl() + " -> " + localUrl() + (isOpen() ? "" : ", closed") + "]";
    }
}
