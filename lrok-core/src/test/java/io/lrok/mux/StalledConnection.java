package io.lrok.mux;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory connection to a peer that has stopped taking bytes: every write blocks until the connection is
 * closed, as a socket write does when the peer's window and our send buffer are full. The test can still feed
 * bytes to the session's input with {@link #feed}. For {@link MuxSession#client(InputStream, OutputStream,
 * Closeable, MuxConfig)}.
 */
final class StalledConnection implements Closeable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Byte> input = new ArrayDeque<>();
    private boolean closed;

    /** Bytes for the session to read. */
    void feed(byte[] bytes) {
        lock.lock();
        try {
            for (byte b : bytes) input.addLast(b);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    InputStream in() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            /** Waits for at least one byte, then returns what is there, as a socket does. */
            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                lock.lock();
                try {
                    while (input.isEmpty() && !closed) changed.awaitUninterruptibly();
                    if (input.isEmpty()) return -1;
                    int n = 0;
                    while (n < len && !input.isEmpty()) b[off + n++] = input.removeFirst();
                    return n;
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    OutputStream out() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                lock.lock();
                try {
                    while (!closed) changed.awaitUninterruptibly();
                } finally {
                    lock.unlock();
                }
                throw new IOException("connection closed");
            }
        };
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
