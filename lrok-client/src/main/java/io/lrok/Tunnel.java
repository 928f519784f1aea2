package io.lrok;

import io.lrok.inspect.NoRequestException;
import io.lrok.inspect.RecordedExchange;
import io.lrok.inspect.RecordedRequest;
import io.lrok.internal.agent.AgentTunnel;
import io.lrok.internal.agent.HttpTunnel;
import io.lrok.internal.inspect.ExchangeStore;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A public URL for a local port: the relay sends every request for {@link #publicUrl()} down one connection, and
 * the tunnel replays it against the local app and streams the response back.
 *
 * <pre>{@code
 * try (Tunnel tunnel = Tunnel.open(3000)) {
 *     System.out.println(tunnel.publicUrl() + " -> http://127.0.0.1:3000");
 *     ...
 * }
 * }</pre>
 *
 * {@link #open(int)} and {@link #http(int)} open a session with the relay for this tunnel alone, and
 * {@link #close()} ends it; to share one session among several tunnels, use {@link LrokClient}. Where the relay is
 * comes from the code ({@link HttpTunnelBuilder#relay}) or, when the code names none, from the system property
 * {@code lrok.relay}, the environment variable {@code LROK_RELAY}, the config file
 * {@code ~/.config/lrok/config.properties}, or an in-process relay when lrok-relay-embedded is on the class path.
 *
 * <p>An HTTP tunnel records every exchange (see {@link RecordedExchange}); test code reads them the way it would
 * read a mock server's, and people look at them in the inspector page at {@link #inspectorUrl()}:
 *
 * <pre>{@code
 * try (Tunnel tunnel = Tunnel.http(app.port()).relay(relay).open()) {
 *     webhookSender.register(tunnel.publicUrl().resolve("/hooks"));
 *     RecordedRequest hook = tunnel.takeRequest(Duration.ofSeconds(10));
 *     assertThat(hook.path()).isEqualTo("/hooks");
 *     RecordedRequest paid = tunnel.awaitRequest(r -> r.bodyText().contains("invoice.paid"), Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>A tunnel stays open until it is closed, the relay drops it, or its connection closes for good (which is
 * logged); then {@link #isOpen()} turns false. A lost connection to the relay is not the end: the agent reconnects
 * with backoff ({@link ReconnectPolicy}) and binds the tunnel again with the same subdomain or port, so its
 * {@link #publicUrl()} stays; {@link #connectionState()} is {@link ConnectionState#RECONNECTING} meanwhile, and a
 * {@link ConnectionListener} given to the builder hears each change. What it recorded stays readable after it
 * closed. Thread-safe.
 */
public final class Tunnel implements AutoCloseable {
    private final AgentTunnel binding;
    /** The client this tunnel opened for itself and closes with itself; null when it shares a client's session. */
    private final LrokClient ownedClient;

    /** Wraps a bound tunnel, and starts its inspector; if that fails, the tunnel is closed again. */
    Tunnel(AgentTunnel binding, LrokClient ownedClient) throws TunnelException {
        this.binding = binding;
        this.ownedClient = ownedClient;
        if (binding instanceof HttpTunnel http) {
            try {
                http.startInspector();
            } catch (IOException e) {
                binding.close();
                throw new TunnelException(TunnelException.INSPECTOR_UNAVAILABLE, "the inspector for "
                        + binding.publicUrl() + " cannot listen on its port: " + e.getMessage()
                        + "; choose another with inspectorPort(...), or 0 for a free one", e);
            }
        }
    }

    /**
     * Opens an HTTP tunnel to {@code http://127.0.0.1:port} with every setting at its default: the same as
     * {@code Tunnel.http(port).open()}.
     *
     * @param port the local app's port
     * @return the open tunnel
     * @throws TunnelException if no relay is configured, it cannot be reached, or it refuses; {@link
     *                         TunnelException#code()} says which
     */
    public static Tunnel open(int port) throws TunnelException {
        return http(port).open();
    }

    /**
     * Starts describing an HTTP tunnel to a local port; finish with {@link HttpTunnelBuilder#open()}.
     *
     * @param port the local app's port, 1 to 65535
     * @return a builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public static HttpTunnelBuilder http(int port) {
        return new HttpTunnelBuilder(port, null);
    }

    /**
     * Starts describing a TCP tunnel to a local port: every public connection to the tunnel's port becomes a
     * connection to {@code 127.0.0.1:port}, raw bytes both ways (a database, SSH, any TCP protocol); finish with
     * {@link TcpTunnelBuilder#open()}.
     *
     * <pre>{@code
     * try (Tunnel db = Tunnel.tcp(5432).open()) {
     *     URI url = db.publicUrl();   // tcp://127.0.0.1:<port> from an EmbeddedRelay
     * }
     * }</pre>
     *
     * @param port the local app's port, 1 to 65535
     * @return a builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public static TcpTunnelBuilder tcp(int port) {
        return new TcpTunnelBuilder(port, null);
    }

    /**
     * @return where the public reaches the tunnel, such as {@code https://violet-mole.lrok.example}, or
     *         {@code tcp://lrok.example:20001} for a TCP tunnel; the same after a reconnect, unless the relay gave
     *         its name to someone else meanwhile (then the change is logged and told to connection listeners)
     */
    public URI publicUrl() {
        return binding.publicUrl();
    }

    /** @return the local app it forwards to, such as {@code http://127.0.0.1:3000} or {@code tcp://127.0.0.1:5432} */
    public URI localUrl() {
        return binding.localUrl();
    }

    /**
     * @return whether it is still in service: not closed, not dropped by the relay, its connection not closed for
     *         good; true while reconnecting
     */
    public boolean isOpen() {
        return binding.isOpen();
    }

    /** @return where its connection to the relay stands: connected, reconnecting, or closed */
    public ConnectionState connectionState() {
        return binding.isOpen() ? binding.agent().state() : ConnectionState.CLOSED;
    }

    /**
     * Takes the next recorded request, waiting for one if none is there: the mock-server pattern. Requests are
     * handed out in the order they became complete, each once. A request counts as recorded once the whole request
     * has arrived (its body passed to the local app), before the app's response, so a test can assert on the body
     * at once; a request whose exchange failed before its body was complete is handed out when it fails, with
     * {@link RecordedRequest#bodyComplete()} false. Requests dropped from the ring (beyond its capacity) or
     * cleared are not handed out.
     *
     * @param timeout the longest wait
     * @return the request
     * @throws NoRequestException    if no request is recorded within the timeout; the message says what was
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException for a TCP tunnel, or one opened with {@code capture(false)}
     */
    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
        return store("takeRequest").take(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * @return the recorded requests still in the ring, complete ones only, in the order they became complete;
     *         whether taken or not
     * @throws IllegalStateException for a TCP tunnel, or one opened with {@code capture(false)}
     */
    public List<RecordedRequest> requests() {
        return store("requests").requests();
    }

    /**
     * Waits until a recorded request matches, such as "the payment provider posted {@code invoice.paid}". Looks at
     * every complete request in the ring, those recorded before the call included, oldest first; it does not take
     * the request ({@link #takeRequest} is a separate queue).
     *
     * @param predicate what to look for; called on this thread
     * @param timeout   the longest wait
     * @return the earliest matching request
     * @throws NoRequestException    if none matches within the timeout
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException for a TCP tunnel, or one opened with {@code capture(false)}
     */
    public RecordedRequest awaitRequest(Predicate<? super RecordedRequest> predicate, Duration timeout)
            throws InterruptedException {
        return store("awaitRequest").awaitRequest(Objects.requireNonNull(predicate, "predicate"),
                Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Waits until a recorded exchange, in its current state, matches: to wait for a response as well as the
     * request, such as {@code e -> e.state() != ExchangeState.IN_PROGRESS}.
     *
     * @param predicate what to look for; called on this thread, again whenever an exchange changes
     * @param timeout   the longest wait
     * @return a snapshot of the earliest matching exchange
     * @throws NoRequestException    if none matches within the timeout
     * @throws InterruptedException  if interrupted while waiting
     * @throws IllegalStateException for a TCP tunnel, or one opened with {@code capture(false)}
     */
    public RecordedExchange awaitExchange(Predicate<? super RecordedExchange> predicate, Duration timeout)
            throws InterruptedException {
        return store("awaitExchange").awaitExchange(Objects.requireNonNull(predicate, "predicate"),
                Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * @return every exchange in the ring, oldest first, including those still in progress, as recorded now
     * @throws IllegalStateException for a TCP tunnel, or one opened with {@code capture(false)}
     */
    public List<RecordedExchange> exchanges() {
        return store("exchanges").exchanges();
    }

    /**
     * Forgets every recorded exchange, taken or not (as the inspector's clear button does).
     *
     * @throws IllegalStateException for a TCP tunnel, or one opened with {@code capture(false)}
     */
    public void clearRecorded() {
        store("clearRecorded").clear();
    }

    /**
     * @return the inspector page, such as {@code http://127.0.0.1:41234/}, while it runs; empty for a TCP tunnel,
     *         with the inspector or capture turned off, or after the tunnel closed
     */
    public Optional<URI> inspectorUrl() {
        return binding instanceof HttpTunnel http ? http.inspectorUrl() : Optional.empty();
    }

    private ExchangeStore store(String what) {
        if (!(binding instanceof HttpTunnel http)) {
            throw new IllegalStateException(what + "() is for HTTP tunnels; " + publicUrl() + " is a TCP tunnel");
        }
        return http.capture().orElseThrow(() -> new IllegalStateException(what + "() needs capture, and " + publicUrl()
                + " was opened with capture(false)"));
    }

    /**
     * Closes the tunnel: the relay stops routing to it (exchanges already running finish), and if the tunnel
     * opened its own session, that session ends. Idempotent.
     */
    @Override
    public void close() {
        binding.close();
        if (ownedClient != null) ownedClient.close();
    }

    @Override
    public String toString() {
        return "Tunnel[" + publicUrl() + " -> " + localUrl() + (isOpen() ? "" : ", closed") + "]";
    }
}
