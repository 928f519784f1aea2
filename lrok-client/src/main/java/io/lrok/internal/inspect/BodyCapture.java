package io.lrok.internal.inspect;

import io.lrok.inspect.RecordedBody;
import java.util.Arrays;

/**
 * The side buffer of one body: keeps its first {@code limit} bytes and counts the rest. A chunked body passes
 * through a {@link ChunkedDecoder} first, so the content is kept, not the framing. Not thread-safe: the
 * {@link ExchangeRecorder}'s lock guards it.
 */
final class BodyCapture {
    /** The first allocation; the buffer doubles up to the limit, so a small body costs little. */
    private static final int INITIAL_CAPACITY = 1024;

    private final int limit;
    private final ChunkedDecoder decoder;
    private byte[] buffer;
    private int length;
    private long size;

    /**
     * @param limit       the most bytes to keep
     * @param rawChunked  whether the bytes written will be a chunked body with its framing, to be decoded
     */
    BodyCapture(int limit, boolean rawChunked) {
        this.limit = limit;
        this.buffer = new byte[Math.min(limit, INITIAL_CAPACITY)];
        this.decoder = rawChunked ? new ChunkedDecoder(this::append) : null;
    }

    void write(byte[] b, int off, int len) {
        if (decoder != null) {
            decoder.feed(b, off, len);
        } else {
            append(b, off, len);
        }
    }

    private void append(byte[] b, int off, int len) {
        size += len;
        int keep = Math.min(len, limit - length);
        if (keep <= 0) return;
        if (length + keep > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(limit, Math.max(length + keep, buffer.length * 2)));
        }
        System.arraycopy(b, off, buffer, length, keep);
        length += keep;
    }

    /** @return the bytes kept and the full size, as an immutable body */
    RecordedBody snapshot(String contentType, String contentEncoding) {
        return RecordedBody.of(Arrays.copyOf(buffer, length), size, contentType, contentEncoding);
    }
}
