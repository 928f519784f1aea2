package io.lrok.examples;

import io.lrok.mux.MuxSession;
import io.lrok.mux.MuxStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The multiplexer in a few lines: two streams over one TCP connection, each echoed by the other side.
 * Run it with {@code ./build -q -pl examples -am package -DskipTests} and then
 * {@code java -cp examples/target/classes:lrok-core/target/classes io.lrok.examples.MuxEchoExample}.
 */
public final class MuxEchoExample {
    private MuxEchoExample() {
    }

    public static void main(String[] args) throws Exception {
        for (String reply : run("hello", "world")) System.out.println(reply);
    }

    /** Sends each message on its own stream and returns what came back. */
    static String[] run(String... messages) throws IOException, InterruptedException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket dialed = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            try (MuxSession client = MuxSession.client(dialed);
                 MuxSession server = MuxSession.server(listener.accept())) {
                // The server side echoes every stream it accepts, each on its own virtual thread.
                Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            MuxStream stream = server.acceptStream();
                            Thread.ofVirtual().start(() -> echo(stream));
                        }
                    } catch (IOException sessionClosed) {
                        // The example is over.
                    }
                });
                String[] replies = new String[messages.length];
                for (int i = 0; i < messages.length; i++) {
                    try (MuxStream stream = client.openStream()) {
                        stream.getOutputStream().write(messages[i].getBytes(StandardCharsets.UTF_8));
                        stream.shutdownOutput(); // FIN: the echo ends when our message does
                        replies[i] = "stream " + stream.id() + ": "
                                + new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    }
                }
                return replies;
            }
        }
    }

    private static void echo(MuxStream stream) {
        try (stream) {
            stream.getInputStream().transferTo(stream.getOutputStream());
            stream.shutdownOutput();
        } catch (IOException e) {
            System.err.println("echo on " + stream + " failed: " + e);
        }
    }
}
