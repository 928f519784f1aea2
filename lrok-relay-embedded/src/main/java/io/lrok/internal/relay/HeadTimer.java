package io.lrok.internal.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A public connection's input, with the edge's two read timeouts: while waiting for a request's first byte, the
 * idle timeout (one read may wait that long); from that byte to the end of the head, a deadline for the whole head,
 * however the client spreads its bytes. Bodies and upgraded connections are read without a timeout. A timeout is a
 * {@link SocketTimeoutException}; {@link #headStarted()} tells the two apart.
 *
 * <p>Read by one thread at a time (the connection's, or the request body's while it runs), handed over by thread
 * start and join; so the fields need no lock.
 */
final class HeadTimer extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private long idleMillis;
    private long headNanos;
    private boolean awaitingFirstByte;
    private boolean headStarted;
    /** System.nanoTime() by which the head must be complete; 0 for none. */
    private long deadline;
    /** The SO_TIMEOUT set on the socket, to set it only when it changes; -1 before the first read. */
    private int soTimeout = -1;

    HeadTimer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /**
     * Arms the timeouts for the next request head.
     *
     * @param idle the longest wait for its first byte; zero for none
     * @param head the longest time from its first byte to its end; zero for none
     * @param begun whether its first bytes are here already (read ahead with the previous request)
     */
    void awaitHead(Duration idle, Duration head, boolean begun) {
        idleMillis = idle.toMillis();
        headNanos = head.toNanos();
        awaitingFirstByte = !begun;
        headStarted = begun;
        deadline = begun && headNanos > 0 ? System.nanoTime() + headNanos : 0;
    }

    /** Disarms the timeouts: the head is in, a body or a pipe follows. */
    void noTimeout() {
        awaitingFirstByte = false;
        deadline = 0;
    }

    /** @return whether a byte of the head awaited has arrived */
    boolean headStarted() {
        return headStarted;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int timeout;
        if (awaitingFirstByte) {
            timeout = (int) Math.min(Integer.MAX_VALUE, idleMillis);
        } else if (deadline != 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new SocketTimeoutException("the request head took too long");
            timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
        } else {
            timeout = 0;
        }
        if (timeout != soTimeout) {
            socket.setSoTimeout(timeout);
            soTimeout = timeout;
        }
        int n = in.read(b, off, len);
        if (n > 0 && awaitingFirstByte) {
            awaitingFirstByte = false;
            headStarted = true;
            if (headNanos > 0) deadline = System.nanoTime() + headNanos;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }
}
