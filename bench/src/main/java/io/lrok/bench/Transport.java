package io.lrok.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where a workload's byte streams come from, so that one workload runs unchanged over lrok and over raw TCP:
 * {@link MuxTransport} opens lrok streams on one loopback connection, {@link TcpTransport} opens a loopback TCP
 * connection per stream. A transport is used for one measurement and then closed; closing it makes blocked
 * {@link #accept()} calls fail, which is how workloads stop their acceptors.
 */
interface Transport extends AutoCloseable {

    /** One byte stream, seen from one end: an lrok stream or a TCP socket. */
    interface Channel extends Closeable {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;

        /** Half-closes: the other end reads EOF after what was written; this end can still read. */
        void shutdownOutput() throws IOException;
    }

    /** Creates a fresh transport for one measurement. */
    @FunctionalInterface
    interface Factory {
        Transport create() throws IOException;
    }

    /** Opens a stream from the client end. */
    Channel open() throws IOException;

    /** Waits for the next stream at the server end. */
    Channel accept() throws IOException;

    @Override
    void close();
}
