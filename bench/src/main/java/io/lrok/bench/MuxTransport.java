package io.lrok.bench;

import io.lrok.mux.MuxConfig;
import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** lrok streams: a client and a server {@link MuxSession} in this JVM over one loopback TCP connection. */
final class MuxTransport implements Transport {
    private final MuxSession client;
    private final MuxSession server;

    private MuxTransport(MuxSession client, MuxSession server) {
        this.client = client;
        this.server = server;
    }

    static MuxTransport create(MuxConfig config) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket listener = new ServerSocket(0, 1, loopback)) {
            Socket dialed = new Socket(loopback, listener.getLocalPort());
            Socket accepted = listener.accept();
            return new MuxTransport(MuxSession.client(dialed, config), MuxSession.server(accepted, config));
        }
    }

    MuxSession client() {
        return client;
    }

    MuxSession server() {
        return server;
    }

    @Override
    public Channel open() throws IOException {
        return new StreamChannel(client.openStream());
    }

    @Override
    public Channel accept() throws IOException {
        return new StreamChannel(server.acceptStream());
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }

    private record StreamChannel(MuxStream stream) implements Channel {
        @Override
        public InputStream in() {
            return stream.getInputStream();
        }

        @Override
        public OutputStream out() {
            return stream.getOutputStream();
        }

        @Override
        public void shutdownOutput() throws IOException {
            stream.shutdownOutput();
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
