package io.lrok.internal.relay;

import io.lrok.internal.tls.RecordBatchingSocket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A listening TCP socket and its accept loop, on a virtual thread; each accepted connection is handled on a
 * virtual thread of its own. {@link #close()} stops accepting and frees the port; connections already accepted
 * are their handler's to close.
 */
final class Listener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Listener.class.getName());
    /** After an accept that failed for another reason than the close (out of file descriptors, say): a pause, so
     *  the loop does not spin while the condition lasts. */
    private static final long ACCEPT_FAILURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Connections the kernel queues before we accept them. A burst of new public connections (one client opening
     *  hundreds at once) must not overflow it: an overflow drops the client's SYN or ACK, which costs it a retry a
     *  second or more later, and with SYN cookies can get its connection reset. Linux caps it at
     *  {@code net.core.somaxconn} (4096 by default). */
    private static final int BACKLOG = 4096;
    /** How long {@link #close()} waits for the accept loop to end: a thread inside the accept call holds the socket
     *  open until the call returns, so the port is free only once the loop has ended (normally at once). */
    private static final Duration ACCEPT_LOOP_END_WAIT = Duration.ofSeconds(1);

    private final String name;
    private final ServerSocket server;
    /** The accept loop's thread; set once, by {@link #open}, before anyone can close the listener. */
    private Thread acceptThread;

    private Listener(String name, ServerSocket server) {
        this.name = name;
        this.server = server;
    }

    /**
     * Binds and starts accepting.
     *
     * @param name    for thread names and logs, such as {@code edge}
     * @param address the address to bind
     * @param port    the port, 0 for a free one
     * @param handler runs once per accepted connection, on its own virtual thread; owns the socket
     * @return the running listener
     * @throws IOException if the port cannot be bound
     */
    static Listener open(String name, InetAddress address, int port, Consumer<Socket> handler) throws IOException {
        return open(name, address, port, false, handler);
    }

    /**
     * Binds and starts accepting.
     *
     * @param name        for thread names and logs, such as {@code agents}
     * @param address     the address to bind
     * @param port        the port, 0 for a free one
     * @param tlsSessions whether connections carry agents' TLS sessions: accepted as {@link RecordBatchingSocket}s,
     *                    which batch TLS records into fewer read and write calls
     * @param handler     runs once per accepted connection, on its own virtual thread; owns the socket
     * @return the running listener
     * @throws IOException if the port cannot be bound
     */
    static Listener open(String name, InetAddress address, int port, boolean tlsSessions, Consumer<Socket> handler)
            throws IOException {
        ServerSocket server = tlsSessions ? RecordBatchingSocket.serverSocket() : new ServerSocket();
        try {
            server.bind(new InetSocketAddress(address, port), BACKLOG);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + address.getHostAddress() + ":" + port + " for " + name + ": "
                    + e.getMessage(), e);
        }
        Listener listener = new Listener(name, server);
        listener.acceptThread = Thread.ofVirtual().name("lrok-relay-" + name + "-accept")
                .start(() -> listener.acceptLoop(handler));
        return listener;
    }

    /** @return the bound port */
    int port() {
        return server.getLocalPort();
    }

    /** @return the bound address */
    InetAddress address() {
        return server.getInetAddress();
    }

    private void acceptLoop(Consumer<Socket> handler) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) break;
                LOG.log(Level.WARNING, () -> name + ": accept failed: " + e);
                LockSupport.parkNanos(ACCEPT_FAILURE_PAUSE_NANOS);
                continue;
            }
            Thread.ofVirtual().name("lrok-relay-" + name + "-" + socket.getPort()).start(() -> handler.accept(socket));
        }
        LOG.log(Level.DEBUG, () -> name + ": stopped listening on port " + server.getLocalPort());
    }

    /** Stops accepting and frees the port: when it returns, a connection to the port is refused. Idempotent. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> name + ": closing the listener: " + e);
        }
        if (Thread.currentThread() == acceptThread) return;
        try {
            if (!acceptThread.join(ACCEPT_LOOP_END_WAIT)) {
                LOG.log(Level.WARNING, () -> name + ": the accept loop did not end within " + ACCEPT_LOOP_END_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        String ip = EdgeConnection.ip(server.getInetAddress());
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + server.getLocalPort() + " (" + name + ")";
    }
}
