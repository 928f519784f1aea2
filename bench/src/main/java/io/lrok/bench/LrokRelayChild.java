package io.lrok.bench;

import io.lrok.relay.EmbeddedRelay;
import io.lrok.relay.RelayLimits;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * lrok's relay for bench/compare: an {@link EmbeddedRelay} in a JVM of its own, so that its CPU time, RSS and heap
 * are its own. Domain {@value #DOMAIN} (HTTP tunnels share the HTTP port, routed by Host); limits raised so that
 * 10,000 tunnels and 10,000 streams fit. Arguments: {@code --agent-port N --http-port N [--https-port N]
 * [--cert chain.pem --key key.pem] [--ca-out file] [--plaintext true]}: without a certificate it makes its own and writes its CA to
 * {@code --ca-out}. Prints {@code READY agent=<port> http=<port>}.
 */
public final class LrokRelayChild {
    /** The relay's domain: URLs are http://NAME.lrok.localhost:PORT. */
    static final String DOMAIN = "lrok.localhost";
    /** The relay's limits for 10,000 idle tunnels or streams from one agent over loopback, with room to spare. */
    static final int LIMIT = 30_000;

    private LrokRelayChild() {
    }

    /**
     * Starts the relay and serves commands until standard input ends.
     *
     * @param args the command line
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        EmbeddedRelay.Builder builder = EmbeddedRelay.builder().domain(DOMAIN).limits(RelayLimits.defaults()
                .withMaxTunnelsPerSession(LIMIT).withMaxStreamsPerSession(LIMIT).withMaxEdgeConnections(LIMIT)
                .withMaxConnectionsPerAddress(LIMIT));
        Path caOut = null;
        Path cert = null;
        Path key = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--agent-port" -> builder.agentPort(Integer.parseInt(value));
                case "--http-port" -> builder.httpPort(Integer.parseInt(value));
                case "--https-port" -> builder.httpsPort(Integer.parseInt(value));
                case "--cert" -> cert = Path.of(value);
                case "--key" -> key = Path.of(value);
                case "--ca-out" -> caOut = Path.of(value);
                case "--plaintext" -> {
                    if (Boolean.parseBoolean(value)) builder.plaintextAgentPort();
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (cert != null && key != null) builder.certificate(cert, key);
        EmbeddedRelay relay = builder.start();
        if (caOut != null) Files.writeString(caOut, relay.caCertificatePem());
        ChildCommands.serve("READY agent=" + relay.agentPort() + " http=" + relay.httpPort(), cmd -> switch (cmd[0]) {
            case "sessions" -> "SESSIONS " + relay.sessionCount();
            default -> null;
        });
    }
}
