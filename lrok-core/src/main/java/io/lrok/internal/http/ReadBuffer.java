package io.lrok.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The buffered input under an {@link HttpReader} and its body streams: CRLF lines bounded by a limit, field
 * sections, body bytes; and which body stream, if any, owns the bytes now. Lines are scanned in the buffer
 * itself; only a line that straddles a refill is copied, into a scratch array that grows up to that line's limit
 * and no further. Not thread-safe.
 */
final class ReadBuffer {
    /** The smallest buffer we accept. */
    static final int MIN_BUFFER_SIZE = 64;
    private static final int MIN_SCRATCH = 256;
    private static final int CRLF_LENGTH = 2;

    /** What a line belongs to: names it in messages and picks the status when it is too long. */
    enum Section {
        REQUEST_LINE("request line", HttpException.URI_TOO_LONG),
        STATUS_LINE("status line", HttpException.BAD_GATEWAY),
        HEADERS("header section", HttpException.FIELDS_TOO_LARGE),
        CHUNK_SIZE("chunk-size line", HttpException.BAD_REQUEST),
        TRAILERS("trailer section", HttpException.FIELDS_TOO_LARGE);

        final String description;
        final int tooLongStatus;

        Section(String description, int tooLongStatus) {
            this.description = description;
            this.tooLongStatus = tooLongStatus;
        }
    }

    /** Receives each raw line of a field section, CRLF included (for raw chunked bodies). */
    interface LineSink {
        void accept(byte[] a, int off, int len);
    }

    private final InputStream in;
    private final byte[] buf;
    /** Unread bytes are {@code buf[pos, limit)}. */
    private int pos;
    private int limit;
    /** Holds a line that did not arrive within one buffer; grows up to the line's limit, never beyond. */
    private byte[] scratch;
    /** The last line read, without its CRLF (which follows it in the same array); valid until the next read. */
    private byte[] lineArray;
    private int lineStart;
    private int lineLength;
    /** The body stream handed out and not at its end yet; no head may be read while it is set. */
    private InputStream activeBody;

    ReadBuffer(InputStream in, int bufferSize) {
        this.in = Objects.requireNonNull(in, "in");
        if (bufferSize < MIN_BUFFER_SIZE) throw new IllegalArgumentException("buffer too small: " + bufferSize);
        this.buf = new byte[bufferSize];
    }

    int buffered() {
        return limit - pos;
    }

    /** Makes {@code body} the owner of the bytes until it calls {@link #bodyEnded}. */
    <T extends InputStream> T startBody(T body, boolean alreadyEnded) {
        checkNoActiveBody();
        if (!alreadyEnded) activeBody = body;
        return body;
    }

    void bodyEnded(InputStream body) {
        if (activeBody == body) activeBody = null;
    }

    boolean bodyInProgress() {
        return activeBody != null;
    }

    void checkNoActiveBody() {
        if (activeBody != null) throw new IllegalStateException("the previous body has not been read to its end");
    }

    /**
     * Reads a field section up to and including its empty line.
     *
     * @param sink receives each line, CRLF included; null for none
     */
    HttpHeaders readFields(int maxBytes, int maxFields, Section section, LineSink sink) throws IOException {
        HeadParser.Fields fields = new HeadParser.Fields();
        int budget = maxBytes;
        while (true) {
            if (!readLine(budget, maxBytes, section)) {
                throw HttpException.badRequest("end of stream inside the " + section.description);
            }
            if (sink != null) sink.accept(lineArray, lineStart, lineLength + CRLF_LENGTH);
            budget -= lineLength + CRLF_LENGTH;
            if (lineLength == 0) return fields.build();
            if (fields.size() == maxFields) {
                throw new HttpException(HttpException.FIELDS_TOO_LARGE,
                        section.description + " has more than " + maxFields + " fields");
            }
            HeadParser.parseField(lineArray, lineStart, lineLength, fields);
        }
    }

    /**
     * Reads one line ending in CRLF; then {@link #lineArray()}, {@link #lineStart()} and {@link #lineLength()}
     * hold it without the CRLF.
     *
     * @param max        the most bytes the line may take, CRLF included
     * @param configured the configured limit, for the message
     * @return false if the input ended before the line's first byte
     */
    boolean readLine(int max, int configured, Section section) throws IOException {
        int held = 0; // bytes of this line seen so far
        while (true) {
            if (pos == limit && !fill()) {
                if (held == 0) return false;
                throw HttpException.badRequest("end of stream inside the " + section.description);
            }
            int lf = HeadParser.indexOf(buf, pos, limit, Syntax.LF);
            int end = lf < 0 ? limit : lf + 1;
            int total = held + end - pos;
            if (lf < 0 ? total >= max : total > max) {
                throw new HttpException(section.tooLongStatus,
                        section.description + " longer than " + configured + " bytes");
            }
            if (lf >= 0 && held == 0) { // the whole line is in the buffer: parse it there
                lineArray = buf;
                lineStart = pos;
            } else {
                growScratch(total, max);
                System.arraycopy(buf, pos, scratch, held, end - pos);
                lineArray = scratch;
                lineStart = 0;
            }
            pos = end;
            held = total;
            if (lf >= 0) {
                if (total < CRLF_LENGTH || lineArray[lineStart + total - CRLF_LENGTH] != Syntax.CR) {
                    throw HttpException.badRequest("bare LF in the " + section.description + "; lines end in CRLF");
                }
                lineLength = total - CRLF_LENGTH;
                return true;
            }
        }
    }

    byte[] lineArray() {
        return lineArray;
    }

    int lineStart() {
        return lineStart;
    }

    int lineLength() {
        return lineLength;
    }

    /** Reads the CRLF that ends a chunk's data. */
    void expectCrlf() throws IOException {
        int cr = readByte();
        int lf = cr == Syntax.CR ? readByte() : cr;
        if (lf == -1) throw HttpException.badRequest("end of stream inside chunked body");
        if (cr != Syntax.CR || lf != Syntax.LF) throw HttpException.badRequest("chunk data not followed by CRLF");
    }

    /** Reads up to {@code len > 0} body bytes; -1 at the end of the input. Large reads bypass the buffer. */
    int readBody(byte[] b, int off, int len) throws IOException {
        if (pos == limit) {
            if (len >= buf.length) return in.read(b, off, len);
            if (!fill()) return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /** @return the next byte, or -1 at the end of the input */
    int readByte() throws IOException {
        if (pos == limit && !fill()) return -1;
        return buf[pos++] & 0xff;
    }

    /** @return whether input is buffered, reading some if none is; false at the end of the input */
    boolean awaitInput() throws IOException {
        return pos < limit || fill();
    }

    /** Refills the empty buffer; false at the end of the input. */
    private boolean fill() throws IOException {
        pos = 0;
        limit = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) return false;
        limit = n;
        return true;
    }

    private void growScratch(int needed, int max) {
        if (scratch != null && scratch.length >= needed) return;
        int size = Math.max(needed, scratch == null ? MIN_SCRATCH : scratch.length * 2);
        byte[] grown = new byte[Math.min(size, Math.max(needed, max))];
        if (scratch != null) System.arraycopy(scratch, 0, grown, 0, scratch.length);
        scratch = grown;
    }
}
