package io.lrok.internal.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A tiny HTTPS server on loopback, port 0: for each connection, a TLS 1.3 handshake, the request head read, one
 * fixed response, close. Failed handshakes (the point of some tests) close that connection and nothing else.
 */
final class HttpsServer implements AutoCloseable {

    static final String BODY = "hello over tls\n";
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + BODY.length() + "\r\nConnection: close\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEAD = 16 * 1024;

    private final SSLServerSocket server;
    private final Thread acceptor;

    HttpsServer(SSLContext context) throws IOException {
        server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSSLParameters(TlsContexts.serverParameters(context));
        acceptor = Thread.ofVirtual().name("https-server").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            readHead(socket.getInputStream());
            socket.getOutputStream().write(RESPONSE);
            socket.getOutputStream().flush();
        } catch (IOException handshakeOrPeerFailure) {
            // The client refused our certificate, or went away: nothing to answer.
        }
    }

    /** Reads up to and including the blank line that ends a request head. */
    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0; // how much of CR LF CR LF has been seen
        while (matched < 4 && head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) throw new IOException("request head cut short");
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
