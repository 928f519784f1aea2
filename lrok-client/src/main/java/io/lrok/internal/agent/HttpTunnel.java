package io.lrok.internal.agent;

import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bound HTTP tunnel of an {@link AgentSession}: its id and public URL from the relay's bound, its settings, and
 * its keep-alive pool to the local app. Exchanges for it run on the session's stream threads.
 */
public final class HttpTunnel {
    private static final System.Logger LOG = System.getLogger(HttpTunnel.class.getName());

    private final AgentSession session;
    private final String id;
    private final URI publicUrl;
    private final HttpTunnelSpec spec;
    private final AgentConfig config;
    private final LocalConnectionPool pool;
    private final AtomicBoolean open = new AtomicBoolean(true);

    HttpTunnel(AgentSession session, String id, URI publicUrl, HttpTunnelSpec spec, AgentConfig config) {
        this.session = session;
        this.id = id;
        this.publicUrl = publicUrl;
        this.spec = spec;
        this.config = config;
        this.pool = new LocalConnectionPool(spec.target(), config);
    }

    /** @return the tunnel id the relay gave it */
    public String id() {
        return id;
    }

    /** @return where the public reaches it */
    public URI publicUrl() {
        return publicUrl;
    }

    /** @return its settings */
    public HttpTunnelSpec spec() {
        return spec;
    }

    /** @return whether it still receives exchanges: not closed by its owner, the relay, or the session's end */
    public boolean isOpen() {
        return open.get() && session.isOpen();
    }

    /** Closes the tunnel: tells the relay (unbind), then closes idle local connections. Idempotent. */
    public void close() {
        if (markClosed()) session.unbind(this);
    }

    /** Forwards one exchange the relay opened for this tunnel; runs on the stream's thread. */
    void forward(MuxStream stream, StreamHeader header) {
        new HttpExchange(stream, header, spec, pool, config).run();
    }

    /** The relay or the session closed the tunnel. */
    void closedBy(String reason) {
        if (markClosed()) LOG.log(System.Logger.Level.INFO, "tunnel {0} closed: {1}", publicUrl, reason);
    }

    /** The session this agent closed took the tunnel with it: nothing to log. */
    void closedQuietly() {
        markClosed();
    }

    /** @return the number of idle connections to the local app */
    int idleConnections() {
        return pool.idleCount();
    }

    private boolean markClosed() {
        if (!open.compareAndSet(true, false)) return false;
        pool.close();
        return true;
    }

    @Override
    public String toString() {
        return "HttpTunnel[" + id + " " + publicUrl + " -> " + spec.target().url() + "]";
    }
}
