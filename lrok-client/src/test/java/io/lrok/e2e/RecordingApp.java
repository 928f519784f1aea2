package io.lrok.e2e;

import io.lrok.http.HttpLimits;
import io.lrok.internal.http.BodyFraming;
import io.lrok.internal.http.HttpReader;
import io.lrok.internal.http.RequestHead;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local app that records what reaches it, for tests that must show a request did not: every byte counted, every
 * complete request (head and whole body, read strictly) recorded by method and target and answered 200 with
 * {@code Connection: close}; a connection that sent bytes but no complete request is counted as incomplete.
 */
final class RecordingApp implements AutoCloseable {
    private final ServerSocket listener;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger incomplete = new AtomicInteger();
    private final List<String> complete = new CopyOnWriteArrayList<>();

    private RecordingApp() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("recording-app-accept").start(() -> {
            while (!listener.isClosed()) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread.ofVirtual().name("recording-app").start(() -> serve(socket));
            }
        });
    }

    static RecordingApp start() throws IOException {
        return new RecordingApp();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** @return every byte any connection has sent the app */
    long bytes() {
        return bytes.get();
    }

    /** @return the connections that sent bytes but no complete request */
    int incomplete() {
        return incomplete.get();
    }

    /** @return the complete requests, as {@code METHOD target}, in the order they were read */
    List<String> complete() {
        return List.copyOf(complete);
    }

    private void serve(Socket socket) {
        long[] seen = {0};
        try (socket) {
            InputStream counted = new FilterInputStream(socket.getInputStream()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) count(1);
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) count(n);
                    return n;
                }

                private void count(int n) {
                    seen[0] += n;
                    bytes.addAndGet(n);
                }
            };
            HttpReader reader = new HttpReader(counted);
            RequestHead head = reader.readRequestHead(HttpLimits.defaults());
            if (head == null) return; // opened and closed: nothing sent
            reader.body(BodyFraming.forRequest(head), HttpLimits.defaults()).transferTo(OutputStream.nullOutputStream());
            complete.add(head.method() + " " + head.target());
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            if (seen[0] > 0) incomplete.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
