package io.lrok.internal.tls;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

/**
 * What a multiplexed session (an agent's session with the relay) writes to and closes when it runs over TLS layered
 * on a TCP socket of its own, at either end.
 */
public final class TlsTransport {
    private static final System.Logger LOG = System.getLogger(TlsTransport.class.getName());

    /**
     * How long closing a TLS session may wait to send its close_notify before the TCP socket under it is closed
     * regardless. The JDK's {@code SSLSocket.close()} waits, without a bound, for a write in progress on another thread:
     * a write blocked on a peer that has stopped reading would hold the close, and itself, for ever.
     */
    public static final Duration CLOSE_NOTIFY_BOUND = Duration.ofSeconds(1);

    private TlsTransport() {
    }

    /**
     * The output a session writes to.
     *
     * @param session the session's connection: a TLS socket layered over {@code plain}, or {@code plain} itself
     * @param plain   the TCP connection under it
     * @return {@link RecordBatchingSocket#batchingOutput} when TLS runs over a record-batching socket, else the
     *         session socket's output
     * @throws IOException if the output cannot be obtained
     */
    public static OutputStream output(Socket session, Socket plain) throws IOException {
        if (session instanceof SSLSocket tls && plain instanceof RecordBatchingSocket batching && tls != plain) {
            return batching.batchingOutput(tls);
        }
        return session.getOutputStream();
    }

    /**
     * What the session closes when it ends.
     *
     * @param session the session's connection: a TLS socket layered over {@code plain}, or {@code plain} itself
     * @param plain   the TCP connection under it
     * @return {@code plain} itself without TLS; with TLS, a close that sends close_notify when the connection takes
     *         it within {@link #CLOSE_NOTIFY_BOUND}, and closes {@code plain} in any case
     */
    public static Closeable closer(Socket session, Socket plain) {
        if (session == plain) return plain;
        return () -> {
            Thread closing = Thread.ofVirtual().name("lrok-tls-close").start(() -> {
                try {
                    session.close();
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> "closing a TLS session: " + e);
                }
            });
            boolean closed;
            try {
                closed = closing.join(CLOSE_NOTIFY_BOUND);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = false;
            }
            // Closing the TCP socket fails the blocked write, which lets the TLS close go on and end.
            if (!closed) plain.close();
        };
    }
}
