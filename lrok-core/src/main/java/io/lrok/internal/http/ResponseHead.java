package io.lrok.internal.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The status line and header section of a response. Checked on construction, so a head built in code writes as a
 * well-formed, unsplittable head.
 *
 * @param version {@link RequestHead#HTTP_1_1} or {@link RequestHead#HTTP_1_0}
 * @param status  the status code, 100 to 599
 * @param reason  the reason phrase, possibly empty; no CR, LF or other control character but HTAB
 * @param headers the header fields, as received
 */
public record ResponseHead(String version, int status, String reason, HttpHeaders headers) {

    /** The lowest and highest status codes RFC 9110 §15 defines classes for. */
    static final int MIN_STATUS = 100;
    static final int MAX_STATUS = 599;
    private static final byte[] NO_BODY = new byte[0];

    /** Checks the parts. */
    public ResponseHead {
        RequestHead.checkVersion(version);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
        if (status < MIN_STATUS || status > MAX_STATUS) throw new IllegalArgumentException("bad status: " + status);
        for (int i = 0; i < reason.length(); i++) {
            if (!Syntax.isFieldValueChar(reason.charAt(i))) {
                throw new IllegalArgumentException("bad character in reason phrase: " + reason);
            }
        }
    }

    /**
     * An HTTP/1.1 head with the usual reason phrase.
     *
     * @param status  the status code
     * @param headers the header fields
     * @return the head
     */
    public static ResponseHead of(int status, HttpHeaders headers) {
        return new ResponseHead(RequestHead.HTTP_1_1, status, defaultReason(status), headers);
    }

    /**
     * Replaces the header fields.
     *
     * @param value the new header fields
     * @return a copy with them
     */
    public ResponseHead withHeaders(HttpHeaders value) {
        return new ResponseHead(version, status, reason, value);
    }

    /**
     * Encodes the head as ISO-8859-1 bytes.
     *
     * @return the head as sent: {@code version SP status SP reason CRLF}, then {@code Name: value CRLF}s, CRLF
     */
    public byte[] toBytes() {
        return toBytes(NO_BODY);
    }

    /**
     * Encodes the head followed by bytes of the body, in one array: a small message goes out in one write.
     *
     * @param body bytes to follow the head
     * @return the head as {@link #toBytes()} has it, then {@code body}
     */
    public byte[] toBytes(byte[] body) {
        // version SP status SP reason CRLF, fields, CRLF
        HeadWriter out = new HeadWriter(version.length() + 5 + reason.length() + 2 + headers.byteSize() + 2
                + body.length);
        out.append(version).append(' ').appendStatus(status).append(' ').append(reason).crlf();
        headers.writeTo(out);
        return out.crlf().append(body).toBytes();
    }

    /**
     * Writes {@link #toBytes()} in one call.
     *
     * @param out where to write; not flushed
     * @throws IOException if writing fails
     */
    public void writeTo(OutputStream out) throws IOException {
        out.write(toBytes());
    }

    /**
     * The usual reason phrase of a status code.
     *
     * @param status a status code
     * @return its reason phrase from RFC 9110, or "" for codes we do not name
     */
    public static String defaultReason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 421 -> "Misdirected Request";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }
}
