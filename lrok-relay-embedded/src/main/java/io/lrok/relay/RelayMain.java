package io.lrok.relay;

import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The standalone relay: {@code java -m io.lrok.relay/io.lrok.relay.RelayMain --domain example.com --bind 0.0.0.0}.
 * Runs until the process is stopped; docs/relay.md explains the set-up (a wildcard DNS record, the flags, what the
 * URLs look like).
 */
public final class RelayMain {
    private static final System.Logger LOG = System.getLogger(RelayMain.class.getName());

    /** The public HTTP port when {@code --http-port} is not given. */
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** The public HTTPS port when {@code --https-port} is not given. */
    public static final int DEFAULT_HTTPS_PORT = 8443;

    static final String USAGE = """
            usage: lrok-relay [options]
              --domain <name>       public URLs are http://<tunnel>.<name>[:port]; point a wildcard DNS record
                                    (*.<name>) at this machine. Without it, each tunnel gets a port of its own
                                    and a http://127.0.0.1:<port> URL, reachable from this machine only.
              --bind <address>      the address to listen on (default: the loopback address); 0.0.0.0 for all
              --agent-port <port>   the port agents dial (default: %d)
              --http-port <port>    the public HTTP port (default: %d)
              --token-file <file>   accept only agents presenting one of these tokens, one a line, each
                                    optionally followed by account=<name> reserve=<sub>,<sub> sessions=<n>
                                    tunnels=<n> streams=<n>; blank lines and lines starting with # are ignored.
                                    Read again when it changes (default: no token needed)
              --token-check-interval <seconds>  how often the token file is checked for changes
                                    (default: %d)
              --shutdown-grace <seconds>  on SIGTERM, how long exchanges in progress may take to finish while
                                    agents move elsewhere (default: %d)
              --tcp-ports <from>-<to>  the public ports TCP tunnels may get, such as 20000-20999 (default: any
                                    free port)
              --tls-cert <file>     the certificate chain in PEM, leaf first (certbot's fullchain.pem), for
                                    *.<domain> and <domain>; with --tls-key, the agent port speaks TLS 1.3 and a
                                    public HTTPS port opens. Both files are read again when they change.
              --tls-key <file>      its private key in PEM (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted)
              --https-port <port>   the public HTTPS port (default: %d)
              --redirect-http       answer every request on the HTTP port with a 308 to HTTPS
              --agents-on-https-port  agents may dial the HTTPS port too (one port, such as 443, for both;
                                    told apart by TLS ALPN); the agent port stays open as well
              --help                print this and exit
            Without --tls-cert, the agent port speaks plaintext and accepts agents from this machine's loopback
            addresses only (for a TLS-terminating proxy on the same machine).
            """.formatted(RelayEndpoint.DEFAULT_AGENT_PORT, DEFAULT_HTTP_PORT,
            EmbeddedRelay.DEFAULT_TOKEN_FILE_CHECK_INTERVAL.toSeconds(), RelayLimits.DEFAULT_SHUTDOWN_GRACE.toSeconds(),
            DEFAULT_HTTPS_PORT);

    private RelayMain() {
    }

    /**
     * Starts the relay and runs until the process is stopped.
     *
     * @param args the command line, see {@link #USAGE}
     * @throws IOException if a port cannot be bound
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        EmbeddedRelay.Builder builder;
        try {
            builder = parse(List.of(args));
        } catch (IllegalArgumentException e) {
            usageError(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        EmbeddedRelay relay = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.shutdown(); // SIGTERM: drain, so that agents reconnect and exchanges in progress finish
            stopped.countDown();
        }, "lrok-relay-shutdown"));
        LOG.log(Level.INFO, () -> "lrok relay: agents dial " + relay.host() + ":" + relay.agentPort()
                + (relay.tls() ? " (TLS)" : " (plaintext, loopback only)") + "; public HTTP on port "
                + relay.httpPort() + (relay.httpsPort() > 0 ? ", HTTPS on port " + relay.httpsPort() : "")
                + (relay.server().agentsOnHttpsPort() ? " (agents too)" : "")
                + "; tunnel URLs look like "
                + exampleUrl(relay));
        stopped.await();
    }

    /**
     * Parses the options (not {@code --help}) into a builder.
     *
     * @param args the command line
     * @return the configured builder, not started
     * @throws IllegalArgumentException for an unknown option, a missing or malformed value, an unreadable token
     *                                  file
     */
    static EmbeddedRelay.Builder parse(List<String> args) {
        EmbeddedRelay.Builder builder = EmbeddedRelay.builder()
                .agentPort(RelayEndpoint.DEFAULT_AGENT_PORT)
                .httpPort(DEFAULT_HTTP_PORT);
        Path certificate = null;
        Path key = null;
        Integer httpsPort = null;
        boolean redirect = false;
        boolean agentsOnHttps = false;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (!option.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + option);
            if (option.equals("--redirect-http")) {
                redirect = true;
                continue;
            }
            if (option.equals("--agents-on-https-port")) {
                agentsOnHttps = true;
                continue;
            }
            if (i + 1 >= args.size()) throw new IllegalArgumentException(option + " needs a value");
            String value = args.get(++i);
            switch (option) {
                case "--tls-cert" -> certificate = Path.of(value);
                case "--tls-key" -> key = Path.of(value);
                case "--https-port" -> httpsPort = port(option, value);
                case "--domain" -> builder.domain(value);
                case "--bind" -> builder.bindAddress(address(value));
                case "--agent-port" -> builder.agentPort(port(option, value));
                case "--http-port" -> builder.httpPort(port(option, value));
                case "--token-file" -> builder.tokenFile(Path.of(value));
                case "--token-check-interval" -> builder.tokenFileCheckInterval(seconds(option, value));
                case "--shutdown-grace" -> builder.shutdownGrace(seconds(option, value));
                case "--tcp-ports" -> tcpPorts(builder, value);
                default -> throw new IllegalArgumentException("unknown option: " + option);
            }
        }
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (certificate == null) {
            if (httpsPort != null || redirect || agentsOnHttps) {
                throw new IllegalArgumentException("--https-port, --redirect-http and --agents-on-https-port need "
                        + "--tls-cert and --tls-key");
            }
            return builder.plaintextAgentPort();
        }
        builder.certificate(certificate, key).httpsPort(httpsPort != null ? httpsPort : DEFAULT_HTTPS_PORT);
        if (agentsOnHttps) builder.agentsOnHttpsPort();
        return redirect ? builder.redirectHttpToHttps() : builder;
    }

    static void usageError(PrintStream err, String message) {
        err.println("lrok-relay: " + message);
        err.print(USAGE);
    }

    private static String exampleUrl(EmbeddedRelay relay) {
        boolean https = relay.httpsPort() > 0;
        if (relay.domain().equals("localhost")) return (https ? "https" : "http") + "://127.0.0.1:<a port per tunnel>";
        if (https) return "https://<name>." + relay.domain() + (relay.httpsPort() == 443 ? "" : ":" + relay.httpsPort());
        return "http://<name>." + relay.domain() + (relay.httpPort() == 80 ? "" : ":" + relay.httpPort());
    }

    private static InetAddress address(String value) {
        if (!value.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*") && !value.equals("localhost")) {
            throw new IllegalArgumentException("--bind takes an IP address, not " + value);
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind: not an address: " + value, e);
        }
    }

    /** Parses {@code --tcp-ports <from>-<to>} into the builder. */
    private static void tcpPorts(EmbeddedRelay.Builder builder, String value) {
        int dash = value.indexOf('-');
        if (dash < 0) throw new IllegalArgumentException("--tcp-ports takes a range such as 20000-20999, not " + value);
        int from = port("--tcp-ports", value.substring(0, dash).strip());
        int to = port("--tcp-ports", value.substring(dash + 1).strip());
        builder.tcpPortRange(from, to);
    }

    private static Duration seconds(String option, String value) {
        try {
            long n = Long.parseLong(value);
            if (n >= 1 && n <= Integer.MAX_VALUE) return Duration.ofSeconds(n);
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a whole number of seconds, 1 or more, not " + value);
    }

    private static int port(String option, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65_535) return port;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a port number from 0 to 65535, not " + value);
    }
}
