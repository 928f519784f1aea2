package io.lrok.mux;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A yamux peer played by the test, byte by byte: a raw loopback TCP connection whose other end is a real
 * {@link MuxSession}. The test writes whatever frames it likes (invalid ones included) and reads what the
 * session sends, each read bounded by {@link #TIMEOUT} so that a session that stays silent fails the test
 * instead of hanging it. Modelled on OkHttp's {@code MockHttp2Peer}, but interactive: no script to play.
 *
 * <p>Only the test thread uses a peer, except that a flood may be written from one other thread while the test
 * thread reads.
 */
final class ScriptedPeer implements AutoCloseable {
    /** The longest wait for anything the session should do. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A frame the session sent: the header and, for Data, the payload. */
    record Received(Frame header, byte[] payload) {
        int type() {
            return header.type();
        }

        int flags() {
            return header.flags();
        }

        int streamId() {
            return header.streamId();
        }

        int length() {
            return header.length();
        }

        @Override
        public String toString() {
            return header.trace(false).substring(3);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final MuxSession session;
    private Predicate<Frame> skip = frame -> false;
    /** The last frames read, for failure messages. */
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private int nextPingValue = 0x5000_0000;

    private ScriptedPeer(Socket socket, MuxSession session) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.session = session;
    }

    /** A peer facing a server session with default settings: the peer opens odd stream ids. */
    static ScriptedPeer withServerSession() throws IOException {
        return start(false, MuxConfig.defaults(), 0);
    }

    /** A peer facing a server session: the peer opens odd stream ids. */
    static ScriptedPeer withServerSession(MuxConfig config) throws IOException {
        return start(false, config, 0);
    }

    /** A peer facing a client session: the peer opens even stream ids. */
    static ScriptedPeer withClientSession(MuxConfig config) throws IOException {
        return start(true, config, 0);
    }

    /**
     * Connects a peer to a new session.
     *
     * @param socketBufferBytes when positive, the send and receive buffers of both sockets, so that a peer that
     *                          stops reading makes the session's writes block soon; 0 for the system defaults
     */
    static ScriptedPeer start(boolean sessionIsClient, MuxConfig config, int socketBufferBytes) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket()) {
            if (socketBufferBytes > 0) listener.setReceiveBufferSize(socketBufferBytes); // inherited on accept
            listener.bind(new InetSocketAddress(loopback, 0), 1);
            Socket peer = new Socket();
            if (socketBufferBytes > 0) {
                peer.setReceiveBufferSize(socketBufferBytes);
                peer.setSendBufferSize(socketBufferBytes);
            }
            peer.connect(listener.getLocalSocketAddress());
            peer.setTcpNoDelay(true);
            peer.setSoTimeout((int) TIMEOUT.toMillis());
            Socket accepted = listener.accept();
            if (socketBufferBytes > 0) accepted.setSendBufferSize(socketBufferBytes);
            MuxSession session = sessionIsClient ? MuxSession.client(accepted, config) : MuxSession.server(accepted, config);
            return new ScriptedPeer(peer, session);
        }
    }

    MuxSession session() {
        return session;
    }

    Socket socket() {
        return socket;
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    /** Writes a frame header with any values; no payload follows unless the test writes one. */
    void writeFrame(int type, int flags, int streamId, int length) throws IOException {
        writeRaw(new Frame(type, flags, streamId, length).encode());
    }

    /** Writes a Data frame: header and payload in one write. */
    void writeData(int streamId, int flags, byte[] payload) throws IOException {
        byte[] frame = new byte[Frame.HEADER_SIZE + payload.length];
        Frame.encode(frame, 0, Frame.TYPE_DATA, flags, streamId, payload.length);
        System.arraycopy(payload, 0, frame, Frame.HEADER_SIZE, payload.length);
        writeRaw(frame);
    }

    /** Writes bytes as they are: several frames at once, a malformed header, half a frame. */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    /** From now on, reads pass over frames of this type (e.g. keepalive pings). */
    void skip(int type) {
        skip(frame -> frame.type() == type);
    }

    /** From now on, reads pass over frames that match. */
    void skip(Predicate<Frame> frames) {
        skip = skip.or(frames);
    }

    /** The next frame the session sent, other than skipped ones; fails after {@link #TIMEOUT} or on EOF. */
    Received readFrame() throws IOException {
        while (true) {
            byte[] header = readFully(Frame.HEADER_SIZE, "a frame header");
            Frame frame;
            try {
                frame = Frame.decode(header, 0);
            } catch (Frame.MalformedFrameException e) {
                throw new AssertionError("the session sent a malformed frame: " + e.getMessage());
            }
            byte[] payload = frame.type() == Frame.TYPE_DATA
                    ? readFully(Math.toIntExact(frame.unsignedLength()), "the payload of " + frame.trace(false))
                    : new byte[0];
            if (recent.size() == 8) recent.removeFirst();
            recent.addLast(frame.trace(false));
            if (!skip.test(frame)) return new Received(frame, payload);
        }
    }

    /** Reads the next frame and checks its type, exact flags and stream. */
    Received expectFrame(int type, int flags, int streamId) throws IOException {
        Received frame = readFrame();
        if (frame.type() != type || frame.flags() != flags || frame.streamId() != streamId) {
            throw new AssertionError("expected " + new Frame(type, flags, streamId, 0).trace(false).substring(3)
                    .replaceFirst(" length=0$", "") + " but got " + frame + recentFrames());
        }
        return frame;
    }

    /** Reads the next frame and checks that it is a GoAway with this code. */
    void expectGoAway(int code) throws IOException {
        Received frame = expectFrame(Frame.TYPE_GO_AWAY, 0, 0);
        if (frame.length() != code) throw new AssertionError("expected GoAway code " + code + " but got " + frame);
    }

    /**
     * A ping round trip as a barrier: once the answer is back, the session has processed everything written
     * before the ping and sent everything it was going to send in reaction. Fails if any (non-skipped) frame
     * comes before the answer.
     */
    void pingRoundTrip() throws IOException {
        int value = nextPingValue++;
        writeFrame(Frame.TYPE_PING, Frame.FLAG_SYN, 0, value);
        Received answer = expectFrame(Frame.TYPE_PING, Frame.FLAG_ACK, 0);
        if (answer.length() != value) {
            throw new AssertionError("ping answered with value " + answer.header().unsignedLength() + ", sent "
                    + Integer.toUnsignedString(value));
        }
    }

    /** Waits for the session to close the connection; fails if a frame or any byte arrives first. */
    void awaitEof() throws IOException {
        int b = readOrEof();
        if (b >= 0) {
            throw new AssertionError("expected the connection to close, but the session sent more, starting with "
                    + "byte 0x" + Integer.toHexString(b) + recentFrames());
        }
    }

    /** Reads and discards whatever the session still sends (even part of a frame) until the connection closes. */
    void drainToEof() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        byte[] sink = new byte[64 * 1024];
        while (true) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("the connection stayed open" + recentFrames());
            try {
                if (in.read(sink) < 0) return;
            } catch (SocketException e) {
                if (isReset(e)) return;
                throw e;
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection stayed open and silent for " + TIMEOUT.toMillis() + " ms");
            }
        }
    }

    /**
     * Waits for the session to end, and checks that it says so and that its threads are gone.
     *
     * @return the reason the session gives
     */
    MuxException awaitSessionEnd() throws InterruptedException {
        MuxException reason;
        try {
            reason = session.whenClosed().get(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the session did not end within " + TIMEOUT.toMillis() + " ms: " + session);
        } catch (ExecutionException e) {
            throw new AssertionError("whenClosed failed", e.getCause());
        }
        if (!session.isClosed()) throw new AssertionError("whenClosed completed but isClosed() is false");
        Leaks.awaitSessionThreadsGone(session, TIMEOUT);
        return reason;
    }

    /** Closes the session (if still open) and the peer's socket, then checks that the session's threads ended. */
    @Override
    public void close() throws IOException {
        try {
            session.close();
        } finally {
            socket.close();
        }
        Leaks.awaitSessionThreadsGone(session, TIMEOUT);
    }

    private byte[] readFully(int len, String what) throws IOException {
        byte[] buf = new byte[len];
        int n = 0;
        try {
            while (n < len) {
                int read = in.read(buf, n, len - n);
                if (read < 0) throw new EOFException();
                n += read;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no " + what + " from the session within " + TIMEOUT.toMillis() + " ms"
                    + (n > 0 ? " (" + n + " of " + len + " bytes came)" : "") + recentFrames());
        } catch (EOFException e) {
            throw new AssertionError("the session closed the connection while the peer expected " + what
                    + closeReasonNow() + recentFrames());
        } catch (SocketException e) {
            if (!isReset(e)) throw e;
            throw new AssertionError("the session reset the connection while the peer expected " + what
                    + closeReasonNow() + recentFrames());
        }
        return buf;
    }

    /** The next byte, or -1 on EOF or reset; fails after {@link #TIMEOUT}. */
    private int readOrEof() throws IOException {
        try {
            return in.read();
        } catch (SocketException e) {
            if (isReset(e)) return -1;
            throw e;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + TIMEOUT.toMillis() + " ms" + recentFrames());
        }
    }

    /**
     * A session that closes its socket with our bytes unread makes the kernel answer with RST instead of FIN; for
     * the peer that is the end of the connection too.
     */
    private static boolean isReset(SocketException e) {
        return e.getMessage() != null && e.getMessage().contains("Connection reset");
    }

    private String closeReasonNow() {
        MuxException reason = session.whenClosed().getNow(null);
        return reason == null ? "" : "; the session ended: " + reason.getMessage();
    }

    private String recentFrames() {
        return recent.isEmpty() ? "; no frames read before" : "; last frames read: " + String.join(", ", recent);
    }
}
