/**
 * The lrok agent: gives a local port a public URL through a relay. The API is in {@link io.lrok}:
 * {@link io.lrok.Tunnel}, {@link io.lrok.HttpTunnelBuilder}, {@link io.lrok.LrokClient} and
 * {@link io.lrok.TunnelException}; what a tunnel recorded is in {@link io.lrok.inspect}; JUnit 5's
 * {@link io.lrok.junit.WithPublicUrl} in {@link io.lrok.junit}. Also the {@code lrok} command line.
 */
module io.lrok.client {
    requires transitive io.lrok.core;
    requires java.net.http;   // the command line's demo fetches its own public URL
    requires jdk.httpserver;  // the command line's demo app

    // @WithPublicUrl: JUnit is there when a test suite uses it, and never needed otherwise.
    requires static org.junit.jupiter.api;

    exports io.lrok;
    exports io.lrok.inspect;
    exports io.lrok.junit;

    // The in-process relay (lrok-relay-embedded), when it is present and nothing else is configured.
    uses io.lrok.spi.InProcessRelayProvider;
}
