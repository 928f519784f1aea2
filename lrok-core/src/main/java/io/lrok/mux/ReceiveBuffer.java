package io.lrok.mux;

import java.util.ArrayDeque;

/**
 * Bytes that arrived on one stream and were not read yet. Holds at most one window of payload, and its memory
 * is released as it is read: no growth with the total bytes a stream carries (hashicorp/yamux#43). Frames of
 * {@link #COALESCE_BELOW} bytes or fewer are copied into shared chunks, so that a flood of 1-byte frames costs
 * about a byte a byte rather than an array each.
 *
 * <p>Not thread-safe: the owning stream's lock guards it.
 */
final class ReceiveBuffer {
    /** Frames at most this long are coalesced into shared chunks; longer ones are kept as they arrived. */
    static final int COALESCE_BELOW = 4096;
    private static final int MIN_CHUNK = 256;
    private static final int MAX_CHUNK = 16 * 1024;

    /** A run of bytes: readable from start to end, writable from end to data.length. */
    private static final class Chunk {
        final byte[] data;
        int start;
        int end;

        Chunk(byte[] data, int end) {
            this.data = data;
            this.end = end;
        }
    }

    private ArrayDeque<Chunk> chunks; // created on first use: idle streams hold none
    private int size;

    int size() {
        return size;
    }

    /** Appends a frame's payload that the caller hands over and will not touch again. */
    void appendOwned(byte[] payload, int len) {
        chunks().addLast(new Chunk(payload, len));
        size += len;
    }

    /** Appends a copy of a small payload, into the last chunk when it has room. */
    void appendCopy(byte[] src, int off, int len) {
        ArrayDeque<Chunk> q = chunks();
        Chunk tail = q.peekLast();
        if (tail == null || tail.data.length - tail.end < len) {
            int grown = tail == null ? MIN_CHUNK : Math.min(MAX_CHUNK, tail.data.length * 2);
            tail = new Chunk(new byte[Math.max(len, grown)], 0);
            q.addLast(tail);
        }
        System.arraycopy(src, off, tail.data, tail.end, len);
        tail.end += len;
        size += len;
    }

    /** Moves up to {@code len} bytes into {@code dst}; returns how many (0 when empty). */
    int read(byte[] dst, int off, int len) {
        int copied = 0;
        while (copied < len && size > 0) {
            Chunk head = chunks.peekFirst();
            int n = Math.min(len - copied, head.end - head.start);
            System.arraycopy(head.data, head.start, dst, off + copied, n);
            head.start += n;
            copied += n;
            size -= n;
            if (head.start == head.end) chunks.pollFirst();
        }
        if (size == 0) chunks = null;
        return copied;
    }

    /** Drops everything; returns how many bytes were dropped. */
    int clear() {
        int dropped = size;
        chunks = null;
        size = 0;
        return dropped;
    }

    private ArrayDeque<Chunk> chunks() {
        if (chunks == null) chunks = new ArrayDeque<>(4);
        return chunks;
    }
}
