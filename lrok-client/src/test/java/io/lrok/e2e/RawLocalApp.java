package io.lrok.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local app written byte by byte on a raw ServerSocket (127.0.0.1, port 0), for what the JDK's HttpServer will not
 * do on cue: exact chunk framing with extensions and trailers. Each connection runs the script on a virtual thread.
 */
final class RawLocalApp implements AutoCloseable {
    /** What the app does with one connection. */
    @FunctionalInterface
    interface Script {
        void run(Socket socket) throws IOException;
    }

    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();

    private RawLocalApp(Script script) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-local-app-accept").start(() -> {
            while (!listener.isClosed()) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                accepted.incrementAndGet();
                Thread.ofVirtual().name("raw-local-app").start(() -> {
                    try (socket) {
                        script.run(socket);
                    } catch (IOException e) {
                        // the other side went away; the test sees it from there
                    }
                });
            }
        });
    }

    static RawLocalApp start(Script script) throws IOException {
        return new RawLocalApp(script);
    }

    int port() {
        return listener.getLocalPort();
    }

    int connections() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    /** Reads byte by byte through the first empty line (the end of a head), so nothing after it is consumed. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            seen.write(b);
            if (seen.size() >= 4 && seen.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) break;
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
