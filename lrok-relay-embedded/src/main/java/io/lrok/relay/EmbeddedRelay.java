package io.lrok.relay;

import io.lrok.http.HttpLimits;
import io.lrok.internal.relay.RelayConfig;
import io.lrok.internal.relay.RelayServer;
import io.lrok.internal.relay.RelayTls;
import io.lrok.internal.relay.ServerCertificates;
import io.lrok.internal.relay.TokenFile;
import io.lrok.internal.tls.CertificateAuthority;
import io.lrok.internal.tls.IssuedCertificate;
import io.lrok.internal.tls.TlsContexts;
import io.lrok.spi.RelayEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

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
 * <p>TLS: at start the relay makes a throwaway certificate authority ({@link #caCertificatePem()},
 * {@link #trustStore()}) and a certificate for {@code 127.0.0.1}, {@code ::1}, {@code localhost} and
 * {@code *.localhost} (and the domain, if any); the agent port speaks TLS 1.3 with it, and {@link #sslContext()}
 * hands agents a context that accepts exactly that certificate (pinned), so {@code Tunnel.http(3000).relay(relay)}
 * needs no set-up.
 * {@link Builder#plaintextAgentPort()} turns TLS off (agents then from loopback only). {@link Builder#https()} adds a
 * public HTTPS port with the same certificate; {@link Builder#certificate(Path, Path)} serves PEM files instead
 * (reloaded when they change), on the HTTPS port and the agent port. {@link Builder#agentsOnHttpsPort()} lets agents
 * dial the HTTPS port too (one port for both, told apart by ALPN).
 *
 * <p>Agents: without tokens every agent is accepted. {@link Builder#authTokens}, {@link Builder#tokenFile(Path)}
 * (reloaded when it changes) or {@link Builder#tokenVerifier(TokenVerifier) a verifier of your own} decide which
 * agents are, the account each acts for, the subdomains reserved for it, and its limits (docs/relay.md, "Tokens").
 *
 * <p>Threads are virtual (daemon); {@link #close()} stops the listeners, closes the agents' sessions and the public
 * connections, and frees every port.
 */
public final class EmbeddedRelay implements RelayEndpoint, AutoCloseable {

    /** How often a {@link Builder#tokenFile(Path) token file} is checked for changes, unless configured: 2 s. */
    public static final Duration DEFAULT_TOKEN_FILE_CHECK_INTERVAL = Duration.ofSeconds(2);

    private final RelayServer server;
    /** How long {@link #shutdown()} lets exchanges in progress finish. */
    private final Duration shutdownGrace;
    private final TokenFile tokenFile;
    private final Optional<String> token;
    private final String dialHost;
    private final CertificateAuthority ca;
    private final SSLContext agentTrust;

    private EmbeddedRelay(RelayServer server, TokenFile tokenFile, Optional<String> token, InetAddress bindAddress,
            CertificateAuthority ca, SSLContext agentTrust, Duration shutdownGrace) {
        this.server = server;
        this.shutdownGrace = shutdownGrace;
        this.tokenFile = tokenFile;
        this.token = token;
        this.dialHost = bindAddress.isAnyLocalAddress() ? "127.0.0.1" : literal(bindAddress);
        this.ca = ca;
        this.agentTrust = agentTrust;
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
     * The shared public HTTPS port.
     *
     * @return the port that routes HTTPS requests by Host, or -1 when the relay serves no HTTPS
     */
    public int httpsPort() {
        return server.httpsPort();
    }

    /**
     * The relay's throwaway certificate authority, as PEM: for {@code curl --cacert}.
     *
     * @return the CA certificate that issued the relay's generated certificate
     */
    public String caCertificatePem() {
        return ca.certificatePem();
    }

    /**
     * The relay's throwaway certificate authority, as a trust store: for {@code TrustManagerFactory}, or
     * {@code HttpTunnelBuilder.trustStore}.
     *
     * @return an in-memory key store holding only the CA certificate
     */
    public KeyStore trustStore() {
        try {
            return ca.trustStore();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a trust store of the relay's CA", e);
        }
    }

    /**
     * A TLS 1.3 client context that trusts the relay's throwaway CA only: for {@code HttpClient.newBuilder()
     * .sslContext(...)}.
     *
     * @return a new client context
     */
    public SSLContext clientContext() {
        try {
            return ca.clientContext();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context trusting the relay's CA", e);
        }
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
     * @return true unless the builder asked for {@link Builder#plaintextAgentPort()}
     */
    @Override
    public boolean tls() {
        return server.agentTls();
    }

    /**
     * How agents verify the relay.
     *
     * @return a context that accepts only the relay's generated certificate itself (pinned: not even another
     *         certificate of its CA; no name check, which an exact match makes moot), when the agent port presents
     *         the generated certificate; empty (the JDK's trust store) when it presents {@link Builder#certificate(Path, Path)
     *         configured files}, or speaks plaintext
     */
    @Override
    public Optional<SSLContext> sslContext() {
        return Optional.ofNullable(agentTrust);
    }

    /**
     * The token an agent given this relay presents.
     *
     * @return the first token given to {@link Builder#authTokens}, or the first token of the
     *         {@link Builder#tokenFile(Path) token file} as it was at start; empty without tokens, or with a
     *         {@link Builder#tokenVerifier(TokenVerifier) verifier} (give agents a token with their builder's
     *         {@code authToken(...)})
     */
    @Override
    public Optional<String> authToken() {
        return token;
    }

    /**
     * Asks the token verifier again about the token of every agent session: a session whose token it no longer
     * accepts is told {@code unauthorized} and ended; one whose grant changed gets the new one (limits and reserved
     * names apply from its next bind or exchange on; tunnels it holds stay). For a
     * {@link Builder#tokenVerifier(TokenVerifier) verifier of your own}, after you revoke or change a token; a token
     * file does this by itself when it is reloaded. Returns at once; revoked sessions end on threads of their own.
     */
    public void recheckTokens() {
        server.recheckTokens();
    }

    /**
     * Shuts down gracefully, letting exchanges in progress finish for the configured grace
     * ({@link Builder#shutdownGrace}, 30 s by default); see {@link #shutdown(Duration)}.
     */
    public void shutdown() {
        shutdown(shutdownGrace);
    }

    /**
     * Shuts down gracefully, as a relay being restarted or moved should: stops accepting agents and public
     * connections, tells every agent the relay is going (they move to reconnecting, not to an error, and come back
     * with the same URLs to a relay restarted on the same ports), answers new requests on open connections 503,
     * lets the exchanges in progress finish for at most {@code grace}, then closes. Returns when closed.
     *
     * @param grace the longest wait for exchanges in progress; zero is {@link #close()}
     */
    public void shutdown(Duration grace) {
        if (tokenFile != null) tokenFile.close();
        server.shutdown(grace);
    }

    /** Stops the listeners, closes agent sessions and public connections, and frees the ports. Idempotent. */
    @Override
    public void close() {
        if (tokenFile != null) tokenFile.close();
        server.close();
    }

    /**
     * Returns the number of agent sessions connected now, for health checks and tests.
     *
     * @return agent sessions on a connection now (a lost session kept for its agent's resume is not counted)
     */
    public int sessionCount() {
        return server.sessionCount();
    }

    /** The running server, for this module's tests. */
    RelayServer server() {
        return server;
    }

    @Override
    public String toString() {
        String host = dialHost.indexOf(':') >= 0 ? "[" + dialHost + "]" : dialHost;
        return "EmbeddedRelay[" + (tls() ? "lrok://" : "lrok+plain://") + host + ":" + agentPort() + ", http port "
                + httpPort() + (httpsPort() > 0 ? ", https port " + httpsPort() : "") + ", domain "
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
        private TokenVerifier verifier = TokenVerifier.anyAgent();
        private String agentToken;
        private Path tokenFile;
        private Duration tokenFileCheckInterval = DEFAULT_TOKEN_FILE_CHECK_INTERVAL;
        private Duration shutdownGrace = RelayLimits.DEFAULT_SHUTDOWN_GRACE;
        private HttpLimits httpLimits = HttpLimits.defaults();
        private RelayLimits limits = RelayLimits.defaults();
        private boolean plaintextAgentPort;
        private boolean https;
        private int httpsPort;
        private Path certificateChain;
        private Path privateKey;
        private boolean redirectToHttps;
        private boolean agentsOnHttpsPort;
        private int tcpPortFrom;
        private int tcpPortTo;

        private Builder() {
        }

        /**
         * The agent port speaks plaintext instead of TLS; agents are then accepted from loopback addresses only.
         * For a relay behind a TLS-terminating proxy on the same machine, or tests of plaintext.
         *
         * @return this builder
         */
        public Builder plaintextAgentPort() {
            this.plaintextAgentPort = true;
            return this;
        }

        /**
         * Adds the public HTTPS port, presenting the relay's generated certificate (trusted through
         * {@link EmbeddedRelay#trustStore()}), or the {@link #certificate(Path, Path) configured} one. Tunnel URLs become
         * {@code https://}: {@code https://127.0.0.1:<port>} without a domain (each tunnel's own port speaks
         * HTTPS), {@code https://<name>.<domain>[:<httpsPort>]} with one.
         *
         * @return this builder
         */
        public Builder https() {
            this.https = true;
            return this;
        }

        /**
         * Sets the shared public HTTPS port; implies {@link #https()}.
         *
         * @param port the port, 0 (the default) for a free one
         * @return this builder
         */
        public Builder httpsPort(int port) {
            this.httpsPort = checkPort(port);
            this.https = true;
            return this;
        }

        /**
         * Serves this certificate on the HTTPS port and the agent port, instead of a generated one; implies
         * {@link #https()}. The files are read at start (a bad file fails it) and read again when one of them
         * changes, so a renewal needs no restart: new connections get the new certificate.
         *
         * @param chain the certificate chain in PEM, leaf first (such as certbot's {@code fullchain.pem}); for a
         *              domain, a certificate for {@code *.<domain>} and {@code <domain>}
         * @param key   the private key in PEM: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted
         * @return this builder
         */
        public Builder certificate(Path chain, Path key) {
            this.certificateChain = Objects.requireNonNull(chain, "chain");
            this.privateKey = Objects.requireNonNull(key, "key");
            this.https = true;
            return this;
        }

        /**
         * The public HTTP port answers every request with a 308 redirect to the same URL over HTTPS; implies
         * {@link #https()}.
         *
         * @return this builder
         */
        public Builder redirectHttpToHttps() {
            this.redirectToHttps = true;
            this.https = true;
            return this;
        }

        /**
         * Agents may dial the public HTTPS port too, so that a server needs one open port (443) for both; implies
         * {@link #https()}. The TLS handshake tells them apart by ALPN: a client offering the lrok protocol's id
         * ({@code lrok/1}, which every agent offers) gets an agent session, any other client ({@code http/1.1}, or no
         * ALPN) the public HTTPS edge. Agents there verify the public certificate like any server's, so they dial a
         * name it covers (the domain, whose apex it must include). The agent port keeps serving agents as before.
         *
         * @return this builder
         */
        public Builder agentsOnHttpsPort() {
            this.agentsOnHttpsPort = true;
            this.https = true;
            return this;
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
         * Sets the tokens agents must present; replaces a token file or verifier given before. Each token is an
         * account of its own (named {@code token-<8 hex digits>} in logs, from a keyed hash of the token), with no
         * reserved subdomains and the relay's default limits: {@link #tokenVerifier} or {@link #tokenFile} give more.
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
            this.verifier = list.isEmpty() ? TokenVerifier.anyAgent() : TokenVerifier.of(list);
            this.agentToken = list.isEmpty() ? null : list.get(0);
            this.tokenFile = null;
            return this;
        }

        /**
         * Lets this verifier decide which agents are accepted, and what each token grants (account, reserved
         * subdomains, limits); replaces tokens or a token file given before. See {@link TokenVerifier}; after
         * revoking a token, call {@link EmbeddedRelay#recheckTokens()}.
         *
         * @param verifier the verifier
         * @return this builder
         */
        public Builder tokenVerifier(TokenVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            this.agentToken = null;
            this.tokenFile = null;
            return this;
        }

        /**
         * Accepts the agents whose tokens are in this file, and grants what the file says; replaces tokens or a
         * verifier given before. The format (docs/relay.md, "Tokens"): one token a line, optionally followed by
         * {@code account=<name> reserve=<sub>,<sub> sessions=<n> tunnels=<n> streams=<n>}; blank lines and lines
         * starting with {@code #} are ignored. The file is read now (a bad one is refused here) and at start, then
         * checked every {@link #tokenFileCheckInterval(Duration) check interval}: a changed file that parses is in
         * force at once, and sessions whose token it no longer holds are ended with {@code unauthorized}; one that
         * does not parse is logged and the previous tokens stay.
         *
         * @param file the token file
         * @return this builder
         * @throws IllegalArgumentException if the file cannot be read or parsed (the message names the line, never
         *                                  a token)
         */
        public Builder tokenFile(Path file) {
            TokenFile.load(file); // fail early, with the line at fault
            this.tokenFile = file;
            this.verifier = null;
            this.agentToken = null;
            return this;
        }

        /**
         * Sets how often the {@link #tokenFile(Path) token file} is read again to look for changes.
         *
         * @param interval positive; the default is {@link EmbeddedRelay#DEFAULT_TOKEN_FILE_CHECK_INTERVAL}
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder tokenFileCheckInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the token file check interval must be positive: " + interval);
            }
            this.tokenFileCheckInterval = interval;
            return this;
        }

        /**
         * Sets how long {@link EmbeddedRelay#shutdown()} (and the standalone relay on SIGTERM) lets exchanges in
         * progress finish.
         *
         * @param grace zero or more; default {@link RelayLimits#DEFAULT_SHUTDOWN_GRACE}
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) throw new IllegalArgumentException("shutdownGrace must not be negative: " + grace);
            this.shutdownGrace = grace;
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
         * @throws IllegalArgumentException if the token file can no longer be read or parsed
         */
        public EmbeddedRelay start() throws IOException {
            CertificateAuthority ca;
            IssuedCertificate issued;
            ServerCertificates generated;
            try {
                ca = CertificateAuthority.create();
                issued = ca.issue(generatedNames().toArray(String[]::new));
                generated = ServerCertificates.fixed(issued);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot make the relay's TLS certificate: " + e.getMessage(), e);
            }
            ServerCertificates files = certificateChain != null
                    ? ServerCertificates.files(certificateChain, privateKey) : null;
            ServerCertificates served = files != null ? files : generated;
            RelayTls tls = new RelayTls(plaintextAgentPort ? null : served, https ? served : null, httpsPort,
                    redirectToHttps);
            if (agentsOnHttpsPort) tls = tls.withAgentsOnHttpsPort();
            SSLContext agentTrust = null;
            if (!plaintextAgentPort && files == null) {
                try {
                    // the generated certificate itself, pinned: no PKIX path to check (docs/relay.md, "TLS")
                    agentTrust = TlsContexts.pinning(List.of(issued.certificate()));
                } catch (GeneralSecurityException e) {
                    throw new IOException("cannot make the agents' TLS context: " + e.getMessage(), e);
                }
            }
            TokenFile file = tokenFile != null ? TokenFile.load(tokenFile) : null;
            TokenVerifier agents = file != null ? file : verifier;
            String token = file != null ? file.firstToken() : agentToken;
            RelayServer server = RelayServer.start(new RelayConfig(bindAddress, agentPort, httpPort, domain, agents,
                    httpLimits, limits, tcpPortFrom, tcpPortTo), tls);
            if (file != null) file.watch(tokenFileCheckInterval, server::recheckTokens);
            return new EmbeddedRelay(server, file, Optional.ofNullable(token), bindAddress, ca, agentTrust,
                    shutdownGrace);
        }

        /** @return the names of the generated certificate: loopback, localhost, the bind address and the domain */
        private List<String> generatedNames() {
            List<String> names = new ArrayList<>(List.of("127.0.0.1", "::1", "localhost", "*.localhost"));
            if (!bindAddress.isAnyLocalAddress() && !bindAddress.isLoopbackAddress()) names.add(literal(bindAddress));
            if (domain != null) {
                names.add(domain);
                names.add("*." + domain);
            }
            return names;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            return port;
        }
    }
}
