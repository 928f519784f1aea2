package io.lrok.internal.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Byte copying for the forwarder: every read is written and flushed at once, so nothing waits in a buffer. */
final class Pipe {

    /** A write to the destination failed; the source was fine. Lets a caller tell which end went away. */
    static final class WriteFailed extends IOException {
        WriteFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private Pipe() {
    }

    /**
     * Copies until {@code in} ends, writing and flushing each read as it comes (an event stream must not wait for
     * a buffer to fill).
     *
     * @return the number of bytes copied
     * @throws WriteFailed if writing failed
     * @throws IOException if reading failed
     */
    static long copy(InputStream in, OutputStream out, byte[] buffer) throws IOException {
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (n == 0) continue;
            try {
                out.write(buffer, 0, n);
                out.flush();
            } catch (IOException e) {
                throw new WriteFailed(e);
            }
            total += n;
        }
        return total;
    }
}
