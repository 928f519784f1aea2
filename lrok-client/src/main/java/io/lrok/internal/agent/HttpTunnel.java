package io.lrok.internal.agent;

import io.lrok.internal.inspect.ExchangeStore;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bound HTTP tunnel of an {@link AgentSession}: its id and public URL from the relay's bound, its settings, and
 * its keep-alive pool to the local app, and (with capture on) the store of its recorded exchanges and its
 * inspector web server. Exchanges for it run on the session's stream threads.
 */
public final class HttpTunnel implements AgentTunnel {
    private static final System.Logger LOG = System.getLogger(HttpTunnel.class.getName());

    private final AgentSession session;
    private final String id;
    private final URI publicUrl;
    private final HttpTunnelSpec spec;
    private final AgentConfig config;
    private final LocalConnectionPool pool;
    private final AtomicBoolean open = new AtomicBoolean(true);
    /** The recorded exchanges; null when capture is off. Outlives the tunnel's close, for tests that look after. */
    private final ExchangeStore capture;

    HttpTunnel(AgentSession session, String id, URI publicUrl, HttpTunnelSpec spec, AgentConfig config) {
        this.session = session;
        this.id = id;
        this.publicUrl = publicUrl;
        this.spec = spec;
        this.config = config;
        this.pool = new LocalConnectionPool(spec.target(), config);
        this.capture = spec.inspect().capture() ? new ExchangeStore(publicUrl.toString(), spec.inspect()) : null;
    }

    /** @return the recorded exchanges, or empty when capture is off */
    public Optional<ExchangeStore> capture() {
        return Optional.ofNullable(capture);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Proto proto() {
        return Proto.HTTP;
    }

    @Override
    public URI localUrl() {
        return spec.target().url();
    }

    @Override
    public URI publicUrl() {
        return publicUrl;
    }

    /** @return its settings */
    public HttpTunnelSpec spec() {
        return spec;
    }

    @Override
    public boolean isOpen() {
        return open.get() && session.isOpen();
    }

    /** Closes the tunnel: tells the relay (unbind), then closes idle local connections. Idempotent. */
    @Override
    public void close() {
        if (markClosed()) session.unbind(this);
    }

    /** Forwards one exchange the relay opened for this tunnel; runs on the stream's thread. */
    @Override
    public void forward(MuxStream stream, StreamHeader header) {
        new HttpExchange(stream, header, spec, pool, config, capture).run();
    }

    /** The relay or the session closed the tunnel. */
    @Override
    public void closedBy(String reason) {
        if (markClosed()) LOG.log(System.Logger.Level.INFO, "tunnel {0} closed: {1}", publicUrl, reason);
    }

    /** The session this agent closed took the tunnel with it: nothing to log. */
    @Override
    public void closedQuietly() {
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
