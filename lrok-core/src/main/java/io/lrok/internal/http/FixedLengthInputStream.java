package io.lrok.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A body of a known length (Content-Length): exactly that many bytes of the input, then -1. Never reads past
 * the end; fails if the input ends first. Closing it does not close the connection.
 */
final class FixedLengthInputStream extends InputStream {
    private final ReadBuffer buffer;
    private final long length;
    private long remaining;
    private boolean closed;

    FixedLengthInputStream(ReadBuffer buffer, long length) {
        if (length < 0) throw new IllegalArgumentException("negative length: " + length);
        this.buffer = buffer;
        this.length = length;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        if (remaining == 0) return -1;
        int b = buffer.readByte();
        if (b < 0) throw truncated();
        consumed(1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (remaining == 0) return -1;
        if (len == 0) return 0;
        int n = buffer.readBody(b, off, (int) Math.min(len, remaining));
        if (n < 0) throw truncated();
        consumed(n);
        return n;
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return (int) Math.min(remaining, buffer.buffered());
    }

    /** Marks this stream closed; the rest of the body, if any, stays unread. */
    @Override
    public void close() {
        closed = true;
    }

    private void consumed(int n) {
        remaining -= n;
        if (remaining == 0) buffer.bodyEnded(this);
    }

    private HttpException truncated() {
        return HttpException.badRequest("end of stream after " + (length - remaining) + " of " + length
                + " body bytes");
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new IOException("body stream closed");
    }
}
