package io.lrok.internal.inspect;

/**
 * Decodes chunked transfer coding incrementally, for the capture only: the forwarder's reader has already checked
 * the framing strictly, so this one is lenient and never fails; it hands the chunks' data to a sink and drops
 * chunk-size lines, extensions, CRLFs and trailers. Not thread-safe: one body, one writer.
 */
final class ChunkedDecoder {
    /** Where decoded bytes go. */
    interface Sink {
        void accept(byte[] b, int off, int len);
    }

    private enum State { SIZE, EXTENSION, DATA, DATA_END, TRAILER, DONE }

    /** Chunk sizes past this are not real (the reader refuses them first); stop decoding rather than overflow. */
    private static final long MAX_CHUNK_SIZE = 1L << 56;

    private final Sink sink;
    private State state = State.SIZE;
    private long size;
    private long remaining;
    private int trailerLineLength;

    ChunkedDecoder(Sink sink) {
        this.sink = sink;
    }

    /** Feeds raw bytes of the body, as they passed. */
    void feed(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            switch (state) {
                case SIZE -> {
                    int c = b[i++];
                    int digit = Character.digit(c, 16);
                    if (digit >= 0) {
                        size = size * 16 + digit;
                        if (size > MAX_CHUNK_SIZE) state = State.DONE;
                    } else if (c == '\n') {
                        lineEnded();
                    } else if (c != '\r') {
                        state = State.EXTENSION; // ';' extensions, or whitespace before them
                    }
                }
                case EXTENSION -> {
                    if (b[i++] == '\n') lineEnded();
                }
                case DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    sink.accept(b, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) state = State.DATA_END;
                }
                case DATA_END -> {
                    if (b[i++] == '\n') state = State.SIZE;
                }
                case TRAILER -> {
                    int c = b[i++];
                    if (c == '\n') {
                        if (trailerLineLength == 0) state = State.DONE;
                        trailerLineLength = 0;
                    } else if (c != '\r') {
                        trailerLineLength++;
                    }
                }
                case DONE -> {
                    return;
                }
            }
        }
    }

    /** @return whether the last chunk and the trailer section have passed */
    boolean done() {
        return state == State.DONE;
    }

    private void lineEnded() {
        if (size == 0) {
            state = State.TRAILER;
            trailerLineLength = 0;
        } else {
            remaining = size;
            size = 0;
            state = State.DATA;
        }
    }
}
