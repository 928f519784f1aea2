package io.lrok.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Raw TCP, the ceiling: every stream is its own loopback connection with plain Java sockets, with TCP_NODELAY
 * as lrok sets it on its connection.
 */
final class TcpTransport implements Transport {
    /** Room for the 64 connections of the concurrent bulk workload to wait for accept. */
    private static final int LISTEN_BACKLOG = 128;

    private final InetAddress loopback;
    private final ServerSocket listener;

    private TcpTransport(InetAddress loopback, ServerSocket listener) {
        this.loopback = loopback;
        this.listener = listener;
    }

    static TcpTransport create() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        return new TcpTransport(loopback, new ServerSocket(0, LISTEN_BACKLOG, loopback));
    }

    @Override
    public Channel open() throws IOException {
        Socket socket = new Socket(loopback, listener.getLocalPort());
        socket.setTcpNoDelay(true);
        return new SocketChannel(socket);
    }

    @Override
    public Channel accept() throws IOException {
        Socket socket = listener.accept();
        socket.setTcpNoDelay(true);
        return new SocketChannel(socket);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }

    private record SocketChannel(Socket socket) implements Channel {
        @Override
        public InputStream in() throws IOException {
            return socket.getInputStream();
        }

        @Override
        public OutputStream out() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
