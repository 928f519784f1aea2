package io.lrok.internal.wire;

import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;

/**
 * The raw part of a TCP stream (docs/protocol.md §5, TCP streams), the same at both ends: bytes both ways between a
 * socket and a stream, one thread per direction, each write flushed at once. A direction that reaches EOF is
 * half-closed on the other side (socket EOF → {@link MuxStream#shutdownOutput()}, a yamux FIN; stream EOF →
 * {@link Socket#shutdownOutput()}); an abortive end on either side (a TCP reset or a failed socket; a stream reset
 * or a failed session) aborts the other (stream {@link MuxStream#reset()}; TCP reset: {@code SO_LINGER} 0 and
 * close). {@link #run} returns when both directions have ended; the caller closes the socket and the stream.
 */
public final class TcpPump {
    private static final System.Logger LOG = System.getLogger(TcpPump.class.getName());
    /** The copy buffer of each direction. */
    public static final int BUFFER_SIZE = 32 * 1024;

    private final Socket socket;
    private final MuxStream stream;

    private TcpPump(Socket socket, MuxStream stream) {
        this.socket = socket;
        this.stream = stream;
    }

    /**
     * Pumps until both directions have ended: socket to stream on the calling thread, stream to socket on a new
     * virtual thread named {@code threadName}.
     *
     * @param socket     the connected socket, its input and output owned by the pump until it returns
     * @param stream     the stream, its header already read or written
     * @param threadName the name of the second thread
     */
    public static void run(Socket socket, MuxStream stream, String threadName) {
        TcpPump pump = new TcpPump(socket, stream);
        Thread down = Thread.ofVirtual().name(threadName).start(pump::streamToSocket);
        pump.socketToStream();
        try {
            down.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pump.abortBoth();
        }
    }

    private void socketToStream() {
        InputStream in;
        OutputStream out = stream.getOutputStream();
        try {
            in = socket.getInputStream();
        } catch (IOException e) {
            abortBoth();
            return;
        }
        byte[] buf = new byte[BUFFER_SIZE];
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) { // a TCP reset, or the socket closed by the other direction's abort
                LOG.log(Level.TRACE, () -> stream + ": socket read failed: " + e);
                abortBoth();
                return;
            }
            try {
                if (n < 0) {
                    stream.shutdownOutput();
                    return;
                }
                out.write(buf, 0, n);
                out.flush();
            } catch (IOException e) { // the stream was reset, or the session ended
                LOG.log(Level.TRACE, () -> stream + ": stream write failed: " + e);
                abortBoth();
                return;
            }
        }
    }

    private void streamToSocket() {
        InputStream in = stream.getInputStream();
        OutputStream out;
        try {
            out = socket.getOutputStream();
        } catch (IOException e) {
            abortBoth();
            return;
        }
        byte[] buf = new byte[BUFFER_SIZE];
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) { // a stream reset, or the session ended
                LOG.log(Level.TRACE, () -> stream + ": stream read failed: " + e);
                abortBoth();
                return;
            }
            try {
                if (n < 0) {
                    socket.shutdownOutput();
                    return;
                }
                out.write(buf, 0, n);
            } catch (IOException e) { // the peer reset the connection, or the socket was closed
                LOG.log(Level.TRACE, () -> stream + ": socket write failed: " + e);
                abortBoth();
                return;
            }
        }
    }

    /** Resets the stream and the TCP connection; unblocks both directions. */
    private void abortBoth() {
        stream.reset();
        abort(socket);
    }

    /**
     * Closes a socket abortively: {@code SO_LINGER} 0, so that the peer gets a TCP reset rather than a clean end.
     *
     * @param socket the socket
     */
    public static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already, or closing anyway
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
