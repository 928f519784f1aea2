package io.lrok.internal.http;

import io.lrok.http.HttpLimits;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads HTTP/1.1 messages from a connection: heads, then bodies through streams that end exactly where the body
 * does. It keeps its own buffer, so the bytes after a head (the start of a body, or of the next pipelined
 * request) stay here for the next call; always read a connection through one {@code HttpReader}.
 *
 * <p>Use: {@link #readRequestHead} (or {@link #readResponseHead}), then {@link BodyFraming#forRequest} (or
 * {@link BodyFraming#forResponse}) and {@link #body} or {@link #rawBody}, read that stream to its end, repeat. A
 * head may not be read while the previous body has not ended (or was closed before it ended): that throws
 * {@link IllegalStateException}, as the bytes in between are not a head. Closing a body stream never closes the
 * connection and does not skip the rest; to reuse a connection after an unread body, read it to its end first.
 *
 * <p>Bounded: a head costs at most the {@link HttpLimits} plus one buffer, however long the lines sent; an
 * oversized head fails once its limit is passed, having read at most the limit plus one buffer. Every violation
 * of the syntax is an {@link HttpException} with the status to answer; the package documentation lists the
 * rules. Not thread-safe: one thread reads a connection.
 */
public final class HttpReader {
    /** The default buffer: large enough for most heads in one read. */
    public static final int DEFAULT_BUFFER_SIZE = 16 * 1024;
    /** The smallest buffer accepted. */
    public static final int MIN_BUFFER_SIZE = ReadBuffer.MIN_BUFFER_SIZE;

    private final ReadBuffer in;

    /**
     * A reader with a buffer of {@link #DEFAULT_BUFFER_SIZE} bytes.
     *
     * @param in the connection's input; never closed by this reader
     */
    public HttpReader(InputStream in) {
        this(in, DEFAULT_BUFFER_SIZE);
    }

    /**
     * A reader with a buffer of {@code bufferSize} bytes.
     *
     * @param in the connection's input; never closed by this reader
     * @param bufferSize the buffer's size
     */
    public HttpReader(InputStream in, int bufferSize) {
        this.in = new ReadBuffer(in, bufferSize);
    }

    /**
     * Reads a request head and checks it: syntax, Host (exactly one in HTTP/1.1, at most one in 1.0), and framing
     * ({@link BodyFraming#forRequest} will not throw for it). Empty lines before the request line are skipped
     * (RFC 9112 §2.2), counted against the request-line limit.
     *
     * @param limits the limits to apply
     * @return the head, or null if the connection ended cleanly before a request began (an idle keep-alive
     *         connection closing)
     * @throws HttpException with the status to answer, if the head is malformed, too large, or cut short
     * @throws IOException   if reading fails
     */
    public RequestHead readRequestHead(HttpLimits limits) throws IOException {
        in.checkNoActiveBody();
        int budget = limits.maxRequestLineLength();
        do {
            if (!in.readLine(budget, limits.maxRequestLineLength(), ReadBuffer.Section.REQUEST_LINE)) return null;
            budget -= in.lineLength() + 2;
        } while (in.lineLength() == 0);
        HeadParser.RequestLine line = HeadParser.parseRequestLine(in.lineArray(), in.lineStart(), in.lineLength());
        RequestHead head = new RequestHead(line.method(), line.target(), line.version(), readHeaders(limits));
        HeadRules.checkRequest(head);
        return head;
    }

    /**
     * Reads a response head. Any error is reported with status 502 (the upstream misbehaved). Interim (1xx)
     * responses are returned like any other: the caller reads again for the final one.
     *
     * @param limits the limits to apply; the status line is bounded by {@link HttpLimits#maxRequestLineLength()}
     * @return the head, or null if the connection ended cleanly before a response began (an upstream closing a
     *         keep-alive connection, perhaps while we sent a request on it)
     * @throws HttpException with status 502, if the head is malformed, too large, or cut short
     * @throws IOException   if reading fails
     */
    public ResponseHead readResponseHead(HttpLimits limits) throws IOException {
        in.checkNoActiveBody();
        try {
            int max = limits.maxRequestLineLength();
            if (!in.readLine(max, max, ReadBuffer.Section.STATUS_LINE)) return null;
            HeadParser.StatusLine line = HeadParser.parseStatusLine(in.lineArray(), in.lineStart(), in.lineLength());
            return new ResponseHead(line.version(), line.status(), line.reason(), readHeaders(limits));
        } catch (HttpException e) {
            if (e.status() == HttpException.BAD_GATEWAY) throw e;
            throw new HttpException(HttpException.BAD_GATEWAY, "bad response head: " + e.getMessage(), e);
        }
    }

    /**
     * The decoded body for a framing: {@link #fixedLength}, {@link #chunked}, {@link #untilClose}, or an empty
     * stream for {@link BodyFraming.None}.
     *
     * @param framing how the body is delimited
     * @param limits  the limits for chunk-size lines and trailers
     * @return the body's content
     */
    public InputStream body(BodyFraming framing, HttpLimits limits) {
        return switch (framing) {
            case BodyFraming.None none -> fixedLength(0);
            case BodyFraming.Fixed fixed -> fixedLength(fixed.length());
            case BodyFraming.Chunked chunked -> chunked(limits);
            case BodyFraming.UntilClose untilClose -> untilClose();
        };
    }

    /**
     * The body as it is on the wire, for forwarding it unchanged: like {@link #body}, but a chunked body comes
     * through {@link #rawChunked}, framing and all.
     *
     * @param framing how the body is delimited
     * @param limits  the limits for chunk-size lines and trailers
     * @return the body's bytes as received, ending where the body ends
     */
    public InputStream rawBody(BodyFraming framing, HttpLimits limits) {
        return framing instanceof BodyFraming.Chunked ? rawChunked(limits) : body(framing, limits);
    }

    /**
     * Takes a whole body of known length that has already arrived, so that a forwarder can send a small message on
     * in one write, head and body together, instead of a write for each.
     *
     * @param framing the body's framing
     * @param max     the longest body to take
     * @return the body's bytes, read; null, with nothing read, unless the framing is a {@code Content-Length} of at
     *         most {@code max} bytes that are all buffered
     * @throws IOException never in practice: the bytes are buffered
     */
    public byte[] takeBufferedBody(BodyFraming framing, int max) throws IOException {
        if (!(framing instanceof BodyFraming.Fixed fixed) || fixed.length() > max || buffered() < fixed.length()) {
            return null;
        }
        return fixedLength(fixed.length()).readNBytes((int) fixed.length());
    }

    /**
     * A body of known length (Content-Length).
     *
     * @param length the body's length
     * @return a stream of exactly that many bytes; fails if the input ends first
     */
    public InputStream fixedLength(long length) {
        return in.startBody(new FixedLengthInputStream(in, length), length == 0);
    }

    /**
     * A chunked body, decoded.
     *
     * @param limits the limits for chunk-size lines and trailers
     * @return the decoded content of a chunked body; its trailers are known once it has returned -1
     */
    public ChunkedInputStream chunked(HttpLimits limits) {
        return in.startBody(new ChunkedInputStream(in, limits, false), false);
    }

    /**
     * A chunked body's exact bytes (chunk-size lines with their extensions, data, CRLFs, the last chunk, the
     * trailer section), checked as strictly as {@link #chunked} while they pass, and ending right after the
     * trailer section's final CRLF. Copying it to another connection forwards the body unchanged, and leaves
     * this reader at the start of the next message.
     *
     * @param limits the limits for chunk-size lines and trailers
     * @return the body's bytes as received; its trailers are known once it has returned -1
     */
    public ChunkedInputStream rawChunked(HttpLimits limits) {
        return in.startBody(new ChunkedInputStream(in, limits, true), false);
    }

    /**
     * A body that ends with the connection.
     *
     * @return everything until the input ends: a response body without length, or a tunnel after a 101
     */
    public InputStream untilClose() {
        return in.startBody(new UntilCloseInputStream(in), false);
    }

    /**
     * Whether a body stream has bytes left to hand out. False as soon as a body stream has returned its last byte,
     * before its next read returns -1: a forwarder can then act on the message being complete (pool the
     * connection) before it writes those last bytes on.
     *
     * @return true between the start of a non-empty body and the read that returned its last byte
     */
    public boolean bodyInProgress() {
        return in.bodyInProgress();
    }

    /**
     * Waits for the next message's first bytes, reading none of the message: for a server that does something
     * else while a connection stays quiet between requests. A read timeout of the input ends the wait.
     *
     * @return true once input is buffered; false at the end of the input
     * @throws IOException if reading fails, or the input's read timeout passed
     */
    public boolean awaitInput() throws IOException {
        in.checkNoActiveBody();
        return in.awaitInput();
    }

    /**
     * How far the reader has read ahead of what it handed out.
     *
     * @return the number of bytes buffered and not read yet
     */
    public int buffered() {
        return in.buffered();
    }

    private HttpHeaders readHeaders(HttpLimits limits) throws IOException {
        return in.readFields(limits.maxHeaderSectionSize(), limits.maxHeaderFields(), ReadBuffer.Section.HEADERS,
                null);
    }
}
