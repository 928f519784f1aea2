package io.lrok.inspect;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A recorded message body: its first bytes, up to the tunnel's capture limit, and how long it really was.
 *
 * <p>The bytes are the body's <em>content</em>: a chunked body is recorded decoded (without chunk-size lines and
 * trailers), while the bytes that passed through the tunnel kept their chunked framing. A body with a
 * {@code Content-Encoding} such as gzip is recorded as it was sent, still encoded. Immutable.
 */
public final class RecordedBody {
    private static final RecordedBody EMPTY = new RecordedBody(new byte[0], 0, null, null);

    private final byte[] bytes;
    private final long size;
    private final String contentType;
    private final String contentEncoding;

    private RecordedBody(byte[] bytes, long size, String contentType, String contentEncoding) {
        this.bytes = bytes;
        this.size = size;
        this.contentType = contentType;
        this.contentEncoding = contentEncoding;
    }

    /**
     * A body from its captured bytes.
     *
     * @param captured        the bytes kept (copied)
     * @param size            how many bytes the body had in all, at least {@code captured.length}
     * @param contentType     the message's Content-Type, or null
     * @param contentEncoding the message's Content-Encoding, or null
     * @return the body
     * @throws IllegalArgumentException if {@code size} is less than the captured length
     */
    public static RecordedBody of(byte[] captured, long size, String contentType, String contentEncoding) {
        Objects.requireNonNull(captured, "captured");
        if (size < captured.length) throw new IllegalArgumentException("size " + size + " < " + captured.length);
        return new RecordedBody(captured.clone(), size, contentType, contentEncoding);
    }

    /** @return a body of no bytes, without type */
    public static RecordedBody empty() {
        return EMPTY;
    }

    /** @return a copy of the recorded bytes: all of the body, or its first bytes if {@link #truncated()} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return how many bytes the body had in all (its content length, after chunked decoding) */
    public long size() {
        return size;
    }

    /** @return how many bytes were recorded: {@link #size()}, or the capture limit if the body was longer */
    public int capturedSize() {
        return bytes.length;
    }

    /** @return whether the body was longer than the capture limit, so that {@link #bytes()} holds only its start */
    public boolean truncated() {
        return size > bytes.length;
    }

    /** @return whether the body had no bytes at all */
    public boolean isEmpty() {
        return size == 0;
    }

    /** @return the Content-Type of the message, such as {@code application/json; charset=utf-8} */
    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** @return the Content-Encoding of the message, such as {@code gzip}: then the bytes are still encoded */
    public Optional<String> contentEncoding() {
        return Optional.ofNullable(contentEncoding);
    }

    /**
     * The charset to read the body with: the Content-Type's {@code charset} parameter when the JDK knows it, else
     * UTF-8 (the only encoding of JSON, RFC 8259, and the de facto one of forms and text on the web).
     *
     * @return the charset
     */
    public Charset charset() {
        if (contentType != null) {
            for (String parameter : contentType.split(";")) {
                String p = parameter.strip();
                if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                    String name = p.substring(8).strip();
                    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                        name = name.substring(1, name.length() - 1);
                    }
                    try {
                        return Charset.forName(name);
                    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                        break;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    /**
     * @return the recorded bytes decoded with {@link #charset()}; malformed input becomes U+FFFD, and a truncated
     *         body gives the text of its recorded start
     */
    public String text() {
        return new String(bytes, charset());
    }

    /**
     * Whether the body looks like text: not content-encoded, and a textual Content-Type ({@code text/*}, JSON, XML,
     * JavaScript, form data), or no Content-Type and bytes that decode cleanly with {@link #charset()} and hold no
     * NUL. An empty body counts as text.
     *
     * @return whether {@link #text()} is meaningful
     */
    public boolean isText() {
        if (contentEncoding != null && !contentEncoding.equalsIgnoreCase("identity")) return false;
        if (contentType != null) {
            String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (type.startsWith("text/") || type.endsWith("/json") || type.endsWith("+json") || type.endsWith("/xml")
                    || type.endsWith("+xml") || type.equals("application/javascript")
                    || type.equals("application/x-www-form-urlencoded") || type.equals("application/x-ndjson")) {
                return true;
            }
            if (!type.isEmpty()) return false;
        }
        for (byte b : bytes) if (b == 0) return false;
        // A truncated body may end inside a multi-byte character: then its end is not taken as the input's end.
        CharsetDecoder decoder = charset().newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(bytes.length * (int) Math.ceil(decoder.maxCharsPerByte()) + 1);
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), out, !truncated());
        if (!result.isError() && !truncated()) result = decoder.flush(out);
        return !result.isError();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordedBody other && size == other.size && Arrays.equals(bytes, other.bytes)
                && Objects.equals(contentType, other.contentType)
                && Objects.equals(contentEncoding, other.contentEncoding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(bytes), size, contentType, contentEncoding);
    }

    /** @return the size, and the text if it is text (cut to 200 characters) */
    @Override
    public String toString() {
        if (isEmpty()) return "RecordedBody[empty]";
        String suffix = truncated() ? ", truncated at " + bytes.length : "";
        if (!isText()) return "RecordedBody[" + size + " bytes" + suffix + "]";
        String text = text();
        return "RecordedBody[" + size + " bytes" + suffix + ": " + (text.length() > 200 ? text.substring(0, 200) + "…"
                : text) + "]";
    }
}
