package io.lrok.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The local app of bench/compare, in a JVM of its own, the same for every path: an HTTP server (the JDK's
 * HttpServer, a virtual thread per exchange, 13 bytes of text with a Content-Length, keep-alive) and a bulk port
 * whose first byte chooses what it does:
 * <ul>
 * <li>{@code U} and 8 bytes N: reads N bytes, then writes the count as 8 bytes and waits for EOF (an upload);</li>
 * <li>{@code D} and 8 bytes N: writes N bytes in 64 KiB writes and waits for EOF (a download);</li>
 * <li>{@code I}: writes one byte back and keeps the connection until EOF (an idle stream).</li>
 * </ul>
 * No step relies on a half-close: the Debian version of hashicorp/yamux ends reading when its own side closes, so
 * the Go baseline cannot pass one on. Serves one request to itself (so that no path's first request pays for the
 * app's own first one), then prints {@code READY http=<port> bulk=<port>}.
 */
public final class CompareApp {
    /** What the HTTP server answers. */
    static final byte[] BODY = "hello, world\n".getBytes(StandardCharsets.US_ASCII);
    /** Connections the kernel queues for each port: 10,000 idle streams arrive in a burst. */
    private static final int BACKLOG = 4_096;
    /** The size of each read and write on the bulk port. */
    static final int CHUNK = 64 * 1024;

    private CompareApp() {
    }

    /**
     * Starts the app and serves commands until standard input ends.
     *
     * @param args the command line
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, BODY.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BODY);
                }
            }
        });
        http.start();
        ServerSocket bulk = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("bulk-accept").start(() -> {
            while (true) {
                try {
                    Socket s = bulk.accept();
                    Thread.ofVirtual().start(() -> serveBulk(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        // Serve one request before saying READY: an app's first request in a fresh JVM takes some 90 ms (the JDK
        // HttpServer's exchange path loaded and run for the first time), which every path's first request would
        // otherwise count (bench/compare's and bench/first-open's first Tunnel.open).
        try (Loads.HttpConnection warm = new Loads.HttpConnection(new Loads.HttpTarget(http.getAddress().getPort(),
                "127.0.0.1:" + http.getAddress().getPort()))) {
            warm.exchange();
        }
        ChildCommands.serve("READY http=" + http.getAddress().getPort() + " bulk=" + bulk.getLocalPort(), cmd -> null);
    }

    private static void serveBulk(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int mode = in.read();
            byte[] buffer = new byte[CHUNK];
            switch (mode) {
                case 'U' -> {
                    long expected = readLong(in);
                    long count = 0;
                    for (int n; count < expected && (n = in.read(buffer, 0,
                            (int) Math.min(buffer.length, expected - count))) > 0; ) {
                        count += n;
                    }
                    out.write(longBytes(count));
                    out.flush();
                    while (in.read(buffer) > 0) {
                        // until the client closes
                    }
                }
                case 'D' -> {
                    long remaining = readLong(in);
                    while (remaining > 0) {
                        int n = (int) Math.min(buffer.length, remaining);
                        out.write(buffer, 0, n);
                        remaining -= n;
                    }
                    out.flush();
                    while (in.read(buffer) > 0) {
                        // until the client closes
                    }
                }
                case 'I' -> {
                    out.write('i');
                    out.flush();
                    while (in.read(buffer) > 0) {
                        // idle until the client closes
                    }
                }
                default -> {
                    // nothing asked
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    static long readLong(InputStream in) throws IOException {
        byte[] b = in.readNBytes(8);
        if (b.length < 8) throw new IOException("short read");
        long v = 0;
        for (byte x : b) v = (v << 8) | (x & 0xff);
        return v;
    }
}
