package io.lrok.relay;

import io.lrok.http.HttpLimits;
import io.lrok.internal.relay.RelayConfig;
import io.lrok.internal.relay.RelayServer;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An lrok relay running in this JVM: agents dial its agent port, the public reaches tunnels through its HTTP port.
 * For tests, and the heart of the standalone relay ({@link RelayMain}).
 *
 * <pre>{@code
 * try (EmbeddedRelay relay = EmbeddedRelay.start();
 *      Tunnel tunnel = Tunnel.http(3000).relay(relay).open()) {
 *     URI url = tunnel.publicUrl();   // http://127.0.0.1:<port>, usable at once by curl, HttpClient, a browser
 * }
 * }</pre>
 *
 * <p>Public URLs: without a domain (the default), every HTTP tunnel gets a port of its own on the bind address and
 * the URL {@code http://127.0.0.1:<port>}; the shared HTTP port also routes {@code Host: <name>.localhost}. With
 * {@link Builder#domain(String) a domain}, URLs are {@code http://<name>.<domain>[:<httpPort>]} (no port when it
 * is 80), routed by Host through the shared port only.
 *
 * <p>TCP tunnels get a public port of their own on the bind address ({@link Builder#tcpPortRange}), and the URL
 * {@code tcp://127.0.0.1:<port>} ({@code tcp://<domain>:<port>} with a domain).
 *
 * <p>Plaintext only for now (TLS arrives later): {@link #tls()} is false, and agents are accepted from loopback
 * addresses only. Threads are virtual (daemon); {@link #close()} stops the listeners, closes the agents' sessions
 * and the public connections, and frees every port.
 */
public final class EmbeddedRelay implements RelayEndpoint, AutoCloseable {

    private final RelayServer server;
    private final Optional<String> token;
    private final String dialHost;

    private EmbeddedRelay(RelayServer server, Optional<String> token, InetAddress bindAddress) {
        this.server = server;
        this.token = token;
        this.dialHost = bindAddress.isAnyLocalAddress() ? "127.0.0.1" : literal(bindAddress);
    }

    /**
     * Starts a relay with the defaults: loopback, free ports, no domain, no token.
     *
     * @return the running relay
     * @throws IOException if a port cannot be bound
     */
    public static EmbeddedRelay start() throws IOException {
        return builder().start();
    }

    /**
     * A builder: loopback, free ports, no domain, no token, default limits.
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The agent port.
     *
     * @return the port agents dial
     */
    public int agentPort() {
        return server.agentPort();
    }

    /**
     * The shared public HTTP port.
     *
     * @return the port that routes requests by Host
     */
    public int httpPort() {
        return server.httpPort();
    }

    /**
     * The domain of public hosts.
     *
     * @return the configured domain, or {@code localhost} when none is (then the shared port routes
     *         {@code <name>.localhost})
     */
    public String domain() {
        return server.domain();
    }

    /**
     * Where agents dial.
     *
     * @return the bind address, or 127.0.0.1 when bound to every interface
     */
    @Override
    public String host() {
        return dialHost;
    }

    /**
     * The agent port.
     *
     * @return the agent port, as {@link #agentPort()}
     */
    @Override
    public int port() {
        return server.agentPort();
    }

    /**
     * Whether agents dial with TLS.
     *
     * @return false: this relay speaks plaintext (on loopback) until TLS arrives
     */
    @Override
    public boolean tls() {
        return false;
    }

    /**
     * The token an agent given this relay presents.
     *
     * @return the first configured token, if any
     */
    @Override
    public Optional<String> authToken() {
        return token;
    }

    /** Stops the listeners, closes agent sessions and public connections, and frees the ports. Idempotent. */
    @Override
    public void close() {
        server.close();
    }

    /** The running server, for this module's tests. */
    RelayServer server() {
        return server;
    }

    @Override
    public String toString() {
        String host = dialHost.indexOf(':') >= 0 ? "[" + dialHost + "]" : dialHost;
        return "EmbeddedRelay[lrok+plain://" + host + ":" + agentPort() + ", http port " + httpPort() + ", domain "
                + domain() + "]";
    }

    private static String literal(InetAddress address) {
        String ip = address.getHostAddress();
        int scope = ip.indexOf('%');
        return scope >= 0 ? ip.substring(0, scope) : ip;
    }

    /** Configures and starts an {@link EmbeddedRelay}. Not thread-safe. */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int agentPort;
        private int httpPort;
        private String domain;
        private List<String> tokens = List.of();
        private HttpLimits httpLimits = HttpLimits.defaults();
        private RelayLimits limits = RelayLimits.defaults();
        private int tcpPortFrom;
        private int tcpPortTo;

        private Builder() {
        }

        /**
         * Sets the address to listen on.
         *
         * @param address where every listener binds; the default is the loopback address
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * Sets the agent port.
         *
         * @param port the port agents dial, 0 (the default) for a free one
         * @return this builder
         */
        public Builder agentPort(int port) {
            this.agentPort = checkPort(port);
            return this;
        }

        /**
         * Sets the shared public HTTP port.
         *
         * @param port the shared public HTTP port, 0 (the default) for a free one
         * @return this builder
         */
        public Builder httpPort(int port) {
            this.httpPort = checkPort(port);
            return this;
        }

        /**
         * Public URLs become {@code http://<name>.<domain>[:<httpPort>]}, routed by Host; give a domain whose
         * wildcard record ({@code *.example.com}) points at this machine. Without one (the default), each tunnel
         * gets a port of its own and a {@code http://127.0.0.1:<port>} URL.
         *
         * @param domain such as {@code tunnels.example.com}; null for none
         * @return this builder
         * @throws IllegalArgumentException if it is not a domain name
         */
        public Builder domain(String domain) {
            this.domain = domain == null ? null : RelayConfig.checkDomain(domain);
            return this;
        }

        /**
         * Sets the tokens agents must present.
         *
         * @param tokens the tokens agents may present; empty (the default) lets every agent in. They are compared
         *               in constant time and never logged.
         * @return this builder
         * @throws IllegalArgumentException if a token is blank
         */
        public Builder authTokens(Collection<String> tokens) {
            List<String> list = new ArrayList<>(tokens.size());
            for (String token : tokens) {
                if (token == null || token.isBlank()) throw new IllegalArgumentException("blank token");
                list.add(token.strip());
            }
            this.tokens = List.copyOf(list);
            return this;
        }

        /**
         * Sets the size limits of HTTP heads.
         *
         * @param limits the size limits of HTTP heads, both from public clients and from agents
         * @return this builder
         */
        public Builder httpLimits(HttpLimits limits) {
            this.httpLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Sets the relay's limits and timeouts.
         *
         * @param limits the relay's limits and timeouts
         * @return this builder
         */
        public Builder limits(RelayLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Limits the public ports of TCP tunnels to a range. A TCP tunnel that asks for a port gets it if it is in
         * the range and free, else its bind is refused with {@code port_unavailable}; one that asks for none gets a
         * free port of the range. Without a range (the default), a TCP tunnel gets the port it asks for if it is
         * free, and any free port the system picks otherwise.
         *
         * @param from the lowest port, 1 to 65535
         * @param to   the highest port, inclusive, at least {@code from}
         * @return this builder
         * @throws IllegalArgumentException if it is not a range of ports
         */
        public Builder tcpPortRange(int from, int to) {
            if (from == 0) throw new IllegalArgumentException("TCP port range must start at 1 or above: " + from);
            RelayConfig.checkTcpPortRange(from, to);
            this.tcpPortFrom = from;
            this.tcpPortTo = to;
            return this;
        }

        /**
         * Binds the ports and starts accepting agents and public connections.
         *
         * @return the running relay
         * @throws IOException if a port cannot be bound
         */
        public EmbeddedRelay start() throws IOException {
            RelayServer server = RelayServer.start(new RelayConfig(bindAddress, agentPort, httpPort, domain, tokens,
                    httpLimits, limits, tcpPortFrom, tcpPortTo));
            return new EmbeddedRelay(server, tokens.stream().findFirst(), bindAddress);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            return port;
        }
    }
}
