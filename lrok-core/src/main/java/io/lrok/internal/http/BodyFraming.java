package io.lrok.internal.http;

/**
 * How a message's body is delimited (RFC 9112 §6.3), computed from its head; and the two connection-level
 * questions a proxy asks of a head: keep the connection alive? switch protocols?
 *
 * <p>Requests are held to the strict rules, as a request that two parsers could frame differently is the start
 * of request smuggling: Transfer-Encoding and Content-Length together, differing Content-Lengths, a Transfer-Encoding
 * not ending in chunked, or any Transfer-Encoding in HTTP/1.0 are refused with 400; unknown transfer codings
 * with 501. Responses are read as RFC 9112 says a client must, and refused (502) only where they are ambiguous.
 */
public sealed interface BodyFraming {

    /** No body. */
    BodyFraming NONE = new None();
    /** A chunked body: read it with {@link HttpReader#chunked} or {@link HttpReader#rawChunked}. */
    BodyFraming CHUNKED = new Chunked();
    /** A body that ends when the connection does (responses only): the connection cannot be reused. */
    BodyFraming UNTIL_CLOSE = new UntilClose();

    /** No body at all. */
    record None() implements BodyFraming {
    }

    /**
     * A body of exactly {@code length} bytes (Content-Length).
     *
     * @param length the body's length, 0 or more
     */
    record Fixed(long length) implements BodyFraming {
        /** Checks the length. */
        public Fixed {
            if (length < 0) throw new IllegalArgumentException("negative length: " + length);
        }
    }

    /** A chunked body (Transfer-Encoding ending in chunked). */
    record Chunked() implements BodyFraming {
    }

    /** A body that ends when the connection closes (a response without Content-Length or chunked coding). */
    record UntilClose() implements BodyFraming {
    }

    /** @return whether a body so framed may carry bytes: not for no body, nor for a Content-Length of 0 */
    default boolean hasBytes() {
        return !(this instanceof None) && !(this instanceof Fixed fixed && fixed.length() == 0);
    }

    /**
     * The copy buffer for a body so framed: no larger than a body of known length, so that a small message does
     * not cost a full buffer.
     *
     * @param max the buffer size for a body of unknown or larger length
     * @return between 1 and {@code max}
     */
    default int copyBufferSize(int max) {
        return this instanceof Fixed fixed ? (int) Math.max(1, Math.min(max, fixed.length())) : max;
    }

    /**
     * The framing of a request's body. A head returned by {@link HttpReader#readRequestHead} has been checked
     * already, so this does not throw for it.
     *
     * @param head the request head
     * @return {@link #NONE}, a {@link Fixed} (Content-Length, possibly 0) or {@link #CHUNKED}
     * @throws HttpException 400 if the framing is ambiguous or malformed, 501 for an unknown transfer coding
     */
    static BodyFraming forRequest(RequestHead head) throws HttpException {
        HttpHeaders headers = head.headers();
        if (headers.contains(HeadRules.TRANSFER_ENCODING)) {
            if (headers.contains(HeadRules.CONTENT_LENGTH)) {
                throw HttpException.badRequest("request has both Transfer-Encoding and Content-Length");
            }
            if (head.version().equals(RequestHead.HTTP_1_0)) {
                throw HttpException.badRequest("Transfer-Encoding in an HTTP/1.0 request");
            }
            HeadRules.checkRequestCodings(headers);
            return CHUNKED;
        }
        long length = HeadRules.contentLength(headers, HttpException.BAD_REQUEST);
        return length < 0 ? NONE : new Fixed(length);
    }

    /**
     * The framing of a response's body.
     *
     * @param requestMethod the method of the request this answers: HEAD and CONNECT change the answer
     * @param head          the response head
     * @return {@link #NONE} for HEAD requests, 1xx, 204, 304 and 2xx to CONNECT; else {@link #CHUNKED} if the
     *         Transfer-Encoding ends in chunked, {@link #UNTIL_CLOSE} if it ends in another coding, a
     *         {@link Fixed} for a Content-Length, and {@link #UNTIL_CLOSE} if there is neither
     * @throws HttpException 502 for both Transfer-Encoding and Content-Length, a malformed or conflicting
     *                       Content-Length, a malformed Transfer-Encoding, or Transfer-Encoding in HTTP/1.0
     */
    static BodyFraming forResponse(String requestMethod, ResponseHead head) throws HttpException {
        int status = head.status();
        if (requestMethod.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) return NONE;
        if (requestMethod.equals("CONNECT") && status / 100 == 2) return NONE;
        HttpHeaders headers = head.headers();
        if (headers.contains(HeadRules.TRANSFER_ENCODING)) {
            if (headers.contains(HeadRules.CONTENT_LENGTH)) {
                throw new HttpException(HttpException.BAD_GATEWAY,
                        "response has both Transfer-Encoding and Content-Length");
            }
            if (head.version().equals(RequestHead.HTTP_1_0)) {
                throw new HttpException(HttpException.BAD_GATEWAY, "Transfer-Encoding in an HTTP/1.0 response");
            }
            return HeadRules.endsInChunked(headers, HttpException.BAD_GATEWAY) ? CHUNKED : UNTIL_CLOSE;
        }
        long length = HeadRules.contentLength(headers, HttpException.BAD_GATEWAY);
        return length < 0 ? UNTIL_CLOSE : new Fixed(length);
    }

    /**
     * Whether the sender of a message expects the connection to stay open after it (RFC 9112 §9.3): in HTTP/1.1
     * unless {@code Connection: close}, in HTTP/1.0 only with {@code Connection: keep-alive}. A message framed
     * {@link #UNTIL_CLOSE} ends the connection whatever this says.
     *
     * @param version the message's version
     * @param headers the message's header fields
     * @return whether the connection may carry another message
     */
    static boolean isKeepAlive(String version, HttpHeaders headers) {
        if (headers.containsToken(HeadRules.CONNECTION, "close")) return false;
        return !version.equals(RequestHead.HTTP_1_0) || headers.containsToken(HeadRules.CONNECTION, "keep-alive");
    }

    /**
     * Whether a request asks to switch protocols (WebSocket and the like).
     *
     * @param head a request head
     * @return whether it asks to switch protocols: {@code Connection} lists {@code upgrade} and an {@code Upgrade}
     *         field is present (RFC 9110 §7.8)
     */
    static boolean isUpgrade(RequestHead head) {
        return head.headers().containsToken(HeadRules.CONNECTION, "upgrade")
                && head.headers().contains(HeadRules.UPGRADE);
    }
}
