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
 * <p>Locking: {@code writeLock} guards {@code out} and {@code scratch}; the control queue is drained only while
 * holding it, which keeps control frames in the order they were queued relative to data (a SYN queued before a
 * stream's first Data frame goes out before it). Nothing else is ever acquired while holding {@code writeLock}.
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

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock: a frame header plus the largest payload we send, assembled for one write call. */
    private final byte[] scratch;

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
            int pos = drainControlLocked();
            if (pos + Frame.HEADER_SIZE > scratch.length) {
                writeLocked(pos);
                pos = 0;
            }
            frame.encode(scratch, pos);
            if (trace) LOG.log(Level.TRACE, frame.trace(true));
            writeLocked(pos + Frame.HEADER_SIZE);
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
        writeLock.lock();
        try {
            checkOpen();
            int pos = drainControlLocked();
            if (pos + Frame.HEADER_SIZE + len > scratch.length) {
                writeLocked(pos);
                pos = 0;
            }
            Frame.encode(scratch, pos, Frame.TYPE_DATA, flags, streamId, len);
            if (trace) LOG.log(Level.TRACE, new Frame(Frame.TYPE_DATA, flags, streamId, len).trace(true));
            System.arraycopy(payload, off, scratch, pos + Frame.HEADER_SIZE, len);
            writeLocked(pos + Frame.HEADER_SIZE + len);
        } finally {
            writeLock.unlock();
        }
    }

    /** Body of the control writer thread: sends queued control frames until the writer closes. */
    void runControlWriter() {
        try {
            while (!closed) {
                controlSignal.acquire();
                controlSignal.drainPermits();
                if (controlQueue.isEmpty()) continue;
                writeLock.lock();
                try {
                    if (closed) return;
                    int pos;
                    while ((pos = drainControlLocked()) > 0) writeLocked(pos);
                } finally {
                    writeLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // Already reported to the failure listener by writeLocked.
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
            int pos;
            while ((pos = drainControlLocked()) > 0) writeLocked(pos);
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

    int pendingControlFrames() {
        return pendingControl.get();
    }

    /** Moves queued control frames into scratch from offset 0; returns the bytes used. Caller holds writeLock. */
    private int drainControlLocked() {
        int pos = 0;
        Frame frame;
        while (pos + Frame.HEADER_SIZE <= scratch.length - Frame.HEADER_SIZE && (frame = controlQueue.poll()) != null) {
            pendingControl.decrementAndGet();
            frame.encode(scratch, pos);
            if (trace) LOG.log(Level.TRACE, frame.trace(true));
            pos += Frame.HEADER_SIZE;
        }
        return pos;
    }

    private void writeLocked(int len) throws IOException {
        if (len == 0) return;
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
