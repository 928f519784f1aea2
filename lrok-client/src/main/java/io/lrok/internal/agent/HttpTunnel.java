package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.inspect.ExchangeStore;
import io.lrok.internal.inspect.InspectorServer;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An HTTP tunnel of an {@link Agent}: its settings, its keep-alive pool to the local app, and (with capture on) the
 * store of its recorded exchanges and its inspector web server, all kept across reconnects. Exchanges for it run on
 * the session's stream threads.
 */
public final class HttpTunnel extends AgentTunnel {
    private final HttpTunnelSpec spec;
    private final AgentConfig config;
    private final LocalConnectionPool pool;
    private static final System.Logger LOG = System.getLogger(HttpTunnel.class.getName());

    /** The recorded exchanges; null when capture is off. Outlives the tunnel's close, for tests that look after. */
    private final ExchangeStore capture;
    /** Guards {@link #inspector} and {@link #inspectorStopped}. */
    private final ReentrantLock inspectorLock = new ReentrantLock();
    private InspectorServer inspector;
    private boolean inspectorStopped;

    HttpTunnel(Agent agent, HttpTunnelSpec spec, AgentConfig config) {
        super(agent);
        this.spec = spec;
        this.config = config;
        this.pool = new LocalConnectionPool(spec.target(), config);
        this.capture = spec.inspect().capture()
                ? new ExchangeStore(() -> isBound() ? publicUrl().toString() : localUrl().toString(), spec.inspect())
                : null;
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
            LOG.log(System.Logger.Level.INFO, "inspector for {0}: {1}", publicUrl(), inspector.url());
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
    public Proto proto() {
        return Proto.HTTP;
    }

    @Override
    public URI localUrl() {
        return spec.target().url();
    }

    /** @return its settings */
    public HttpTunnelSpec spec() {
        return spec;
    }

    @Override
    Bind bindRequest(long id, String domain) {
        String subdomain = spec.subdomain();
        if (subdomain == null && keepsName()) {
            subdomain = binding().subdomain() != null ? binding().subdomain() : subdomainOf(publicUrl(), domain);
        }
        return new Bind(id, Proto.HTTP, subdomain, null);
    }

    @Override
    boolean nameChosen() {
        return spec.subdomain() != null;
    }

    /**
     * @return the subdomain in a public URL under {@code domain} ({@code violet-mole} of
     *         {@code https://violet-mole.lrok.example}), or null if the URL is not under it (a relay without a domain
     *         gives each tunnel a port of its own instead)
     */
    static String subdomainOf(URI publicUrl, String domain) {
        String host = publicUrl.getHost();
        if (domain == null || domain.isEmpty() || host == null) return null;
        String suffix = "." + domain;
        if (!host.endsWith(suffix) || host.length() == suffix.length()) return null;
        String label = host.substring(0, host.length() - suffix.length());
        return label.contains(".") ? null : label;
    }

    /**
     * Forwards the exchanges of a stream the relay opened for this tunnel, one after the other, until the relay
     * closes it or one leaves it out of step (docs/protocol.md §5); runs on the stream's thread. A relay that does
     * not reuse streams sends one request and FIN, which ends the loop after the first exchange.
     */
    @Override
    void forward(MuxStream stream, StreamHeader header) {
        HttpReader fromRelay = new HttpReader(stream.getInputStream());
        boolean first = true;
        while (new HttpExchange(stream, fromRelay, header, spec, pool, config, capture, first).run()) {
            first = false;
        }
    }

    /** Closes idle local connections and stops the inspector; the recorded exchanges stay, for tests that look after. */
    @Override
    void released() {
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
    }

    /** @return the number of idle connections to the local app */
    int idleConnections() {
        return pool.idleCount();
    }

    @Override
    public String toString() {
        return "HttpTunnel[" + (isBound() ? id() + " " + publicUrl() : "unbound") + " -> " + spec.target().url() + "]";
    }
}
