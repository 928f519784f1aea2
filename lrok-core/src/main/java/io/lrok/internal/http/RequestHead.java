package io.lrok.internal.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The request line and header section of a request. Checked on construction, so a head built in code writes as a
 * well-formed, unsplittable head; one read by {@link HttpReader} has passed the stricter checks of the parser too.
 *
 * @param method  the method, a token, case-sensitive ({@code GET}, {@code POST}...)
 * @param target  the request target exactly as received: origin-form ({@code /a?b}), absolute-form
 *                ({@code http://host/a}), authority-form ({@code host:443}, for CONNECT) or {@code *}
 * @param version {@link #HTTP_1_1} or {@link #HTTP_1_0}
 * @param headers the header fields, as received
 */
public record RequestHead(String method, String target, String version, HttpHeaders headers) {

    /** The protocol version of HTTP/1.1 messages; the parser also maps HTTP/1.2 to 1.9 onto it (RFC 9110 §2.5). */
    public static final String HTTP_1_1 = "HTTP/1.1";
    /** The protocol version of HTTP/1.0 messages. */
    public static final String HTTP_1_0 = "HTTP/1.0";
    /** Methods whose requests may be sent again, having the same effect once or twice (RFC 9110 §9.2.2). */
    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT",
            "DELETE");

    /** Checks the parts. */
    public RequestHead {
        Objects.requireNonNull(headers, "headers");
        if (method == null || !Syntax.isToken(method)) throw new IllegalArgumentException("bad method: " + method);
        if (target == null || target.isEmpty()) throw new IllegalArgumentException("empty request target");
        for (int i = 0; i < target.length(); i++) {
            if (!Syntax.isTargetChar(target.charAt(i))) {
                throw new IllegalArgumentException("bad character in request target: " + target);
            }
        }
        checkVersion(version);
    }

    /** @return whether the method is idempotent (RFC 9110 §9.2.2): a request that failed may be sent again */
    public boolean isIdempotent() {
        return IDEMPOTENT.contains(method);
    }

    /**
     * Replaces the header fields.
     *
     * @param value the new header fields
     * @return a copy with them
     */
    public RequestHead withHeaders(HttpHeaders value) {
        return new RequestHead(method, target, version, value);
    }

    /**
     * Encodes the head as ISO-8859-1 bytes.
     *
     * @return the head as sent: {@code method SP target SP version CRLF}, then {@code Name: value CRLF}s, CRLF
     */
    public byte[] toBytes() {
        HeadWriter out = new HeadWriter(method.length() + target.length() + version.length() + 4 + headers.byteSize()
                + 2);
        out.append(method).append(' ').append(target).append(' ').append(version).crlf();
        headers.writeTo(out);
        return out.crlf().toBytes();
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

    static void checkVersion(String version) {
        if (!HTTP_1_1.equals(version) && !HTTP_1_0.equals(version)) {
            throw new IllegalArgumentException("version must be HTTP/1.1 or HTTP/1.0: " + version);
        }
    }
}
