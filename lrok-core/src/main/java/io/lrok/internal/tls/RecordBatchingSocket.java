package io.lrok.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;

/**
 * The TCP socket under a long-lived TLS connection (an agent's session with the relay), shaped for the JDK's
 * {@link SSLSocket} layered over it ({@code SSLSocketFactory.createSocket(socket, ...)}), which reads and writes
 * through this socket's streams:
 * <ul>
 *   <li><b>Reads go through a buffer.</b> The JDK reads every TLS record with two read calls (its 5-byte header, then
 *       its body); through a buffer, one call takes in every record that has arrived. The buffer is small
 *       ({@value #SMALL_READ_BUFFER_SIZE} bytes) while little arrives at a time, so that an idle connection holds
 *       little; a read that fills it makes the next ones use {@value #READ_BUFFER_SIZE} bytes, until
 *       {@value #SHORT_READS_TO_SHRINK} reads in a row would have fit in the small one.</li>
 *   <li><b>Large writes leave in one write call.</b> The JDK cuts an application write into records of at most 16 KiB
 *       and writes and flushes each on its own: a 64 KiB Data frame was four write calls, four TCP segments and four
 *       wake-ups of the peer's reader. {@link #batchingOutput} wraps the TLS socket's output so that a write larger
 *       than one record is corked: its records collect in a buffer and go in one write call when the write
 *       returns.</li>
 * </ul>
 * Writes of one record or less, and everything during the handshake, go straight to the socket as before.
 *
 * <p>Memory: {@value #SMALL_READ_BUFFER_SIZE} bytes while quiet, {@value #READ_BUFFER_SIZE} more while data streams
 * in; the write buffer ({@value #WRITE_BUFFER_SIZE} bytes) once a write larger than a record has been made, kept
 * from then on (only sessions that move bulk data make such writes).
 */
public final class RecordBatchingSocket extends Socket {

    /** The largest TLS record payload; a write no larger than this is one record and needs no corking. */
    static final int MAX_RECORD_PAYLOAD = 16 * 1024;
    /** A TLS 1.3 record of a full payload with its header, content type and AES-GCM tag, with room to spare. */
    private static final int MAX_RECORD_SIZE = MAX_RECORD_PAYLOAD + 256;
    /** Bytes read from the socket per read call at most, while data streams in: four full records. */
    public static final int READ_BUFFER_SIZE = 4 * MAX_RECORD_SIZE;
    /** The read buffer while little arrives at a time: several small records (HTTP heads, window updates). */
    public static final int SMALL_READ_BUFFER_SIZE = 2 * 1024;
    /** Reads in a row that would have fit in the small buffer before the large one is let go. */
    public static final int SHORT_READS_TO_SHRINK = 16;
    /** Bytes of records collected from one corked write before they are written: four full records. */
    public static final int WRITE_BUFFER_SIZE = 4 * MAX_RECORD_SIZE;

    /** Guards the creation of {@code input} and {@code output}: each is made once, on first use. */
    private final ReentrantLock streamsLock = new ReentrantLock();
    private InputStream input;
    private CorkableOutput output;

    /** An unconnected socket, to connect. */
    public RecordBatchingSocket() {
    }

    /**
     * A listening socket whose accepted connections are record-batching sockets.
     *
     * @return an unbound server socket
     * @throws IOException if the socket cannot be created
     */
    public static ServerSocket serverSocket() throws IOException {
        return new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                if (isClosed()) throw new SocketException("Socket is closed");
                if (!isBound()) throw new SocketException("Socket is not bound yet");
                Socket accepted = new RecordBatchingSocket();
                implAccept(accepted);
                return accepted;
            }
        };
    }

    @Override
    public InputStream getInputStream() throws IOException {
        streamsLock.lock();
        try {
            if (input == null) input = new RecordInput(super.getInputStream());
            return input;
        } finally {
            streamsLock.unlock();
        }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return corkable();
    }

    /**
     * Wraps the output of a TLS socket layered over this socket so that each write larger than one record leaves in
     * one write call.
     *
     * @param tls the TLS socket layered over this socket, handshake done
     * @return its output, corking this socket around every write of more than one record
     * @throws IOException if the TLS socket's output cannot be obtained
     */
    public OutputStream batchingOutput(SSLSocket tls) throws IOException {
        OutputStream tlsOutput = tls.getOutputStream();
        CorkableOutput below = corkable();
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                tlsOutput.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len <= MAX_RECORD_PAYLOAD) {
                    tlsOutput.write(b, off, len);
                    return;
                }
                below.cork();
                try {
                    tlsOutput.write(b, off, len);
                } finally {
                    below.uncork();
                }
            }

            @Override
            public void flush() throws IOException {
                tlsOutput.flush();
            }

            @Override
            public void close() throws IOException {
                tlsOutput.close();
            }
        };
    }

    @Override
    public void shutdownOutput() throws IOException {
        corkable().flushCollected();
        super.shutdownOutput();
    }

    private CorkableOutput corkable() throws IOException {
        streamsLock.lock();
        try {
            if (output == null) output = new CorkableOutput(super.getOutputStream());
            return output;
        } finally {
            streamsLock.unlock();
        }
    }

    /**
     * The socket's input as the TLS layer sees it: each read call on the socket takes what has arrived, up to the
     * buffer's size, which adapts as the class comment says.
     *
     * <p>Locking: {@code lock} guards the buffers and positions; it is held across the socket read, as in {@code
     * BufferedInputStream}. Only the TLS layer's reader reads.
     */
    static final class RecordInput extends InputStream {
        private final InputStream socketInput;
        private final ReentrantLock lock = new ReentrantLock();
        private final byte[] small = new byte[SMALL_READ_BUFFER_SIZE];
        /** The large buffer while in use, else null (let go, so that a quiet connection holds only the small one). */
        private byte[] large;
        private byte[] buf = small;
        private int pos;
        private int limit;
        /** Reads in a row, on the large buffer, that would have fit in the small one. */
        private int shortReads;

        RecordInput(InputStream socketInput) {
            this.socketInput = socketInput;
        }

        @Override
        public int read() throws IOException {
            lock.lock();
            try {
                if (pos == limit && fill() < 0) return -1;
                return buf[pos++] & 0xff;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            lock.lock();
            try {
                if (pos == limit && fill() < 0) return -1;
                int n = Math.min(len, limit - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int available() throws IOException {
            lock.lock();
            try {
                return limit - pos + socketInput.available();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() throws IOException {
            socketInput.close();
        }

        /** @return whether reads use the large buffer now; for tests */
        boolean large() {
            lock.lock();
            try {
                return buf != small;
            } finally {
                lock.unlock();
            }
        }

        /** Reads once from the socket into an empty buffer; picks the buffer for the next read. Caller holds lock. */
        private int fill() throws IOException {
            pos = 0;
            limit = 0;
            int n = socketInput.read(buf, 0, buf.length);
            if (n <= 0) return -1; // a blocking socket read returns at least one byte, or the end
            limit = n;
            if (buf == small) {
                if (n == small.length) { // more was probably waiting: take it in large reads from now on
                    if (large == null) large = new byte[READ_BUFFER_SIZE];
                    switchTo(large);
                    shortReads = 0;
                }
            } else if (n >= small.length) {
                shortReads = 0;
            } else if (++shortReads >= SHORT_READS_TO_SHRINK) {
                switchTo(small);
                large = null;
            }
            return n;
        }

        /** Moves the unread bytes into {@code next} and reads into it from now on. Caller holds lock. */
        private void switchTo(byte[] next) {
            int unread = limit - pos;
            System.arraycopy(buf, pos, next, 0, unread);
            buf = next;
            pos = 0;
            limit = unread;
        }
    }

    /**
     * The socket's output as the TLS layer sees it: straight through, except while corked, when the records it
     * writes (and flushes) collect in a buffer until {@link #uncork()}.
     *
     * <p>Locking: {@code lock} guards {@code buffer}, {@code count} and {@code corked}, and is held across the
     * socket write that sends the buffer, so that records from another thread (the TLS layer's alerts and key
     * updates) keep their place after the collected ones.
     */
    static final class CorkableOutput extends OutputStream {
        private final OutputStream socketOutput;
        private final ReentrantLock lock = new ReentrantLock();
        private byte[] buffer;
        private int count;
        private boolean corked;

        CorkableOutput(OutputStream socketOutput) {
            this.socketOutput = socketOutput;
        }

        void cork() {
            lock.lock();
            try {
                corked = true;
            } finally {
                lock.unlock();
            }
        }

        void uncork() throws IOException {
            lock.lock();
            try {
                corked = false;
                sendCollected();
            } finally {
                lock.unlock();
            }
        }

        void flushCollected() throws IOException {
            lock.lock();
            try {
                sendCollected();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                if (!corked) {
                    sendCollected();
                    socketOutput.write(b, off, len);
                    return;
                }
                if (buffer == null) buffer = new byte[WRITE_BUFFER_SIZE];
                if (count + len > buffer.length) sendCollected();
                if (len > buffer.length) {
                    socketOutput.write(b, off, len);
                } else {
                    System.arraycopy(b, off, buffer, count, len);
                    count += len;
                }
            } finally {
                lock.unlock();
            }
        }

        /** The TLS layer flushes after every record: while corked, that waits for {@link #uncork()}. */
        @Override
        public void flush() throws IOException {
            lock.lock();
            try {
                if (!corked) sendCollected();
            } finally {
                lock.unlock();
            }
        }

        /** Caller holds lock. */
        private void sendCollected() throws IOException {
            if (count == 0) return;
            int n = count;
            count = 0; // a failed write ends the connection: nothing to send again
            socketOutput.write(buffer, 0, n);
        }
    }
}
