package io.lrok.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of bench/compare's workloads, the same code for every path: bulk transfers against
 * {@link CompareApp}'s bulk port, HTTP/1.1 requests on raw sockets, new connections, idle connections.
 */
final class Loads {
    private Loads() {
    }

    /** Where to send HTTP: an address and the Host header that routes it (lrok's shared HTTP port wants one). */
    record HttpTarget(int port, String host) {
        byte[] request(boolean close) {
            return ("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        String url() {
            return "http://127.0.0.1:" + port + "/";
        }
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Uploads {@code bytes} through one connection; @return seconds from connect to the app's count of them. */
    static double bulkUp(int port, long bytes) throws IOException {
        long start = System.nanoTime();
        try (Socket s = connect(port)) {
            OutputStream out = s.getOutputStream();
            out.write('U');
            out.write(CompareApp.longBytes(bytes));
            byte[] chunk = new byte[CompareApp.CHUNK];
            for (long left = bytes; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
            out.flush();
            long count = CompareApp.readLong(s.getInputStream());
            if (count != bytes) throw new IOException("the app received " + count + " bytes of " + bytes);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Downloads {@code bytes} through one connection; @return seconds from connect to the last byte. */
    static double bulkDown(int port, long bytes) throws IOException {
        long start = System.nanoTime();
        try (Socket s = connect(port)) {
            OutputStream out = s.getOutputStream();
            out.write('D');
            out.write(CompareApp.longBytes(bytes));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[CompareApp.CHUNK];
            long count = 0;
            for (int n; count < bytes && (n = in.read(buffer)) > 0; ) count += n;
            if (count != bytes) throw new IOException("received " + count + " bytes of " + bytes);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code streams} downloads at once, {@code bytes} split evenly; @return seconds until the last EOF. */
    static double bulkParallelDown(int port, long bytes, int streams) throws Exception {
        long each = bytes / streams;
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Double>> runs = new ArrayList<>();
            for (int i = 0; i < streams; i++) runs.add(threads.submit(() -> bulkDown(port, each)));
            for (Future<Double> f : runs) f.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * New connections: {@code workers} threads each connect, send one request with {@code Connection: close}, read
     * the response to EOF and start again, for {@code seconds}. @return completed connections per second
     */
    static double newConnections(HttpTarget target, double seconds, int workers) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        byte[] request = target.request(true);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                runs.add(threads.submit(() -> {
                    byte[] buffer = new byte[4096];
                    while (System.nanoTime() < end) {
                        try (Socket s = connect(target.port())) {
                            s.getOutputStream().write(request);
                            InputStream in = s.getInputStream();
                            int total = 0;
                            for (int n; (n = in.read(buffer)) > 0; ) total += n;
                            if (total == 0) throw new IOException("no response");
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) f.get();
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** A kept-alive HTTP/1.1 connection that sends GET and reads one response with a Content-Length. */
    static final class HttpConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] request;

        HttpConnection(HttpTarget target) throws IOException {
            socket = connect(target.port());
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            request = target.request(false);
        }

        /** Sends one request and reads its response; @throws IOException on anything but a 200 with a body. */
        void exchange() throws IOException {
            out.write(request);
            out.flush();
            StringBuilder head = new StringBuilder();
            int last4 = 0; // the last four bytes read, to find the blank line that ends the head
            while (last4 != 0x0d0a0d0a) {
                int b = in.read();
                if (b < 0) throw new IOException("connection closed mid-response");
                head.append((char) b);
                last4 = (last4 << 8) | b;
            }
            String text = head.toString();
            if (!text.startsWith("HTTP/1.1 200")) throw new IOException("not a 200: " + text.lines().findFirst().orElse(""));
            int length = -1;
            for (String line : text.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
            if (length < 0) throw new IOException("no Content-Length: " + text);
            if (in.readNBytes(length).length != length) throw new IOException("short body");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Opens {@code count} idle connections to the bulk ports given (spread over them in turn): each writes
     * {@code I} and waits for the app's byte, so that it is connected end to end. Opened {@code parallel} at a time.
     */
    static List<Socket> idleConnections(List<Integer> ports, int count, int parallel) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int from = 0; from < count; from += parallel) {
                List<Future<Socket>> batch = new ArrayList<>();
                for (int i = from; i < Math.min(count, from + parallel); i++) {
                    int port = ports.get(i % ports.size());
                    batch.add(threads.submit(() -> {
                        Socket s = connect(port);
                        try {
                            s.getOutputStream().write('I');
                            if (s.getInputStream().read() != 'i') throw new IOException("no answer from the app");
                            return s;
                        } catch (IOException e) {
                            s.close();
                            throw e;
                        }
                    }));
                }
                for (Future<Socket> f : batch) {
                    try {
                        sockets.add(f.get());
                    } catch (Exception e) {
                        for (Socket s : sockets) s.close();
                        throw e;
                    }
                }
            }
        }
        return sockets;
    }
}
