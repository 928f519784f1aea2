package io.lrok.internal.agent;

import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.mux.MuxStream;
import java.net.URI;

/**
 * An HTTP tunnel of an {@link Agent}: its settings, and its keep-alive pool to the local app, kept across
 * reconnects. Exchanges for it run on the session's stream threads.
 */
public final class HttpTunnel extends AgentTunnel {
    private final HttpTunnelSpec spec;
    private final AgentConfig config;
    private final LocalConnectionPool pool;

    HttpTunnel(Agent agent, HttpTunnelSpec spec, AgentConfig config) {
        super(agent);
        this.spec = spec;
        this.config = config;
        this.pool = new LocalConnectionPool(spec.target(), config);
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

    /** Forwards one exchange the relay opened for this tunnel; runs on the stream's thread. */
    @Override
    void forward(MuxStream stream, StreamHeader header) {
        new HttpExchange(stream, header, spec, pool, config).run();
    }

    @Override
    void released() {
        pool.close();
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
