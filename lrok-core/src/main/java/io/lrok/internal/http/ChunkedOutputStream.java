package io.lrok.internal.http;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes a body with the chunked transfer coding (RFC 9112 §7.1). Small writes are gathered into one chunk of up
 * to the buffer's size, sent with its size line and CRLF in a single write to the underlying stream; a write at
 * least as large as the buffer becomes a chunk of its own. {@link #flush()} sends the gathered chunk.
 * {@link #finish(HttpHeaders)} ends the body with the last chunk and trailers; {@link #close()} finishes without
 * trailers if that was not done. Neither closes the underlying stream, which may carry the next message.
 * Not thread-safe.
 */
public final class ChunkedOutputStream extends OutputStream {
    /** The default most data bytes gathered into one chunk. */
    public static final int DEFAULT_CHUNK_SIZE = 8 * 1024;
    /** Room before the data for the size line: up to 16 hex digits and CRLF. */
    private static final int SIZE_LINE_ROOM = 16 + 2;
    private static final byte[] CRLF = {Syntax.CR, Syntax.LF};
    private static final byte[] HEX = "0123456789abcdef".getBytes(US_ASCII);

    private final OutputStream out;
    /** {@code [SIZE_LINE_ROOM]} for the size line, then up to {@code chunkSize} data bytes, then CRLF. */
    private final byte[] buf;
    private final int chunkSize;
    private int count;
    private boolean finished;

    /**
     * A stream that gathers up to {@link #DEFAULT_CHUNK_SIZE} bytes per chunk.
     *
     * @param out where the chunked body goes; not closed by this stream
     */
    public ChunkedOutputStream(OutputStream out) {
        this(out, DEFAULT_CHUNK_SIZE);
    }

    /**
     * A stream that gathers up to {@code chunkSize} bytes per chunk.
     *
     * @param out where the chunked body goes; not closed by this stream
     * @param chunkSize the most data per chunk
     */
    public ChunkedOutputStream(OutputStream out, int chunkSize) {
        this.out = Objects.requireNonNull(out, "out");
        if (chunkSize < 1) throw new IllegalArgumentException("chunk size must be positive: " + chunkSize);
        this.chunkSize = chunkSize;
        this.buf = new byte[SIZE_LINE_ROOM + chunkSize + CRLF.length];
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (count == chunkSize) writeGathered();
        buf[SIZE_LINE_ROOM + count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len >= chunkSize) {
            writeGathered();
            byte[] sizeLine = new byte[SIZE_LINE_ROOM];
            int start = putSizeLine(sizeLine, SIZE_LINE_ROOM, len);
            out.write(sizeLine, start, SIZE_LINE_ROOM - start);
            out.write(b, off, len);
            out.write(CRLF);
            return;
        }
        if (count + len > chunkSize) writeGathered();
        System.arraycopy(b, off, buf, SIZE_LINE_ROOM + count, len);
        count += len;
    }

    /** Sends the gathered chunk, if any, and flushes the underlying stream. */
    @Override
    public void flush() throws IOException {
        if (!finished) writeGathered();
        out.flush();
    }

    /**
     * Ends the body: sends the gathered chunk, the last chunk {@code 0 CRLF}, the trailer fields and the final
     * CRLF; flushes. Further writes fail.
     *
     * @param trailers trailer fields to send, usually empty
     * @throws IOException if writing fails
     */
    public void finish(HttpHeaders trailers) throws IOException {
        ensureOpen();
        writeGathered();
        finished = true;
        HeadWriter end = new HeadWriter().append('0').crlf();
        trailers.writeTo(end);
        out.write(end.crlf().toBytes());
        out.flush();
    }

    /** Finishes the body without trailers, if {@link #finish} was not called; the underlying stream stays open. */
    @Override
    public void close() throws IOException {
        if (!finished) finish(HttpHeaders.empty());
    }

    private void writeGathered() throws IOException {
        if (count == 0) return;
        int start = putSizeLine(buf, SIZE_LINE_ROOM, count);
        int end = SIZE_LINE_ROOM + count;
        buf[end] = Syntax.CR;
        buf[end + 1] = Syntax.LF;
        out.write(buf, start, end + CRLF.length - start);
        count = 0;
    }

    /** Writes {@code hex(size) CRLF} so that it ends at {@code end}; returns where it starts. */
    private static int putSizeLine(byte[] a, int end, long size) {
        int i = end;
        a[--i] = Syntax.LF;
        a[--i] = Syntax.CR;
        do {
            a[--i] = HEX[(int) (size & 0xf)];
            size >>>= 4;
        } while (size != 0);
        return i;
    }

    private void ensureOpen() throws IOException {
        if (finished) throw new IOException("chunked body already finished");
    }
}
