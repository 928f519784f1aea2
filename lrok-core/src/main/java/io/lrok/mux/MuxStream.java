package io.lrok.mux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One full-duplex byte stream of a {@link MuxSession}; it behaves like a socket. Reading and writing may happen
 * on different threads at once; a blocked read or write on one stream never holds up another stream.
 *
 * <ul>
 *   <li>{@link #shutdownOutput()} sends FIN: the peer reads EOF once it has read everything before it, and we can
 *       still read. When the peer does the same, our reads drain the buffer, then return EOF, and we can still
 *       write.</li>
 *   <li>{@link #reset()} sends RST: reads and writes on both ends fail at once and buffered data is dropped.</li>
 *   <li>{@link #close()} half-closes our side and stops reading: data that still arrives is discarded (and the
 *       window given back so the peer can finish). If the peer does not finish within the configured
 *       {@link MuxConfig#streamCloseTimeout()}, the stream is reset. A half-close alone starts no such timer.</li>
 * </ul>
 * Writes block while the peer's receive window is full: a peer that stops reading stalls the writer, and nothing
 * is buffered without bound.
 *
 * <p>Locking: {@code lock} guards every mutable field below; the session's reader thread and the application's
 * threads meet here. No I/O is done while holding it; frames are handed to the session's writer after unlocking.
 */
public final class MuxStream implements AutoCloseable {
    private final MuxSession session;
    private final int id;
    private final int maxWindow;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();

    private final ReceiveBuffer buffer = new ReceiveBuffer();
    /**
     * Bytes the peer may still send before our next window update. Starts at the whole max window: the SYN or
     * ACK we send grants the peer what it has beyond the initial 256 KiB.
     */
    private long recvWindow;
    /** Bytes read (or discarded) by us and not yet given back to the peer in a window update. */
    private long pendingCredit;
    /** Bytes we may still send. */
    private long sendWindow = MuxConfig.INITIAL_STREAM_WINDOW;
    /** For outbound streams: the peer has not acknowledged our SYN yet, and we hold an open permit. */
    private boolean awaitingAck;
    private boolean localFin;
    private boolean remoteFin;
    private boolean inputClosed;
    private boolean removed;
    /** Non-null once reset (by either side) or failed with the session; reads and writes throw it. */
    private MuxException failure;
    /** System.nanoTime() of the SYN we sent (outbound), for the open timeout. */
    private final long openedAt = System.nanoTime();
    /**
     * System.nanoTime() of {@link #close()}, for the close timeout; 0 while open. A half-close alone starts no timer:
     * the application is still reading (a relay waits for a long response after sending its request).
     */
    private long closedAt;

    /** Run once when the stream fails; see {@link #onFailure}. Guarded by {@code lock}. */
    private Runnable failureListener;
    /** Run once when a read would not block; see {@link #onReadable}. Guarded by {@code lock}. */
    private Runnable readableListener;

    private volatile long readTimeoutNanos;
    private final InputStream input = new StreamInput();
    private final OutputStream output = new StreamOutput();

    MuxStream(MuxSession session, int id, int maxWindow, boolean outbound) {
        this.session = session;
        this.id = id;
        this.maxWindow = maxWindow;
        this.recvWindow = maxWindow;
        this.awaitingAck = outbound;
    }

    /** @return the yamux stream id: odd for streams the client opened, even for the server's */
    public int id() {
        return id;
    }

    /** @return the stream's input; closing it closes the stream, as with a socket */
    public InputStream getInputStream() {
        return input;
    }

    /** @return the stream's output; closing it closes the stream, as with a socket */
    public OutputStream getOutputStream() {
        return output;
    }

    /**
     * Sets how long a read may wait for data; zero (the default) waits forever.
     *
     * @param timeout the longest wait for one read
     */
    public void setReadTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout: " + timeout);
        this.readTimeoutNanos = timeout.toNanos();
    }

    /**
     * Registers what to do when the stream fails: when it is reset (by either side), times out, or its session ends.
     * A clean close (FIN both ways) is not a failure. The action runs once, on the thread that found the failure
     * (often the session's reader), so it must not block; it runs at once, on this thread, if the stream has
     * failed already. One action per stream: a later call replaces an earlier one that has not run.
     *
     * <p>It lets a user of the stream that is not reading it learn at once that the peer gave up, without a thread
     * parked in a read for that alone.
     *
     * @param action what to do, such as aborting the work the stream stood for; null removes the action
     */
    public void onFailure(Runnable action) {
        lock.lock();
        try {
            if (failure == null || action == null) {
                failureListener = action;
                return;
            }
        } finally {
            lock.unlock();
        }
        action.run();
    }

    /**
     * Registers what to do as soon as a read would not block: data has arrived, the peer half-closed (the read
     * returns -1), the input was closed, or the stream failed (the read throws). The action runs once, on the thread
     * that made the stream readable (often the session's reader), so it must not block: it typically starts a
     * thread to read. It runs at once, on this thread, if a read would not block already. One action per stream: a
     * later call replaces an earlier one that has not run.
     *
     * <p>It lets a copy loop wait for the next data without a thread parked in a read: an idle stream then costs no
     * thread (its stack) and no read buffer.
     *
     * @param action what to do, such as starting a thread that reads what is there
     */
    public void onReadable(Runnable action) {
        Objects.requireNonNull(action, "action");
        lock.lock();
        try {
            if (!readableLocked()) {
                readableListener = action;
                return;
            }
        } finally {
            lock.unlock();
        }
        action.run();
    }

    private boolean readableLocked() {
        return buffer.size() > 0 || remoteFin || inputClosed || failure != null;
    }

    private Runnable takeReadableListenerLocked() {
        Runnable listener = readableListener;
        readableListener = null;
        return listener;
    }

    /**
     * @return whether the stream is fully open: neither side has half-closed or closed it, and it has not failed.
     *         A stream that is not open will never carry a new exchange in both directions.
     */
    public boolean isOpen() {
        lock.lock();
        try {
            return failure == null && !localFin && !remoteFin && !inputClosed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Half-closes the stream: sends FIN after the data written so far. Further writes fail; reads go on.
     * Idempotent: FIN is sent once.
     *
     * @throws IOException if the session is closed
     */
    public void shutdownOutput() throws IOException {
        lock.lock();
        try {
            if (failure != null) throw failure;
            if (localFin) return;
            markLocalFinLocked();
        } finally {
            lock.unlock();
        }
        session.sendControl(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_FIN, id, 0));
        afterStateChange();
    }

    /**
     * Aborts the stream: sends RST, drops buffered data, and makes pending and future reads and writes on both
     * ends fail. Does nothing if the stream is already closed or reset.
     */
    public void reset() {
        if (failLocally(new StreamResetException("stream " + Integer.toUnsignedString(id) + " was reset locally"))) {
            session.sendControlQuietly(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_RST, id, 0));
        }
    }

    /**
     * Closes the stream: half-closes our side (FIN) if not done yet and stops reading. Idempotent.
     */
    @Override
    public void close() {
        boolean sendFin;
        long credit = 0;
        Runnable listener;
        lock.lock();
        try {
            if (inputClosed && (localFin || failure != null)) return;
            inputClosed = true;
            listener = takeReadableListenerLocked();
            closedAt = System.nanoTime() | 1; // never 0 once closed
            credit = creditLocked(buffer.clear(), true);
            sendFin = failure == null && !localFin;
            if (sendFin) markLocalFinLocked();
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        if (credit > 0) session.sendControlQuietly(new Frame(Frame.TYPE_WINDOW_UPDATE, 0, id, (int) credit));
        if (sendFin) session.sendControlQuietly(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_FIN, id, 0));
        afterStateChange();
        if (listener != null) listener.run();
    }

    @Override
    public String toString() {
        return "MuxStream[" + Integer.toUnsignedString(id) + "]";
    }

    // ---- application side ----------------------------------------------------------------------------------

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        int n;
        long credit;
        lock.lock();
        try {
            long timeout = readTimeoutNanos;
            long deadline = timeout == 0 ? 0 : System.nanoTime() + timeout;
            while (buffer.size() == 0 && !remoteFin && failure == null && !inputClosed) {
                if (deadline == 0) {
                    readable.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new MuxTimeoutException("read timed out after "
                                + Duration.ofNanos(timeout).toMillis() + " ms on " + this);
                    }
                    readable.awaitNanos(left);
                }
            }
            if (failure != null) throw failure;
            if (inputClosed) throw new MuxException(this + " is closed");
            if (buffer.size() == 0) return -1; // remote FIN and everything read
            n = buffer.read(b, off, len);
            credit = creditLocked(n, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading " + this);
        } finally {
            lock.unlock();
        }
        // The reading thread is the application's: it may write the update itself, saving a thread hand-off.
        if (credit > 0) session.sendControlFromApplication(new Frame(Frame.TYPE_WINDOW_UPDATE, 0, id, (int) credit));
        return n;
    }

    private int available() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int maxFrame = session.config().maxSendFrameSize();
        while (len > 0) {
            int n;
            lock.lock();
            try {
                while (sendWindow == 0 && failure == null && !localFin) writable.await();
                if (failure != null) throw failure;
                if (localFin) throw new MuxException("cannot write: output of " + this + " is shut down");
                n = (int) Math.min(Math.min(len, sendWindow), maxFrame);
                sendWindow -= n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing " + this);
            } finally {
                lock.unlock();
            }
            session.writeData(id, b, off, n);
            off += n;
            len -= n;
        }
    }

    // ---- session (reader thread) side ------------------------------------------------------------------------

    /** What the reader should do with a Data payload of a given length. */
    enum Admission { BUFFER, DISCARD, WINDOW_EXCEEDED }

    /** Reserves receive window for an arriving payload, before the reader reads it off the connection. */
    Admission admit(long len) {
        lock.lock();
        try {
            if (len > recvWindow) return Admission.WINDOW_EXCEEDED;
            recvWindow -= len;
            return (failure != null || inputClosed) ? Admission.DISCARD : Admission.BUFFER;
        } finally {
            lock.unlock();
        }
    }

    /** Delivers an admitted payload; {@code owned} arrays are kept, others copied. */
    void deliver(byte[] payload, int len, boolean owned) {
        long credit = 0;
        Runnable listener = null;
        lock.lock();
        try {
            if (failure != null || inputClosed) {
                credit = creditLocked(len, true);
            } else {
                if (owned) buffer.appendOwned(payload, len);
                else buffer.appendCopy(payload, 0, len);
                readable.signal();
                if (len > 0) listener = takeReadableListenerLocked();
            }
        } finally {
            lock.unlock();
        }
        if (credit > 0) session.sendControlQuietly(new Frame(Frame.TYPE_WINDOW_UPDATE, 0, id, (int) credit));
        if (listener != null) listener.run();
    }

    /** Gives back window for a payload that was admitted but discarded. */
    void discarded(long len) {
        long credit;
        lock.lock();
        try {
            credit = creditLocked(len, true);
        } finally {
            lock.unlock();
        }
        if (credit > 0) session.sendControlQuietly(new Frame(Frame.TYPE_WINDOW_UPDATE, 0, id, (int) credit));
    }

    /** The peer acknowledged our SYN. Returns true if this stream held an open permit to release. */
    boolean onAck() {
        lock.lock();
        try {
            boolean held = awaitingAck;
            awaitingAck = false;
            return held;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds the peer's window update.
     *
     * @throws MuxException when the window would exceed what 32 bits can count (a protocol violation)
     */
    void onWindowUpdate(long delta) throws MuxException {
        if (delta == 0) return;
        lock.lock();
        try {
            long updated = sendWindow + delta;
            if (updated > 0xFFFF_FFFFL) {
                throw new MuxException("window update of " + delta + " on " + this
                        + " overflows the 32-bit send window (" + sendWindow + ")");
            }
            sendWindow = updated;
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The peer half-closed.
     *
     * @throws MuxException on a second FIN (hashicorp/yamux treats it as a protocol error too)
     */
    void onRemoteFin() throws MuxException {
        Runnable listener;
        lock.lock();
        try {
            if (failure != null) return;
            if (remoteFin) throw new MuxException("duplicate FIN on " + this);
            remoteFin = true;
            readable.signalAll();
            listener = takeReadableListenerLocked();
        } finally {
            lock.unlock();
        }
        afterStateChange();
        if (listener != null) listener.run();
    }

    void onRemoteReset() {
        failLocally(new StreamResetException("stream " + Integer.toUnsignedString(id) + " was reset by the peer"));
    }

    /** The session ended: every blocked and future operation fails with {@code cause}. */
    void onSessionClosed(MuxException cause) {
        Runnable listener;
        Runnable readListener;
        lock.lock();
        try {
            if (failure == null) failure = cause;
            buffer.clear();
            readable.signalAll();
            writable.signalAll();
            listener = takeFailureListenerLocked();
            readListener = takeReadableListenerLocked();
        } finally {
            lock.unlock();
        }
        if (listener != null) listener.run();
        if (readListener != null) readListener.run();
    }

    /**
     * Checks the open and close timeouts; resets the stream and returns true when one has passed.
     */
    boolean checkTimeouts(long now, long openTimeoutNanos, long closeTimeoutNanos) {
        String why = null;
        lock.lock();
        try {
            if (failure != null) return false;
            if (awaitingAck && openTimeoutNanos > 0 && now - openedAt > openTimeoutNanos) {
                why = "the peer did not acknowledge " + this + " within "
                        + Duration.ofNanos(openTimeoutNanos).toMillis() + " ms";
            } else if (closedAt != 0 && !remoteFin && closeTimeoutNanos > 0 && now - closedAt > closeTimeoutNanos) {
                why = this + " was closed, and the peer did not finish it within "
                        + Duration.ofNanos(closeTimeoutNanos).toMillis() + " ms";
            }
        } finally {
            lock.unlock();
        }
        if (why == null) return false;
        if (failLocally(new MuxTimeoutException(why))) {
            session.sendControlQuietly(new Frame(Frame.TYPE_WINDOW_UPDATE, Frame.FLAG_RST, id, 0));
        }
        return true;
    }

    // ---- internals -------------------------------------------------------------------------------------------

    /** Marks the stream failed; returns true if it was not already failed (the caller then sends RST). */
    private boolean failLocally(MuxException cause) {
        Runnable listener;
        Runnable readListener;
        lock.lock();
        try {
            if (failure != null || (localFin && remoteFin)) return false;
            failure = cause;
            buffer.clear();
            readable.signalAll();
            writable.signalAll();
            listener = takeFailureListenerLocked();
            readListener = takeReadableListenerLocked();
        } finally {
            lock.unlock();
        }
        afterStateChange();
        if (listener != null) listener.run();
        if (readListener != null) readListener.run();
        return true;
    }

    private Runnable takeFailureListenerLocked() {
        Runnable listener = failureListener;
        failureListener = null;
        return listener;
    }

    private void markLocalFinLocked() {
        localFin = true;
        writable.signalAll();
    }

    /**
     * Records {@code n} bytes consumed; returns a window update to send (0 for none). Updates go out once half
     * the window is consumed, or at once for discarded data ({@code eager}) so a closing peer never stalls.
     */
    private long creditLocked(long n, boolean eager) {
        pendingCredit += n;
        if (remoteFin || failure != null) {
            pendingCredit = 0;
            return 0;
        }
        if (pendingCredit == 0 || (!eager && pendingCredit < maxWindow / 2)) return 0;
        long credit = pendingCredit;
        pendingCredit = 0;
        recvWindow += credit;
        return credit;
    }

    /** Removes the stream from its session once both sides are done with it, or it failed. */
    private void afterStateChange() {
        boolean remove;
        boolean releasePermit;
        lock.lock();
        try {
            remove = !removed && (failure != null || (localFin && remoteFin));
            if (remove) removed = true;
            releasePermit = remove && awaitingAck;
            if (releasePermit) awaitingAck = false;
        } finally {
            lock.unlock();
        }
        if (remove) session.streamEnded(this, releasePermit);
    }

    private final class StreamInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = MuxStream.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return MuxStream.this.read(b, off, len);
        }

        @Override
        public int available() {
            return MuxStream.this.available();
        }

        @Override
        public void close() {
            MuxStream.this.close();
        }
    }

    private final class StreamOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            MuxStream.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            MuxStream.this.write(b, off, len);
        }

        @Override
        public void close() {
            MuxStream.this.close();
        }
    }
}
