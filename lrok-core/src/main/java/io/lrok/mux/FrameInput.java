package io.lrok.mux;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The reader thread's buffered view of the connection. Unlike {@link java.io.BufferedInputStream} it never calls
 * {@code available()}, which on a socket is a system call per read, and it reads what is left of a payload beyond
 * what it has buffered straight into the payload's destination ({@link #DIRECT_READ_MIN}). Only the session's
 * reader thread uses it, so it needs no lock.
 */
final class FrameInput {
    /**
     * What is left of a payload, once the buffered part is taken, that is read straight into its destination
     * rather than through the buffer. Over TLS a read returns at most one record, which the JDK has already
     * decrypted into a buffer of its own, so a payload read through ours was copied twice; over a plain socket the
     * copy saved outweighs the read call that the next header may then need.
     */
    static final int DIRECT_READ_MIN = 4096;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;

    FrameInput(InputStream in, int bufferSize) {
        this.in = in;
        this.buf = new byte[bufferSize];
    }

    /**
     * Reads exactly {@code len} bytes; returns false if the connection ended cleanly before the first of them.
     *
     * @throws EOFException if it ended after some of them
     */
    boolean readFully(byte[] dst, int off, int len) throws IOException {
        int done = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, done);
        pos += done;
        while (done < len) {
            int n;
            if (len - done >= DIRECT_READ_MIN) {
                n = in.read(dst, off + done, len - done); // the buffer is empty here: no copy through it
            } else {
                n = fill();
                if (n > 0) {
                    int take = Math.min(len - done, limit - pos);
                    System.arraycopy(buf, pos, dst, off + done, take);
                    pos += take;
                    n = take;
                }
            }
            if (n < 0) {
                if (done == 0) return false;
                throw new EOFException("connection closed after " + done + " of " + len + " bytes");
            }
            done += n;
        }
        return true;
    }

    /** Discards exactly {@code len} bytes. */
    void skip(long len) throws IOException {
        long left = len;
        while (left > 0) {
            if (pos == limit && fill() < 0) throw new EOFException("connection closed inside a skipped payload");
            int take = (int) Math.min(left, limit - pos);
            pos += take;
            left -= take;
        }
    }

    /** Refills the empty buffer with one read; returns the bytes read, or -1 at the end of the stream. */
    private int fill() throws IOException {
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n > 0) limit = n;
        return n;
    }
}
