package io.lrok.cli;

import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code lrok demo}: a client and a server session over one loopback TCP connection. The server echoes every
 * stream and answers bulk uploads with their SHA-256; the client runs many echo streams at once, one bulk
 * upload, and a ping, and prints what it saw.
 */
final class MuxDemo {
    static final String USAGE = """
            Usage: lrok mux-demo [--streams N] [--megabytes N]

            Runs the yamux multiplexer over a loopback connection and reports what it did: N concurrent echo
            streams (default 100), one bulk transfer of N MiB checked by SHA-256 (default 256), and a ping.
            """;

    record Options(int streams, int megabytes) {
        static Options parse(String[] args) {
            int streams = 100;
            int megabytes = 256;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--streams" -> streams = positive(args, ++i);
                    case "--megabytes" -> megabytes = positive(args, ++i);
                    default -> throw new IllegalArgumentException("demo: unknown option " + args[i]);
                }
            }
            return new Options(streams, megabytes);
        }

        private static int positive(String[] args, int i) {
            if (i >= args.length) throw new IllegalArgumentException("demo: " + args[i - 1] + " needs a number");
            try {
                int n = Integer.parseInt(args[i]);
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("demo: " + args[i - 1] + " needs a positive number, not " + args[i]);
        }
    }

    private static final byte ECHO = 'E';
    private static final byte DIGEST = 'D';

    private MuxDemo() {
    }

    static int run(Options options, PrintStream out) throws Exception {
        out.println("lrok " + Main.VERSION + ": the yamux multiplexer over one loopback TCP connection");
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Socket dialed = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            try (MuxSession client = MuxSession.client(dialed);
                 MuxSession server = MuxSession.server(listener.accept())) {
                threads.submit(() -> serve(server, threads));
                out.printf("  connection  127.0.0.1:%d%n", listener.getLocalPort());

                long start = System.nanoTime();
                List<Future<Boolean>> echoes = new ArrayList<>();
                for (int i = 0; i < options.streams(); i++) {
                    int n = i;
                    echoes.add(threads.submit(() -> echo(client, n)));
                }
                int ok = 0;
                for (Future<Boolean> f : echoes) ok += f.get() ? 1 : 0;
                out.printf("  echo        %d of %d concurrent streams echoed intact in %d ms%n", ok,
                        options.streams(), (System.nanoTime() - start) / 1_000_000);

                start = System.nanoTime();
                long bytes = (long) options.megabytes() << 20;
                String[] digests = upload(client, bytes);
                double seconds = (System.nanoTime() - start) / 1e9;
                boolean same = digests[0].equals(digests[1]);
                out.printf("  bulk        %d MiB on one stream in %.2f s (%.0f MB/s), SHA-256 %s%n",
                        options.megabytes(), seconds, bytes / 1e6 / seconds, same ? "matches" : "DIFFERS");

                out.printf("  ping        round trip %d µs%n", client.ping().toNanos() / 1000);
                return ok == options.streams() && same ? 0 : 1;
            }
        }
    }

    /** Server side: accepts streams until the session ends; the first byte of each says what to do. */
    private static Void serve(MuxSession server, ExecutorService threads) {
        try {
            while (true) {
                MuxStream stream = server.acceptStream();
                threads.submit(() -> handle(stream));
            }
        } catch (IOException sessionEnded) {
            return null;
        }
    }

    private static Void handle(MuxStream stream) throws IOException, NoSuchAlgorithmException {
        try (stream) {
            InputStream in = stream.getInputStream();
            OutputStream out = stream.getOutputStream();
            int kind = in.read();
            if (kind == ECHO) {
                in.transferTo(out);
            } else if (kind == DIGEST) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
                out.write(HexFormat.of().formatHex(sha.digest()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            stream.shutdownOutput();
        }
        return null;
    }

    private static boolean echo(MuxSession client, int n) throws IOException {
        byte[] message = ("stream " + n + " says hello ").repeat(20).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (MuxStream stream = client.openStream()) {
            OutputStream out = stream.getOutputStream();
            out.write(ECHO);
            out.write(message);
            stream.shutdownOutput();
            return Arrays.equals(stream.getInputStream().readAllBytes(), message);
        }
    }

    /** Uploads pseudo-random bytes; returns {our SHA-256, the server's}. */
    private static String[] upload(MuxSession client, long bytes) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(block);
        try (MuxStream stream = client.openStream()) {
            OutputStream out = stream.getOutputStream();
            out.write(DIGEST);
            for (long left = bytes; left > 0; ) {
                int n = (int) Math.min(left, block.length);
                block[0]++; // vary the blocks so a reordering would show
                sha.update(block, 0, n);
                out.write(block, 0, n);
                left -= n;
            }
            stream.shutdownOutput();
            String theirs = new String(stream.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return new String[] {HexFormat.of().formatHex(sha.digest()), theirs};
        }
    }
}
