package io.lrok.internal.relay;

import io.lrok.http.HttpLimits;
import io.lrok.relay.RelayLimits;
import io.lrok.relay.TokenVerifier;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSocket;

/**
 * The running relay: the agent listener, the shared edge listener, the tunnel table, and the live sessions and
 * public connections, so that {@link #close()} can end them all. {@code EmbeddedRelay} is its public face.
 *
 * <p>TLS ({@link RelayTls}): the agent port speaks TLS 1.3 when it has certificates, and otherwise plaintext to
 * loopback agents only, as docs/protocol.md §1 requires; an HTTPS edge listener runs beside the HTTP one when it has
 * certificates of its own. With {@link RelayTls#agentsOnHttpsPort()} the HTTPS listener serves agents too: a client
 * whose TLS handshake selects the agent protocol in ALPN becomes an agent session, any other a public connection.
 *
 * <p>Tokens: {@link TokenVerifier} decides at each hello; {@link #recheckTokens()} asks it again for every live
 * session after a change (a token file reloaded), and ends the sessions whose token no longer verifies.
 *
 * <p>Locking: {@code accountLock} guards {@code accountSessions} (welcomed sessions per account); nothing else is
 * done under it. The rest is lock-free or guarded by {@link LiveSet}.
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
    private final RelayTls tls;
    private final String domain;
    private final TokenVerifier verifier;
    private final TunnelRegistry registry;
    private final LiveSet<AgentSession> sessions = new LiveSet<>();
    private final AtomicInteger welcomedSessions = new AtomicInteger();
    private final ReentrantLock accountLock = new ReentrantLock();
    private final Map<String, Integer> accountSessions = new HashMap<>();
    /** Counts {@link #recheckTokens()} calls, so that a hello verified while one runs can tell it missed it. */
    private final AtomicLong tokenGeneration = new AtomicLong();
    private final LiveSet<Socket> publicConnections = new LiveSet<>();
    /** Public connections per client address, against {@code maxConnectionsPerAddress}. */
    private final AddressCounts perAddress = new AddressCounts();
    /** Connections refused for their address's limit, ever; and since the last WARNING line about them. */
    private final AtomicLong refusedForAddress = new AtomicLong();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    /** System.nanoTime() of the last WARNING line about refusals; one interval back at first, so the first logs. */
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - RelayLimits.REFUSAL_LOG_INTERVAL.toNanos());
    /** Agent connections in their TLS handshake, not yet sessions: closed by {@link #close()} too. */
    private final LiveSet<Socket> agentHandshakes = new LiveSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set by {@link #shutdown}: no new requests, agents told, exchanges in progress finishing. */
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Only for {@link #shutdown} waiting for the exchanges in progress to end ({@code exchangesEnded}). */
    private final ReentrantLock drainLock = new ReentrantLock();
    private final java.util.concurrent.locks.Condition exchangesEnded = drainLock.newCondition();
    /** Sessions agents may resume, and the tunnels of lost sessions kept for them. */
    private final ResumeTable resumes;
    /** Routes the shared edge ports by Host, holding requests for reconnecting tunnels a while. */
    private final EdgeConnection.Router sharedRouter;
    private Listener agentListener;
    private Listener httpListener;
    private Listener httpsListener;

    private RelayServer(RelayConfig config, RelayTls tls) {
        this.config = config;
        this.tls = tls;
        this.domain = config.domain() != null ? config.domain() : LOCAL_DOMAIN;
        this.verifier = config.verifier();
        this.registry = new TunnelRegistry(domain, verifier);
        this.resumes = new ResumeTable(config.limits().resumeGrace(),
                kept -> kept.forEach(binding -> TunnelBinder.release(this, binding)));
        this.sharedRouter = registry.router(null, config.limits().reconnectHold());
    }

    /**
     * Binds the agent and edge ports and starts accepting.
     *
     * @param config the configuration
     * @return the running relay
     * @throws IOException if a port cannot be bound
     */
    public static RelayServer start(RelayConfig config) throws IOException {
        return start(config, RelayTls.NONE);
    }

    /**
     * Binds the agent and edge ports (HTTPS too, if configured) and starts accepting.
     *
     * @param config the configuration
     * @param tls    the TLS settings
     * @return the running relay
     * @throws IOException if a port cannot be bound
     */
    public static RelayServer start(RelayConfig config, RelayTls tls) throws IOException {
        RelayServer relay = new RelayServer(config, tls);
        try {
            relay.agentListener = Listener.open("agents", config.bindAddress(), config.agentPort(),
                    tls.agentCertificates() != null, relay::serveAgent);
            relay.httpListener = Listener.open("edge", config.bindAddress(), config.httpPort(),
                    socket -> relay.serveEdge(socket, relay.sharedRouter, null, false));
            if (tls.httpsCertificates() != null) {
                relay.httpsListener = Listener.open(tls.agentsOnHttpsPort() ? "edge-https+agents" : "edge-https",
                        config.bindAddress(), tls.httpsPort(), tls.agentsOnHttpsPort(), socket -> relay.serveEdge(socket,
                                relay.sharedRouter, tls.httpsCertificates(), tls.agentsOnHttpsPort()));
            }
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
     * Returns the shared public HTTPS port.
     *
     * @return the shared public HTTPS port, or -1 without HTTPS
     */
    public int httpsPort() {
        return httpsListener == null ? -1 : httpsListener.port();
    }

    /**
     * Returns whether agents dial with TLS.
     *
     * @return whether the agent port speaks TLS
     */
    public boolean agentTls() {
        return tls.agentCertificates() != null;
    }

    /**
     * Returns whether agents may dial the public HTTPS port too.
     *
     * @return whether the HTTPS port gives a client offering the agent protocol in ALPN an agent session
     */
    public boolean agentsOnHttpsPort() {
        return tls.agentsOnHttpsPort();
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
     * Returns the number of agent connections accepted and still in their TLS handshake.
     *
     * @return the number of agent connections accepted and still in their TLS handshake
     */
    public int agentHandshakeCount() {
        return agentHandshakes.size();
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
     * Returns the number of public exchanges in progress, over all sessions.
     *
     * @return HTTP exchanges and TCP connections being carried by agent sessions now
     */
    public int openStreamCount() {
        int n = 0;
        for (AgentSession session : sessions.snapshot()) n += session.openStreamCount();
        return n;
    }

    /**
     * Asks the verifier again about every welcomed session's token: a session whose token no longer verifies is
     * told {@code unauthorized} and ended; one whose grant changed gets the new one (its limits and reserved names
     * apply from its next bind or exchange on; tunnels it holds stay). Returns at once; revoked sessions end on
     * threads of their own.
     */
    public void recheckTokens() {
        tokenGeneration.incrementAndGet(); // before the scan: see AgentSession's handshake
        for (AgentSession session : sessions.snapshot()) session.recheck();
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
     * Returns the number of public connections refused because their client address held
     * {@link RelayLimits#maxConnectionsPerAddress} already.
     *
     * @return the number refused since the relay started
     */
    public long refusedForAddressCount() {
        return refusedForAddress.get();
    }

    /**
     * Shuts down gracefully: stops accepting (agents and the public), tells every agent the relay closes within
     * {@code grace} (they reconnect, to another relay or to this one restarted), answers new requests on open
     * connections 503, lets the exchanges in progress finish for at most {@code grace}, then {@link #close()}s.
     * Returns when closed.
     *
     * @param grace the longest wait for exchanges in progress
     */
    public void shutdown(Duration grace) {
        if (closed.get() || !draining.compareAndSet(false, true)) {
            close();
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        LOG.log(Level.INFO, () -> "relay shutting down: " + openStreamCount() + " exchange(s) in progress, up to "
                + grace.toSeconds() + " s to finish");
        if (agentListener != null) agentListener.close();
        if (httpListener != null) httpListener.close();
        if (httpsListener != null) httpsListener.close();
        List<Thread> notices = new ArrayList<>();
        for (AgentSession session : sessions.snapshot()) {
            notices.add(Thread.ofVirtual().start(() -> session.drain(CLOSING_REASON, grace)));
        }
        for (Thread t : notices) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        drainLock.lock();
        try {
            long left = deadline - System.nanoTime();
            while (openStreamCount() > 0 && left > 0) left = exchangesEnded.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drainLock.unlock();
        }
        int cut = openStreamCount();
        if (cut > 0) LOG.log(Level.WARNING, () -> "relay shutting down: " + cut + " exchange(s) cut at the end of the grace");
        close();
    }

    /** @return whether the relay is shutting down ({@link #shutdown}) or closed */
    boolean isClosing() {
        return draining.get() || closed.get();
    }

    /** A session's last exchange in progress ended: a shutdown waiting for that looks again. */
    void exchangesMayHaveEnded() {
        if (!draining.get()) return;
        drainLock.lock();
        try {
            exchangesEnded.signalAll();
        } finally {
            drainLock.unlock();
        }
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
        if (httpsListener != null) httpsListener.close();
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
        resumes.close();
        for (Socket socket : publicConnections.closeAndDrain()) closeQuietly(socket);
        for (Socket socket : agentHandshakes.closeAndDrain()) closeQuietly(socket);
        LOG.log(Level.DEBUG, "relay closed");
    }

    // ---- for sessions and the edge -------------------------------------------------------------------------

    RelayLimits limits() {
        return config.limits();
    }

    HttpLimits httpLimits() {
        return config.httpLimits();
    }

    TokenVerifier verifier() {
        return verifier;
    }

    long tokenGeneration() {
        return tokenGeneration.get();
    }

    TunnelRegistry registry() {
        return registry;
    }

    /** @return the sessions agents may resume */
    ResumeTable resumes() {
        return resumes;
    }

    /**
     * Counts one more welcomed session against the relay's limit and its account's, if it fits both.
     *
     * @param account    the session's account
     * @param accountMax the most sessions the account may hold
     * @return null if it fits (it is then counted until {@link #sessionEnded}); otherwise why not
     */
    String admitSession(String account, int accountMax) {
        if (welcomedSessions.incrementAndGet() > config.limits().maxSessions()) {
            welcomedSessions.decrementAndGet();
            return "the relay holds its maximum of " + config.limits().maxSessions() + " agent sessions; retry later";
        }
        accountLock.lock();
        try {
            int held = accountSessions.getOrDefault(account, 0);
            if (held < accountMax) {
                accountSessions.put(account, held + 1);
                return null;
            }
        } finally {
            accountLock.unlock();
        }
        welcomedSessions.decrementAndGet();
        return "account " + account + " holds its maximum of " + accountMax + " agent sessions; end one, or retry"
                + " later";
    }

    /** @param admittedAccount the account {@link #admitSession} counted the session under, or null if it did not */
    void sessionEnded(AgentSession session, String admittedAccount) {
        sessions.remove(session);
        if (admittedAccount == null) return;
        welcomedSessions.decrementAndGet();
        accountLock.lock();
        try {
            accountSessions.computeIfPresent(admittedAccount, (a, n) -> n > 1 ? n - 1 : null);
        } finally {
            accountLock.unlock();
        }
    }

    /**
     * Makes a claimed tunnel reachable: with a domain, through the shared port by Host; without, through a port
     * of its own too, which routes everything to it.
     *
     * @return the tunnel's binding, with its public URL
     * @throws IOException if its own port cannot be opened
     */
    TunnelBinder.Binding openEdge(HttpTunnel tunnel) throws IOException {
        ServerCertificates https = tls.httpsCertificates();
        if (config.domain() != null) {
            URI url = https != null
                    ? URI.create("https://" + tunnel.name() + "." + domain + (httpsPort() == 443 ? "" : ":" + httpsPort()))
                    : URI.create("http://" + tunnel.name() + "." + domain + portSuffix(httpPort()));
            return new TunnelBinder.Binding(tunnel, null, url);
        }
        Listener own = Listener.open("edge-" + tunnel.name(), config.bindAddress(), 0,
                socket -> serveEdge(socket, registry.router(tunnel.name(), config.limits().reconnectHold()),
                        https, false));
        URI url = URI.create((https != null ? "https://" : "http://") + EdgeConnection.urlHost(own.address()) + ":"
                + own.port());
        return new TunnelBinder.Binding(tunnel, own, url);
    }

    /**
     * Counts a public connection of a TCP tunnel against {@code maxEdgeConnections}, if it fits; the relay's close
     * closes it.
     *
     * @return whether it fits; if so it is counted until {@link #publicEnded}
     */
    boolean admitPublic(Socket socket) {
        return admit(socket) == Admission.ADMITTED;
    }

    /** @param socket a connection {@link #admitPublic} admitted, now over */
    void publicEnded(Socket socket) {
        publicConnections.remove(socket);
        perAddress.release(socket.getInetAddress());
    }

    /** Whether a public connection may be served. */
    private enum Admission { ADMITTED, ADDRESS_FULL, RELAY_FULL }

    /** Counts a public connection against its address's limit and the relay's; on ADMITTED, until publicEnded. */
    private Admission admit(Socket socket) {
        InetAddress address = socket.getInetAddress();
        int perAddressMax = config.limits().maxConnectionsPerAddress();
        if (!perAddress.acquire(address, perAddressMax)) {
            countRefusal(address, perAddressMax);
            return Admission.ADDRESS_FULL;
        }
        if (!publicConnections.add(socket, config.limits().maxEdgeConnections())) {
            perAddress.release(address);
            return Admission.RELAY_FULL;
        }
        return Admission.ADMITTED;
    }

    /** Counts a refusal for an address's limit; logs at WARNING at most once per interval, else at DEBUG. */
    private void countRefusal(InetAddress address, int max) {
        refusedForAddress.incrementAndGet();
        refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= RelayLimits.REFUSAL_LOG_INTERVAL.toNanos() && lastRefusalLog.compareAndSet(last, now)) {
            long count = refusedSinceLog.getAndSet(0);
            LOG.log(Level.WARNING, () -> "refused " + count + " public connection(s) over the limit of " + max
                    + " per client address since the last such warning; the latest from "
                    + EdgeConnection.ip(address));
        } else {
            LOG.log(Level.DEBUG, () -> "refusing a public connection from " + EdgeConnection.ip(address)
                    + ": it holds " + max + " already");
        }
    }

    private void serveAgent(Socket plain) {
        Socket socket = plain;
        if (tls.agentCertificates() != null) {
            if (!agentHandshakes.add(plain, Integer.MAX_VALUE)) {
                closeQuietly(plain); // the relay is closing
                return;
            }
            try {
                socket = RelayTls.acceptAgent(plain, tls.agentCertificates().current(),
                        config.limits().handshakeTimeout());
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "TLS handshake with agent " + plain.getRemoteSocketAddress() + " failed: "
                        + e);
                closeQuietly(plain);
                return;
            } finally {
                agentHandshakes.remove(plain);
            }
        } else if (!plain.getInetAddress().isLoopbackAddress()) {
            LOG.log(Level.WARNING, () -> "refusing agent connection from " + plain.getRemoteSocketAddress()
                    + ": this relay speaks plaintext, which is allowed from loopback addresses only");
            closeQuietly(plain);
            return;
        }
        runSession(socket, plain);
    }

    /**
     * Runs an agent's session over a connection whose TLS (if any) is done, until it ends.
     *
     * @param socket the session's connection: TLS, or {@code plain} itself
     * @param plain  the TCP connection under it
     */
    private void runSession(Socket socket, Socket plain) {
        AgentSession session;
        try {
            session = new AgentSession(this, socket, plain);
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

    /**
     * Serves one public connection; counts it against the limit before any TLS handshake, so that the relay's close
     * ends handshakes in progress too.
     *
     * @param certificates what to present, for an HTTPS listener; null for plain HTTP
     * @param agentsToo    whether a client selecting the agent protocol in ALPN gets an agent session: it then
     *                     stops counting as a public connection
     */
    private void serveEdge(Socket plain, EdgeConnection.Router router, ServerCertificates certificates,
            boolean agentsToo) {
        try {
            Admission admission = admit(plain);
            if (admission == Admission.ADDRESS_FULL) {
                // No linger: an address over its limit gets no more of the relay's time than the page.
                if (certificates == null) EdgeConnection.refuseAddress(plain);
                return;
            }
            if (admission == Admission.RELAY_FULL) {
                if (!closed.get() && certificates == null) EdgeConnection.refuseBusy(plain, config.limits());
                return;
            }
            try {
                Socket socket = plain;
                EdgeConnection.Scheme scheme = tls.redirectToHttps() ? EdgeConnection.Scheme.redirectTo(httpsPort())
                        : EdgeConnection.Scheme.HTTP;
                if (certificates != null) {
                    // the handshake is bounded as a public one: who is on the other end is known only after it
                    SSLSocket secure = agentsToo
                            ? RelayTls.acceptShared(plain, certificates.current(), config.limits().headTimeout())
                            : RelayTls.accept(plain, certificates.current(), config.limits().headTimeout(),
                                    RelayTls.ALPN_HTTP_1_1);
                    if (agentsToo && RelayTls.isAgent(secure)) {
                        publicConnections.remove(plain);
                        runSession(secure, plain);
                        return;
                    }
                    socket = secure;
                    scheme = EdgeConnection.Scheme.https(serverName(secure));
                }
                new EdgeConnection(socket, router, this::isClosing, config.limits(), config.httpLimits(), scheme)
                        .run();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "public connection failed: " + e);
            } finally {
                publicEnded(plain);
            }
        } finally {
            closeQuietly(plain);
        }
    }

    /** @return the host name the client asked for in SNI, or null if it sent none */
    private static String serverName(SSLSocket socket) {
        if (socket.getSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName name : session.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) return host.getAsciiName();
            }
        }
        return null;
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
