package io.lrok;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local app written byte by byte, for what the JDK's HttpServer will not do on cue: exact chunk framing, a
 * protocol switch, a cut-off response, a keep-alive connection it drops. Each accepted connection runs the
 * script on its own thread, with the connection's number (1, 2, ...).
 */
final class RawApp implements AutoCloseable {
    /** What the app does with one connection. */
    @FunctionalInterface
    interface Script {
        void run(Socket socket, int number) throws Exception;
    }

    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();

    private RawApp(Script script) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("raw-app-accept").start(() -> {
            try {
                while (true) {
                    Socket socket = listener.accept();
                    int number = accepted.incrementAndGet();
                    Thread.ofVirtual().name("raw-app-" + number).start(() -> {
                        try (socket) {
                            script.run(socket, number);
                        } catch (Exception e) {
                            // the script's connection failed; the test sees it from the other side
                        }
                    });
                }
            } catch (IOException closed) {
                // closing
            }
        });
    }

    static RawApp start(Script script) throws IOException {
        return new RawApp(script);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** @return how many connections the app has accepted */
    int connections() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    /** Reads a request or response head, through its empty line; byte by byte, so nothing after it is consumed. */
    static String readHead(InputStream in) throws IOException {
        return readThrough(in, "\r\n\r\n");
    }

    /** Reads byte by byte through the first occurrence of {@code end}; returns everything read, or less at EOF. */
    static String readThrough(InputStream in, String end) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] tail = end.getBytes(StandardCharsets.ISO_8859_1);
        int b;
        while ((b = in.read()) >= 0) {
            seen.write(b);
            if (endsWith(seen, tail)) break;
        }
        return seen.toString(StandardCharsets.ISO_8859_1);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean endsWith(ByteArrayOutputStream seen, byte[] tail) {
        if (seen.size() < tail.length) return false;
        byte[] all = seen.toByteArray();
        for (int i = 0; i < tail.length; i++) {
            if (all[all.length - tail.length + i] != tail[i]) return false;
        }
        return true;
    }
}
