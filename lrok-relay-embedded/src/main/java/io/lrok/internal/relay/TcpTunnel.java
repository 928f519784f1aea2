package io.lrok.internal.relay;

import io.lrok.internal.wire.Proto;
import io.lrok.internal.wire.StreamHeader;
import io.lrok.internal.wire.TcpPump;
import io.lrok.mux.MuxStream;
import io.lrok.relay.RelayLimits;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Objects;

/**
 * One TCP tunnel (docs/protocol.md §5, TCP streams): a public port of its own, held by an agent session. Each
 * accepted connection becomes a stream to the agent with a {@code tcp} header, then raw bytes both ways, one virtual
 * thread per direction. A half-close (EOF) on either end is carried as a yamux FIN and reproduced on the other end
 * with {@link Socket#shutdownOutput()}; an abortive close (a TCP reset) is carried as a stream reset and reproduced
 * as a TCP reset. {@link #close()} frees the port; connections already open run to their end (the session's end
 * ends them).
 */
final class TcpTunnel {
    private static final System.Logger LOG = System.getLogger(TcpTunnel.class.getName());

    /** The tunnel id and session it serves; both replaced once if its session is resumed ({@link #resumeIn}). */
    private volatile String id;
    private volatile AgentSession session;
    private final RelayServer relay;
    private final LiveSet<Socket> connections = new LiveSet<>();
    /** Set once, right after the listener is bound; the accept loop only reads it for accepted connections. */
    private volatile Listener listener;
    private volatile URI url;
    /** Written by the session's control thread, read by accept threads: whether connections are forwarded. */
    private volatile boolean routable;

    TcpTunnel(String id, AgentSession session, RelayServer relay) {
        this.id = Objects.requireNonNull(id, "id");
        this.session = Objects.requireNonNull(session, "session");
        this.relay = Objects.requireNonNull(relay, "relay");
    }

    /**
     * Binds the tunnel's public port.
     *
     * @param address the address to bind
     * @param port    the port to bind, 0 for a free one the system picks
     * @param host    the host of the public URL
     * @throws IOException if the port cannot be bound
     */
    void listen(InetAddress address, int port, String host) throws IOException {
        Listener own = Listener.open("tcp-" + id + "-" + session.id(), address, port, this::serve);
        listener = own;
        url = URI.create("tcp://" + host + ":" + own.port());
    }

    /** @return the tunnel id of the bound and of stream headers */
    String id() {
        return id;
    }

    /** @return the public URL, {@code tcp://<host>:<port>}; null before {@link #listen} */
    URI url() {
        return url;
    }

    /** @return the public port; -1 before {@link #listen} */
    int port() {
        Listener own = listener;
        return own == null ? -1 : own.port();
    }

    /** @return the number of public connections open */
    int connectionCount() {
        return connections.size();
    }

    /** The bound is about to be sent: connections are forwarded from now on. */
    void open() {
        routable = true;
    }

    /** Keeps the port for its session's resume: bound, but refusing connections until the resumer takes it. */
    void suspend() {
        routable = false;
    }

    /**
     * Serves the session that resumed the one it was kept for, under the id of the new bind: the port never
     * closes, so no one can take it in between. Routable again with {@link #open()}.
     */
    void resumeIn(AgentSession resumed, String newId) {
        session = Objects.requireNonNull(resumed, "resumed");
        id = Objects.requireNonNull(newId, "newId");
    }

    /** Stops forwarding new connections and frees the port. Idempotent. */
    void close() {
        routable = false;
        Listener own = listener;
        if (own != null) own.close();
    }

    private void serve(Socket socket) {
        try {
            if (!routable || !connections.add(socket, RelayLimits.MAX_CONNECTIONS_PER_TCP_TUNNEL)) {
                LOG.log(Level.DEBUG, () -> this + ": refusing " + socket.getRemoteSocketAddress()
                        + (routable ? ": at its maximum of " + RelayLimits.MAX_CONNECTIONS_PER_TCP_TUNNEL
                        + " connections" : ": closed"));
                abort(socket);
                return;
            }
            try {
                if (!relay.admitPublic(socket)) {
                    LOG.log(Level.DEBUG, () -> this + ": refusing " + socket.getRemoteSocketAddress()
                            + ": the relay, or that address, holds its maximum of public connections");
                    abort(socket);
                    return;
                }
                try {
                    forward(socket);
                } finally {
                    relay.publicEnded(socket);
                }
            } finally {
                connections.remove(socket);
            }
        } finally {
            closeQuietly(socket);
        }
    }

    /** Forwards one connection, if the session has room for one more exchange; resets it otherwise. */
    private void forward(Socket socket) {
        if (!session.acquireStream()) {
            LOG.log(Level.DEBUG, () -> this + ": refusing " + socket.getRemoteSocketAddress() + ": the session carries"
                    + " its maximum of " + session.maxStreams() + " exchanges");
            abort(socket);
            return;
        }
        try {
            forwardCounted(socket);
        } finally {
            session.releaseStream();
        }
    }

    private void forwardCounted(Socket socket) {
        MuxStream stream;
        try {
            stream = session.openStream();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> this + ": cannot open a stream: " + e);
            abort(socket);
            return;
        }
        try {
            String clientIp = EdgeConnection.ip(socket.getInetAddress());
            String client = (clientIp.indexOf(':') >= 0 ? "[" + clientIp + "]" : clientIp) + ":" + socket.getPort();
            new StreamHeader(id, Proto.TCP, client, "tcp", url.getHost() + ":" + url.getPort())
                    .write(stream.getOutputStream());
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> this + ": cannot start the stream: " + e);
            stream.reset();
            abort(socket);
            return;
        }
        try {
            TcpPump.run(socket, stream, "lrok-relay-" + id + "-" + socket.getPort());
        } finally {
            stream.close();
        }
    }

    /** Closes with a TCP reset: the client sees the connection refused by the far end, not a clean end. */
    private static void abort(Socket socket) {
        TcpPump.abort(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "tcp tunnel " + id + " of " + session.id() + (url == null ? "" : " at " + url);
    }
}
