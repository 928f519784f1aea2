package io.lrok.internal.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies bytes from one end to the other as they come: every read is written and flushed at once (what is already
 * buffered is gathered into the same write), so a server-sent event or a long-poll answer is never held back.
 * A failure is reported with the side that failed, as the caller answers the two differently.
 */
final class Pipe {
    /** The copy buffer: one yamux frame's worth. */
    static final int BUFFER_SIZE = 16 * 1024;

    /** A copy that failed while writing; {@link #getCause()} is the write's exception. */
    static final class WriteFailedException extends IOException {
        WriteFailedException(IOException cause) {
            super("write failed: " + cause.getMessage(), cause);
        }
    }

    private Pipe() {
    }

    /**
     * Copies until {@code in} ends.
     *
     * @param in  the source, read to -1
     * @param out the destination; flushed after every write, never closed
     * @return the number of bytes copied
     * @throws WriteFailedException if writing to {@code out} failed
     * @throws IOException          if reading {@code in} failed
     */
    static long copy(InputStream in, OutputStream out) throws IOException {
        return copy(in, out, new byte[BUFFER_SIZE]);
    }

    /**
     * Copies until {@code in} ends, through the given buffer.
     *
     * @param in  the source, read to -1
     * @param out the destination; flushed after every write, never closed
     * @param buf the copy buffer
     * @return the number of bytes copied
     * @throws WriteFailedException if writing to {@code out} failed
     * @throws IOException          if reading {@code in} failed
     */
    static long copy(InputStream in, OutputStream out, byte[] buf) throws IOException {
        long total = 0;
        while (true) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) return total;
            int available;
            while (n < buf.length && (available = in.available()) > 0) {
                int more = in.read(buf, n, Math.min(available, buf.length - n));
                if (more <= 0) break;
                n += more;
            }
            try {
                out.write(buf, 0, n);
                out.flush();
            } catch (IOException e) {
                throw new WriteFailedException(e);
            }
            total += n;
        }
    }
}
