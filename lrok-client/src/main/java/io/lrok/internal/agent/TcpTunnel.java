package io.lrok.internal.agent;

import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.internal.wire.TcpPump;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bound TCP tunnel of an {@link AgentSession} (docs/protocol.md §5, TCP streams): every stream the relay opens
 * for it is one public connection, forwarded to a new connection to the local port; then raw bytes both ways, with
 * half-closes and resets carried ({@link TcpPump}). A local port that refuses (or does not answer within
 * {@link AgentConfig#localConnectTimeout()}) gets the stream reset: the public client sees its connection closed.
 */
public final class TcpTunnel implements AgentTunnel {
    private static final System.Logger LOG = System.getLogger(TcpTunnel.class.getName());

    private final AgentSession session;
    private final String id;
    private final URI publicUrl;
    private final TcpTunnelSpec spec;
    private final AgentConfig config;
    private final AtomicBoolean open = new AtomicBoolean(true);

    TcpTunnel(AgentSession session, String id, URI publicUrl, TcpTunnelSpec spec, AgentConfig config) {
        this.session = session;
        this.id = id;
        this.publicUrl = publicUrl;
        this.spec = spec;
        this.config = config;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Proto proto() {
        return Proto.TCP;
    }

    @Override
    public URI publicUrl() {
        return publicUrl;
    }

    @Override
    public URI localUrl() {
        return spec.url();
    }

    /** @return its settings */
    public TcpTunnelSpec spec() {
        return spec;
    }

    @Override
    public boolean isOpen() {
        return open.get() && session.isOpen();
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) session.unbind(this);
    }

    @Override
    public void forward(MuxStream stream, StreamHeader header) {
        Socket local = new Socket();
        try {
            local.connect(new InetSocketAddress(spec.host(), spec.port()),
                    (int) Math.min(Integer.MAX_VALUE, config.localConnectTimeout().toMillis()));
            local.setTcpNoDelay(true);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "tunnel {0}: cannot connect to {1} for {2}: {3}; resetting the connection",
                    publicUrl, spec.url(), header.clientAddress(), e.getMessage());
            TcpPump.abort(local);
            stream.reset();
            return;
        }
        LOG.log(Level.DEBUG, "tunnel {0}: {1} connected", publicUrl, header.clientAddress());
        try {
            TcpPump.run(local, stream, "lrok-tcp-" + stream.id());
        } finally {
            stream.close();
            try {
                local.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void closedBy(String reason) {
        if (open.compareAndSet(true, false)) LOG.log(Level.INFO, "tunnel {0} closed: {1}", publicUrl, reason);
    }

    @Override
    public void closedQuietly() {
        open.set(false);
    }

    @Override
    public String toString() {
        return "TcpTunnel[" + id + " " + publicUrl + " -> " + spec.url() + "]";
    }
}
