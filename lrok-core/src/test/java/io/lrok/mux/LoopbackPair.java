package io.lrok.mux;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A client and a server session over a real loopback TCP connection. */
record LoopbackPair(MuxSession client, MuxSession server) implements AutoCloseable {

    static LoopbackPair open() throws IOException {
        return open(MuxConfig.defaults(), MuxConfig.defaults());
    }

    static LoopbackPair open(MuxConfig clientConfig, MuxConfig serverConfig) throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket dialed = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            Socket accepted = listener.accept();
            return new LoopbackPair(MuxSession.client(dialed, clientConfig), MuxSession.server(accepted, serverConfig));
        }
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
