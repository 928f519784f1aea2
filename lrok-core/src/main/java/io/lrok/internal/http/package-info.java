/**
 * A strict, streaming HTTP/1.1 codec (RFC 9110, RFC 9112) for the relay and the agent: heads as records, bodies as
 * streams that end exactly where the body does. JDK only, no sockets: it reads an {@code InputStream} and writes an
 * {@code OutputStream}.
 *
 * <p>Read a connection with one {@link io.lrok.internal.http.HttpReader}:
 * {@code readRequestHead} → {@link io.lrok.internal.http.BodyFraming#forRequest} → {@code body} (decoded) or
 * {@code rawBody} (exact bytes, to forward) → read to -1 → next request. Write a head with
 * {@code RequestHead.writeTo}/{@code ResponseHead.writeTo} and a chunked body with
 * {@link io.lrok.internal.http.ChunkedOutputStream}.
 *
 * <p>What is refused, and with which status ({@link io.lrok.internal.http.HttpException#status()}):
 * <ul>
 *   <li>400: a line ending in bare LF, or holding a bare CR; a request line that is not exactly
 *       {@code method SP target SP HTTP/x.y}; a lowercase or malformed version; a method or field name with a
 *       non-token character; whitespace between a field name and its colon; a field line starting with whitespace
 *       (obs-fold); a control character other than HTAB in a value; in HTTP/1.1 no Host or, in any version, two, or one that is not {@code uri-host [":" port]} (a list, a space,
 *       userinfo, a path);
 *       Transfer-Encoding with Content-Length, or in HTTP/1.0; Content-Length values that differ or are not
 *       decimal numbers below 2^63 (a repeated identical value is accepted); a request's Transfer-Encoding not
 *       ending in chunked; chunked twice; a chunk size that is not 1 to 16 hex digits below 2^63 (no sign, no
 *       {@code 0x}, no whitespace before it); a malformed chunk extension; chunk data not followed by CRLF; a
 *       chunk-size line over its limit; a message cut short by the end of the input.</li>
 *   <li>414: a request line over {@link io.lrok.http.HttpLimits#maxRequestLineLength()}.</li>
 *   <li>431: a header section over its size or field-count limit; the same for a trailer section.</li>
 *   <li>501: a transfer coding before chunked that is not gzip, deflate or compress.</li>
 *   <li>505: an HTTP version other than 1.x (1.2 to 1.9 are read as 1.1).</li>
 *   <li>502: anything wrong in a response head read with {@code readResponseHead}, or its framing.</li>
 * </ul>
 * Empty lines before a request line are skipped (RFC 9112 §2.2).
 */
package io.lrok.internal.http;

import io.lrok.http.HttpLimits;
