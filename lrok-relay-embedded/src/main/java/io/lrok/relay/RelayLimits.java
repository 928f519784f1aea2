package io.lrok.relay;

import io.lrok.internal.wire.Protocol;
import io.lrok.mux.MuxConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The limits and timeouts of a relay, all in one place. Immutable; start from {@link #defaults()} and change what you
 * need with the {@code withX} methods. The sizes of HTTP heads are limited separately, by
 * {@link EmbeddedRelay.Builder#httpLimits}. Bodies are never limited: a request or response may be as large and
 * last as long as its two ends like (server-sent events, long polls, uploads).
 *
 * @param handshakeTimeout     how long an agent has, from its TCP connection to its hello, before the relay closes
 *                             the connection ({@link Protocol#HANDSHAKE_TIMEOUT})
 * @param maxSessions          agent sessions held at once; a hello beyond it is answered {@code limit_reached}
 * @param maxTunnelsPerSession tunnels one agent session may hold; a bind beyond it is answered
 *                             {@code limit_reached}
 * @param maxEdgeConnections   public connections held at once, over all edge listeners; a connection beyond it is
 *                             answered 503 and closed
 * @param maxConnectionsPerAddress public connections held at once from one client IP address, over all edge
 *                             listeners and TCP tunnels (they count against {@code maxEdgeConnections} too); an
 *                             HTTP connection beyond it is answered 503 and closed at once, without lingering, and
 *                             an HTTPS or TCP one is closed; refusals are counted and logged at most once per
 *                             {@link #REFUSAL_LOG_INTERVAL} at WARNING
 * @param idleTimeout          how long a public connection may wait for the first byte of its next request (the
 *                             keep-alive idle time, and the wait for the first request) before the relay closes
 *                             it quietly; {@link Duration#ZERO} waits forever
 * @param headTimeout          how long a request head may take to arrive once its first byte has (against clients
 *                             that send a head slowly to hold connections); past it the client gets 408;
 *                             {@link Duration#ZERO} waits forever
 * @param lingerTimeout        when the relay closes a public connection (after an error page, or a response it
 *                             sent with {@code Connection: close}) it stops writing and reads, for at most this
 *                             long, what the client still sends, so that closing does not reset the connection
 *                             before the client has read everything; it is also how long a client still uploading
 *                             to an agent that has answered may take to finish, and, after refusing an agent's
 *                             session (an error without id), how long the relay waits for the agent to close first
 * @param mux                  the multiplexer settings of agent sessions (windows, keepalive, stream limits)
 * @param maxSessionsPerAccount agent sessions one account (see {@link AgentGrant}; with a token file, one token)
 *                             holds at once; a hello beyond it is answered {@code limit_reached}. An account's
 *                             own {@link AgentGrant.Limits#maxSessions()} overrides it
 * @param maxStreamsPerSession public exchanges one agent session carries at once: HTTP requests in progress
 *                             (an upgraded one until its pipe ends) and TCP connections, over all its tunnels; an
 *                             HTTP request beyond it gets a 503 page, a TCP connection is reset. An account's own
 *                             {@link AgentGrant.Limits#maxStreamsPerSession()} overrides it. Keep it below
 *                             {@code mux.maxConcurrentStreams()}, the multiplexer's own bound
 * @param resumeGrace          how long the relay keeps a lost session's subdomains and ports for the agent to
 *                             resume it (docs/protocol.md §6): another agent's bind for them is refused meanwhile;
 *                             {@link Duration#ZERO} releases them at once
 * @param reconnectHold        how long a public request for a tunnel whose agent is reconnecting waits for it to
 *                             come back before it is answered 503; {@link Duration#ZERO} answers 503 at once
 * @param keptStreamIdle       how long a public keep-alive connection that has gone quiet keeps the stream of its
 *                             last exchange for its next request (docs/protocol.md §5, kept streams); after it the
 *                             stream is closed, so that idle connections hold no stream, thread or buffer at the
 *                             agent, and the next request opens a new one; {@link Duration#ZERO} keeps no stream
 */
public record RelayLimits(
        Duration handshakeTimeout,
        int maxSessions,
        int maxTunnelsPerSession,
        int maxEdgeConnections,
        int maxConnectionsPerAddress,
        Duration idleTimeout,
        Duration headTimeout,
        Duration lingerTimeout,
        MuxConfig mux,
        int maxSessionsPerAccount,
        int maxStreamsPerSession,
        Duration resumeGrace,
        Duration reconnectHold,
        Duration keptStreamIdle) {

    /** The default limit of agent sessions held at once. */
    public static final int DEFAULT_MAX_SESSIONS = 1_000;
    /** The default limit of tunnels per agent session. */
    public static final int DEFAULT_MAX_TUNNELS_PER_SESSION = 100;
    /** The default limit of public connections held at once. */
    public static final int DEFAULT_MAX_EDGE_CONNECTIONS = 10_000;
    /**
     * The default limit of public connections from one client address: 1,024, far above the six to eight a browser
     * opens per host, so that many clients behind one NAT, or a test firing hundreds of requests at once from
     * loopback, still fit; and a tenth of {@link #DEFAULT_MAX_EDGE_CONNECTIONS}, so that one address cannot take
     * them all. Behind a reverse proxy every client has the proxy's address: raise it to {@code maxEdgeConnections}
     * there, and limit per client in the proxy.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_024;
    /**
     * How often, at most, the relay logs at WARNING that it refused connections for exceeding
     * {@link #maxConnectionsPerAddress}, with the count since the last such line; other refusals log at DEBUG, so that a
     * flood cannot flood the log.
     */
    public static final Duration REFUSAL_LOG_INTERVAL = Duration.ofSeconds(10);
    /** The default keep-alive idle time of a public connection: 75 s, as nginx's {@code keepalive_timeout}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(75);
    /** The default time a request head may take once begun: 30 s. */
    public static final Duration DEFAULT_HEAD_TIMEOUT = Duration.ofSeconds(30);
    /** The default time the relay reads what a client still sends after an error page: 2 s. */
    public static final Duration DEFAULT_LINGER_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Public connections one TCP tunnel holds at once; a connection beyond it is closed at once (they also count
     * against {@link #maxEdgeConnections}).
     */
    public static final int MAX_CONNECTIONS_PER_TCP_TUNNEL = 1_000;
    /** The default limit of agent sessions per account. */
    public static final int DEFAULT_MAX_SESSIONS_PER_ACCOUNT = 100;
    /** The default limit of public exchanges one agent session carries at once. */
    public static final int DEFAULT_MAX_STREAMS_PER_SESSION = 1_000;

    /**
     * How long a graceful shutdown ({@link EmbeddedRelay#shutdown()}, SIGTERM of the standalone relay) lets exchanges
     * in progress finish by default: 30 s, well within systemd's 90 s stop timeout.
     */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /** The default resume grace: 2 minutes, long enough for a laptop to change networks or a relay to restart. */
    public static final Duration DEFAULT_RESUME_GRACE = Duration.ofMinutes(2);
    /** The default hold of a request for a reconnecting tunnel: 10 s, within common client timeouts. */
    public static final Duration DEFAULT_RECONNECT_HOLD = Duration.ofSeconds(10);
    /** The default time a quiet keep-alive connection keeps its stream: 5 s, over the gaps within a burst of
     *  requests (a page and its assets, a test suite), well under the 75 s a quiet connection itself is kept. */
    public static final Duration DEFAULT_KEPT_STREAM_IDLE = Duration.ofSeconds(5);

    /** Checks the values. */
    public RelayLimits {
        requirePositive("handshakeTimeout", handshakeTimeout);
        requireAtLeastOne("maxSessions", maxSessions);
        requireAtLeastOne("maxTunnelsPerSession", maxTunnelsPerSession);
        requireAtLeastOne("maxEdgeConnections", maxEdgeConnections);
        requireAtLeastOne("maxConnectionsPerAddress", maxConnectionsPerAddress);
        requireNonNegative("idleTimeout", idleTimeout);
        requireNonNegative("headTimeout", headTimeout);
        requireNonNegative("lingerTimeout", lingerTimeout);
        Objects.requireNonNull(mux, "mux");
        requireAtLeastOne("maxSessionsPerAccount", maxSessionsPerAccount);
        requireAtLeastOne("maxStreamsPerSession", maxStreamsPerSession);
        requireNonNegative("resumeGrace", resumeGrace);
        requireNonNegative("reconnectHold", reconnectHold);
        requireNonNegative("keptStreamIdle", keptStreamIdle);
    }

    /**
     * The defaults: handshake 10 s, 1,000 sessions, 100 tunnels per session, 10,000 public connections, idle 75 s,
     * head 30 s, linger 2 s, {@link MuxConfig#defaults()}, 100 sessions per account, 1,000 exchanges per session,
     * resume grace 2 min, reconnect hold 10 s, kept stream idle 5 s.
     *
     * @return the default limits
     */
    public static RelayLimits defaults() {
        return new RelayLimits(Protocol.HANDSHAKE_TIMEOUT, DEFAULT_MAX_SESSIONS, DEFAULT_MAX_TUNNELS_PER_SESSION,
                DEFAULT_MAX_EDGE_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_HEAD_TIMEOUT, DEFAULT_LINGER_TIMEOUT, MuxConfig.defaults(), DEFAULT_MAX_SESSIONS_PER_ACCOUNT,
                DEFAULT_MAX_STREAMS_PER_SESSION, DEFAULT_RESUME_GRACE, DEFAULT_RECONNECT_HOLD,
                DEFAULT_KEPT_STREAM_IDLE);
    }

    /**
     * Changes one limit.
     *
     * @param value the new handshake timeout, positive
     * @return a copy with it
     */
    public RelayLimits withHandshakeTimeout(Duration value) {
        return new RelayLimits(value, maxSessions, maxTunnelsPerSession, maxEdgeConnections, maxConnectionsPerAddress,
                idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount, maxStreamsPerSession, resumeGrace,
                reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new limit of agent sessions
     * @return a copy with it
     */
    public RelayLimits withMaxSessions(int value) {
        return new RelayLimits(handshakeTimeout, value, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new limit of tunnels per session
     * @return a copy with it
     */
    public RelayLimits withMaxTunnelsPerSession(int value) {
        return new RelayLimits(handshakeTimeout, maxSessions, value, maxEdgeConnections, maxConnectionsPerAddress,
                idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount, maxStreamsPerSession, resumeGrace,
                reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new limit of public connections
     * @return a copy with it
     */
    public RelayLimits withMaxEdgeConnections(int value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, value, maxConnectionsPerAddress,
                idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount, maxStreamsPerSession, resumeGrace,
                reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new limit of public connections from one client address
     * @return a copy with it
     */
    public RelayLimits withMaxConnectionsPerAddress(int value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections, value,
                idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount, maxStreamsPerSession, resumeGrace,
                reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new keep-alive idle time; zero waits forever
     * @return a copy with it
     */
    public RelayLimits withIdleTimeout(Duration value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, value, headTimeout, lingerTimeout, mux, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new time a head may take once begun; zero waits forever
     * @return a copy with it
     */
    public RelayLimits withHeadTimeout(Duration value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, value, lingerTimeout, mux, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new linger time after an error page; zero closes at once
     * @return a copy with it
     */
    public RelayLimits withLingerTimeout(Duration value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, value, mux, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new multiplexer settings of agent sessions
     * @return a copy with them
     */
    public RelayLimits withMux(MuxConfig value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, value, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new default limit of sessions per account
     * @return a copy with it
     */
    public RelayLimits withMaxSessionsPerAccount(int value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, mux, value, maxStreamsPerSession,
                resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new default limit of exchanges per session
     * @return a copy with it
     */
    public RelayLimits withMaxStreamsPerSession(int value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount, value,
                resumeGrace, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value the new resume grace; zero releases a lost session's names at once
     * @return a copy with it
     */
    public RelayLimits withResumeGrace(Duration value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount,
                maxStreamsPerSession, value, reconnectHold, keptStreamIdle);
    }

    /**
     * Changes one limit.
     *
     * @param value how long a quiet keep-alive connection keeps its stream; zero for never
     * @return a copy with it
     */
    public RelayLimits withKeptStreamIdle(Duration value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, reconnectHold, value);
    }

    /**
     * Changes one limit.
     *
     * @param value the new hold of requests for a reconnecting tunnel; zero answers 503 at once
     * @return a copy with it
     */
    public RelayLimits withReconnectHold(Duration value) {
        return new RelayLimits(handshakeTimeout, maxSessions, maxTunnelsPerSession, maxEdgeConnections,
                maxConnectionsPerAddress, idleTimeout, headTimeout, lingerTimeout, mux, maxSessionsPerAccount,
                maxStreamsPerSession, resumeGrace, value, keptStreamIdle);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(name + " must be positive: " + value);
    }

    private static void requireNonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + value);
    }

    private static void requireAtLeastOne(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be at least 1: " + value);
    }
}
