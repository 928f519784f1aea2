package io.lrok.internal.agent;

import io.lrok.AgentConfig;
import io.lrok.internal.wire.ControlMessage.Bind;
import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.internal.wire.TcpPump;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * A TCP tunnel of an {@link Agent} (docs/protocol.md §5, TCP streams): every stream the relay opens
 * for it is one public connection, forwarded to a new connection to the local port; then raw bytes both ways, with
 * half-closes and resets carried ({@link TcpPump}). A local port that refuses (or does not answer within
 * {@link AgentConfig#localConnectTimeout()}) gets the stream reset: the public client sees its connection closed.
 */
public final class TcpTunnel extends AgentTunnel {
    private static final System.Logger LOG = System.getLogger(TcpTunnel.class.getName());

    private final TcpTunnelSpec spec;
    private final AgentConfig config;

    TcpTunnel(Agent agent, TcpTunnelSpec spec, AgentConfig config) {
        super(agent);
        this.spec = spec;
        this.config = config;
    }

    @Override
    public Proto proto() {
        return Proto.TCP;
    }

    @Override
    public URI localUrl() {
        return spec.url();
    }

    /** @return its settings */
    public TcpTunnelSpec spec() {
        return spec;
    }

    /** Asks for the port it was given before, if any, so that its address stays across a reconnect. */
    @Override
    Bind bindRequest(long id, String domain) {
        Integer port = spec.remotePort();
        if (port == null && keepsName() && publicUrl().getPort() > 0) port = publicUrl().getPort();
        return new Bind(id, Proto.TCP, null, port);
    }

    @Override
    boolean nameChosen() {
        return spec.remotePort() != null;
    }

    @Override
    void forward(MuxStream stream, StreamHeader header) {
        Socket local = new Socket();
        try {
            local.connect(new InetSocketAddress(spec.host(), spec.port()),
                    (int) Math.min(Integer.MAX_VALUE, config.localConnectTimeout().toMillis()));
            local.setTcpNoDelay(true);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "tunnel {0}: cannot connect to {1} for {2}: {3}; resetting the connection",
                    publicUrl(), spec.url(), header.clientAddress(), e.getMessage());
            TcpPump.abort(local);
            stream.reset();
            return;
        }
        LOG.log(Level.DEBUG, "tunnel {0}: {1} connected", publicUrl(), header.clientAddress());
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
    public String toString() {
        return "TcpTunnel[" + (isBound() ? id() + " " + publicUrl() : "unbound") + " -> " + spec.url() + "]";
    }
}
