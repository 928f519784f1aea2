/**
 * The lrok agent: gives a local port a public URL through a relay. The API is in {@link io.lrok}:
 * {@link io.lrok.Tunnel}, {@link io.lrok.HttpTunnelBuilder}, {@link io.lrok.LrokClient} and
 * {@link io.lrok.TunnelException}; what a tunnel recorded is in {@link io.lrok.inspect}. Also the {@code lrok} command
 * line.
 */
module io.lrok.client {
    requires transitive io.lrok.core;
    requires java.net.http;   // the command line's demo fetches its own public URL
    requires jdk.httpserver;  // the command line's demo app

    exports io.lrok;
    exports io.lrok.inspect;

    // The in-process relay (lrok-relay-embedded), when it is present and nothing else is configured.
    uses io.lrok.spi.InProcessRelayProvider;
}
