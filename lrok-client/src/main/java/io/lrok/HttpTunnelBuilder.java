package io.lrok;

import io.lrok.internal.agent.BasicAuth;
import io.lrok.internal.agent.HeaderEdits;
import io.lrok.internal.agent.HttpTunnelSpec;
import io.lrok.internal.agent.LocalTarget;
import io.lrok.internal.agent.RelayResolver;
import io.lrok.internal.agent.RelayTrust;
import io.lrok.internal.http.HttpHeaders;
import io.lrok.internal.inspect.InspectSettings;
import io.lrok.internal.wire.Names;
import io.lrok.spi.RelayEndpoint;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Describes an HTTP tunnel; {@link #open()} opens it. From {@link Tunnel#http(int)} (the tunnel gets a session of
 * its own) or {@link LrokClient#http(int)} (it shares the client's session).
 *
 * <pre>{@code
 * Tunnel tunnel = Tunnel.http(5173)
 *         .relay(URI.create("lrok://relay.example.com"))
 *         .subdomain("my-demo")
 *         .rewriteHostHeader()                       // Vite and webpack-dev-server check the Host header
 *         .addRequestHeader("X-Env", "demo")
 *         .open();
 * }</pre>
 *
 * What reaches the local app: the request as the public client sent it, with the relay's forwarding headers
 * ({@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, {@code Forwarded}) and the public {@code Host} by default.
 * Bodies pass byte for byte in their own framing; responses stream back as the app writes them. Header edits
 * apply removals first, then additions; {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection}
 * cannot be edited, as lrok keeps every message's framing intact.
 *
 * <p>Every exchange is recorded (up to {@value #DEFAULT_CAPTURE_CAPACITY} of them, the first
 * {@value #DEFAULT_CAPTURE_BODY_LIMIT} bytes of each body) for {@link Tunnel#takeRequest} and the inspector page at
 * {@link Tunnel#inspectorUrl()}; {@link #capture(boolean)}, {@link #captureCapacity}, {@link #captureBodyLimit},
 * {@link #inspector(boolean)} and {@link #inspectorPort} change that. Not thread-safe; each call returns this builder.
 */
public final class HttpTunnelBuilder {
    /** How many exchanges a tunnel keeps unless {@link #captureCapacity} says otherwise: the most recent 1,000. */
    public static final int DEFAULT_CAPTURE_CAPACITY = InspectSettings.DEFAULT_CAPACITY;
    /** How many bytes of each request and response body are kept unless {@link #captureBodyLimit} says otherwise:
     *  64 KiB. */
    public static final int DEFAULT_CAPTURE_BODY_LIMIT = InspectSettings.DEFAULT_BODY_LIMIT;

    private final int port;
    /** The client whose session the tunnel joins; null when the tunnel opens its own. */
    private final LrokClient client;
    private RelayEndpoint relay;
    private String authToken;
    private String subdomain;
    private String localHost;
    private String localScheme = "http";
    private SSLContext localSslContext;
    private boolean rewriteHost;
    private String hostHeader;
    private HeaderEdits requestEdits = HeaderEdits.NONE;
    private HeaderEdits responseEdits = HeaderEdits.NONE;
    private AgentConfig config = AgentConfig.defaults();
    private InspectSettings inspect = InspectSettings.defaults();
    private SSLContext trust;
    private boolean insecure;
    private final List<ConnectionListener> listeners = new ArrayList<>();
    private BasicAuth basicAuth;

    HttpTunnelBuilder(int port, LrokClient client) {
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        this.port = port;
        this.client = client;
    }

    /**
     * The relay to dial, with its token and trust: an {@code EmbeddedRelay} in a test, or
     * {@code RelayEndpoint.of(uri, token)}. Without one, the relay is found as {@link LrokClient#connect()} says.
     *
     * @param relay the relay
     * @return this builder
     * @throws IllegalStateException on a builder from {@link LrokClient#http(int)}, whose relay is the client's
     */
    public HttpTunnelBuilder relay(RelayEndpoint relay) {
        checkOwnSession("relay");
        this.relay = Objects.requireNonNull(relay, "relay");
        return this;
    }

    /**
     * The relay to dial, by address: {@code lrok://relay.example.com[:port]} (TLS 1.3; the relay's certificate is
     * checked against the JDK's trust store unless {@link #trustedCertificates(Path)} or {@link #trustStore(KeyStore)}
     * says otherwise) or {@code lrok+plain://127.0.0.1:port} (plaintext, to a relay on this machine only).
     *
     * @param relay the relay's agent address
     * @return this builder
     * @throws IllegalArgumentException for another scheme, no host, or plaintext to a host that is not loopback
     * @throws IllegalStateException    on a builder from {@link LrokClient#http(int)}
     */
    public HttpTunnelBuilder relay(URI relay) {
        return relay(RelayEndpoint.of(relay, null));
    }

    /**
     * Trusts the relay's certificate if it is issued by (or is) one of the certificates in this PEM file, and no
     * other, in place of the JDK's trust store or the relay endpoint's own trust. The relay's host name is still
     * checked against its certificate.
     *
     * @param pem a PEM file of CA certificates, such as the relay's {@code ca.pem}
     * @return this builder
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     * @throws IllegalStateException    on a builder from {@link LrokClient#http(int)}
     */
    public HttpTunnelBuilder trustedCertificates(Path pem) {
        checkOwnSession("trustedCertificates");
        this.trust = RelayTrust.trusting(Objects.requireNonNull(pem, "pem"));
        this.insecure = false;
        return this;
    }

    /**
     * Trusts the relay's certificate if it chains to a certificate in this store, and no other, in place of the
     * JDK's trust store or the relay endpoint's own trust. The relay's host name is still checked.
     *
     * @param trustStore the trusted certificates, such as {@code EmbeddedRelay.trustStore()}
     * @return this builder
     * @throws IllegalStateException on a builder from {@link LrokClient#http(int)}
     */
    public HttpTunnelBuilder trustStore(KeyStore trustStore) {
        checkOwnSession("trustStore");
        this.trust = RelayTrust.trusting(Objects.requireNonNull(trustStore, "trustStore"));
        this.insecure = false;
        return this;
    }

    /**
     * Accepts whatever certificate the relay presents, for any name: the connection is encrypted but anyone could
     * be at the other end. Allowed only to a relay on a loopback address ({@link #open()} refuses any other with
     * {@code invalid_relay_address}); for development against a relay with a self-signed certificate.
     *
     * @return this builder
     * @throws IllegalStateException on a builder from {@link LrokClient#http(int)}
     */
    public HttpTunnelBuilder insecureTrustAnyCertificateForLoopbackDevelopment() {
        checkOwnSession("insecureTrustAnyCertificateForLoopbackDevelopment");
        this.trust = RelayTrust.trustingAnything();
        this.insecure = true;
        return this;
    }

    /**
     * The token to present to the relay, in place of any the relay's endpoint or configuration carries.
     *
     * @param token the token
     * @return this builder
     * @throws IllegalStateException on a builder from {@link LrokClient#http(int)}, whose token is the client's
     */
    public HttpTunnelBuilder authToken(String token) {
        checkOwnSession("authToken");
        this.authToken = Objects.requireNonNull(token, "token");
        return this;
    }

    /**
     * The subdomain to ask for, such as {@code my-demo} for {@code https://my-demo.<relay domain>}; without one the
     * relay picks a readable random name.
     *
     * @param subdomain one DNS label: 1 to 63 characters of {@code a-z}, {@code 0-9} and {@code -}, not at either end
     * @return this builder
     * @throws IllegalArgumentException if it is not such a label
     */
    public HttpTunnelBuilder subdomain(String subdomain) {
        if (subdomain == null || !Names.isValidSubdomain(subdomain)) {
            throw new IllegalArgumentException("subdomain must be one DNS label of 1 to 63 characters of a-z, 0-9 "
                    + "and '-', not starting or ending with '-': " + subdomain);
        }
        this.subdomain = subdomain;
        return this;
    }

    /**
     * Sends the local app {@code Host: <local host>:<port>} instead of the public host name, as dev servers that
     * check the Host header want. The public host stays available in {@code X-Forwarded-Host}.
     *
     * @return this builder
     */
    public HttpTunnelBuilder rewriteHostHeader() {
        this.rewriteHost = true;
        this.hostHeader = null;
        return this;
    }

    /**
     * Sends the local app this Host header instead of the public one.
     *
     * @param value the Host header, such as {@code myapp.test}
     * @return this builder
     * @throws IllegalArgumentException if it holds a character a header value may not
     */
    public HttpTunnelBuilder hostHeader(String value) {
        HttpHeaders.of("Host", Objects.requireNonNull(value, "value")); // checks the value
        this.hostHeader = value;
        this.rewriteHost = false;
        return this;
    }

    /**
     * The local app's host: {@code 127.0.0.1} by default ({@code localhost} with {@link #localScheme}
     * {@code https}, to match the usual certificate), and then {@code ::1} if that refuses, for dev servers that
     * listen on the IPv6 loopback only. A host named here is the only one tried.
     *
     * @param host a host name or address
     * @return this builder
     */
    public HttpTunnelBuilder localHost(String host) {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("empty local host");
        this.localHost = host;
        return this;
    }

    /**
     * How to talk to the local app: {@code http} (the default) or {@code https}. With https the app's certificate
     * is verified against the JDK's trust store, or the context given to {@link #localSslContext}.
     *
     * @param scheme {@code http} or {@code https}
     * @return this builder
     */
    public HttpTunnelBuilder localScheme(String scheme) {
        String s = Objects.requireNonNull(scheme, "scheme").toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https")) {
            throw new IllegalArgumentException("local scheme must be http or https: " + scheme);
        }
        this.localScheme = s;
        return this;
    }

    /**
     * The TLS context whose trust verifies a local https app (for a self-signed development certificate); implies
     * {@link #localScheme} {@code https}.
     *
     * @param context the context
     * @return this builder
     */
    public HttpTunnelBuilder localSslContext(SSLContext context) {
        this.localSslContext = Objects.requireNonNull(context, "context");
        this.localScheme = "https";
        return this;
    }

    /**
     * Adds a header field to every request sent to the local app (after any removal).
     *
     * @param name  a field name; not {@code Host} (see {@link #hostHeader}), {@code Content-Length},
     *              {@code Transfer-Encoding} or {@code Connection}
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if the field is malformed or may not be edited
     */
    public HttpTunnelBuilder addRequestHeader(String name, String value) {
        requestEdits = requestEdits.withAdd(name, value, true);
        return this;
    }

    /**
     * Removes a header field (every line of it) from every request sent to the local app.
     *
     * @param name a field name, any case; not one of those {@link #addRequestHeader} refuses
     * @return this builder
     * @throws IllegalArgumentException if the name is malformed or may not be edited
     */
    public HttpTunnelBuilder removeRequestHeader(String name) {
        requestEdits = requestEdits.withRemove(name, true);
        return this;
    }

    /**
     * Adds a header field to every final response sent to the public (after any removal); interim 1xx responses
     * pass unchanged.
     *
     * @param name  a field name; not {@code Content-Length}, {@code Transfer-Encoding} or {@code Connection}
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if the field is malformed or may not be edited
     */
    public HttpTunnelBuilder addResponseHeader(String name, String value) {
        responseEdits = responseEdits.withAdd(name, value, false);
        return this;
    }

    /**
     * Removes a header field (every line of it) from every final response sent to the public.
     *
     * @param name a field name, any case; not one of those {@link #addResponseHeader} refuses
     * @return this builder
     * @throws IllegalArgumentException if the name is malformed or may not be edited
     */
    public HttpTunnelBuilder removeResponseHeader(String name) {
        responseEdits = responseEdits.withRemove(name, false);
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
    public HttpTunnelBuilder reconnect(ReconnectPolicy policy) {
        checkOwnSession("reconnect");
        this.config = config.withReconnect(Objects.requireNonNull(policy, "policy"));
        return this;
    }

    /**
     * Whether to record the exchanges (on by default). Off, nothing is recorded and no inspector runs:
     * {@link Tunnel#takeRequest} and the other recording methods then throw {@link IllegalStateException}.
     *
     * @param enabled whether to record
     * @return this builder
     */
    public HttpTunnelBuilder capture(boolean enabled) {
        inspect = inspect.withCapture(enabled);
        return this;
    }

    /**
     * Protects the tunnel with HTTP Basic authentication: a request without this user and password gets 401 (and a
     * browser asks for them) and never reaches the local app; one with them reaches it without the
     * {@code Authorization} field, which belongs to the tunnel. The password is kept only as a digest.
     *
     * @param user     the user name, non-empty, without ':'
     * @param password the password, non-empty
     * @return this builder
     * @throws IllegalArgumentException if either is unusable
     */
    public HttpTunnelBuilder basicAuth(String user, String password) {
        this.basicAuth = new BasicAuth(user, password);
        return this;
    }

    /**
     * Sets how long the local app may take to start its response (status line and headers) once the request has
     * reached it; past it the public client gets a 504 page saying so, and the tunnel goes on. Only the start is
     * timed: server-sent events and slow bodies may take as long as they like. Default 5 minutes.
     *
     * @param timeout the bound, {@link Duration#ZERO} to wait for ever
     * @return this builder
     * @throws IllegalArgumentException if negative
     * @throws IllegalStateException on a builder from an {@link LrokClient}, whose settings are the client's
     */
    public HttpTunnelBuilder localResponseTimeout(Duration timeout) {
        checkOwnSession("localResponseTimeout");
        this.config = config.withLocalResponseTimeout(Objects.requireNonNull(timeout, "timeout"));
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
    public HttpTunnelBuilder heartbeat(Duration interval, Duration timeout) {
        checkOwnSession("heartbeat");
        this.config = config.withHeartbeat(interval, timeout);
        return this;
    }

    /**
     * How many exchanges to keep: when one more arrives, the oldest is dropped (and no longer handed out by
     * {@link Tunnel#takeRequest}). Default {@value #DEFAULT_CAPTURE_CAPACITY}.
     *
     * @param exchanges at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public HttpTunnelBuilder captureCapacity(int exchanges) {
        inspect = inspect.withCapacity(exchanges);
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
    public HttpTunnelBuilder onConnectionEvent(ConnectionListener listener) {
        checkOwnSession("onConnectionEvent");
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * How many bytes of each request body and each response body to keep; a longer body is recorded up to this
     * many bytes and marked truncated, with its full size. Default {@value #DEFAULT_CAPTURE_BODY_LIMIT}; a tunnel
     * holds at most capacity × 2 × this many body bytes.
     *
     * @param bytes 0 (keep no body bytes, only sizes) to 16 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public HttpTunnelBuilder captureBodyLimit(int bytes) {
        inspect = inspect.withBodyLimit(bytes);
        return this;
    }

    /**
     * Whether to serve the inspector, a web page and JSON API on 127.0.0.1 that shows the recorded exchanges live
     * and replays them (on by default, when capture is on); see {@link Tunnel#inspectorUrl()}.
     *
     * @param enabled whether to serve it
     * @return this builder
     */
    public HttpTunnelBuilder inspector(boolean enabled) {
        inspect = inspect.withInspector(enabled);
        return this;
    }

    /**
     * The inspector's port on 127.0.0.1; by default a free one is picked. {@link #open()} fails with
     * {@code inspector_unavailable} if this one is taken.
     *
     * @param port 1 to 65535, or 0 for a free one
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public HttpTunnelBuilder inspectorPort(int port) {
        inspect = inspect.withInspectorPort(port);
        return this;
    }

    /** Replaces the inspector's settings and limits; for tests. */
    HttpTunnelBuilder inspectSettings(InspectSettings value) {
        this.inspect = Objects.requireNonNull(value, "inspect");
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
    public HttpTunnelBuilder agentConfig(AgentConfig value) {
        checkOwnSession("agentConfig");
        this.config = Objects.requireNonNull(value, "config");
        return this;
    }

    /**
     * Opens the tunnel: connects to the relay (unless it shares an {@link LrokClient}'s session) and binds.
     *
     * @return the open tunnel, already forwarding
     * @throws TunnelException if no relay is configured ({@code no_relay_configured}), it cannot be reached
     *                         ({@code relay_unreachable}), refuses ({@code unauthorized}, {@code subdomain_taken},
     *                         ...), or does not answer in time ({@code relay_timeout}); the message says what to do
     */
    public Tunnel open() throws TunnelException {
        HttpTunnelSpec spec = spec();
        if (client != null) return client.bind(spec, false);
        RelayEndpoint endpoint = endpoint(relay, authToken, trust, insecure);
        LrokClient own = LrokClient.connect(endpoint, config, listeners);
        try {
            return own.bind(spec, true);
        } catch (TunnelException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    private HttpTunnelSpec spec() {
        boolean tls = localScheme.equals("https");
        String host = localHost != null ? localHost : tls ? LocalTarget.DEFAULT_TLS_HOST : LocalTarget.DEFAULT_HOST;
        String fallback = localHost != null ? null : LocalTarget.DEFAULT_FALLBACK_HOST;
        LocalTarget target = new LocalTarget(localScheme, host, port, localSslContext, fallback);
        String effectiveHost = rewriteHost ? target.authority() : hostHeader;
        return new HttpTunnelSpec(target, subdomain, effectiveHost, requestEdits, responseEdits, inspect, basicAuth);
    }

    private void checkOwnSession(String what) {
        if (client != null) {
            throw new IllegalStateException(what + "(...) belongs to the LrokClient this builder came from; "
                    + "pass the relay and its token to LrokClient.connect(...)");
        }
    }

    /**
     * The relay a builder with its own session dials.
     *
     * @param relay     the relay given to the builder, or null to resolve one from the configuration
     * @param authToken the token given to the builder, or null
     * @param trust     the trust given to the builder, or null
     * @param insecure  whether {@code trust} accepts any certificate: then the relay must be on loopback
     * @return the endpoint, with the builder's token and trust in place of its own
     * @throws TunnelException if no relay is configured, or an insecure trust meets a relay not on loopback
     */
    static RelayEndpoint endpoint(RelayEndpoint relay, String authToken, SSLContext trust, boolean insecure)
            throws TunnelException {
        RelayEndpoint endpoint = relay != null ? relay : RelayResolver.fromSystem().resolve();
        if (insecure && !RelayEndpoint.isLoopback(endpoint.host())) {
            throw new TunnelException(TunnelException.INVALID_RELAY_ADDRESS, "insecureTrustAnyCertificateForLoopback"
                    + "Development() is allowed only for a relay on a loopback address, not " + endpoint.host()
                    + "; give the relay's CA with trustedCertificates(Path) instead");
        }
        return authToken != null || trust != null ? RelayTrust.adjusted(endpoint, authToken, trust) : endpoint;
    }
}
