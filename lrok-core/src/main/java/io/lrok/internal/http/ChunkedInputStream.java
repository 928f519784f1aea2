package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A chunked body (RFC 9112 §7.1), in one of two modes over the same parser:
 * <ul>
 *   <li><b>decoded</b> ({@link HttpReader#chunked}): the chunks' data only;</li>
 *   <li><b>raw</b> ({@link HttpReader#rawChunked}): every byte as received, chunk-size lines, extensions, CRLFs,
 *       last chunk and trailer section included, for forwarding a body unchanged.</li>
 * </ul>
 * Both return -1 right after the trailer section's final CRLF and never read past it, so the reader is then at
 * the start of the next message; both check every line as strictly as the other, so what a raw copy forwards is
 * exactly what the decoder accepted. {@link #trailers()} is known once the last chunk has been read.
 * Malformed framing is an {@link HttpException} (400; 431 for an oversized trailer section); so is an input that
 * ends before the last chunk. Closing this stream does not close the connection.
 */
public final class ChunkedInputStream extends InputStream {
    private enum State { SIZE_LINE, DATA, DATA_CRLF, DONE }

    private static final byte[] CRLF = {Syntax.CR, Syntax.LF};
    private static final int INITIAL_PENDING = 64;

    private final ReadBuffer buffer;
    private final HttpLimits limits;
    private final boolean raw;
    private State state = State.SIZE_LINE;
    /** Data bytes left in the current chunk. */
    private long chunkRemaining;
    /** Raw mode: framing bytes parsed and not handed out yet, {@code pending[pendingPos, pendingLen)}. Bounded by
     *  one chunk-size line plus one trailer section. */
    private byte[] pending;
    private int pendingPos;
    private int pendingLen;
    private HttpHeaders trailers;
    private boolean ended;
    private boolean closed;
    private final byte[] one = new byte[1];

    ChunkedInputStream(ReadBuffer buffer, HttpLimits limits, boolean raw) {
        this.buffer = buffer;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.raw = raw;
        this.pending = raw ? new byte[INITIAL_PENDING] : null;
    }

    /**
     * Tells the two modes apart.
     *
     * @return whether this stream gives the body's raw bytes rather than its decoded content
     */
    public boolean isRaw() {
        return raw;
    }

    /**
     * The trailer section, known after the last chunk.
     *
     * @return the trailer fields, empty if there were none
     * @throws IllegalStateException if the last chunk has not been read yet
     */
    public HttpHeaders trailers() {
        if (state != State.DONE) throw new IllegalStateException("trailers come after the last chunk");
        return trailers;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) throw new IOException("body stream closed");
        if (len == 0) return 0;
        while (true) {
            if (pendingPos < pendingLen) return takePending(b, off, len);
            switch (state) {
                case DONE -> {
                    ended();
                    return -1;
                }
                case SIZE_LINE -> readSizeLine();
                case DATA_CRLF -> {
                    buffer.expectCrlf();
                    emit(CRLF, 0, CRLF.length);
                    state = State.SIZE_LINE;
                }
                case DATA -> {
                    int n = buffer.readBody(b, off, (int) Math.min(len, chunkRemaining));
                    if (n < 0) throw HttpException.badRequest("end of stream inside chunk data");
                    chunkRemaining -= n;
                    if (chunkRemaining == 0) state = State.DATA_CRLF;
                    return n;
                }
            }
        }
    }

    @Override
    public int available() throws IOException {
        if (closed) throw new IOException("body stream closed");
        if (pendingPos < pendingLen) return pendingLen - pendingPos;
        return state == State.DATA ? (int) Math.min(chunkRemaining, buffer.buffered()) : 0;
    }

    /** Marks this stream closed; the rest of the body, if any, stays unread. */
    @Override
    public void close() {
        closed = true;
    }

    private void readSizeLine() throws IOException {
        int max = limits.maxChunkSizeLineLength();
        if (!buffer.readLine(max, max, ReadBuffer.Section.CHUNK_SIZE)) {
            throw HttpException.badRequest("end of stream before the last chunk");
        }
        long size = ChunkSizeLine.parse(buffer.lineArray(), buffer.lineStart(), buffer.lineLength());
        emit(buffer.lineArray(), buffer.lineStart(), buffer.lineLength() + CRLF.length);
        if (size > 0) {
            chunkRemaining = size;
            state = State.DATA;
            return;
        }
        trailers = buffer.readFields(limits.maxTrailerSectionSize(), limits.maxHeaderFields(),
                ReadBuffer.Section.TRAILERS, raw ? this::emit : null);
        state = State.DONE;
    }

    private int takePending(byte[] b, int off, int len) {
        int n = Math.min(len, pendingLen - pendingPos);
        System.arraycopy(pending, pendingPos, b, off, n);
        pendingPos += n;
        if (pendingPos == pendingLen && state == State.DONE) ended();
        return n;
    }

    /** Raw mode: queues framing bytes to hand out before anything read after them. */
    private void emit(byte[] a, int off, int len) {
        if (!raw) return;
        if (pendingPos == pendingLen) pendingPos = pendingLen = 0;
        if (pendingLen + len > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + len));
        }
        System.arraycopy(a, off, pending, pendingLen, len);
        pendingLen += len;
    }

    private void ended() {
        if (ended) return;
        ended = true;
        buffer.bodyEnded(this);
    }
}
