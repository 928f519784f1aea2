package io.lrok.mux;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one path to a session's output. Two kinds of callers:
 * <ul>
 *   <li>Application threads writing stream data call {@link #writeData} and block for as long as the socket
 *       does; that is their back-pressure.</li>
 *   <li>Everyone else (above all the session's reader thread, which must never block on the socket, or two
 *       peers that both stop reading would deadlock) hands small frames to {@link #enqueueControl}, which
 *       never blocks. A control writer thread sends them; a data writer sends all queued control frames before
 *       its own frame, so acks, window updates and ping replies never wait behind more than one data frame.</li>
 * </ul>
 * An application thread that reads a stream gives its window back through {@link #sendControlFromApplication}:
 * written by that thread when the connection is free, queued otherwise.
 *
 * <p><b>Group commit.</b> A thread that has put its frame in the buffer and sees another writer waiting for the lock
 * leaves the buffer to it rather than writing: the next holder adds its own frame and writes both, up to {@link
 * #GROUP_COMMIT_BYTES}. Under load, many streams' small frames (HTTP heads, short responses) then leave in one TLS
 * record and one write call instead of one each. A frame is never left behind with no one to write it: the waiter
 * was counted before it asked for the lock, and takes it whatever happens. With no one waiting, every write goes out
 * at once, as before.
 *
 * <p>Locking: {@code writeLock} guards {@code out}, {@code scratch} and {@code pending}; the control queue is drained
 * only while holding it, which keeps control frames in the order they were queued relative to data (a SYN queued
 * before a stream's first Data frame goes out before it). Nothing else is ever acquired while holding {@code
 * writeLock}.
 */
final class FrameWriter {
    private static final System.Logger LOG = System.getLogger(FrameWriter.class.getName());

    /** Receives a failure to write: the session closes itself. */
    interface FailureListener {
        void onWriteFailure(IOException e);
    }

    private final OutputStream out;
    private final int maxPendingControl;
    private final FailureListener failureListener;
    private final boolean trace = LOG.isLoggable(Level.TRACE);

    /**
     * Bytes a writer leaves in the buffer for a waiting writer to send with its own frame; beyond it, it writes. One
     * TLS record's payload: more would only make the frames at the front wait longer.
     */
    static final int GROUP_COMMIT_BYTES = 16 * 1024;

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock: a frame header plus the largest payload we send, assembled for one write call. */
    private final byte[] scratch;
    /** Guarded by writeLock: bytes at the start of scratch that are not written yet (left for a waiting writer). */
    private int pending;
    /** Threads that will take writeLock with lock() (counted before they call it): whoever holds it may leave its
     *  frame to them. tryLock callers are never counted: they may give up. */
    private final AtomicInteger waitingWriters = new AtomicInteger();

    private final ConcurrentLinkedQueue<Frame> controlQueue = new ConcurrentLinkedQueue<>();
    /** Frames in controlQueue; checked against maxPendingControl before each enqueue. */
    private final AtomicInteger pendingControl = new AtomicInteger();
    /** Released once per enqueue (and on close) to wake the control writer thread. */
    private final Semaphore controlSignal = new Semaphore(0);

    /** System.nanoTime() when the current socket write began, or 0 when none is in progress. */
    private volatile long writeStartedAt;
    private volatile boolean closed;
    private volatile IOException failure;

    FrameWriter(OutputStream out, int maxSendFrameSize, int maxPendingControl, FailureListener failureListener) {
        this.out = out;
        this.maxPendingControl = maxPendingControl;
        this.failureListener = failureListener;
        this.scratch = new byte[Frame.HEADER_SIZE + Math.max(maxSendFrameSize, 64 * Frame.HEADER_SIZE)];
    }

    /**
     * Queues a small frame (no payload) for sending, without blocking.
     *
     * @throws MuxException when the peer lets control frames pile up past the bound (it is not reading)
     */
    void enqueueControl(Frame frame) throws MuxException {
        if (pendingControl.incrementAndGet() > maxPendingControl) {
            pendingControl.decrementAndGet();
            throw new MuxException("peer is not reading: " + maxPendingControl
                    + " control frames (acks, window updates, pings, resets) are waiting to be sent");
        }
        controlQueue.add(frame);
        controlSignal.release();
    }

    /**
     * Sends a control frame for an application thread, which may block on the connection as its data writes do:
     * written at once (after what is queued) when no other thread is writing, otherwise queued for the control
     * writer, so that the caller never waits behind another thread's Data frame. A window update given back by a
     * reading thread then costs no hand-off to the control writer.
     *
     * @throws MuxException when the frame cannot be queued (see {@link #enqueueControl}) or the write failed
     */
    void sendControlFromApplication(Frame frame) throws MuxException {
        if (!writeLock.tryLock()) {
            enqueueControl(frame);
            return;
        }
        try {
            checkOpen();
            drainControlLocked();
            if (pending + Frame.HEADER_SIZE > scratch.length) writePendingLocked();
            frame.encode(scratch, pending);
            if (trace) LOG.log(Level.TRACE, frame.trace(true));
            pending += Frame.HEADER_SIZE;
            commitLocked();
        } catch (MuxException e) {
            throw e;
        } catch (IOException e) {
            throw new MuxException("connection write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes one Data frame; blocks while the connection does. */
    void writeData(int streamId, int flags, byte[] payload, int off, int len) throws IOException {
        lockCounted();
        try {
            checkOpen();
            drainControlLocked();
            if (pending + Frame.HEADER_SIZE + len > scratch.length) writePendingLocked();
            Frame.encode(scratch, pending, Frame.TYPE_DATA, flags, streamId, len);
            if (trace) LOG.log(Level.TRACE, new Frame(Frame.TYPE_DATA, flags, streamId, len).trace(true));
            System.arraycopy(payload, off, scratch, pending + Frame.HEADER_SIZE, len);
            pending += Frame.HEADER_SIZE + len;
            commitLocked();
        } finally {
            writeLock.unlock();
        }
    }

    /** Takes writeLock, counted as a waiting writer until it has it, so that the holder may leave its frame to us. */
    private void lockCounted() {
        waitingWriters.incrementAndGet();
        try {
            writeLock.lock();
        } finally {
            waitingWriters.decrementAndGet();
        }
    }

    /**
     * Writes what is pending, unless another writer waits for the lock and the pending bytes are fewer than {@link
     * #GROUP_COMMIT_BYTES}: then that writer sends them with its own. Caller holds writeLock.
     */
    private void commitLocked() throws IOException {
        if (pending < GROUP_COMMIT_BYTES && waitingWriters.get() > 0) return;
        writePendingLocked();
    }

    /** Body of the control writer thread: sends queued control frames until the writer closes. */
    void runControlWriter() {
        try {
            while (!closed) {
                controlSignal.acquire();
                controlSignal.drainPermits();
                if (controlQueue.isEmpty()) continue;
                lockCounted();
                try {
                    if (closed) return;
                    drainAndCommitLocked();
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // Already reported to the failure listener by writePendingLocked.
        }
    }

    /**
     * Sends what is queued, waiting for the lock no longer than it takes a healthy connection; used to get a
     * final GoAway out before closing.
     */
    void flushControl(long timeoutNanos) {
        try {
            if (!writeLock.tryLock(timeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (closed) return;
            // not a counted writer (it may give up waiting), so it must not leave anything behind
            while (drainControlLocked() > 0 || pending > 0) writePendingLocked();
        } catch (IOException ignored) {
            // The session is closing anyway.
        } finally {
            writeLock.unlock();
        }
    }

    /** Stops the control writer; further writes fail. Does not close the stream (the session owns it). */
    void close() {
        closed = true;
        controlSignal.release();
    }

    /** Nanos since the socket write in progress began, or 0 when no write is in progress. */
    long currentWriteNanos(long now) {
        long started = writeStartedAt;
        return started == 0 ? 0 : now - started;
    }

    /** @return threads counted as waiting for the write lock; for tests */
    int waitingWriters() {
        return waitingWriters.get();
    }

    int pendingControlFrames() {
        return pendingControl.get();
    }

    /** Sends every queued control frame, committing as a data writer does. Caller holds writeLock. */
    private void drainAndCommitLocked() throws IOException {
        // scratch full of control frames with more queued: write it and go on
        while (drainControlLocked() > 0 && !controlQueue.isEmpty()) writePendingLocked();
        commitLocked();
    }

    /**
     * Moves queued control frames into scratch after what is pending, while they fit with room left for one more
     * header; returns the bytes added. Caller holds writeLock.
     */
    private int drainControlLocked() {
        int start = pending;
        Frame frame;
        while (pending + Frame.HEADER_SIZE <= scratch.length - Frame.HEADER_SIZE
                && (frame = controlQueue.poll()) != null) {
            pendingControl.decrementAndGet();
            frame.encode(scratch, pending);
            if (trace) LOG.log(Level.TRACE, frame.trace(true));
            pending += Frame.HEADER_SIZE;
        }
        return pending - start;
    }

    /** Writes the pending bytes. Caller holds writeLock. */
    private void writePendingLocked() throws IOException {
        int len = pending;
        if (len == 0) return;
        pending = 0; // sent or, if the write fails, lost with the connection
        checkOpen();
        writeStartedAt = System.nanoTime() | 1; // never 0 while writing
        try {
            out.write(scratch, 0, len);
            out.flush();
        } catch (IOException e) {
            failure = e;
            failureListener.onWriteFailure(e);
            throw e;
        } finally {
            writeStartedAt = 0;
        }
    }

    private void checkOpen() throws IOException {
        IOException f = failure;
        if (f != null) throw new MuxException("connection write failed earlier: " + f.getMessage(), f);
        if (closed) throw new MuxException("session closed");
    }
}
