package io.lrok.examples;

import io.lrok.Tunnel;
import java.io.IOException;

/**
 * The library in a plain {@code main}: gives a local port a public URL, prints it, and keeps the tunnel open until
 * standard input ends (Ctrl-D at a terminal) or the process is stopped (Ctrl-C).
 *
 * <pre>
 * ./build -q -pl examples -am install -DskipTests
 * ./build -q -pl examples dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "$(cat examples/target/classpath.txt):examples/target/classes" io.lrok.examples.OpenTunnelExample 3000
 * </pre>
 *
 * With no relay configured it uses a relay inside this process (lrok-relay-embedded is on the example's class path):
 * the URL then works from this machine only. Set {@code LROK_RELAY} (or run {@code lrok login}) for a real one.
 */
public final class OpenTunnelExample {
    private OpenTunnelExample() {
    }

    /**
     * @param args the local port
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: OpenTunnelExample <local port>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        try (Tunnel tunnel = Tunnel.open(port)) {
            System.out.println("public URL: " + tunnel.publicUrl() + " -> " + tunnel.localUrl());
            System.out.flush();
            while (System.in.read() != -1) {
                // keep the tunnel open until standard input ends
            }
        }
        System.out.println("tunnel closed");
    }
}
