package io.lrok.internal.relay;

import io.lrok.http.HttpLimits;
import io.lrok.relay.RelayLimits;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The running relay: the agent listener, the shared edge listener, the tunnel table, and the live sessions and
 * public connections, so that {@link #close()} can end them all. {@code EmbeddedRelay} is its public face.
 *
 * <p>Plaintext only, for now (TLS is a later issue): agents are accepted from loopback addresses only, as
 * docs/protocol.md §1 requires.
 */
public final class RelayServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RelayServer.class.getName());

    /** The relay node's name in welcome messages. */
    static final String RELAY_NAME = "lrok-relay";
    /** The domain of a relay configured without one: the shared port routes {@code <name>.localhost}. */
    static final String LOCAL_DOMAIN = "localhost";
    /** Reason given to agents in the shutdown notice when the relay closes. */
    static final String CLOSING_REASON = "relay closing";

    private final RelayConfig config;
    private final String domain;
    private final Authenticator authenticator;
    private final TunnelRegistry registry;
    private final LiveSet<AgentSession> sessions = new LiveSet<>();
    private final AtomicInteger welcomedSessions = new AtomicInteger();
    private final LiveSet<Socket> publicConnections = new LiveSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Listener agentListener;
    private Listener httpListener;

    private RelayServer(RelayConfig config) {
        this.config = config;
        this.domain = config.domain() != null ? config.domain() : LOCAL_DOMAIN;
        this.authenticator = new Authenticator(config.tokens());
        this.registry = new TunnelRegistry(domain);
    }

    /**
     * Binds the agent and edge ports and starts accepting.
     *
     * @param config the configuration
     * @return the running relay
     * @throws IOException if a port cannot be bound
     */
    public static RelayServer start(RelayConfig config) throws IOException {
        RelayServer relay = new RelayServer(config);
        try {
            relay.agentListener = Listener.open("agents", config.bindAddress(), config.agentPort(), relay::serveAgent);
            relay.httpListener = Listener.open("edge", config.bindAddress(), config.httpPort(),
                    socket -> relay.serveEdge(socket, relay.registry::route));
        } catch (IOException e) {
            relay.close();
            throw e;
        }
        LOG.log(Level.DEBUG, () -> "relay listening: agents on " + relay.agentListener + ", public HTTP on "
                + relay.httpListener + (config.domain() != null ? ", tunnels at http://<name>." + relay.domain
                + portSuffix(relay.httpPort()) : ", a port per tunnel (no domain)"));
        return relay;
    }

    /**
     * Returns the agents' port.
     *
     * @return the agents' port
     */
    public int agentPort() {
        return agentListener.port();
    }

    /**
     * Returns the shared public HTTP port.
     *
     * @return the shared public HTTP port
     */
    public int httpPort() {
        return httpListener.port();
    }

    /**
     * Returns the domain public hosts are under.
     *
     * @return the domain public hosts are under: the configured one, or {@code localhost}
     */
    public String domain() {
        return domain;
    }

    /**
     * Returns the configuration it was started with.
     *
     * @return the configuration it was started with
     */
    public RelayConfig config() {
        return config;
    }

    /**
     * Returns the number of agent sessions connected, welcomed or not yet.
     *
     * @return the number of agent sessions connected, welcomed or not yet
     */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Returns the number of subdomains held.
     *
     * @return the number of subdomains held
     */
    public int tunnelCount() {
        return registry.size();
    }

    /**
     * Returns the number of public connections open.
     *
     * @return the number of public connections open, on every edge port
     */
    public int publicConnectionCount() {
        return publicConnections.size();
    }

    /**
     * Stops the listeners, tells each agent the relay is closing and closes its session, and closes the public
     * connections. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (agentListener != null) agentListener.close();
        if (httpListener != null) httpListener.close();
        List<Thread> closing = new ArrayList<>();
        for (AgentSession session : sessions.closeAndDrain()) {
            closing.add(Thread.ofVirtual().start(() -> session.shutdown(CLOSING_REASON)));
        }
        for (Thread t : closing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Socket socket : publicConnections.closeAndDrain()) closeQuietly(socket);
        LOG.log(Level.DEBUG, "relay closed");
    }

    // ---- for sessions and the edge -------------------------------------------------------------------------

    RelayLimits limits() {
        return config.limits();
    }

    HttpLimits httpLimits() {
        return config.httpLimits();
    }

    Authenticator authenticator() {
        return authenticator;
    }

    TunnelRegistry registry() {
        return registry;
    }

    /**
     * Counts one more welcomed session against the limit, if it fits.
     *
     * @return whether one more welcomed session fits; if so it is counted until {@link #sessionEnded}
     */
    boolean admitSession() {
        if (welcomedSessions.incrementAndGet() > config.limits().maxSessions()) {
            welcomedSessions.decrementAndGet();
            return false;
        }
        return true;
    }

    void sessionEnded(AgentSession session, boolean welcomed) {
        sessions.remove(session);
        if (welcomed) welcomedSessions.decrementAndGet();
    }

    /**
     * Makes a claimed tunnel reachable: with a domain, through the shared port by Host; without, through a port
     * of its own too, which routes everything to it.
     *
     * @return the tunnel's binding, with its public URL
     * @throws IOException if its own port cannot be opened
     */
    TunnelBinder.Binding openEdge(HttpTunnel tunnel) throws IOException {
        if (config.domain() != null) {
            URI url = URI.create("http://" + tunnel.name() + "." + domain + portSuffix(httpPort()));
            return new TunnelBinder.Binding(tunnel, null, url);
        }
        Listener own = Listener.open("edge-" + tunnel.name(), config.bindAddress(), 0,
                socket -> serveEdge(socket, host -> tunnel.isRoutable() ? tunnel : null));
        URI url = URI.create("http://" + EdgeConnection.urlHost(own.address()) + ":" + own.port());
        return new TunnelBinder.Binding(tunnel, own, url);
    }

    /**
     * Counts a public connection of a TCP tunnel against {@code maxEdgeConnections}, if it fits; the relay's close
     * closes it.
     *
     * @return whether it fits; if so it is counted until {@link #publicEnded}
     */
    boolean admitPublic(Socket socket) {
        return publicConnections.add(socket, config.limits().maxEdgeConnections());
    }

    /** @param socket a connection {@link #admitPublic} admitted, now over */
    void publicEnded(Socket socket) {
        publicConnections.remove(socket);
    }

    private void serveAgent(Socket socket) {
        if (!socket.getInetAddress().isLoopbackAddress()) {
            LOG.log(Level.WARNING, () -> "refusing agent connection from " + socket.getRemoteSocketAddress()
                    + ": this relay speaks plaintext, which is allowed from loopback addresses only");
            closeQuietly(socket);
            return;
        }
        AgentSession session;
        try {
            session = new AgentSession(this, socket);
        } catch (IOException e) {
            closeQuietly(socket);
            return;
        }
        if (!sessions.add(session, Integer.MAX_VALUE)) {
            session.end(CLOSING_REASON);
            return;
        }
        session.run();
    }

    private void serveEdge(Socket socket, EdgeConnection.Router router) {
        try {
            if (!publicConnections.add(socket, config.limits().maxEdgeConnections())) {
                if (!closed.get()) EdgeConnection.refuseBusy(socket, config.limits());
                return;
            }
            try {
                new EdgeConnection(socket, router, config.limits(), config.httpLimits()).run();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "public connection failed: " + e);
            } finally {
                publicConnections.remove(socket);
            }
        } finally {
            closeQuietly(socket);
        }
    }

    private static String portSuffix(int port) {
        return port == 80 ? "" : ":" + port;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
