package io.lrok.http;

/**
 * The size limits of the HTTP/1.1 codec: how much a peer may make lrok's HTTP reader buffer before it gives up.
 * Every allocation the reader makes for a head, a chunk-size line or a trailer section is bounded by one of these.
 * Immutable; start from {@link #defaults()} and change what you need with the {@code withX} methods.
 *
 * @param maxRequestLineLength   the longest request line (or status line), CRLF and any empty lines before it
 *                               included; a longer request line is refused with 414 URI Too Long
 * @param maxHeaderSectionSize   the most bytes of field lines after the start line, each CRLF and the final empty
 *                               line included; beyond it: 431 Request Header Fields Too Large
 * @param maxHeaderFields        the most field lines in a header (or trailer) section; beyond it: 431
 * @param maxChunkSizeLineLength the longest chunk-size line, extensions and CRLF included; beyond it: 400
 * @param maxTrailerSectionSize  the most bytes of trailer field lines after the last chunk, final empty line
 *                               included; beyond it: 431
 */
public record HttpLimits(
        int maxRequestLineLength,
        int maxHeaderSectionSize,
        int maxHeaderFields,
        int maxChunkSizeLineLength,
        int maxTrailerSectionSize) {

    /** The default longest request line: 8 KiB, as nginx's {@code large_client_header_buffers} and Tomcat. */
    public static final int DEFAULT_MAX_REQUEST_LINE_LENGTH = 8 * 1024;
    /** The default largest header section: 64 KiB. */
    public static final int DEFAULT_MAX_HEADER_SECTION_SIZE = 64 * 1024;
    /** The default largest number of header fields: 100, as Apache httpd's {@code LimitRequestFields}. */
    public static final int DEFAULT_MAX_HEADER_FIELDS = 100;
    /** The default longest chunk-size line: 1 KiB; 16 hex digits and CRLF need 18, the rest is for extensions. */
    public static final int DEFAULT_MAX_CHUNK_SIZE_LINE_LENGTH = 1024;
    /** The default largest trailer section: 16 KiB. */
    public static final int DEFAULT_MAX_TRAILER_SECTION_SIZE = 16 * 1024;

    /** The shortest line limit we accept: a limit below it could not hold the shortest valid line. */
    static final int MIN_LINE_LIMIT = 32;

    /** Validates the values. */
    public HttpLimits {
        requireAtLeast("maxRequestLineLength", maxRequestLineLength, MIN_LINE_LIMIT);
        requireAtLeast("maxHeaderSectionSize", maxHeaderSectionSize, MIN_LINE_LIMIT);
        requireAtLeast("maxHeaderFields", maxHeaderFields, 1);
        requireAtLeast("maxChunkSizeLineLength", maxChunkSizeLineLength, MIN_LINE_LIMIT);
        requireAtLeast("maxTrailerSectionSize", maxTrailerSectionSize, 2);
    }

    /**
     * The defaults: request line 8 KiB, header section 64 KiB, 100 header fields, chunk-size line 1 KiB, trailer
     * section 16 KiB.
     *
     * @return the default limits
     */
    public static HttpLimits defaults() {
        return new HttpLimits(DEFAULT_MAX_REQUEST_LINE_LENGTH, DEFAULT_MAX_HEADER_SECTION_SIZE,
                DEFAULT_MAX_HEADER_FIELDS, DEFAULT_MAX_CHUNK_SIZE_LINE_LENGTH, DEFAULT_MAX_TRAILER_SECTION_SIZE);
    }

    /**
     * Changes the longest request line.
     *
     * @param value the new longest request line in bytes
     * @return a copy with it
     */
    public HttpLimits withMaxRequestLineLength(int value) {
        return new HttpLimits(value, maxHeaderSectionSize, maxHeaderFields, maxChunkSizeLineLength,
                maxTrailerSectionSize);
    }

    /**
     * Changes the largest header section.
     *
     * @param value the new largest header section in bytes
     * @return a copy with it
     */
    public HttpLimits withMaxHeaderSectionSize(int value) {
        return new HttpLimits(maxRequestLineLength, value, maxHeaderFields, maxChunkSizeLineLength,
                maxTrailerSectionSize);
    }

    /**
     * Changes the largest number of header fields.
     *
     * @param value the new largest number of header fields
     * @return a copy with it
     */
    public HttpLimits withMaxHeaderFields(int value) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSectionSize, value, maxChunkSizeLineLength,
                maxTrailerSectionSize);
    }

    /**
     * Changes the longest chunk-size line.
     *
     * @param value the new longest chunk-size line in bytes
     * @return a copy with it
     */
    public HttpLimits withMaxChunkSizeLineLength(int value) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSectionSize, maxHeaderFields, value,
                maxTrailerSectionSize);
    }

    /**
     * Changes the largest trailer section.
     *
     * @param value the new largest trailer section in bytes
     * @return a copy with it
     */
    public HttpLimits withMaxTrailerSectionSize(int value) {
        return new HttpLimits(maxRequestLineLength, maxHeaderSectionSize, maxHeaderFields, maxChunkSizeLineLength,
                value);
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
    }
}
