package io.lrok.internal.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

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
        return copy(in, out, buffer, () -> false, () -> { });
    }

    /**
     * Like {@link #copy(InputStream, OutputStream, byte[])}, but runs {@code atEnd} once, as soon as the source is
     * known to be complete: after the read that {@code complete} says was the last, before those bytes are written,
     * or at the end of the source if {@code complete} never said so. Whoever receives the last bytes can rely on
     * what {@code atEnd} did.
     *
     * @param complete whether the source has handed out its last byte; asked after each read
     * @param atEnd    what to do once the source is complete; runs at most once, never after a failure
     * @return the number of bytes copied
     * @throws WriteFailed if writing failed
     * @throws IOException if reading failed
     */
    static long copy(InputStream in, OutputStream out, byte[] buffer, BooleanSupplier complete, Runnable atEnd)
            throws IOException {
        long total = 0;
        boolean ended = false;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (!ended && complete.getAsBoolean()) {
                ended = true;
                atEnd.run();
            }
            if (n == 0) continue;
            try {
                out.write(buffer, 0, n);
                out.flush();
            } catch (IOException e) {
                throw new WriteFailed(e);
            }
            total += n;
        }
        if (!ended) atEnd.run();
        return total;
    }
}
