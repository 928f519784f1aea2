package io.lrok.cli;

import io.lrok.HttpTunnelBuilder;
import io.lrok.Tunnel;
import io.lrok.TunnelException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lrok http <port>}: opens an HTTP tunnel to a local port, prints its public URL, and keeps it open until
 * Ctrl-C (or until the session ends).
 */
final class TunnelCommand {
    static final String USAGE = """
            Usage: lrok http <port> [options]

            Gives http://127.0.0.1:<port> a public URL and forwards every request to it until Ctrl-C.

            Options:
              --subdomain NAME     ask for NAME.<relay domain> instead of a random name
              --relay URI          the relay to use (lrok://host[:port] or lrok+plain://127.0.0.1:port);
                                   default: -Dlrok.relay, $LROK_RELAY, ~/.config/lrok/config.properties,
                                   else a relay inside this process, reachable from this machine only
              --authtoken TOKEN    the token the relay wants (default: -Dlrok.authtoken, $LROK_AUTHTOKEN)
              --relay-ca FILE      trust the relay's certificate if issued by a CA in this PEM file, instead of
                                   the JDK's trust store (default: -Dlrok.relay.ca, $LROK_RELAY_CA)
              --host-header H      'rewrite' to send the local address as Host, or a Host value to send
              --basic-auth U:P     ask every visitor for this user name and password (HTTP Basic)
              --local-host HOST    forward to HOST instead of 127.0.0.1
              --local-https        the local app speaks HTTPS (trusted by the JDK's trust store)
              --inspector-port N   serve the inspector on 127.0.0.1:N (default: a free port)
              --no-inspector       serve no inspector page (requests are still shown)
              --plain              print a line per request and per connection change even at a terminal,
                                   instead of the live status screen
              --help               print this

            At a terminal, a status screen shows the session, the URLs, request counts and the latest requests;
            otherwise (output to a file or pipe) one line per request and per connection change.
            """;

    record Options(int port, String subdomain, URI relay, String authToken, String hostHeader, String localHost,
                   boolean localHttps, Path relayCa, Integer inspectorPort, boolean inspector, boolean plain,
                   String basicAuth) {
        static Options parse(String[] args) {
            Integer port = null;
            String subdomain = null, authToken = null, hostHeader = null, localHost = null, basicAuth = null;
            URI relay = null;
            Path relayCa = null;
            boolean localHttps = false, inspector = true, plain = false;
            Integer inspectorPort = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--subdomain" -> subdomain = value(args, ++i, arg);
                    case "--relay" -> relay = URI.create(value(args, ++i, arg));
                    case "--authtoken" -> authToken = value(args, ++i, arg);
                    case "--relay-ca" -> relayCa = Path.of(value(args, ++i, arg));
                    case "--host-header" -> hostHeader = value(args, ++i, arg);
                    case "--basic-auth" -> basicAuth = value(args, ++i, arg);
                    case "--local-host" -> localHost = value(args, ++i, arg);
                    case "--local-https" -> localHttps = true;
                    case "--inspector-port" -> inspectorPort = parsePort(value(args, ++i, arg));
                    case "--no-inspector" -> inspector = false;
                    case "--plain" -> plain = true;
                    default -> {
                        if (arg.startsWith("-") || port != null) {
                            throw new IllegalArgumentException("http: unexpected argument '" + arg + "'\n" + USAGE);
                        }
                        port = parsePort(arg);
                    }
                }
            }
            if (port == null) throw new IllegalArgumentException("http: which local port?\n" + USAGE);
            if (inspectorPort != null && !inspector) {
                throw new IllegalArgumentException("http: --inspector-port and --no-inspector contradict each other");
            }
            if (basicAuth != null && basicAuth.indexOf(':') <= 0) {
                throw new IllegalArgumentException("http: --basic-auth takes user:password");
            }
            return new Options(port, subdomain, relay, authToken, hostHeader, localHost, localHttps, relayCa,
                    inspectorPort, inspector, plain, basicAuth);
        }

        HttpTunnelBuilder builder() {
            HttpTunnelBuilder builder = Tunnel.http(port);
            if (relay != null) builder.relay(relay);
            if (authToken != null) builder.authToken(authToken);
            if (relayCa != null) builder.trustedCertificates(relayCa);
            if (subdomain != null) builder.subdomain(subdomain);
            if ("rewrite".equals(hostHeader)) builder.rewriteHostHeader();
            else if (hostHeader != null) builder.hostHeader(hostHeader);
            if (localHost != null) builder.localHost(localHost);
            if (localHttps) builder.localScheme("https");
            if (inspectorPort != null) builder.inspectorPort(inspectorPort);
            if (!inspector) builder.inspector(false);
            if (basicAuth != null) {
                int colon = basicAuth.indexOf(':');
                builder.basicAuth(basicAuth.substring(0, colon), basicAuth.substring(colon + 1));
            }
            return builder;
        }
    }

    private TunnelCommand() {
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
            return serve(tunnel, monitor, out, stop, terminal && !options.plain());
        }
    }

    /**
     * Shows an open tunnel (HTTP or TCP) until {@code stop} is released or it ends: the status screen, or a header
     * and then a line per request and per connection change.
     *
     * @return the exit status, as {@link #finish}
     */
    static int serve(Tunnel tunnel, TunnelMonitor monitor, PrintStream out, CountDownLatch stop, boolean screen)
            throws InterruptedException {
        if (!screen) {
            out.println("lrok " + Main.VERSION);
            out.printf("  forwarding  %s  ->  %s%n", tunnel.publicUrl(), tunnel.localUrl());
            tunnel.inspectorUrl().ifPresent(url -> out.printf("  inspector   %s%n", url));
            out.println("  Ctrl-C to stop");
            out.flush();
        }
        monitor.run(tunnel, out, stop, screen);
        return finish(tunnel, out);
    }

    /** Says how the tunnel ended: 0 when stopped, 1 when the relay or the connection ended it. */
    static int finish(Tunnel tunnel, PrintStream out) {
        boolean dropped = !tunnel.isOpen();
        tunnel.close();
        out.println(dropped ? "lrok: the tunnel was closed by the relay (or its connection was lost for good)"
                : "lrok: tunnel closed");
        out.flush();
        return dropped ? 1 : 0;
    }

    /** Waits for the stop signal, checking now and then that the tunnel is still up. */
    static void awaitStopOrClose(Tunnel tunnel, CountDownLatch stop) throws InterruptedException {
        while (tunnel.isOpen() && !stop.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            // keep serving
        }
    }

    static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535) return port;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a port number: '" + text + "' (1-65535)");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("http: " + option + " needs a value");
        return args[i];
    }
}
