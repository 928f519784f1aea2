package io.lrok.internal.wire;

import io.lrok.mux.MuxConfig;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;

/**
 * The raw part of a TCP stream (docs/protocol.md §5, TCP streams), the same at both ends: bytes both ways between a
 * socket and a stream, each write flushed at once. Socket to stream runs on the calling thread, blocked in the
 * socket's read while the socket is quiet. Stream to socket has a thread only while there is something to copy: it
 * waits for the stream with {@link MuxStream#onReadable}, which starts a virtual thread that copies what is there and
 * goes back to waiting once the stream is drained; so an idle TCP stream holds one parked thread at each end, not
 * two, and no buffer for that direction. A direction that reaches EOF is
 * half-closed on the other side (socket EOF → {@link MuxStream#shutdownOutput()}, a yamux FIN; stream EOF →
 * {@link Socket#shutdownOutput()}); an abortive end on either side (a TCP reset or a failed socket; a stream reset
 * or a failed session) aborts the other (stream {@link MuxStream#reset()}; TCP reset: {@code SO_LINGER} 0 and
 * close). {@link #run} returns when both directions have ended; the caller closes the socket and the stream.
 */
public final class TcpPump {
    private static final System.Logger LOG = System.getLogger(TcpPump.class.getName());
    /**
     * The copy buffer of a direction while data flows: 64 KiB less a frame header, so that a full read from the
     * socket goes out as one Data frame (the default {@code MuxConfig.maxSendFrameSize} is 64 KiB) of exactly 64
     * KiB with its header, which TLS carries as four full 16 KiB records. With 32 KiB reads each frame was two full
     * records and a 12-byte one, and each record costs an encryption, a write call and two read calls at the
     * other end (bench/compare, docs/benchmarks.md). Held only while data flows ({@link #IDLE_BUFFER_SIZE}).
     */
    public static final int BUFFER_SIZE = 64 * 1024 - MuxConfig.FRAME_HEADER_SIZE;
    /**
     * The buffer of a direction that waits for data. An idle TCP stream has four directions blocked in a read (two
     * at the relay, two at the agent); with {@link #BUFFER_SIZE} each, 10,000 idle streams held 1.3 GiB of heap
     * (bench/compare). A read that fills this buffer switches its direction to {@link #BUFFER_SIZE} (and goes on
     * reading what is already there into it); a read that does not fill that one (the source is drained) lets it
     * go again.
     */
    public static final int IDLE_BUFFER_SIZE = 1024;

    private final Socket socket;
    private final MuxStream stream;
    /** The name of the threads that copy stream to socket. */
    private final String downName;
    /** Open until the stream-to-socket direction has ended (EOF carried on, or an abort). */
    private final CountDownLatch downEnded = new CountDownLatch(1);


    private TcpPump(Socket socket, MuxStream stream, String downName) {
        this.socket = socket;
        this.stream = stream;
        this.downName = downName;
    }

    /**
     * Pumps until both directions have ended: socket to stream on the calling thread, stream to socket on virtual
     * threads named {@code threadName}, started when the stream has something to copy.
     *
     * @param socket     the connected socket, its input and output owned by the pump until it returns
     * @param stream     the stream, its header already read or written
     * @param threadName the name of the stream-to-socket threads
     */
    public static void run(Socket socket, MuxStream stream, String threadName) {
        TcpPump pump = new TcpPump(socket, stream, threadName);
        pump.awaitStream();
        pump.socketToStream();
        try {
            pump.downEnded.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pump.abortBoth();
        }
    }

    private void socketToStream() {
        try {
            copy(socket.getInputStream(), stream.getOutputStream(), stream::shutdownOutput, "socket", "stream", false);
        } catch (IOException e) { // the socket is closed already
            abortBoth();
        }
    }

    /** Waits, without a thread, until the stream can be read; then copies on a new virtual thread. */
    private void awaitStream() {
        stream.onReadable(() -> Thread.ofVirtual().name(downName).start(this::streamToSocket));
    }

    /**
     * Copies what the stream has to the socket until it is drained, then waits again without a thread
     * ({@link #awaitStream}); while data flows in full reads it stays, as a burst of frames would otherwise start a
     * thread per frame. At the stream's EOF half-closes the socket.
     */
    private void streamToSocket() {
        boolean paused = false;
        try {
            paused = copy(stream.getInputStream(), socket.getOutputStream(), socket::shutdownOutput, "stream", "socket",
                    true);
        } catch (IOException e) { // the socket is closed already
            abortBoth();
        } catch (RuntimeException e) {
            abortBoth();
            throw e;
        } finally {
            if (paused) {
                awaitStream(); // runs at once, on this thread, if more came meanwhile
            } else {
                downEnded.countDown();
            }
        }
    }

    /** Passes the end of one side's input on to the other side: a FIN on the stream, or on the socket. */
    @FunctionalInterface
    private interface HalfClose {
        void run() throws IOException;
    }

    /**
     * Copies one direction until its input ends, then half-closes the other side; a failed read or write (a
     * reset, or the other direction's abort) aborts both.
     *
     * @param pauseWhenDrained whether to return, rather than wait in a read, once a read drained the source (the
     *                         buffer is back to its small size and nothing more is there); while reads fill the
     *                         large buffer data flows, and the copy goes on
     * @return true if it paused, false if the direction ended
     */
    private boolean copy(InputStream in, OutputStream out, HalfClose atEnd, String from, String to,
            boolean pauseWhenDrained) {
        Buffer buf = new Buffer();
        while (true) {
            int n;
            try {
                n = buf.read(in);
            } catch (IOException e) {
                LOG.log(Level.TRACE, () -> stream + ": " + from + " read failed: " + e);
                abortBoth();
                return false;
            }
            try {
                if (n < 0) {
                    atEnd.run();
                    return false;
                }
                out.write(buf.bytes(), 0, n);
                out.flush(); // a stream's writes go out at once anyway; a socket's flush does nothing
                if (pauseWhenDrained && buf.nextSize() == IDLE_BUFFER_SIZE && in.available() == 0) return true;
            } catch (IOException e) {
                LOG.log(Level.TRACE, () -> stream + ": " + to + " write failed: " + e);
                abortBoth();
                return false;
            }
        }
    }

    /**
     * One direction's copy buffer, sized to what flows: {@link #IDLE_BUFFER_SIZE} while the source has nothing
     * (the read blocks holding only that), {@link #BUFFER_SIZE} from a read that filled the small one until a read
     * that leaves the large one short. Used by one thread only.
     */
    static final class Buffer {
        private final byte[] idle;
        private final int busySize;
        /** The buffer the next read uses. */
        private byte[] next;
        /** The buffer the last read filled, until the next read (so a drained large one is let go then). */
        private byte[] last;

        Buffer() {
            this(IDLE_BUFFER_SIZE, BUFFER_SIZE);
        }

        Buffer(int idleSize, int busySize) {
            this.idle = new byte[idleSize];
            this.busySize = busySize;
            this.next = idle;
            this.last = idle;
        }

        /** Reads once into {@link #bytes()} and sizes the buffer for the next read. @return the count, or -1 */
        int read(InputStream in) throws IOException {
            last = next;
            int n = in.read(last);
            if (last == idle) {
                if (n == idle.length) {
                    // A burst begins: go on in the large buffer at once with what is already there (a read bounded
                    // by available() does not block), so that the burst does not go out as a small write first.
                    byte[] large = new byte[busySize];
                    System.arraycopy(idle, 0, large, 0, n);
                    last = large;
                    next = large;
                    int more = Math.min(in.available(), large.length - n);
                    if (more > 0) {
                        int m = in.read(large, n, more);
                        if (m > 0) n += m;
                    }
                }
            } else if (n < last.length) {
                next = idle; // drained: the next read will probably wait, and should not hold the large buffer
            }
            return n;
        }

        /** @return the buffer the last {@link #read} filled */
        byte[] bytes() {
            return last;
        }

        /** @return the size the next read will use */
        int nextSize() {
            return next.length;
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
