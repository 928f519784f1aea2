package io.lrok.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A body that ends with the connection: what the reader has buffered, then the rest of the input. Also the way
 * to take over a connection after a protocol switch (101), as the buffer may already hold the new protocol's
 * first bytes. Closing it does not close the connection.
 */
final class UntilCloseInputStream extends InputStream {
    private final ReadBuffer buffer;
    private boolean closed;

    UntilCloseInputStream(ReadBuffer buffer) {
        this.buffer = buffer;
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        int b = buffer.readByte();
        if (b < 0) buffer.bodyEnded(this);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) return 0;
        int n = buffer.readBody(b, off, len);
        if (n < 0) buffer.bodyEnded(this);
        return n;
    }

    @Override
    public int available() throws IOException {
        ensureOpen();
        return buffer.buffered();
    }

    /** Marks this stream closed; the connection stays open. */
    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new IOException("body stream closed");
    }
}
