package io.lrok.cli;

import io.lrok.TcpTunnelBuilder;
import io.lrok.Tunnel;
import io.lrok.TunnelException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lrok tcp <port>}: opens a TCP tunnel to a local port, prints its {@code tcp://} address, and keeps it open
 * until Ctrl-C (or until the session ends). The TCP counterpart of {@link TunnelCommand}.
 */
final class TcpCommand {
    static final String USAGE = """
            Usage: lrok tcp <port> [options]

            Gives 127.0.0.1:<port> (a database, SSH, any TCP service) a public tcp://host:port address and
            forwards every connection to it, raw bytes both ways, until Ctrl-C.

            Options:
              --remote-port N      ask the relay for public port N (it refuses a port that is taken or outside
                                   the range it offers); default: a port the relay picks
              --relay URI          the relay to use (lrok://host[:port] or lrok+plain://127.0.0.1:port);
                                   default: -Dlrok.relay, $LROK_RELAY, ~/.config/lrok/config.properties,
                                   else a relay inside this process, reachable from this machine only
              --authtoken TOKEN    the token the relay wants (default: -Dlrok.authtoken, $LROK_AUTHTOKEN)
              --relay-ca FILE      trust the relay's certificate if issued by a CA in this PEM file, instead of
                                   the JDK's trust store (default: -Dlrok.relay.ca, $LROK_RELAY_CA)
              --local-host HOST    forward to HOST instead of 127.0.0.1
              --plain              print lines even at a terminal, instead of the live status screen
              --help               print this
            """;

    record Options(int port, Integer remotePort, URI relay, String authToken, Path relayCa, String localHost,
                   boolean plain) {
        static Options parse(String[] args) {
            Integer port = null, remotePort = null;
            String authToken = null, localHost = null;
            URI relay = null;
            Path relayCa = null;
            boolean plain = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--remote-port" -> remotePort = TunnelCommand.parsePort(value(args, ++i, arg));
                    case "--relay" -> relay = URI.create(value(args, ++i, arg));
                    case "--authtoken" -> authToken = value(args, ++i, arg);
                    case "--relay-ca" -> relayCa = Path.of(value(args, ++i, arg));
                    case "--local-host" -> localHost = value(args, ++i, arg);
                    case "--plain" -> plain = true;
                    default -> {
                        if (arg.startsWith("-") || port != null) {
                            throw new IllegalArgumentException("tcp: unexpected argument '" + arg + "'\n" + USAGE);
                        }
                        port = TunnelCommand.parsePort(arg);
                    }
                }
            }
            if (port == null) throw new IllegalArgumentException("tcp: which local port?\n" + USAGE);
            return new Options(port, remotePort, relay, authToken, relayCa, localHost, plain);
        }

        TcpTunnelBuilder builder() {
            TcpTunnelBuilder builder = Tunnel.tcp(port);
            if (relay != null) builder.relay(relay);
            if (authToken != null) builder.authToken(authToken);
            if (relayCa != null) builder.trustedCertificates(relayCa);
            if (remotePort != null) builder.remotePort(remotePort);
            if (localHost != null) builder.localHost(localHost);
            return builder;
        }
    }

    private TcpCommand() {
    }

    /** Runs with plain line output until {@code stop} is released (Ctrl-C in {@link Main}) or the tunnel ends. */
    static int run(Options options, PrintStream out, CountDownLatch stop) throws TunnelException, InterruptedException {
        return run(options, out, stop, false);
    }

    /**
     * Runs until {@code stop} is released (Ctrl-C in {@link Main}) or the tunnel ends.
     *
     * @param terminal whether the output is a terminal: then the live status screen, unless {@code --plain}
     */
    static int run(Options options, PrintStream out, CountDownLatch stop, boolean terminal)
            throws TunnelException, InterruptedException {
        TunnelMonitor monitor = new TunnelMonitor();
        try (Tunnel tunnel = options.builder().onConnectionEvent(monitor).open()) {
            return TunnelCommand.serve(tunnel, monitor, out, stop, terminal && !options.plain());
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("tcp: " + option + " needs a value");
        return args[i];
    }
}
