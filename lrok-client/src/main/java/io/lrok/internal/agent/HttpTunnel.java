package io.lrok.internal.agent;

import io.lrok.internal.inspect.ExchangeStore;
import io.lrok.internal.inspect.InspectorServer;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

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
    /** Guards {@link #inspector} and {@link #inspectorStopped}. */
    private final ReentrantLock inspectorLock = new ReentrantLock();
    private InspectorServer inspector;
    private boolean inspectorStopped;

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

    /**
     * Starts the inspector web server if the settings want one; done once the tunnel is bound, by the API's side
     * (not the session's control thread). A no-op after the tunnel closed.
     *
     * @throws IOException if it cannot listen on its port
     */
    public void startInspector() throws IOException {
        if (capture == null || !spec.inspect().inspector()) return;
        inspectorLock.lock();
        try {
            if (inspector != null || inspectorStopped) return;
            inspector = InspectorServer.start(capture, new LocalReplay(spec, config, capture));
            LOG.log(System.Logger.Level.INFO, "inspector for {0}: {1}", publicUrl, inspector.url());
        } finally {
            inspectorLock.unlock();
        }
    }

    /** @return the inspector page's URL, while its server runs */
    public Optional<URI> inspectorUrl() {
        inspectorLock.lock();
        try {
            return inspector == null ? Optional.empty() : Optional.of(inspector.url());
        } finally {
            inspectorLock.unlock();
        }
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
        InspectorServer stopping;
        inspectorLock.lock();
        try {
            inspectorStopped = true;
            stopping = inspector;
            inspector = null;
        } finally {
            inspectorLock.unlock();
        }
        if (stopping != null) stopping.close();
        return true;
    }

    @Override
    public String toString() {
        return "HttpTunnel[" + id + " " + publicUrl + " -> " + spec.target().url() + "]";
    }
}
