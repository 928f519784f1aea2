package io.lrok;

import io.lrok.internal.agent.RelayTrust;
import io.lrok.internal.agent.TcpTunnelSpec;
import io.lrok.spi.RelayEndpoint;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Describes a TCP tunnel, from {@link Tunnel#tcp(int)} or {@link LrokClient#tcp(int)}; {@link #open()} binds it. Each
 * public connection to the tunnel's port becomes a connection to the local port, raw bytes both ways; a half-close
 * on either end is passed on, and so is a reset. When the local port refuses, the public connection is closed.
 *
 * <pre>{@code
 * try (Tunnel db = Tunnel.tcp(5432).relay(relay).remotePort(20432).open()) {
 *     URI url = db.publicUrl();   // tcp://<relay host>:20432
 * }
 * }</pre>
 *
 * Not thread-safe; a builder may open several tunnels.
 */
public final class TcpTunnelBuilder {
    private final int port;
    private final LrokClient client;
    private RelayEndpoint relay;
    private String authToken;
    private Integer remotePort;
    private String localHost = TcpTunnelSpec.DEFAULT_HOST;
    private AgentConfig config = AgentConfig.defaults();
    private SSLContext trust;
    private boolean insecure;
    private final List<ConnectionListener> listeners = new ArrayList<>();

    TcpTunnelBuilder(int port, LrokClient client) {
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        this.port = port;
        this.client = client;
    }

    /**
     * Sets the relay to dial, instead of the configured one.
     *
     * @param relay the relay, such as an {@code EmbeddedRelay}; its token is presented unless {@link #authToken}
     *              gives another
     * @return this builder
     * @throws IllegalStateException if the builder came from an {@link LrokClient}, whose session has its relay
     */
    public TcpTunnelBuilder relay(RelayEndpoint relay) {
        checkOwnSession("relay");
        this.relay = Objects.requireNonNull(relay, "relay");
        return this;
    }

    /**
     * Sets the relay to dial, by URI, such as {@code lrok://relay.example.com} or
     * {@code lrok+plain://127.0.0.1:4443}.
     *
     * @param relay the relay's URI
     * @return this builder
     * @throws IllegalArgumentException if the URI is not a relay URI
     * @throws IllegalStateException    if the builder came from an {@link LrokClient}
     */
    public TcpTunnelBuilder relay(URI relay) {
        return relay(RelayEndpoint.of(relay, null));
    }

    /**
     * Sets the token to present to the relay.
     *
     * @param token the token
     * @return this builder
     * @throws IllegalStateException if the builder came from an {@link LrokClient}
     */
    public TcpTunnelBuilder authToken(String token) {
        checkOwnSession("authToken");
        this.authToken = Objects.requireNonNull(token, "token");
        return this;
    }

    /**
     * Trusts the relay's certificate if it is issued by (or is) one of the certificates in this PEM file, and no
     * other, as {@link HttpTunnelBuilder#trustedCertificates(Path)}.
     *
     * @param pem a PEM file of CA certificates
     * @return this builder
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     * @throws IllegalStateException    if the builder came from an {@link LrokClient}
     */
    public TcpTunnelBuilder trustedCertificates(Path pem) {
        checkOwnSession("trustedCertificates");
        this.trust = RelayTrust.trusting(Objects.requireNonNull(pem, "pem"));
        this.insecure = false;
        return this;
    }

    /**
     * Trusts the relay's certificate if it chains to a certificate in this store, and no other, as
     * {@link HttpTunnelBuilder#trustStore(KeyStore)}.
     *
     * @param trustStore the trusted certificates
     * @return this builder
     * @throws IllegalStateException if the builder came from an {@link LrokClient}
     */
    public TcpTunnelBuilder trustStore(KeyStore trustStore) {
        checkOwnSession("trustStore");
        this.trust = RelayTrust.trusting(Objects.requireNonNull(trustStore, "trustStore"));
        this.insecure = false;
        return this;
    }

    /**
     * Accepts whatever certificate the relay presents, for a relay on a loopback address only, as
     * {@link HttpTunnelBuilder#insecureTrustAnyCertificateForLoopbackDevelopment()}.
     *
     * @return this builder
     * @throws IllegalStateException if the builder came from an {@link LrokClient}
     */
    public TcpTunnelBuilder insecureTrustAnyCertificateForLoopbackDevelopment() {
        checkOwnSession("insecureTrustAnyCertificateForLoopbackDevelopment");
        this.trust = RelayTrust.trustingAnything();
        this.insecure = true;
        return this;
    }

    /**
     * Asks for a public port. The relay gives it if it is free and among the ports it offers; otherwise {@link
     * #open()} fails with {@code port_unavailable}. Without one (the default), the relay picks a free port.
     *
     * @param port the public port, 1 to 65535
     * @return this builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public TcpTunnelBuilder remotePort(int port) {
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        this.remotePort = port;
        return this;
    }

    /**
     * Sets the local host to connect to.
     *
     * @param host a host name or address; the default is {@code 127.0.0.1}
     * @return this builder
     * @throws IllegalArgumentException if it is blank
     */
    public TcpTunnelBuilder localHost(String host) {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("empty local host");
        this.localHost = host;
        return this;
    }

    /**
     * Sets how the tunnel's own session is made again after the connection to the relay is lost; the default,
     * {@link ReconnectPolicy#defaults()}, retries for ever with backoff from 200 ms to 30 s.
     *
     * @param policy the policy, or {@link ReconnectPolicy#disabled()} to close the tunnel when the connection is lost
     * @return this builder
     * @throws IllegalStateException on a builder from an {@link LrokClient}, whose connection is the client's
     */
    public TcpTunnelBuilder reconnect(ReconnectPolicy policy) {
        checkOwnSession("reconnect");
        this.config = config.withReconnect(Objects.requireNonNull(policy, "policy"));
        return this;
    }

    /**
     * Sets the heartbeat that tells a dead relay connection (a relay that vanished, a network that silently dropped
     * it) from a quiet one: a ping after {@code interval} without traffic, and the connection is given up, and made
     * again, when nothing at all arrives for {@code timeout} after it. Any frame counts as a sign of life, so a busy
     * connection is never given up. Defaults: 30 s and 10 s ({@code MuxConfig.defaults()}).
     *
     * @param interval how long the connection may be quiet before a ping
     * @param timeout  how long a ping may go unanswered, with nothing else arriving
     * @return this builder
     * @throws IllegalStateException on a builder from an {@link LrokClient}, whose connection is the client's
     */
    public TcpTunnelBuilder heartbeat(Duration interval, Duration timeout) {
        checkOwnSession("heartbeat");
        this.config = config.withHeartbeat(interval, timeout);
        return this;
    }

    /**
     * Adds a listener for the tunnel's connection to its relay: connected, reconnecting (with the cause and the
     * next attempt's delay), closed (with the cause).
     *
     * @param listener told of each change, in order, on a thread of lrok's
     * @return this builder
     * @throws IllegalStateException on a builder from an {@link LrokClient}: give the listener to
     *                               {@link LrokClient#connect(RelayEndpoint, ConnectionListener)}
     */
    public TcpTunnelBuilder onConnectionEvent(ConnectionListener listener) {
        checkOwnSession("onConnectionEvent");
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Replaces every limit and timeout of the tunnel's own agent at once (the reconnect policy, heartbeat and local
     * response timeout included: the methods above change one each).
     *
     * @param value the settings, such as {@code AgentConfig.defaults().withMaxIdleLocalConnections(256)}
     * @return this builder
     * @throws IllegalStateException on a builder from an {@link LrokClient}: give them to
     *                               {@link LrokClient#connect(RelayEndpoint, AgentConfig, ConnectionListener...)}
     */
    public TcpTunnelBuilder agentConfig(AgentConfig value) {
        checkOwnSession("agentConfig");
        this.config = Objects.requireNonNull(value, "config");
        return this;
    }

    /**
     * Binds the tunnel; on its own session unless the builder came from an {@link LrokClient}.
     *
     * @return the open tunnel; its {@link Tunnel#publicUrl()} is {@code tcp://<host>:<port>}
     * @throws TunnelException if no relay is configured, it cannot be reached, or it refuses (such as
     *                         {@code port_unavailable} for a {@link #remotePort} that is taken); {@link
     *                         TunnelException#code()} says which
     */
    public Tunnel open() throws TunnelException {
        TcpTunnelSpec spec = new TcpTunnelSpec(localHost, port, remotePort);
        if (client != null) return client.bindTcp(spec, false);
        RelayEndpoint endpoint = HttpTunnelBuilder.endpoint(relay, authToken, trust, insecure);
        LrokClient own = LrokClient.connect(endpoint, config, listeners);
        try {
            return own.bindTcp(spec, true);
        } catch (TunnelException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    private void checkOwnSession(String what) {
        if (client != null) {
            throw new IllegalStateException(what + "(...) belongs to the LrokClient this builder came from; "
                    + "pass the relay and its token to LrokClient.connect(...)");
        }
    }
}
