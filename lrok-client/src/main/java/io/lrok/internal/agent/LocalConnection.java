package io.lrok.internal.agent;

import io.lrok.internal.http.HttpReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One connection to the local app, with the {@link HttpReader} that reads it (the reader buffers, so it lives as
 * long as the connection). Used by one exchange at a time: its forwarder reads it, its request pump writes it.
 */
final class LocalConnection implements AutoCloseable {
    private final Socket socket;
    private final HttpReader reader;
    private final OutputStream out;
    /** Whether an earlier exchange used this connection: then it may have died while idle. */
    private final boolean reused;
    /** System.nanoTime() when it went idle in the pool; only read and written under the pool's lock. */
    long idleSince;

    LocalConnection(Socket socket) throws IOException {
        this(socket, new HttpReader(socket.getInputStream()), socket.getOutputStream(), false);
    }

    private LocalConnection(Socket socket, HttpReader reader, OutputStream out, boolean reused) {
        this.socket = socket;
        this.reader = reader;
        this.out = out;
        this.reused = reused;
    }

    /** @return the same connection, marked as reused: for the next exchange that takes it from the pool */
    LocalConnection reuse() {
        return new LocalConnection(socket, reader, out, true);
    }

    HttpReader reader() {
        return reader;
    }

    OutputStream out() {
        return out;
    }

    boolean reused() {
        return reused;
    }

    /**
     * Bounds each read from the app: a read that waits longer fails with {@link java.net.SocketTimeoutException}.
     *
     * @param timeout the bound, {@link java.time.Duration#ZERO} for none
     */
    void readTimeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** Half-closes the connection: the app reads EOF. For a TLS connection this sends close_notify. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes the connection, quietly; unblocks its reader and writer. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is gone either way
        }
    }

    @Override
    public String toString() {
        return "LocalConnection[" + socket.getLocalPort() + " -> " + socket.getRemoteSocketAddress() + "]";
    }
}
